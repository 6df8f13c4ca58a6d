"""How much work a run is, told before it starts so that a planner is not left in silence.

The model's cost grows with the cases it follows: applications over the horizon plus the cases
open at the start, for every replication. One worker follows about `CASES_PER_SECOND` cases a
second (measured on the national scenario on the development machine), so the estimate is rough.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

CASES_PER_SECOND = 5_000
TELL_AFTER_SECONDS = 60.0
DAYS_PER_WEEK = 7.0


def area_cases(area: AreaConfig, horizon_months: int) -> float:
    """Expected applications over the horizon (mean seasonality, compound growth) plus open cases."""
    demand = area.demand
    years = horizon_months / 12
    growth = 1 + demand.annual_growth
    grown_years = years if abs(demand.annual_growth) < 1e-12 else (growth ** years - 1) / math.log(growth)
    weekly = demand.applications_per_week * sum(demand.seasonality) / 12
    applications = weekly * grown_years * 365.25 / DAYS_PER_WEEK
    state = area.initial_state
    opened = state.open_cases_per_weekly_application * demand.applications_per_week
    return applications + opened + sum(c.count for c in state.open_cases)


def cases_per_replication(config: ScenarioConfig) -> float:
    return sum(area_cases(a, config.header.horizon_months) for a in config.areas)


def estimate_seconds(config: ScenarioConfig, workers: int = 1) -> float:
    return cases_per_replication(config) * config.replications / (CASES_PER_SECOND * max(1, workers))


def work_notice(config: ScenarioConfig, workers: int = 1) -> str | None:
    """A line for stderr when the run will take more than a minute or so; None for short runs."""
    seconds = estimate_seconds(config, workers)
    if seconds < TELL_AFTER_SECONDS:
        return None
    if seconds < 3600:
        took = f"{seconds / 60:.0f} minutes"
    elif seconds < 86400 * 2:
        took = f"{seconds / 3600:.1f} hours"
    else:
        took = f"{seconds / 86400:.0f} days"
    reps = f"{config.replications} replication{'s' if config.replications != 1 else ''}"
    return (f"about {cases_per_replication(config):,.0f} cases x {reps}: roughly "
            f"{took} with {workers} worker{'s' if workers != 1 else ''} (at about {CASES_PER_SECOND:,} cases a "
            "second per worker; Ctrl-C stops the run)")
