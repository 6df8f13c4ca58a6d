"""Workforce mechanisms: each test would fail if its rule broke."""

from __future__ import annotations

import math

import pytest
import simpy
from scenario_factory import config, scenario_dict

from cfc_sim.calendar import SimCalendar
from cfc_sim.experiment import run_scenario
from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, Case
from cfc_sim.model.workforce import Workforce
from cfc_sim.streams import Streams


def _staffed_area(**changes) -> tuple[simpy.Environment, Area, Workforce]:  # type: ignore[no-untyped-def]
    cfg = config(**changes)
    env = simpy.Environment()
    area = Area(env, cfg.areas[0], SimCalendar(cfg.header.start, cfg.header.horizon_months), Streams(5, 0))
    area.trace = []
    staffing = Workforce(area)
    staffing.staff_at_start()
    return env, area, staffing


def _national(summary, metric):  # type: ignore[no-untyped-def]
    return summary[(summary["area"] == "ALL") & (summary["pathway"] == "all")
                   & (summary["metric"] == metric)].iloc[0]


def test_without_hiring_headcount_decays_at_the_turnover_rate() -> None:
    rate, n0, years = 0.3, 200, 2
    data = scenario_dict(horizon_months=12 * years, replications=6, defaults__demand__applications_per_week=0,
                         defaults__workforce__fcas=n0, defaults__workforce__establishment=0,
                         defaults__workforce__annual_turnover=rate, defaults__workforce__notice_days=0)
    summary = run_scenario(config(data)).summary
    leavers = _national(summary, "leavers")
    expected = n0 * (1 - math.exp(-rate * years))
    assert leavers["ci_low"] <= expected <= leavers["ci_high"], (expected, leavers.to_dict())
    # Mean in post over the horizon is the integral of n0 exp(-rt); turnover_rate = leavers / year / mean.
    mean_in_post = n0 * (1 - math.exp(-rate * years)) / (rate * years)
    fte = _national(summary, "fte_in_post_mean")
    assert fte["mean"] == pytest.approx(mean_in_post, rel=0.03)
    turnover = _national(summary, "turnover_rate")
    assert turnover["ci_low"] <= rate <= turnover["ci_high"]


def test_a_fixed_time_to_hire_gives_vacancies_of_exactly_that_length() -> None:
    env, area, staffing = _staffed_area(defaults__workforce__fcas=1, defaults__workforce__establishment=1,
                                        defaults__workforce__time_to_hire_days=60,
                                        defaults__workforce__hire_success=1.0)
    env.run(until=10)
    staffing._leave_now(area.staff()[0])
    env.run(until=69.999)
    assert len(area.staff()) == 0
    env.run(until=70.001)
    assert len(area.staff()) == 1
    assert area.vacancies.integral_to(100) == pytest.approx(60.0)
    assert area.leavers == 1


def test_failed_recruitments_start_again_geometrically() -> None:
    env, area, _ = _staffed_area(defaults__workforce__fcas=0, defaults__workforce__establishment=400,
                                 defaults__workforce__time_to_hire_days=30, defaults__workforce__hire_success=0.5)
    env.run(until=31)
    first = len(area.staff())
    env.run(until=61)
    second = len(area.staff())
    # Binomial(400, 0.5) then Binomial(400, 0.75): within 4 standard deviations.
    assert abs(first - 200) <= 4 * math.sqrt(400 * 0.25)
    assert abs(second - 300) <= 4 * math.sqrt(400 * 0.75 * 0.25)


def test_new_starters_caseload_cap_ramps_over_induction() -> None:
    env, area, staffing = _staffed_area(defaults__workforce__fcas=0, defaults__workforce__establishment=0,
                                        defaults__workforce__caseload_cap=20, defaults__workforce__induction_days=90,
                                        defaults__workforce__induction_start_cap_share=0.3)
    fca = staffing.hire(0.0)
    caps = {}
    for day in (0.1, 45.5, 89.9, 90.1):
        env.run(until=day)
        caps[day] = fca.cap_now
    # 6 slots at the start, one more every 90/14 days, 20 at day 90.
    assert caps == {0.1: 6, 45.5: 6 + math.floor(45.5 / (90 / 14)), 89.9: 19, 90.1: 20}


def test_sickness_share_matches_episode_frequency_times_duration() -> None:
    episodes, mean_days = 2.5, 7.0
    data = scenario_dict(horizon_months=24, replications=4, defaults__demand__applications_per_week=0,
                         defaults__workforce__fcas=150, defaults__workforce__establishment=150,
                         defaults__workforce__sickness={"episodes_per_year": episodes,
                                                        "episode_days": {"dist": "exponential", "mean": mean_days},
                                                        "reallocate_after_days": 28})
    share = _national(run_scenario(config(data)).summary, "sickness_days_share")
    # Episodes start only while at work: the absent fraction is E[D] / (E[gap] + E[D]).
    expected = mean_days / (365.25 / episodes + mean_days)
    assert share["ci_low"] <= expected <= share["ci_high"], (expected, share.to_dict())


def test_long_absence_reallocates_cases_and_short_absence_does_not() -> None:
    env, area, staffing = _staffed_area(defaults__workforce__fcas=2, defaults__workforce__establishment=2,
                                        defaults__workforce__caseload_cap=2)
    sick, colleague = area.staff()
    for i in range(2):
        area.request_allocation(Case(i, CAP, 0.0, 1, False, False), 0.0, 100.0)
    assert len(sick.cases) == 1 and len(colleague.cases) == 1
    sick.absence_token += 1
    area.set_absent(sick, 0.0, True)
    staffing._after(28, staffing._long_absence, (sick, sick.absence_token))
    env.run(until=27.9)
    assert len(sick.cases) == 1 and area.stats[CAP].reallocations == 0
    env.run(until=28.1)
    assert len(sick.cases) == 0 and len(colleague.cases) == 2 and area.stats[CAP].reallocations == 1


def test_training_never_exceeds_its_seats() -> None:
    env, area, staffing = _staffed_area(defaults__workforce__fcas=20, defaults__workforce__establishment=20,
                                        defaults__workforce__training={"days": 5, "seats_per_month": 3,
                                                                       "trained_share_at_start": 0.0},
                                        areas=[{"name": "Late", "go_live": "2027-04-01"}])
    shares = []
    for _ in range(8):
        staffing.start_training(env.now)
        env.run(until=env.now + 30)
        shares.append(area.trained_share())
    assert all(n <= 3 for _, n in staffing.training_started)
    assert shares == [min(1.0, 3 * (k + 1) / 20) for k in range(8)]


def test_prioritisation_protocol_switches_at_its_thresholds_not_between() -> None:
    env, area, _ = _staffed_area(defaults__workforce__fcas=1, defaults__workforce__establishment=1,
                                 defaults__workforce__caseload_cap=1,
                                 defaults__prioritisation={"activate_queue": 5, "deactivate_queue": 2,
                                                           "hub_review_days": 365})
    states = []
    for i in range(8):  # one allocated, then the queue grows 1..7
        area.request_allocation(Case(i, CAP, float(i), 1, False, True), 0.0, 10.0)
        states.append((area.queued(), area.protocol_on))
    assert states == [(0, False), (1, False), (2, False), (3, False), (4, False), (5, False), (6, True), (7, True)]
    seen = []
    for day in range(10, 80, 10):  # high-risk cases keep being allocated: the queue shrinks by one each time
        env.run(until=day + 0.5)
        seen.append((area.queued(), area.protocol_on))
    assert seen == [(6, True), (5, True), (4, True), (3, True), (2, True), (1, False), (0, False)]


def test_under_the_protocol_standard_cases_wait_for_the_hub_review() -> None:
    env, area, _ = _staffed_area(defaults__workforce__fcas=1, defaults__workforce__establishment=1,
                                 defaults__workforce__caseload_cap=5)
    area.protocol_on = True
    area.request_allocation(Case(0, CAP, 0.0, 1, False, False), 0.0, 10.0)
    area.request_allocation(Case(1, CAP, 0.0, 1, False, True), 0.0, 10.0)
    assert area.queued() == 1  # the standard case waits in the hub; the high-risk one is allocated
    area.fill_all(3.0, hub_review=True)
    assert area.queued() == 0


def test_flexible_workforce_is_drawn_above_its_trigger_within_its_bound_and_released() -> None:
    env, area, _ = _staffed_area(defaults__workforce__fcas=1, defaults__workforce__establishment=1,
                                 defaults__workforce__caseload_cap=1,
                                 defaults__workforce__flexible={"max_fte": 2, "trigger_queue": 3,
                                                                "cost_per_fte_day": 500})
    for i in range(8):
        area.request_allocation(Case(i, CAP, float(i), 1, False, False), 0.0, 10.0)
    flexible = [f for f in area.fcas if f.flexible]
    assert len(flexible) == 2  # bounded by max_fte although the queue stays above the trigger
    assert area.queued() == 5
    env.run(until=100)
    assert area.queued() == 0 and not [f for f in area.fcas if f.flexible]  # released once the queue cleared
    assert 0 < area.flexible_in_post.integral_to(100) <= 2 * 100


def test_recruitment_that_can_never_succeed_does_not_loop_and_leaves_the_vacancy_open() -> None:
    env, area, _ = _staffed_area(defaults__workforce__fcas=1, defaults__workforce__establishment=3,
                                 defaults__workforce__time_to_hire_days=0, defaults__workforce__hire_success=0.0)
    env.run(until=30)  # found by the property tests: this used to retry forever on day 0
    assert len(area.staff()) == 1 and area.vacancies.value == 2


def test_induction_follows_a_caseload_cap_raised_mid_ramp() -> None:
    env, area, staffing = _staffed_area(defaults__workforce__fcas=0, defaults__workforce__establishment=0,
                                        defaults__workforce__caseload_cap=10, defaults__workforce__induction_days=90,
                                        defaults__workforce__induction_start_cap_share=0.0)
    fca = staffing.hire(0.0)
    env.run(until=45.5)
    area.set_config(area.config.model_copy(update={"workforce": area.config.workforce.model_copy(
        update={"caseload_cap": 20})}))
    env.run(until=91)
    assert fca.cap_now == 20
