"""Variants of a scenario: dotted settings applied to its mapping before validation.

Keys follow the scenario file: `defaults.workforce.fcas`, `readiness.policy`, `horizon_months`;
areas are addressed by name, `areas.Essex.go_live`, or all at once, `areas.*.workforce.fcas`.
Values are read as YAML scalars, so `10`, `0.9`, `2026-10-01` and `readiness` keep their types.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cfc_sim.errors import UserError
from cfc_sim.scenario.loading import build_config, resolve_extends
from cfc_sim.scenario.schema import ScenarioConfig


def parse_value(text: str) -> Any:
    """A command-line value as YAML would read it (numbers, dates, words)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_setting(text: str) -> tuple[str, list[Any]]:
    """`KEY=V1,V2,...` into the key and its values."""
    key, sep, values = text.partition("=")
    if not sep or not key.strip() or not values.strip():
        raise UserError(f"expected KEY=V1,V2,... got {text!r}", key="--set")
    return key.strip(), [parse_value(v.strip()) for v in values.split(",")]


def _targets(raw: dict[str, Any], key: str) -> list[tuple[dict[str, Any], str]]:
    """The mappings (and final key) that `key` points at in the raw scenario."""
    parts = key.split(".")
    if parts[0] == "areas":
        if len(parts) < 3:
            raise UserError("address an area as areas.<name>.<key> or areas.*.<key>", key=key)
        areas = [a for a in raw.get("areas") or [] if isinstance(a, dict)]
        chosen = areas if parts[1] == "*" else [a for a in areas if a.get("name") == parts[1]]
        if not chosen:
            names = ", ".join(str(a.get("name")) for a in areas[:8])
            raise UserError(f"no area named {parts[1]!r} (areas include {names}, ...)", key=key)
        starts, rest = chosen, parts[2:]
    else:
        starts, rest = [raw], parts
    out = []
    for node in starts:
        for part in rest[:-1]:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise UserError(f"{part!r} is not a block of keys", key=key)
            node = child
        out.append((node, rest[-1]))
    return out


def apply_settings(raw: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the raw scenario with each dotted setting applied (validation comes after)."""
    out = copy.deepcopy(dict(raw))
    for key, value in settings.items():
        for node, last in _targets(out, key):
            node[last] = copy.deepcopy(value)
    return out


def load_variant(path: str | Path, settings: Mapping[str, Any]) -> ScenarioConfig:
    """The scenario at `path` with `settings` applied, validated; errors name the settings."""
    raw = resolve_extends(Path(path))
    label = str(path) if not settings else f"{path} with " + ", ".join(f"{k}={v}" for k, v in settings.items())
    return build_config(apply_settings(raw, settings), label, Path(path).parent)
