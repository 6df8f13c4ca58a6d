"""Dotted keys into a scenario: the one resolver behind sweeps, plans, rollout, sensitivity,
interventions and uncertainty, so every variant is built, and validated, the same way.

A scenario key is written as in the file: `horizon_months`, `readiness.policy`,
`defaults.workforce.fcas`, `areas.Essex.go_live` (one area, by name) or `areas.*.workforce.fcas`
(every area). An area key (`workforce.fcas`, as in interventions and uncertainty) is relative to
one area. A variant of a scenario is its mapping with the settings applied, validated again
exactly as a scenario file is (`cfc_sim.scenario.variants`), so its errors carry the same key paths.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from cfc_sim.errors import UserError
from cfc_sim.scenario.schema import AREA_BLOCKS, AreaConfig
from cfc_sim.suggest import did_you_mean

EVERY_AREA = "*"


class KeyProblem(ValueError):
    """A dotted key that does not fit the mapping it is applied to (the message says why)."""


@dataclass(frozen=True)
class Key:
    """A parsed scenario key: `area` is None for a top-level key, `*` for every area, else a name."""

    text: str
    area: str | None
    path: tuple[str, ...]


def parse(text: str, area_names: Sequence[str] = ()) -> Key:
    """Split a scenario key; `areas.<name>.` matches the longest known name (names may hold dots)."""
    if not isinstance(text, str) or not text.strip():
        raise UserError("a key must be dotted text, e.g. workforce.fcas", key=repr(text))
    if text.startswith("areas."):
        rest = text[len("areas."):]
        names = sorted((n for n in (*area_names, EVERY_AREA) if rest.startswith(f"{n}.")), key=len, reverse=True)
        name, tail = (names[0], rest[len(names[0]) + 1:]) if names else rest.partition(".")[::2]
        if not name or not tail:
            raise UserError("address an area as areas.<name>.<key> or areas.*.<key>", key=text)
        path = tuple(tail.split("."))
        area: str | None = name
    else:
        path, area = tuple(text.split(".")), None
    if any(not part for part in path):
        raise UserError("a dotted key has an empty part (two dots, or a dot at an end)", key=text)
    return Key(text, area, path)


_MISSING = object()


def get(mapping: Any, path: Sequence[str]) -> Any:
    """The value at `path` inside nested mappings, or `None` if any step is missing."""
    node = mapping
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def put(mapping: dict[str, Any], path: Sequence[str], value: Any, *, create: bool) -> None:
    """Set `path` inside nested mappings. With `create`, missing blocks are added (a scenario file
    may leave a block to `defaults`); without, the key must already exist. Raises KeyProblem."""
    node = mapping
    for i, part in enumerate(path[:-1]):
        child = node.get(part, _MISSING)
        if child is _MISSING or child is None:
            if not create:
                raise KeyProblem(f"no key {'.'.join(path[:i + 1])!r} here")
            child = node[part] = {}
        if not isinstance(child, dict):
            raise KeyProblem(f"{part!r} is a value, not a block of keys")
        node = child
    if not create and path[-1] not in node:
        raise KeyProblem(f"no key {'.'.join(path)!r} here")
    node[path[-1]] = copy.deepcopy(value)


def _areas_named(raw: dict[str, Any], key: Key) -> list[dict[str, Any]]:
    areas = [a for a in raw.get("areas") or [] if isinstance(a, dict)]
    chosen = areas if key.area == EVERY_AREA else [a for a in areas if a.get("name") == key.area]
    if not chosen:
        known = [str(a.get("name")) for a in areas]
        hint = did_you_mean(str(key.area), known) or (
            f" (areas include {', '.join(known[:8])}{', ...' if len(known) > 8 else ''})")
        raise UserError(f"no area named {key.area!r}{hint}", key=key.text)
    return chosen


def apply_settings(raw: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a scenario mapping with each dotted setting applied (validate it afterwards)."""
    out = copy.deepcopy(dict(raw))
    names = [str(a.get("name")) for a in out.get("areas") or [] if isinstance(a, dict)]
    for text, value in settings.items():
        key = parse(text, names)
        for node in _areas_named(out, key) if key.area is not None else [out]:
            try:
                put(node, key.path, value, create=True)
            except KeyProblem as exc:
                raise UserError(str(exc), key=text) from None
    return out


def replaced_distributions(raw: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    """A note for each setting that puts plain numbers where the scenario has a distribution: the
    variant then has no spread at all, so even the one at the scenario's own value is not the
    scenario (a sweep of time_to_hire_days=150,240 turned lognormal(150, 50) into a fixed 150)."""
    names = [str(a.get("name")) for a in raw.get("areas") or [] if isinstance(a, Mapping)]
    regions = raw.get("regions") if isinstance(raw.get("regions"), Mapping) else {}
    notes = []
    for text in keys:
        key = parse(text, names)
        for node in _areas_named(dict(raw), key) if key.area is not None else [raw]:
            current = get(node, key.path)
            if current is None and key.area is not None:  # the area inherits it: from its region, else defaults
                current = get(regions, (str(node.get("region")), *key.path))
                current = current if current is not None else get(raw, ("defaults", *key.path))
            if isinstance(current, Mapping) and current.get("dist") not in (None, "fixed"):
                shown = ", ".join(f"{k} {v}" for k, v in current.items() if k != "dist")
                centre = next((k for k in ("mean", "value", "mode", "low") if k in current), None)
                keep = f"; to keep it and move its {centre}, set {text}.{centre}" if centre else ""
                notes.append(f"{text} puts a fixed value where the scenario has a distribution ({current['dist']}: "
                             f"{shown}), so no variant has its spread, not even one at its {centre or 'centre'}{keep}")
                break
    return notes


def set_area_value(area: dict[str, Any], text: str, value: Any) -> None:
    """Change one existing per-area parameter in a merged area mapping (interventions,
    uncertainty). A whole block may not be replaced, only a distribution. Raises KeyProblem."""
    path = tuple(text.split("."))
    if path[0] not in AREA_BLOCKS or any(not p for p in path):
        raise KeyProblem(f"not a per-area parameter{_closest_key(text)} (blocks: {', '.join(AREA_BLOCKS)})")
    current = get(area, path)
    if isinstance(current, dict) and "dist" not in current:
        raise KeyProblem(f"is a whole block: set its parameters one by one with dotted keys, e.g. {text}.<parameter>")
    try:
        put(area, path, value, create=False)
    except KeyProblem:
        raise KeyProblem(f"not a per-area parameter{_closest_key(text)} "
                         f"(blocks: {', '.join(AREA_BLOCKS)})") from None


def _closest_key(text: str) -> str:
    """' (did you mean 'workforce.hire_success'?)' for a misspelt per-area key, from the schema's own list
    of an area's keys (`key_reference`, which the docs' key table is made from)."""
    from cfc_sim.scenario.key_reference import scenario_key_rows

    keys = [row.key for row in scenario_key_rows()["area"] if row.kind != "block"
            and row.key.split(".")[0] in AREA_BLOCKS]
    return did_you_mean(text, keys)


def area_variant(area: AreaConfig, changes: Mapping[str, Any]) -> AreaConfig:
    """An area with per-area keys changed, validated again (raises KeyProblem or ValidationError)."""
    data: dict[str, Any] = area.model_dump()
    for text, value in changes.items():
        set_area_value(data, text, value)
    return AreaConfig.model_validate(data)


def describe_validation(exc: ValidationError) -> str:
    """A pydantic error as one short line (key path: message), for variants built at run time."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg'].removeprefix('Value error, ')}"


def drawn_value(old: float, value: float, relative: bool) -> int | float:
    """A parameter's value under an uncertainty draw: the draw itself, or the area's own value times
    it (`relative`); rounded when the parameter is a whole number."""
    new = old * value if relative else value
    return int(round(new)) if isinstance(old, int) else float(new)


def drawn_changes(area: AreaConfig, draws: Mapping[str, tuple[float, bool]],
                  area_names: Sequence[str]) -> dict[str, int | float]:
    """The per-area keys that uncertainty draws (key: (value, relative)) change in `area`; a key
    naming this area (`areas.<name>.<key>`) wins over the same key for every area."""
    parsed = sorted(((parse(key, area_names), draw) for key, draw in draws.items()),
                    key=lambda item: item[0].area is not None)
    data = area.model_dump()
    changes: dict[str, int | float] = {}
    for key, (value, relative) in parsed:
        if key.area in (None, area.name):
            changes[".".join(key.path)] = drawn_value(get(data, key.path), value, relative)
    return changes
