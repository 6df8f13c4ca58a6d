"""Forecast demand: the expected applications per day of an area in a stretch of time.

Shared by the arrival process (which draws the Poisson counts) and by readiness and planning
(which size the workforce to the forecast), so both read demand the same way.
"""

from __future__ import annotations

from cfc_sim.calendar import DAYS_PER_YEAR, SimCalendar
from cfc_sim.scenario.schema import DemandConfig


def daily_rate(demand: DemandConfig, calendar: SimCalendar, from_day: float, to_day: float) -> float:
    """Expected applications per day in [from_day, to_day) (which lies within one run month):
    weekly base / 7 x the month's seasonality x (1 + growth) ** years since the start (at the middle)."""
    month = calendar.month_index(from_day)
    seasonal = demand.seasonality[calendar.calendar_month(month) - 1]
    growth = (1.0 + demand.annual_growth) ** (((from_day + to_day) / 2) / DAYS_PER_YEAR)
    return demand.applications_per_week / 7.0 * seasonal * growth
