"""The built-in scenario: the national rollout in the checkout's `scenarios/` folder (standard
library only, so the command line and the package facade can name it without loading YAML)."""

from __future__ import annotations

from pathlib import Path

from cfc_sim.errors import UserError

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "national-rollout.yaml"


def default_scenario_path() -> Path:
    """The national default scenario file; UserError when the checkout's scenarios/ is missing."""
    if not DEFAULT_SCENARIO.is_file():
        raise UserError("the built-in scenarios/ folder is missing: install from a checkout with pip install -e .",
                        file=str(DEFAULT_SCENARIO))
    return DEFAULT_SCENARIO
