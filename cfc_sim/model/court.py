"""A court area's private-law listing capacity: a diary in which each hearing takes the first free
court time after its notice has run.

The court's sitting time is a continuous resource of `sitting_days_per_week x
hours_per_sitting_day` hours a week, spread evenly over calendar days (weekends are smoothed
out: at the scale of listing waits, weeks matter, not days). A hearing that is ready (its case is
ready and its notice has run) is listed at the first free court time at or after that day, and
takes its length in court hours, split over free stretches if it must be (a part-heard hearing
resumes at the next free time). A hearing with short notice fills a free stretch left before
hearings listed further ahead: a listing officer fills the diary, not only its end. When every
hearing has the same notice this is a single-server FIFO queue in court time (M/G/1 when
readiness is Poisson), so waits, backlogs and their clearing are outcomes of capacity, not draws.

The hearings listed wait in date order here and the case flow keeps one pending SimPy event per
court day that has hearings (not one per listed hearing): a national backlog of tens of thousands
of listed hearings would otherwise sit in SimPy's event heap and make every event of the run dearer.
Hearings listed and court time booked are kept in `InDateOrder` lists, not heaps: most are booked
at the diary's end, so they arrive in date order, and they leave from the front.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import itemgetter
from typing import Any

from cfc_sim.metrics import TimeAverage

DAYS_PER_WEEK = 7.0
_END = itemgetter(1)


class InDateOrder:
    """Entries kept in the order of their days (ties: in the order added), taken from the front.
    Adding an entry dated on or after the last costs O(1), an earlier one (a free stretch filled) a
    bisection. The days are kept in a list of their own, so the bisection compares floats rather than
    tuples: this is the order of (day, order added) tuples, since an entry added later goes after
    every entry of its day (`bisect_right`). A heap would give the same order, but each removal from a
    backlog of a thousand listed hearings would cost ten comparisons."""

    __slots__ = ("_days", "_entries", "_head")

    def __init__(self) -> None:
        self._days: list[float] = []
        self._entries: list[Any] = []
        self._head = 0  # entries before this index are taken (dropped in one slice now and then)

    def __len__(self) -> int:
        return len(self._entries) - self._head

    def add(self, day: float, entry: Any) -> None:
        days = self._days
        if not days or days[-1] <= day:
            days.append(day)
            self._entries.append(entry)
        else:
            i = bisect_right(days, day, self._head)
            days.insert(i, day)
            self._entries.insert(i, entry)

    def first_day(self) -> float | None:
        """The first entry's day, or None when empty."""
        return self._days[self._head] if self._head < len(self._days) else None

    def first(self) -> Any:
        """The first entry (call only when `first_day()` is not None)."""
        return self._entries[self._head]

    def pop_first(self) -> Any:
        entries, head = self._entries, self._head
        entry = entries[head]
        head += 1
        if head >= 512 and head * 2 >= len(entries):
            del entries[:head]
            del self._days[:head]
            head = 0
        self._head = head
        return entry


class Court:
    """Listing for one area: `list_hearing` returns the day a hearing is heard."""

    __slots__ = ("hours_per_day", "free_day", "capacity", "listed", "_gaps", "_sitting",
                 "_hours_over", "_hours_at_reset")

    def __init__(self, sitting_days_per_week: float, hours_per_sitting_day: float) -> None:
        self.hours_per_day = sitting_days_per_week * hours_per_sitting_day / DAYS_PER_WEEK
        self.capacity = TimeAverage(self.hours_per_day)  # sitting hours a day, over time
        self.free_day = 0.0  # from when the diary is free to its end
        self.listed = InDateOrder()  # hearings by day
        self._gaps: list[list[float]] = []  # free stretches [start, end) before free_day, in date order
        # court time booked and not yet over, by start day: (start day, end day, court hours); no overlaps
        self._sitting = InDateOrder()
        self._hours_over = 0.0  # court hours of stretches over, since the run started
        self._hours_at_reset = 0.0  # court hours used when statistics started

    def set_capacity(self, now: float, sitting_days_per_week: float, hours_per_sitting_day: float) -> None:
        """An intervention changes sitting days: hearings already listed keep their dates."""
        self.hours_per_day = sitting_days_per_week * hours_per_sitting_day / DAYS_PER_WEEK
        self.capacity.set(now, self.hours_per_day)

    def list_hearing(self, earliest_day: float, hours: float) -> float:
        """List a hearing of `hours` court hours that may be heard from `earliest_day` on, at the first
        free court time then; the day it starts."""
        need = hours / self.hours_per_day  # days of court time
        gaps = self._gaps
        start = -1.0
        i = self._first_gap(earliest_day)
        while i < len(gaps) and need > 0:
            gap = gaps[i]
            lo = gap[0] if gap[0] > earliest_day else earliest_day
            if start < 0:
                start = lo
            take = min(need, gap[1] - lo)
            self._book(lo, lo + take, take * self.hours_per_day)
            need -= take
            if lo == gap[0]:
                gap[0] += take
            elif lo + take < gap[1]:  # the middle of a stretch: split it
                gaps.insert(i + 1, [lo + take, gap[1]])
                gap[1] = lo
                i += 1
            else:
                gap[1] = lo
            if gap[0] >= gap[1]:
                gaps.pop(i)
            else:
                i += 1
        if need > 0:
            lo = earliest_day if earliest_day > self.free_day else self.free_day
            if lo > self.free_day:
                gaps.append([self.free_day, lo])  # free court time left before this hearing
            if start < 0:
                start = lo
            self.free_day = lo + need
            self._book(lo, self.free_day, need * self.hours_per_day)
        elif start < 0:  # a hearing of no court time
            start = earliest_day
        return start

    def first_free_day(self, earliest_day: float) -> float:
        """The day a hearing that may be heard from `earliest_day` on would start, without listing it
        (a party deciding whether to wait for it)."""
        gaps = self._gaps
        i = self._first_gap(earliest_day)
        if i < len(gaps):
            start = gaps[i][0]
            return start if start > earliest_day else earliest_day
        return earliest_day if earliest_day > self.free_day else self.free_day

    def _first_gap(self, earliest_day: float) -> int:
        """The first free stretch not over by `earliest_day`: stretches are in date order and never
        overlap, so their ends are sorted too."""
        gaps = self._gaps
        if not gaps or gaps[-1][1] <= earliest_day:  # the usual case: every stretch is over by then
            return len(gaps)
        return bisect_right(gaps, earliest_day, key=_END)

    def _book(self, start: float, end: float, hours: float) -> None:
        if hours > 0:
            self._sitting.add(start, (start, end, hours))

    def forget_before(self, day: float) -> None:
        """Drop free stretches that end by `day`: no hearing can be listed in the past."""
        gaps = self._gaps
        while gaps and gaps[0][1] <= day:
            gaps.pop(0)

    def add_listed(self, day: float, hearing: Any) -> bool:
        """Keep a listed hearing until its day; True if it is now the first listed (the caller
        schedules the court's event for it)."""
        first_day = self.listed.first_day()
        self.listed.add(day, hearing)
        return first_day is None or day < first_day

    def next_day(self) -> float | None:
        return self.listed.first_day()

    def sits(self, now: float) -> None:
        """A sitting day: forget the court time and free stretches already over (once a day, not
        once a hearing: hearings listed today start today or later)."""
        self.hours_used(now)
        self.forget_before(now)

    def hours_used(self, day: float) -> float:
        """Court hours spent hearing up to `day` since the run started; a hearing part-heard by then
        counts in part, so the time used never exceeds the sitting time (days asked for never go back)."""
        sitting = self._sitting
        while sitting.first_day() is not None and sitting.first()[1] <= day:
            self._hours_over += sitting.pop_first()[2]
        used = self._hours_over
        start_day = sitting.first_day()
        if start_day is not None and start_day < day:  # stretches never overlap: only the first can be under way
            start, end, hours = sitting.first()
            used += hours * (day - start) / (end - start)
        return used

    def reset_stats(self, now: float) -> None:
        self._hours_at_reset = self.hours_used(now)
        self.capacity.reset(now)

    def sitting_hours(self, now: float) -> tuple[float, float]:
        """(court hours used hearing, sitting hours available) since statistics started."""
        return self.hours_used(now) - self._hours_at_reset, self.capacity.integral_to(now)
