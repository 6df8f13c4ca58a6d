"""One assumption set through the simulation: the scenario variants it makes (dotted settings,
relative parameters per area) and the measures of its figures (run by `cfc_sim.calibrate.measure`).

Every point runs with the same seed (common random numbers), so differences between points come
from the assumptions, not from the dice.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfc_sim.calibrate.measure import Measure
from cfc_sim.calibrate.space import Figure, Parameter, Space
from cfc_sim.errors import UserError
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.scenario.keys import apply_settings, get, parse
from cfc_sim.scenario.loading import build_config
from cfc_sim.scenario.reading import resolve_extends
from cfc_sim.scenario.resolved import resolved_dict
from cfc_sim.scenario.schema import ScenarioConfig


def measure_of(figure: Figure) -> Measure:
    t = figure.target
    return (t.area, t.pathway, t.metric, figure.ratio, figure.each)


@dataclass
class ScenarioBase:
    """One scenario of the space, read once: its mapping (cut to its areas) and resolved values."""

    name: str
    path: Path
    raw: dict[str, Any]
    resolved: dict[str, Any]
    areas: list[str]
    # every area of the file, resolved, when the runs are cut to some of them: a relative parameter's
    # factor is a property of the assumption set, so the sets handed to plans carry it to every area
    every_area: list[dict[str, Any]] | None = None


def load_bases(space: Space) -> dict[str, ScenarioBase]:
    """Each scenario of the space, cut to its areas; errors name the space file and key."""
    bases = {}
    for name, entry in space.scenarios.items():
        path = space.scenario_file(name)
        raw = resolve_extends(path)
        if entry.settings:
            try:
                raw = apply_settings(raw, entry.settings)
            except UserError as exc:
                raise UserError(exc.detail, file=str(space.path), key=f"scenarios.{name}.settings.{exc.key}") from None
        every_area = None
        if entry.areas:
            every_area = resolved_dict(build_config(copy.deepcopy(raw), str(path), path.parent))["areas"]
            known = [a.get("name") for a in raw.get("areas") or [] if isinstance(a, dict)]
            unknown = [a for a in entry.areas if a not in known]
            if unknown:
                raise UserError(f"no area named {unknown[0]!r} in {entry.file}", file=str(space.path),
                                key=f"scenarios.{name}.areas")
            raw["areas"] = [a for a in raw["areas"] if a.get("name") in set(entry.areas)]
            if isinstance(raw.get("interventions"), list):
                raw["interventions"] = [i for i in raw["interventions"]
                                        if not isinstance(i, dict) or i.get("area") in set(entry.areas)]
        config = build_config(raw, str(path), path.parent)
        bases[name] = ScenarioBase(name, path, raw, resolved_dict(config), [a.name for a in config.areas],
                                   every_area)
    _check_figures(space, bases)
    return bases


def _check_figures(space: Space, bases: dict[str, ScenarioBase]) -> None:
    blocks = {"figure": "figures", "condition": "conditions"}
    counts = {"figure": 0, "condition": 0}
    for figure in space.figures:
        i = counts[figure.kind]
        counts[figure.kind] += 1
        area = figure.target.area
        if area not in (NATIONAL, "*") and area not in bases[figure.scenario].areas:
            raise UserError(f"no area named {area!r} in scenario {figure.scenario!r} (use {NATIONAL} for England)",
                            file=str(space.path), key=f"{blocks[figure.kind]}[{i}].area")


def _setting_value(parameter: Parameter, value: float) -> int | float:
    return int(round(value)) if parameter.integer else float(value)


def settings_for(base: ScenarioBase, parameters: Sequence[Parameter], values: Sequence[float], *,
                 every_area: bool = False) -> dict[str, Any]:
    """The dotted settings one assumption set makes in one scenario; a relative parameter becomes
    the scenario's own value times the factor, area by area (`every_area`: over every area of the
    file, not only those the runs are cut to: the settings handed to plans)."""
    areas = base.every_area if every_area and base.every_area is not None else base.resolved["areas"]
    settings: dict[str, Any] = {}
    for parameter, value in zip(parameters, values, strict=True):
        if base.name not in parameter.scenarios:
            continue
        if not parameter.relative:
            settings[parameter.key] = _setting_value(parameter, value)
            continue
        key = parse(parameter.key, base.areas)
        if key.path[0] == "defaults" and key.area is None:
            raise UserError("a relative parameter needs an areas.* or areas.<name> key (each area's own value)",
                            key=parameter.key)
        targets = ([(parameter.key, get(base.resolved, key.path))] if key.area is None else
                   [(f"areas.{area['name']}.{'.'.join(key.path)}", get(area, key.path))
                    for area in areas if key.area in ("*", area["name"])])
        if key.area is not None and not targets:
            raise UserError(f"no area named {key.area!r} (areas include {', '.join(base.areas[:8])})",
                            key=parameter.key)
        for text, current in targets:
            if not isinstance(current, (int, float)) or isinstance(current, bool):
                raise UserError(f"relative: the scenario's value there is {current!r}, not a number",
                                key=parameter.key)
            scaled = current * value
            settings[text] = int(round(scaled)) if isinstance(current, int) or parameter.integer else float(scaled)
    return settings


def variant(base: ScenarioBase, settings: dict[str, Any], replications: int, seed: int) -> ScenarioConfig:
    """The scenario with an assumption set applied, validated as a scenario file is."""
    label = f"{base.path} with " + ", ".join(f"{k}={v}" for k, v in list(settings.items())[:6])
    config = build_config(apply_settings(base.raw, settings), label, base.path.parent)
    return config.with_run_options(replications=replications, seed=seed)
