"""How much work a run is, told before it starts so that a planner is not left in silence.

The model's cost grows with the cases it follows: applications over the horizon plus the cases
open at the start, for every replication. One worker follows about `CASES_PER_SECOND` cases a
second in the slot model and `CASES_PER_SECOND_MODELLED` with FCA hours or court listing
(measured on the national scenarios on the 2-core development machine, idle: 26,000 in the slot
model before it was compiled; with hours and court, 7 December 2026, 42,500 compiled and 16,600 as
pure Python; the figures here are rounded down to the pure-Python pace, so a compiled run takes
about a third of the time told), so the estimate is rough.

The same estimate chooses `--workers auto` (the default of `cfc-sim run`): a run estimated at
under `PARALLEL_AFTER_SECONDS` on one worker stays in the process (starting worker processes
would cost more than it saves); a longer one uses every CPU this process may run on, at most one
per area of every replication (a replication's areas are split between workers the replications
alone would leave idle: `cfc_sim.experiment.run_replications`; measured on 2 cores only).
Results are identical whatever the workers.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cfc_sim.calendar import DAYS_PER_YEAR

if TYPE_CHECKING:
    from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

CASES_PER_SECOND = 20_000
CASES_PER_SECOND_MODELLED = 15_000
TELL_AFTER_SECONDS = 60.0
PARALLEL_AFTER_SECONDS = 10.0
DAYS_PER_WEEK = 7.0


def area_cases(area: AreaConfig, horizon_months: int) -> float:
    """Expected applications over the horizon (mean seasonality, compound growth) plus open cases."""
    demand = area.demand
    years = horizon_months / 12
    growth = 1 + demand.annual_growth
    grown_years = years if abs(demand.annual_growth) < 1e-12 else (growth ** years - 1) / math.log(growth)
    weekly = demand.applications_per_week * sum(demand.seasonality) / 12
    applications = weekly * grown_years * DAYS_PER_YEAR / DAYS_PER_WEEK
    state = area.initial_state
    opened = state.open_cases_per_weekly_application * demand.applications_per_week
    return applications + opened + sum(c.count for c in state.open_cases)


def area_parts(areas: Sequence[AreaConfig], parts: int, horizon_months: int) -> list[list[str]]:
    """The areas' names in at most `parts` groups of about equal work (`area_cases`), the largest
    area first into the lightest group (of equal work, the one with fewer areas: none is left
    empty). How a replication's areas, or a plan's, are split between worker processes: only how
    evenly the workers are kept busy depends on it."""
    def work(area: AreaConfig) -> float:
        return area_cases(area, horizon_months)

    groups: list[tuple[float, int, int, list[str]]] = [(0.0, 0, k, []) for k in range(parts)]
    for area in sorted(areas, key=work, reverse=True):
        load, count, k, names = min(groups)
        groups[k] = (load + work(area), count + 1, k, [*names, area.name])
    return [names for *_, names in groups if names]


def cases_per_replication(config: ScenarioConfig) -> float:
    return sum(area_cases(a, config.header.horizon_months) for a in config.areas)


def cases_per_second(config: ScenarioConfig) -> int:
    """One worker's rough pace: FCA hours and court listing make a case several times dearer."""
    modelled = any(a.workforce.hours is not None or a.court is not None for a in config.areas)
    return CASES_PER_SECOND_MODELLED if modelled else CASES_PER_SECOND


def estimate_seconds(config: ScenarioConfig, workers: int = 1) -> float:
    return cases_per_replication(config) * config.replications / (cases_per_second(config) * max(1, workers))


def available_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return os.cpu_count() or 1


def auto_workers(config: ScenarioConfig) -> int:
    """`--workers auto`: one for a short run, else every available CPU (at most one per area of every
    replication: a replication's areas are split between workers that the replications leave idle)."""
    if estimate_seconds(config, 1) < PARALLEL_AFTER_SECONDS:
        return 1
    return max(1, min(available_cpus(), config.replications * len(config.areas)))


def work_notice(config: ScenarioConfig, workers: int = 1) -> str | None:
    """A line for stderr when the run will take more than a minute or so; None for short runs."""
    seconds = estimate_seconds(config, workers)
    if seconds < TELL_AFTER_SECONDS:
        return None
    if seconds < 3600:
        minutes = round(seconds / 60)
        took = f"{minutes} minute{'s' * (minutes != 1)}"
    elif seconds < 86400 * 2:
        took = f"{seconds / 3600:.1f} hours"
    else:
        took = f"{seconds / 86400:.0f} days"
    reps = f"{config.replications} replication{'s' if config.replications != 1 else ''}"
    return (f"about {cases_per_replication(config):,.0f} cases x {reps}: roughly "
            f"{took} with {workers} worker{'s' if workers != 1 else ''} (at about {cases_per_second(config):,} cases "
            "a second per worker; Ctrl-C stops the run)")
