"""Small valid scenarios for tests (the builders live in cfc_sim.scenario.examples)."""

from __future__ import annotations

from typing import Any

from cfc_sim.scenario.examples import BASE, deep_update, mmc_dict, scenario_dict
from cfc_sim.scenario.loading import config_from_dict

__all__ = ["BASE", "config", "deep_update", "mmc_dict", "scenario_dict"]


def config(data: dict[str, Any] | None = None, **changes: Any):  # type: ignore[no-untyped-def]
    return config_from_dict(data if data is not None else scenario_dict(**changes))
