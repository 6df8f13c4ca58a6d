"""Scenario files: schema (typed, frozen), reading (YAML, extends), loading (validation, with
error paths and cross-checks), resolved (the scenario as run), keys and variants, distributions.

The names below are loaded on first use, so a process-pool worker that only unpickles a config and
runs the model (importing `cfc_sim.scenario.schema` and `.distributions`) never imports the YAML
loader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cfc_sim.scenario.loading import load_scenario
    from cfc_sim.scenario.resolved import resolved_yaml, scenario_sha256
    from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

_WHERE = {"load_scenario": "loading", "resolved_yaml": "resolved", "scenario_sha256": "resolved",
          "AreaConfig": "schema", "ScenarioConfig": "schema"}

__all__ = ["AreaConfig", "ScenarioConfig", "load_scenario", "resolved_yaml", "scenario_sha256"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'cfc_sim.scenario' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"cfc_sim.scenario.{_WHERE[name]}"), name)
