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
from typing import Any

from cfc_sim.metrics import TimeAverage

DAYS_PER_WEEK = 7.0


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

    __slots__ = ("hours_per_day", "free_day", "capacity", "listed", "_gap_starts", "_gap_ends", "_sitting",
                 "_hours_over", "_hours_at_reset")

    def __init__(self, sitting_days_per_week: float, hours_per_sitting_day: float) -> None:
        self.hours_per_day = sitting_days_per_week * hours_per_sitting_day / DAYS_PER_WEEK
        self.capacity = TimeAverage(self.hours_per_day)  # sitting hours a day, over time
        self.free_day = 0.0  # from when the diary is free to its end
        self.listed = InDateOrder()  # hearings by day
        # free stretches [start, end) before free_day, in date order; starts and ends in lists of their
        # own, so that finding the first stretch not over bisects floats
        self._gap_starts: list[float] = []
        self._gap_ends: list[float] = []
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
        starts, ends = self._gap_starts, self._gap_ends
        start = -1.0
        i = self._first_gap(earliest_day)
        while i < len(ends) and need > 0:
            gap_start, gap_end = starts[i], ends[i]
            lo = gap_start if gap_start > earliest_day else earliest_day
            if start < 0:
                start = lo
            take = min(need, gap_end - lo)
            self._book(lo, lo + take, take * self.hours_per_day)
            need -= take
            if lo == gap_start:
                gap_start = starts[i] = gap_start + take
            elif lo + take < gap_end:  # the middle of a stretch: split it (the hearing fits: need is 0 now)
                starts.insert(i + 1, lo + take)
                ends.insert(i + 1, gap_end)
                gap_end = ends[i] = lo
                i += 1
            else:
                gap_end = ends[i] = lo
            if gap_start >= gap_end:
                del starts[i]
                del ends[i]
            else:
                i += 1
        if need > 0:
            lo = earliest_day if earliest_day > self.free_day else self.free_day
            if lo > self.free_day:
                starts.append(self.free_day)  # free court time left before this hearing
                ends.append(lo)
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
        i = self._first_gap(earliest_day)
        if i < len(self._gap_starts):
            start = self._gap_starts[i]
            return start if start > earliest_day else earliest_day
        return earliest_day if earliest_day > self.free_day else self.free_day

    def _first_gap(self, earliest_day: float) -> int:
        """The first free stretch not over by `earliest_day`: stretches are in date order and never
        overlap, so their ends are sorted too."""
        ends = self._gap_ends
        if not ends or ends[-1] <= earliest_day:  # the usual case: every stretch is over by then
            return len(ends)
        return bisect_right(ends, earliest_day)

    def _book(self, start: float, end: float, hours: float) -> None:
        if hours > 0:
            self._sitting.add(start, (start, end, hours))

    def forget_before(self, day: float) -> None:
        """Drop free stretches that end by `day`: no hearing can be listed in the past."""
        ends = self._gap_ends
        over = 0
        while over < len(ends) and ends[over] <= day:
            over += 1
        if over:
            del self._gap_starts[:over]
            del ends[:over]

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
