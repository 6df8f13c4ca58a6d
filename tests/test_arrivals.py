"""Applications (cfc_sim.model.arrivals): a Poisson process whose rate is constant within each run
month and changes at an intervention's day, each application arriving on its drawn day."""

from __future__ import annotations

import datetime as dt

from scenario_factory import config, scenario_dict

from cfc_sim.model import simulate

START = dt.date(2026, 4, 1)


def _arrivals(data: dict) -> list[float]:
    output = simulate(config(data), 0, trace=True)
    return [day for day, _, _, activity, _ in output.events if activity.startswith("application received")]


def _in(days: list[float], first: dt.date, last: dt.date) -> int:
    lo, hi = (first - START).days, (last - START).days
    return sum(lo <= d < hi for d in days)


def test_applications_follow_each_month_s_rate_and_arrive_in_order() -> None:
    # April and May at 200 a week (seasonality 1), June at 600 (seasonality 3).
    data = scenario_dict(horizon_months=3, defaults__demand__applications_per_week=200.0,
                         defaults__demand__annual_growth=0.0,
                         defaults__demand__seasonality=[1.0, 1.0, 1.0, 1.0, 1.0, 3.0] + [1.0] * 6)
    days = _arrivals(data)
    assert days == sorted(days) and 0 < days[0] and days[-1] < (dt.date(2026, 7, 1) - START).days
    for first, last, per_week in ((dt.date(2026, 4, 1), dt.date(2026, 5, 1), 200), (dt.date(2026, 5, 1),
                                  dt.date(2026, 6, 1), 200), (dt.date(2026, 6, 1), dt.date(2026, 7, 1), 600)):
        expected = per_week / 7 * (last - first).days
        assert abs(_in(days, first, last) - expected) < 5 * expected ** 0.5, (first, expected)


def test_an_intervention_changes_the_rate_from_its_day() -> None:
    data = scenario_dict(horizon_months=2, defaults__demand__applications_per_week=100.0,
                         defaults__demand__annual_growth=0.0, defaults__demand__seasonality=[1.0] * 12)
    data["interventions"] = [{"at": "2026-04-16", "area": "Testshire",
                              "set": {"demand.applications_per_week": 700.0}}]
    days = _arrivals(data)
    before = _in(days, dt.date(2026, 4, 1), dt.date(2026, 4, 16))
    after = _in(days, dt.date(2026, 4, 16), dt.date(2026, 5, 1))
    assert abs(before - 100 / 7 * 15) < 5 * (100 / 7 * 15) ** 0.5
    assert abs(after - 700 / 7 * 15) < 5 * (700 / 7 * 15) ** 0.5  # the rest of the month at the new rate


def test_no_demand_means_no_applications() -> None:
    data = scenario_dict(horizon_months=2, defaults__demand__applications_per_week=0.0)
    assert _arrivals(data) == []
