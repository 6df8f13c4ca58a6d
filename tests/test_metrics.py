"""Streaming accumulators, the working-day calendar and the consistency of the series."""

from __future__ import annotations

import datetime as dt

import pytest
from scenario_factory import config, scenario_dict

from cfc_sim.calendar import SimCalendar
from cfc_sim.experiment import run_scenario
from cfc_sim.metrics import Histogram, TimeAverage


def test_histogram_integer_quantiles_are_exact_and_zeros_are_kept_apart() -> None:
    h = Histogram(1, integer=True)
    for v in range(1, 11):
        h.add(v)
    assert (h.quantile(0.9), h.quantile(0.5), h.mean()) == (9.0, 5.0, 5.5)
    waits = Histogram(0.25)
    for v in [0.0] * 95 + [3.0] * 5:
        waits.add(v)
    assert waits.quantile(0.9) == 0.0 and waits.mean() == pytest.approx(0.15)


def test_histogram_merge_equals_adding_everything_to_one() -> None:
    a, b, both = Histogram(0.5), Histogram(0.5), Histogram(0.5)
    for i, v in enumerate([0.2, 3.3, 7.1, 0.0, 2.2, 9.9]):
        (a if i % 2 else b).add(v)
        both.add(v)
    a.merge(b)
    assert (a.counts, a.zeros, a.weight) == (both.counts, both.zeros, both.weight)
    assert a.total == pytest.approx(both.total)


def test_time_average_integrates_and_resets_at_warmup() -> None:
    t = TimeAverage()
    t.set(10, 2)  # 0 for 10 days
    t.set(20, 5)  # 2 for 10 days
    assert t.integral_to(30) == pytest.approx(20 + 50)
    assert t.maximum == 5
    t.reset(30)
    assert t.integral_to(40) == pytest.approx(50) and t.mean(40) == pytest.approx(5)


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    cal = SimCalendar(dt.date(2026, 4, 6), 3, [dt.date(2026, 5, 4)])  # a Monday
    assert cal.working_days_between(0, 7) == 5  # Monday to next Monday
    assert cal.working_days_between(0, 0.9) == 0
    assert cal.working_days_between(28, 35) == 4  # the week of the 4 May bank holiday
    assert cal.working_days_between(0, 56) == 39  # eight calendar weeks holding one bank holiday


def test_month_boundaries_follow_the_calendar_from_a_mid_month_start() -> None:
    cal = SimCalendar(dt.date(2026, 4, 15), 3)
    assert cal.month_start_days == [0.0, 16.0, 47.0, 77.0]
    assert cal.month_labels == ["2026-04", "2026-05", "2026-06"]
    assert cal.month_index(16.0) == 1 and cal.calendar_month(2) == 6


def test_monthly_series_agree_with_the_horizon_summary() -> None:
    data = scenario_dict(horizon_months=12, warmup_months=2, replications=2,
                         defaults__workforce__other_work_share=0.5,
                         defaults__workforce__annual_turnover=0.3)
    result = run_scenario(config(data))
    ts = result.timeseries
    national = ts[ts["area"] == "ALL"]
    reps = result.replications
    for r in (0, 1):
        months = national[national["replication"] == r]
        total = reps[(reps["replication"] == r) & (reps["area"] == "ALL") & (reps["pathway"] == "all")]
        value = dict(zip(total["metric"], total["value"], strict=True))
        assert months[months["metric"] == "applications"]["value"].sum() == value["applications"]
        assert months[months["metric"] == "leavers"]["value"].sum() == value["leavers"]
        fte = months[months["metric"] == "fte_in_post"]["value"].to_numpy()
        caseload = months[months["metric"] == "caseload_mean"]["value"].to_numpy()
        # FCA-day-weighted monthly caseloads give the horizon caseload (months differ in length only slightly).
        assert (fte * caseload).sum() / fte.sum() == pytest.approx(value["caseload_mean"], rel=0.02)
        assert len(months["month"].unique()) == 10  # warm-up months are not reported
