"""Streaming accumulators and the per-area statistics the model feeds.

Nothing here stores one record per event: counts, sums, fixed-width histograms (for
percentiles) and time integrals (for time-averages). All of them merge, so national figures
are the sum of the areas'. Statistics start at the end of warm-up via `reset`.
"""

from __future__ import annotations

import heapq
import math
from array import array
from dataclasses import dataclass, field, fields
from typing import Any

NAN = float("nan")


class Histogram:
    """Weighted values in fixed-width bins: the mean exactly, quantiles within one bin.

    Exact zeros are counted apart (most allocation waits are zero), and with `integer=True`
    (bin width 1, whole-number data) quantiles are exact.
    """

    __slots__ = ("bin_width", "integer", "counts", "zeros", "weight", "total")

    def __init__(self, bin_width: float, integer: bool = False) -> None:
        self.bin_width = bin_width
        self.integer = integer
        self.counts: dict[int, float] = {}  # weight in each bin (by index); a plain dict: compiled look-ups
        self.zeros = 0.0
        self.weight = 0.0
        self.total = 0.0

    def add(self, value: float, weight: float = 1.0) -> None:
        if value:  # not an exact zero (nan is binned, as before)
            counts = self.counts
            index = int(value // self.bin_width)
            counts[index] = counts.get(index, 0.0) + weight
        else:
            self.zeros += weight
        self.weight += weight
        self.total += value * weight

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (an area's run sent back from a worker): a compiled class is rebuilt from its fields."""
        return (_histogram, (self.bin_width, self.integer, self.counts, self.zeros, self.weight, self.total))

    def merge(self, other: Histogram) -> None:
        counts = self.counts
        for index, w in other.counts.items():
            counts[index] = counts.get(index, 0.0) + w
        self.zeros += other.zeros
        self.weight += other.weight
        self.total += other.total

    def mean(self) -> float:
        return self.total / self.weight if self.weight > 0 else NAN

    def quantile(self, q: float) -> float:
        """The q-quantile: exact for integers, else interpolated linearly within its bin."""
        if self.weight <= 0:
            return NAN
        target = q * self.weight
        tolerance = 1e-9 * self.weight
        cumulative = self.zeros
        if cumulative >= target - tolerance:
            return 0.0
        for index in sorted(self.counts):
            count = self.counts[index]
            if cumulative + count >= target - tolerance:
                if self.integer:
                    return float(index)
                fraction = min(1.0, max(0.0, (target - cumulative) / count))
                return (index + fraction) * self.bin_width
            cumulative += count
        return (max(self.counts) + 1) * self.bin_width

    def clear(self) -> None:
        self.counts.clear()
        self.zeros = 0.0
        self.weight = 0.0
        self.total = 0.0


class TimeAverage:
    """A piecewise-constant quantity over time: its integral, time-average and maximum."""

    __slots__ = ("value", "last_day", "integral", "maximum", "start_day")

    def __init__(self, value: float = 0.0, day: float = 0.0) -> None:
        self.value = value
        self.last_day = day
        self.integral = 0.0
        self.maximum = value
        self.start_day = day

    def set(self, day: float, value: float) -> None:
        self.integral += self.value * (day - self.last_day)
        self.last_day = day
        self.value = value
        if value > self.maximum:
            self.maximum = value

    def add(self, day: float, delta: float) -> None:
        value = self.value  # `set` inlined: this runs at every case and caseload change
        self.integral += value * (day - self.last_day)
        self.last_day = day
        self.value = value = value + delta
        if value > self.maximum:
            self.maximum = value

    def integral_to(self, day: float) -> float:
        return self.integral + self.value * (day - self.last_day)

    def mean(self, day: float) -> float:
        span = day - self.start_day
        return self.integral_to(day) / span if span > 0 else self.value

    def reset(self, day: float) -> None:
        """Start statistics afresh at `day`, keeping the current value (end of warm-up)."""
        self.integral = 0.0
        self.last_day = day
        self.start_day = day
        self.maximum = self.value


class ChangeLog:
    """A count's changes in time order (day, +-1), kept so that the areas' counts can be summed after
    their runs: the national unallocated queue's maximum is not the sum of the areas' maxima, and each
    area runs in its own environment (`cfc_sim/model/simulation.py`). Two typed arrays: 9 bytes a change."""

    __slots__ = ("days", "deltas", "start")

    def __init__(self) -> None:
        self.days = array("d")
        self.deltas = array("b")
        self.start = 0  # the first change counted in statistics (those before only set the value)

    def add(self, day: float, delta: int) -> None:
        self.days.append(day)
        self.deltas.append(delta)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (an area's run sent back from a worker): a compiled class is rebuilt from its fields."""
        return (_change_log, (self.days, self.deltas, self.start))

    def start_here(self) -> None:
        """Statistics start now (the end of warm-up), where the area's own series restart."""
        self.start = len(self.days)


def _histogram(bin_width: float, integer: bool, counts: dict[int, float], zeros: float, weight: float,
               total: float) -> Histogram:
    """A histogram as pickled (`Histogram.__reduce__`)."""
    out = Histogram(bin_width, integer)
    out.counts, out.zeros, out.weight, out.total = counts, zeros, weight, total
    return out


def _change_log(days: array[float], deltas: array[int], start: int) -> ChangeLog:
    """A change log as pickled (`ChangeLog.__reduce__`)."""
    out = ChangeLog()
    out.days, out.deltas, out.start = days, deltas, start
    return out


def summed(logs: list[ChangeLog], start_day: float) -> TimeAverage:
    """The sum of the logged counts as one `TimeAverage` whose statistics start at `start_day`, from
    the sum of the values each log had when its statistics started: the counted changes replayed in
    time order (areas in order at equal days, each in its own order). Its integral is the same
    whatever the order at equal days; its maximum counts the sum after each change."""
    total = TimeAverage(float(sum(sum(log.deltas[:log.start]) for log in logs)), start_day)
    counted = [zip(log.days[log.start:], log.deltas[log.start:], strict=True) for log in logs]
    for day, delta in heapq.merge(*counted, key=_day):  # each log is in time order already
        total.add(day, delta)
    return total


def _day(change: tuple[float, int]) -> float:
    return change[0]


@dataclass
class CaseStats:
    """What happened to the cases of one pathway in one area."""

    open_start: int = 0
    applications: int = 0
    children: int = 0
    closed: int = 0
    decision_weeks: Histogram = field(default_factory=lambda: Histogram(0.1))
    reported_weeks: Histogram = field(default_factory=lambda: Histogram(0.1))
    wait_days: Histogram = field(default_factory=lambda: Histogram(0.25))
    allocations: int = 0
    reallocations: int = 0
    closed_allocated: int = 0
    closed_single_fca: int = 0
    cir_working_days: Histogram = field(default_factory=lambda: Histogram(1, integer=True))
    cir_on_time: int = 0
    closed_children: int = 0
    closed_children_seen: int = 0
    hearings: int = 0  # hearings held in closed cases
    settled_waiting: int = 0  # closed by consent or withdrawal while waiting for court time
    # all closed cases by whether they closed before or after the area went live (pilot figures)
    decision_weeks_before_go_live: Histogram = field(default_factory=lambda: Histogram(0.1))
    decision_weeks_after_go_live: Histogram = field(default_factory=lambda: Histogram(0.1))
    listing_wait_days: Histogram = field(default_factory=lambda: Histogram(0.25))  # per hearing listed
    # application to CIR: days waiting for allocation, and days FCA work ran past its least elapsed time
    cir_queue_days: Histogram = field(default_factory=lambda: Histogram(0.25))
    cir_hours_delay_days: Histogram = field(default_factory=lambda: Histogram(0.25))
    # CAP cases with a report, closed before / after the area went live (the transition)
    reported_weeks_before_go_live: Histogram = field(default_factory=lambda: Histogram(0.1))
    reported_weeks_after_go_live: Histogram = field(default_factory=lambda: Histogram(0.1))
    # weeks to final order as the published statistics count it: per child, by when the case ended
    # (all closed cases; the quarter before go-live; the quarter that starts a year after it)
    child_weeks: float = 0.0
    quarter_before_child_weeks: float = 0.0
    quarter_before_children: int = 0
    year_live_child_weeks: float = 0.0
    year_live_children: int = 0
    # a cohort of applications (the first half of the run after warm-up) and every hearing they have
    # had by the run's end: hearings per case that does not depend on which cases have closed
    cohort_applications: int = 0
    cohort_hearings: int = 0

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (an area's run sent back from a worker): a compiled class is rebuilt from its fields."""
        return (CaseStats, tuple(getattr(self, f.name) for f in fields(CaseStats)))

    def merge(self, other: CaseStats) -> None:
        for name in ("open_start", "applications", "children", "closed", "allocations", "reallocations",
                     "closed_allocated", "closed_single_fca", "cir_on_time", "closed_children",
                     "closed_children_seen", "hearings", "settled_waiting", "child_weeks", "quarter_before_child_weeks",
                     "quarter_before_children", "year_live_child_weeks", "year_live_children",
                     "cohort_applications", "cohort_hearings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("decision_weeks", "reported_weeks", "wait_days", "cir_working_days",
                     "reported_weeks_before_go_live", "reported_weeks_after_go_live", "listing_wait_days",
                     "decision_weeks_before_go_live", "decision_weeks_after_go_live",
                     "cir_queue_days", "cir_hours_delay_days"):
            getattr(self, name).merge(getattr(other, name))

    def values(self, open_end: int) -> dict[str, float]:
        """DESIGN 5.1 case metrics; NaN where undefined (no such cases), dropped by the caller."""
        cirs = self.cir_working_days.weight
        return {
            "open_cases_start": float(self.open_start),
            "applications": float(self.applications),
            "children": float(self.children),
            "closed_cases": float(self.closed),
            "open_cases_end": float(open_end),
            "cirs_filed": float(cirs),
            "cir_on_time_share": self.cir_on_time / cirs if cirs else NAN,
            "cir_working_days_mean": self.cir_working_days.mean(),
            "cir_working_days_p90": self.cir_working_days.quantile(0.9),
            "children_seen_share": (
                self.closed_children_seen / self.closed_children if self.closed_children else NAN
            ),
            "weeks_to_decision_mean": self.decision_weeks.mean(),
            "weeks_to_decision_p90": self.decision_weeks.quantile(0.9),
            "weeks_to_decision_reported_mean": self.reported_weeks.mean(),
            "weeks_to_final_order_mean": self.child_weeks / self.closed_children if self.closed_children else NAN,
            "weeks_to_final_order_quarter_before_go_live_mean": (
                self.quarter_before_child_weeks / self.quarter_before_children if self.quarter_before_children else NAN
            ),
            "weeks_to_final_order_year_live_mean": (
                self.year_live_child_weeks / self.year_live_children if self.year_live_children else NAN
            ),
            "wait_to_allocation_days_mean": self.wait_days.mean(),
            "wait_to_allocation_days_p90": self.wait_days.quantile(0.9),
            "reallocations_per_case": self.reallocations / self.allocations if self.allocations else NAN,
            "single_practitioner_share": (
                self.closed_single_fca / self.closed_allocated if self.closed_allocated else NAN
            ),
            "pre_go_live_cap_weeks_to_decision_mean": self.reported_weeks_before_go_live.mean(),
            "transition_cap_weeks_to_decision_mean": self.reported_weeks_after_go_live.mean(),
            "hearings_per_case": self.hearings / self.closed if self.closed else NAN,
            "hearings_per_case_cohort": (
                self.cohort_hearings / self.cohort_applications if self.cohort_applications else NAN
            ),
            "settled_waiting_share": self.settled_waiting / self.closed if self.closed else NAN,
            "weeks_to_decision_before_go_live_mean": self.decision_weeks_before_go_live.mean(),
            "weeks_to_decision_after_go_live_mean": self.decision_weeks_after_go_live.mean(),
            "listing_wait_days_mean": self.listing_wait_days.mean(),
            "cir_allocation_wait_days_mean": self.cir_queue_days.mean(),
            "cir_fca_hours_delay_days_mean": self.cir_hours_delay_days.mean(),
            "transition_cap_cases_closed": (
                self.reported_weeks_after_go_live.weight if self.reported_weeks_after_go_live.weight else NAN
            ),
        }


def finite(values: dict[str, float]) -> dict[str, float]:
    """Drop undefined metrics (a share with no cases) so summaries count only real values."""
    return {k: v for k, v in values.items() if not (isinstance(v, float) and math.isnan(v))}
