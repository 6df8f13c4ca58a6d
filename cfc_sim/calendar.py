"""Working days and calendar months on the simulation clock (float days since the scenario start).

All working-day arithmetic lives here: the eight-week CIR target is 40 *working* days, so
weekends and the scenario's bank holidays are excluded.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable

import numpy as np

DAYS_PER_YEAR = 365.25  # a mean year, for annual rates (growth, turnover, costs a year)
DAYS_PER_MONTH = DAYS_PER_YEAR / 12  # a mean month


def add_months(day: dt.date, months: int) -> dt.date:
    """First-of-month arithmetic is all the model needs: month boundaries from the start date."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, 1)


class SimCalendar:
    """Maps simulation days to dates, months and working-day counts."""

    def __init__(self, start: dt.date, horizon_months: int, bank_holidays: Iterable[dt.date] = ()) -> None:
        self.start = start
        self.horizon_months = horizon_months
        first = dt.date(start.year, start.month, 1)
        # Month k of the run is [month_start_days[k], month_start_days[k+1]); month 0 begins at day 0
        # even when the start is mid-month.
        self.month_start_days = [0.0] + [
            float((add_months(first, k) - start).days) for k in range(1, horizon_months + 1)
        ]
        self.month_labels = [add_months(first, k).strftime("%Y-%m") for k in range(horizon_months)]
        self.horizon_days = self.month_start_days[-1]
        # Working-day table from before the start (cases open at the start applied earlier) to
        # beyond the horizon (cases finishing after it).
        self._before = 4 * 366
        n_days = self._before + int(self.horizon_days) + 3 * 366
        dates = [start + dt.timedelta(days=i - self._before) for i in range(n_days)]
        holidays = set(bank_holidays)
        working = np.array([d.weekday() < 5 and d not in holidays for d in dates])
        # _cum[i] = number of working days among table days 0..i-1
        self._cum = np.concatenate([[0], np.cumsum(working)]).astype(np.int64).tolist()
        self._n_days = n_days

    def day_of(self, date: dt.date) -> float:
        """Simulation day of a calendar date (negative if before the start)."""
        return float((date - self.start).days)

    def date_of(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(np.floor(day)))

    def working_days_between(self, from_day: float, to_day: float) -> int:
        """Working days in [floor(from_day), floor(to_day)): Monday to next Monday is 5."""
        last = self._n_days  # the bounds clamped inline: this runs for every CIR filed
        a = math.floor(from_day) + self._before
        a = 0 if a < 0 else last if a > last else a
        b = math.floor(to_day) + self._before
        b = 0 if b < 0 else last if b > last else b
        return self._cum[b] - self._cum[a]

    def day_after_working_days(self, from_day: float, working_days: int) -> float:
        """The first day by which `working_days` working days have passed since `from_day`."""
        a = min(max(math.floor(from_day) + self._before, 0), self._n_days)
        b = bisect.bisect_left(self._cum, self._cum[a] + working_days, lo=a)
        return float(b - self._before)

    def month_index(self, day: float) -> int:
        """Index of the run month containing `day` (clamped to the horizon)."""
        lo, hi = 0, self.horizon_months - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.month_start_days[mid] <= day:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def calendar_month(self, k: int) -> int:
        """Month of the year (1-12) of run month k."""
        return int(self.month_labels[k][5:7])
