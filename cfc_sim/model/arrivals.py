"""Applications as a non-stationary Poisson process, exact for a piecewise-constant rate.

The rate (`cfc_sim.demand.daily_rate`) is constant within each segment: a run month, split
again at any intervention day for the area. Within a segment the count is Poisson and the times are
sorted uniforms, drawn in one batch.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable

import simpy

from cfc_sim.calendar import SimCalendar
from cfc_sim.demand import daily_rate
from cfc_sim.model.area import Area
from cfc_sim.model.pathways import CaseFlow


def segment_bounds(calendar: SimCalendar, extra_days: Iterable[float]) -> list[float]:
    """Month starts plus any in-horizon intervention days, sorted and unique."""
    days = set(calendar.month_start_days)
    days.update(d for d in extra_days if 0 < d < calendar.horizon_days)
    return sorted(days)


def arrival_process(env: simpy.Environment, area: Area, flow: CaseFlow,
                    bounds: list[float]) -> Generator[simpy.Event, None, None]:
    """SimPy process: one timeout per application, one per segment boundary."""
    rng = area.rng("arrivals")
    calendar = area.calendar
    for start, end in zip(bounds, bounds[1:], strict=False):
        if env.now < start:
            yield env.timeout(start - env.now)
        rate = daily_rate(area.config.demand, calendar, start, end)
        count = int(rng.poisson(rate * (end - start)))
        if count == 0:
            continue
        times = rng.uniform(start, end, count)
        times.sort()
        for day in times.tolist():
            if day > env.now:
                yield env.timeout(day - env.now)
            flow.arrive(day)
