"""Scenario files: schema (typed, frozen), loading (YAML, extends, error paths), distributions."""

from cfc_sim.scenario.loading import load_scenario, resolved_yaml, scenario_sha256
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

__all__ = ["AreaConfig", "ScenarioConfig", "load_scenario", "resolved_yaml", "scenario_sha256"]
