"""Applications as a non-stationary Poisson process, exact for a piecewise-constant rate.

The rate (`cfc_sim.demand.daily_rate`) is constant within each segment: a run month, split
again at any intervention day for the area. Within a segment the count is Poisson and the times are
sorted uniforms, drawn in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import simpy
from simpy.events import URGENT, Timeout

from cfc_sim.calendar import SimCalendar
from cfc_sim.demand import daily_rate
from cfc_sim.model.area import Area
from cfc_sim.model.pathways import CaseFlow


def segment_bounds(calendar: SimCalendar, extra_days: Iterable[float]) -> list[float]:
    """Month starts plus any in-horizon intervention days, sorted and unique."""
    days = set(calendar.month_start_days)
    days.update(d for d in extra_days if 0 < d < calendar.horizon_days)
    return sorted(days)


class Arrivals:
    """One area's applications: one timeout per application and one per segment boundary, each
    firing a callback (no SimPy process: no generator to resume for every application).

    It starts as a SimPy process does, from an urgent event at day 0 scheduled when the area is
    built, and creates its timeouts at the moments the generator it replaced did, so events keep
    their order and the numbers are the same, bit for bit.
    """

    __slots__ = ("env", "area", "flow", "_rng", "_segments", "_days", "_pending", "_fired_cb")

    def __init__(self, env: simpy.Environment, area: Area, flow: CaseFlow, bounds: list[float]) -> None:
        self.env = env
        self.area = area
        self.flow = flow
        self._rng = area.rng("arrivals")
        self._segments = iter(list(zip(bounds, bounds[1:], strict=False)))
        self._days: list[float] = []  # the current segment's application days still to come, last first
        # What the pending timeout is for: an application's day, or a segment to draw once it starts.
        self._pending: float | tuple[float, float] | None = None
        self._fired_cb: Callable[[simpy.Event], None] = self._fired  # bound once: a callback per application
        start = simpy.Event(env)
        start.callbacks.append(self._fired_cb)
        start._ok = True
        start._value = None
        env.schedule(start, URGENT)

    def _fired(self, event: simpy.Event) -> None:
        pending, self._pending = self._pending, None
        if isinstance(pending, float):
            self.flow.arrive(pending)
        elif pending is not None:
            self._draw(*pending)
        self._go_on()

    def _go_on(self) -> None:
        """Applications due now arrive; the next one (or the next segment's start) is waited for."""
        now = self.env.now  # arriving never moves SimPy's clock
        while True:
            days = self._days
            while days:
                day = days.pop()
                if day > now:
                    self._wait(day - now, day)
                    return
                self.flow.arrive(day)
            segment = next(self._segments, None)
            if segment is None:
                return
            if now < segment[0]:
                self._wait(segment[0] - now, segment)
                return
            self._draw(*segment)

    def _draw(self, start: float, end: float) -> None:
        """A segment's applications: a Poisson count at its constant rate, at sorted uniform days."""
        rate = daily_rate(self.area.config.demand, self.area.calendar, start, end)
        count = int(self._rng.poisson(rate * (end - start)))
        if count:
            days = self._rng.uniform(start, end, count)
            days.sort()
            self._days = days.tolist()[::-1]

    def _wait(self, delay_days: float, pending: float | tuple[float, float]) -> None:
        self._pending = pending
        Timeout(self.env, delay_days).callbacks.append(self._fired_cb)
