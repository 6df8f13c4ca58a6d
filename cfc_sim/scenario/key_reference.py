"""The scenario keys as a reference table, read from the schema itself (the documentation's
"Scenario keys" page is generated from it by `docs/hooks.py`), so the reference cannot drift
from what validation accepts: every key, where it goes, its type and range, and its default."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from cfc_sim.scenario.distributions import Fixed
from cfc_sim.scenario.schema import AREA_BLOCKS, AreaConfig, Intervention, ScenarioHeader

SKIPPED = {"extends", "schema"}  # written by hand on the page (file-level keys)


@dataclass(frozen=True)
class KeyRow:
    """One scenario key: its dotted path, its type and range in words, and its default."""

    key: str
    kind: str
    default: str


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    out, stack = [], [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            out.append(item)
        stack.extend(typing.get_args(item))
    return out


def _is_distribution(annotation: Any) -> bool:
    return Fixed in typing.get_args(annotation)


def _bounds(metadata: list[Any]) -> str:
    words = []
    for item in metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, attr, None)
            if value is not None:
                words.append(f"{sign} {value:,}" if isinstance(value, int) else f"{sign} {value}")
    return ", ".join(words)


def _kind(annotation: Any, metadata: list[Any]) -> str:
    """The type in words: number, whole number, date, text, one of ..., distribution."""
    if _is_distribution(annotation):
        return "distribution"
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    if args and typing.get_origin(annotation) is not tuple and len(args) == 1:
        inner = args[0]
        extra = [m for a in typing.get_args(inner)[1:] for m in getattr(a, "metadata", [a])]
        return _kind(typing.get_args(inner)[0] if typing.get_origin(inner) is typing.Annotated else inner,
                     [*metadata, *extra])
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _kind(inner, [*metadata, *extra])
    if typing.get_origin(annotation) is tuple:
        item = typing.get_args(annotation)[0]
        return "mapping of area keys to values" if item is Any else f"list of {_kind(item, metadata)}"
    names = {int: "whole number", float: "number", str: "text", bool: "true or false"}
    name = names.get(annotation, getattr(annotation, "__name__", str(annotation)))
    if name == "date":
        name = "date (YYYY-MM-DD)"
    bounds = _bounds(metadata)
    return f"{name} ({bounds})" if bounds else name


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if value == "":
        return '`""`'
    if value == ():
        return "none"

    if isinstance(value, BaseModel):
        dumped = value.model_dump(exclude_none=True)
        return f"`{dumped}`" if len(str(dumped)) < 60 else "see its keys"
    return f"`{value}`"


def _rows(model: type[BaseModel], prefix: str) -> Iterator[KeyRow]:
    hints = typing.get_type_hints(model, include_extras=True)  # resolves annotations pydantic kept as text
    for name, field in model.model_fields.items():
        key = field.alias or name
        if isinstance(field.annotation, typing.ForwardRef):
            field = field.merge_field_infos(field, annotation=hints[name])
        if not prefix and key in SKIPPED:
            continue
        path = f"{prefix}{key}"
        models = [] if _is_distribution(field.annotation) else _models_in(field.annotation)
        if models and typing.get_origin(field.annotation) is not tuple:
            yield KeyRow(path, "block", _default(field))
            for inner in models:
                yield from _rows(inner, f"{path}.")
        else:
            yield KeyRow(path, _kind(field.annotation, list(field.metadata)), _default(field))


def scenario_key_rows() -> dict[str, list[KeyRow]]:
    """The keys by where they are written: the file's own keys, an area's keys (also in `defaults`
    and `regions.<name>`), and an intervention's."""
    area = [row for row in _rows(AreaConfig, "") if row.key.split(".")[0] in (*AREA_BLOCKS, "name", "region",
                                                                                "go_live")]
    return {"scenario": list(_rows(ScenarioHeader, "")), "area": area,
            "intervention": list(_rows(Intervention, ""))}


def markdown_table(rows: list[KeyRow]) -> str:
    """The rows as a Markdown table."""
    lines = ["| key | type | default |", "| --- | --- | --- |"]
    lines += [f"| `{r.key}` | {r.kind} | {r.default} |" for r in rows]
    return "\n".join(lines)
