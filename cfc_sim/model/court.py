"""A court area's private-law listing capacity: hearings are listed at the first free court time.

The court's sitting time is a continuous resource of `sitting_days_per_week x
hours_per_sitting_day` hours a week, spread evenly over calendar days (weekends are smoothed
out: at the scale of listing waits, weeks matter, not days). A hearing that is ready (its case is
ready and its notice has run) is listed first-come first-served at the first free time after the
hearings already listed, and takes its length in court hours. This is a single-server FIFO queue
in court time (M/G/1 when readiness is Poisson), so waits, backlogs and their clearing are
outcomes of capacity, not draws. Idle court time before a hearing's notice has run is lost, as an
unfilled list is.

Because each hearing starts at or after the end of the one listed before it, the hearings listed
form a queue in date order: the court keeps them in a deque and the case flow keeps one pending
SimPy event per court (for the next hearing), not one per listed hearing. A national backlog of
tens of thousands of listed hearings would otherwise sit in SimPy's event heap and make every
event of the run dearer.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from cfc_sim.metrics import TimeAverage

DAYS_PER_WEEK = 7.0


class Court:
    """Listing for one area: `list_hearing` returns the day a hearing is heard."""

    __slots__ = ("hours_per_day", "free_day", "hearings_heard", "capacity", "listed", "_sitting", "_hours_over",
                 "_hours_at_reset")

    def __init__(self, sitting_days_per_week: float, hours_per_sitting_day: float) -> None:
        self.hours_per_day = sitting_days_per_week * hours_per_sitting_day / DAYS_PER_WEEK
        self.capacity = TimeAverage(self.hours_per_day)  # sitting hours a day, over time
        self.free_day = 0.0  # when the court's list is next free
        self.hearings_heard = 0
        self.listed: deque[tuple[float, Any]] = deque()  # (day, hearing) in date order
        # the court time of hearings listed and not yet over: (start day, end day, court hours), in order
        self._sitting: deque[tuple[float, float, float]] = deque()
        self._hours_over = 0.0  # court hours of hearings over, since the run started
        self._hours_at_reset = 0.0  # court hours used when statistics started

    def set_capacity(self, now: float, sitting_days_per_week: float, hours_per_sitting_day: float) -> None:
        """An intervention changes sitting days: hearings already listed keep their dates."""
        self.hours_per_day = sitting_days_per_week * hours_per_sitting_day / DAYS_PER_WEEK
        self.capacity.set(now, self.hours_per_day)

    def list_hearing(self, earliest_day: float, hours: float) -> float:
        """List a hearing of `hours` court hours that may be heard from `earliest_day` on."""
        start = earliest_day if earliest_day > self.free_day else self.free_day
        self.free_day = start + hours / self.hours_per_day
        if hours > 0:
            self._sitting.append((start, self.free_day, hours))
        return start

    def add_listed(self, day: float, hearing: Any) -> bool:
        """Keep a listed hearing until its day; True if it is now the next hearing (the caller
        schedules the court's event). Days arrive in order (see the module note)."""
        self.listed.append((day, hearing))
        return len(self.listed) == 1

    def heard(self) -> None:
        self.hearings_heard += 1

    def forget(self, day: float) -> None:
        """Drop the hearings over by `day` (their hours are summed in list order whenever this runs,
        so calling it once a sitting day rather than per hearing gives the same totals)."""
        self.hours_used(day)

    def hours_used(self, day: float) -> float:
        """Court hours spent hearing up to `day` since the run started; a hearing part-heard by then
        counts in part, so the time used never exceeds the sitting time (days asked for never go back)."""
        sitting = self._sitting
        while sitting and sitting[0][1] <= day:
            self._hours_over += sitting.popleft()[2]
        used = self._hours_over
        if sitting and sitting[0][0] < day:
            start, end, hours = sitting[0]
            used += hours * (day - start) / (end - start)
        return used

    def reset_stats(self, now: float) -> None:
        self.hearings_heard = 0
        self._hours_at_reset = self.hours_used(now)
        self.capacity.reset(now)

    def sitting_hours(self, now: float) -> tuple[float, float]:
        """(court hours used hearing, sitting hours available) since statistics started."""
        return self.hours_used(now) - self._hours_at_reset, self.capacity.integral_to(now)
