"""Variants of a scenario: dotted settings (cfc_sim.scenario.keys) applied to its mapping, then
validated as a scenario file is. Every variant (sweeps, plans, rollout, sensitivity, the FCA
need) is built here.

Keys follow the scenario file: `defaults.workforce.fcas`, `readiness.policy`, `horizon_months`;
areas are addressed by name, `areas.Essex.go_live`, or all at once, `areas.*.workforce.fcas`.
Values are read as YAML scalars, so `10`, `0.9`, `2026-10-01` and `readiness` keep their types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cfc_sim.errors import UserError
from cfc_sim.scenario.keys import apply_settings
from cfc_sim.scenario.loading import build_config
from cfc_sim.scenario.reading import read_scalar, resolve_extends
from cfc_sim.scenario.resolved import resolved_dict
from cfc_sim.scenario.schema import Intervention, ScenarioConfig, thaw


def parse_value(text: str) -> Any:
    """A command-line value as a scenario file would read it (numbers, dates, words)."""
    return read_scalar(text)


def parse_setting(text: str) -> tuple[str, list[Any]]:
    """`KEY=V1,V2,...` into the key and its values."""
    key, sep, values = text.partition("=")
    if not sep or not key.strip() or not values.strip():
        raise UserError(f"expected KEY=V1,V2,... got {text!r}", key="--set")
    return key.strip(), [parse_value(v.strip()) for v in values.split(",")]


def build_variant(raw: Mapping[str, Any], settings: Mapping[str, Any], path: str | Path) -> ScenarioConfig:
    """The resolved mapping of the scenario at `path` with `settings` applied, validated as a
    scenario file; errors name the file and the settings."""
    label = str(path) if not settings else f"{path} with " + ", ".join(f"{k}={v}" for k, v in settings.items())
    return build_config(apply_settings(raw, settings), label, Path(path).parent)


def load_variant(path: str | Path, settings: Mapping[str, Any]) -> ScenarioConfig:
    """The scenario at `path` with `settings` applied, validated; errors name the settings."""
    return build_variant(resolve_extends(Path(path)), settings, path)


def config_variant(config: ScenarioConfig, settings: Mapping[str, Any], *, areas: Sequence[str] | None = None,
                   interventions: Sequence[Intervention] | None = None, label: str | None = None) -> ScenarioConfig:
    """A validated scenario with scenario keys set, optionally reduced to `areas` (in their order in
    the scenario) and with `interventions` replaced. Validated as a scenario file is: a value the
    schema refuses raises ScenarioError naming the setting's key path."""
    raw = resolved_dict(config)
    if areas is not None:
        wanted = set(areas)
        raw["areas"] = [a for a in raw["areas"] if a["name"] in wanted]
        raw.pop("interventions", None)
        kept = [i for i in config.interventions if i.area in wanted]
        if kept:
            raw["interventions"] = [{"at": i.at, "area": i.area, "set": thaw(i.set)} for i in kept]
    if interventions is not None:
        raw["interventions"] = [{"at": i.at, "area": i.area, "set": thaw(i.set)} for i in interventions]
    described = ", ".join(f"{k}={v}" for k, v in settings.items())
    source = label or config.source or config.name
    built = build_config(apply_settings(raw, settings), f"{source} with {described}" if described else source)
    return built.model_copy(update={"source": config.source})
