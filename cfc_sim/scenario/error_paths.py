"""Error paths: pydantic's errors turned into (key path, message) pairs that point where the user
must edit. A bad value inherited from `defaults` is reported at `defaults.<key>`, a bad override at
`areas[i].<key>`, a missing key at the area that lacks it (at `defaults` when several do); one typo
gives one message, and a list whose items share one fault gives one line.
"""

from __future__ import annotations

import difflib
import functools
import re
import typing
from typing import Any

from pydantic import ValidationError

from cfc_sim.scenario.schema import (
    AREA_BLOCKS,
    AreaConfig,
    Intervention,
    ScenarioHeader,
    UncertaintyConfig,
)

_DIST_TAGS = {"fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "shifted_poisson", "empirical"}
MISSING_HERE = "required key is missing (set it in defaults or in this area)"


def display_path(raw: Any, loc: tuple[Any, ...]) -> tuple[str, bool]:
    """Key path for a pydantic error location in `raw`, and whether that key exists there.

    Discriminator tags (`lognormal` in `...report_work_days.lognormal.sd`) are dropped.
    """
    parts: list[str] = []
    current = raw
    present = True
    for seg in loc:
        if isinstance(seg, int):
            parts[-1:] = [f"{parts[-1]}[{seg}]"] if parts else [f"[{seg}]"]
            if present and isinstance(current, list) and seg < len(current):
                current = current[seg]
            else:
                present = False
            continue
        if seg in _DIST_TAGS and not (isinstance(current, dict) and seg in current):
            continue
        label = str(seg) if str(seg).isprintable() else repr(str(seg))  # one line per problem
        if present and isinstance(current, dict) and seg in current:
            current = current[seg]
        elif present and not isinstance(current, dict):
            break  # a bare value where a mapping was expected: report at the value
        else:
            present = False
        parts.append(label)
    return ".".join(parts), present


@functools.cache
def schema_keys() -> tuple[str, ...]:
    """Every key name the scenario schema knows, for suggesting the one a typo meant."""
    from pydantic import BaseModel

    names: set[str] = set()
    stack: list[Any] = [ScenarioHeader, AreaConfig, Intervention, UncertaintyConfig]
    seen: set[Any] = set()
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(field.alias or name)
            for kind in _types_in(field.annotation):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    stack.append(kind)
    return tuple(sorted(names))


def _types_in(annotation: Any) -> list[Any]:
    out, stack = [], [annotation]
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(typing.get_args(item))
    return out


def describe(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), schema_keys(), n=1, cutoff=0.8)
        hint = f"did you mean {close[0]!r}?" if close else "not in the scenario schema: check the spelling"
        return f"unknown key {error['loc'][-1]!r} ({hint})"
    msg = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    scalar = isinstance(value, (str, int, float)) and not isinstance(value, bool) and "got " not in msg
    if kind.endswith("_type") or kind.startswith(("greater", "less", "literal", "too_", "string_")) or (
            kind == "value_error" and scalar):  # the offending value shown: an impossible date, a bad name
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        bound = (error.get("ctx") or {}).get("le")
        above = kind == "less_than_equal" and isinstance(value, (int, float)) and value > 1
        share = above and bound == 1
        rate = above and "turnover" in str(error["loc"][-1])  # a rate a year, which may exceed 1
        hint = (" (a share is written as a fraction: 0.7 for 70%)" if share
                else " (a rate is written as a fraction: 0.15 for 15% a year)" if rate else "")
        return f"{msg} (got {shown}){hint}"
    return msg


def pydantic_problems(exc: ValidationError, prefix: str, raw: Any,
                      fallbacks: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Turn pydantic errors into (key path, message), naming the mapping the user must edit.

    A wrong value is reported where it is written; a missing key where its enclosing block is
    written (so a distribution in `defaults` missing `sd` is reported once, at `defaults`).
    """
    out = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        missing = error["type"] == "missing"
        where_loc = loc[:-1] if missing and len(loc) > 1 else loc
        path, present = display_path(raw, loc)
        where = f"{prefix}.{path}" if prefix and path else (prefix or path)
        message = describe(error)
        if not display_path(raw, where_loc)[1] or (not present and not missing):
            for fb_prefix, fb_raw in fallbacks:
                if display_path(fb_raw, where_loc)[1]:
                    fb_path, _ = display_path(fb_raw, loc)
                    where = f"{fb_prefix}.{fb_path}" if fb_path else fb_prefix
                    break
            else:
                if missing and loc and loc[0] in AREA_BLOCKS:
                    message = MISSING_HERE
        out.append((where, message))
    return out


def lacking_keys(lacking: dict[str, list[str]], problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Required keys that areas lack, one problem per key: at the area if one lacks it, at
    `defaults` if several do; none where an unknown key nearby is its misspelling."""
    out = []
    for tail, labels in lacking.items():
        block, _, key = tail.rpartition(".")
        misspelt = [where for where, message in problems
                    if message.startswith("unknown key") and f"did you mean {key!r}" in message
                    and where.rpartition(".")[0].endswith(f".{block}" if block else "")]
        if misspelt:
            continue
        if len(labels) == 1:
            out.append((f"{labels[0]}.{tail}", MISSING_HERE))
        else:
            shown = ", ".join(labels[:3]) + (", ..." if len(labels) > 3 else "")
            out.append((f"defaults.{tail}", f"required key is missing: {len(labels)} areas lack it ({shown}); "
                        "set it here or in each area"))
    return out


_AREA_LABEL = re.compile(r"^areas\[\d+\](?: \(.*?\))?(?=\.|$)")


def _relative(where: str) -> str:
    """A key path without its `defaults.` or `areas[i] (Name).` start: the key inside one area."""
    if where == "defaults" or where.startswith("defaults."):
        return where[len("defaults."):]
    match = _AREA_LABEL.match(where)
    return where[match.end() + 1:] if match else where


def without_misspelt_missing(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop "required key is missing" where an unknown key beside it is its misspelling, so one
    typo gives one error (the unknown key's, which names the key it meant)."""
    meant = set()
    for where, message in problems:
        found = re.search(r"did you mean '([^']+)'", message) if message.startswith("unknown key") else None
        if found:
            parent = _relative(where).rpartition(".")[0]
            meant.add(f"{parent}.{found.group(1)}" if parent else found.group(1))
    return [(where, message) for where, message in problems
            if not (message.startswith("required key is missing") and _relative(where) in meant)]


def collapse_items(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One problem for a list whose items share one fault (`seasonality[0]`..`[11]`), and none for
    pydantic's echo that the list then has too few valid items."""
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for where, message in problems:
        match = re.fullmatch(r"(.*)\[(\d+)\]", where)
        base, index = (match.group(1), match.group(2)) if match else (where, "")
        rule = re.sub(r" \(got .*\)$", "", message) if index else message
        groups.setdefault((base, rule), []).append((index, where, message))
    listed = {base for (base, _), members in groups.items() if any(index for index, _, _ in members)}
    out = []
    for (base, rule), members in groups.items():
        if base in listed and all(not index for index, _, _ in members) and "should have at least" in rule:
            continue
        if len(members) > 1 and all(index for index, _, _ in members):
            out.append((base, f"items {', '.join(index for index, _, _ in members)}: {rule}"))
        else:
            out += [(where, message) for _, where, message in members]
    return out
