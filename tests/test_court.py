"""Court listing: sitting time as a single-server queue of hearings (M/M/1, M/D/1), adjournments,
the backlog at the start, and the direction of its responses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from model_support import mean_metrics, two_areas

from cfc_sim.model import simulate
from cfc_sim.model.court import Court
from cfc_sim.model.simulation import make_calendar
from cfc_sim.scenario.loading import config_from_dict


def test_fewer_sitting_days_lengthen_listing_waits_and_weeks_to_decision() -> None:
    full = mean_metrics(two_areas(hours=False, defaults__court__sitting_days_per_week=10.0))
    thin = mean_metrics(two_areas(hours=False, defaults__court__sitting_days_per_week=5.0))
    for area, pathway in (("Live", "cfc"), ("Capshire", "cap")):
        assert thin[(area, pathway, "listing_wait_days_mean")] > full[(area, pathway, "listing_wait_days_mean")] + 5
        assert thin[(area, pathway, "weeks_to_decision_mean")] > full[(area, pathway, "weeks_to_decision_mean")] + 1
    assert thin[("Capshire", "all", "sitting_day_utilisation")] > full[("Capshire", "all", "sitting_day_utilisation")]


def test_hearings_per_case_of_a_cohort_is_not_reversed_by_fewer_sitting_days() -> None:
    """Hearings per closed case falls when the court sits less (the long cases have not closed yet: only
    short ones are counted); counted per cohort of applications, followed to the end, it does not:
    the court's capacity does not change the hearings a case has (no settling here)."""
    full = mean_metrics(two_areas(hours=False, horizon_months=36, defaults__court__sitting_days_per_week=12.0), reps=4)
    thin = mean_metrics(two_areas(hours=False, horizon_months=36, defaults__court__sitting_days_per_week=9.0), reps=4)
    key, cohort = ("Capshire", "cap", "hearings_per_case"), ("Capshire", "cap", "hearings_per_case_cohort")
    assert thin[("Capshire", "cap", "weeks_to_decision_mean")] > full[("Capshire", "cap", "weeks_to_decision_mean")] + 3
    assert thin[key] < full[key] - 0.05  # the censoring the cohort count is for
    assert abs(thin[cohort] - full[cohort]) < 0.02


def test_the_cohort_is_the_first_half_of_the_applications_after_warm_up_and_every_hearing_they_have() -> None:
    """Recounted from the trace: cases applying in [end of warm-up, half-way to the horizon), with every
    hearing they have had by the end; cases open at the start and later applications are not in it."""
    data = two_areas(hours=False, horizon_months=14, warmup_months=2,
                     defaults__initial_state={"open_cases_per_weekly_application": 10})
    config = config_from_dict(data)
    calendar = make_calendar(config)
    start = calendar.month_start_days[2]
    end = start + (calendar.horizon_days - start) / 2
    output = simulate(config, 0, True)
    assert output.events is not None
    applied = {(area, case): day for day, area, case, what, _ in output.events
               if what.startswith("application received (CAP)") and start <= day < end}
    capshire = [day for (area, _), day in applied.items() if area == "Capshire"]
    metrics = {(a, p, m): v for a, p, m, v in output.metrics}
    held = sum(1 for _, area, case, what, _ in output.events
               if what.startswith("hearing ") and area == "Capshire" and (area, case) in applied)
    assert capshire and held > len(capshire)
    assert metrics[("Capshire", "cap", "hearings_per_case_cohort")] == pytest.approx(held / len(capshire), rel=1e-12)



def test_adjourned_hearings_are_heard_again() -> None:
    none = mean_metrics(two_areas(hours=False, defaults__court__adjourned_share=0.0))
    some = mean_metrics(two_areas(hours=False, defaults__court__adjourned_share=0.4))
    assert some[("Capshire", "cap", "hearings_per_case")] > none[("Capshire", "cap", "hearings_per_case")] * 1.3


def test_a_hearing_type_may_have_its_own_adjourned_share() -> None:
    """CFC's hearings need not inherit CAP's adjournments: with the court adjourning 40% and the CFC
    hearings none, CFC cases have the hearings of a court that adjourns nothing, CAP cases those of 40%."""
    own = {f"defaults__court__hearings__{kind}__adjourned_share": 0.0 for kind in ("decision", "review", "further")}
    none = mean_metrics(two_areas(hours=False, defaults__court__adjourned_share=0.0))
    split = mean_metrics(two_areas(hours=False, defaults__court__adjourned_share=0.4, **own))
    assert split[("Live", "cfc", "hearings_per_case")] == none[("Live", "cfc", "hearings_per_case")]
    assert split[("Capshire", "cap", "hearings_per_case")] > none[("Capshire", "cap", "hearings_per_case")] * 1.3



def _listed_now(court: Court, day: float, hours: float) -> float:
    """A hearing ready at `day`, listed as the model lists it: free stretches already over forgotten
    first (the court's sitting days do it), so the diary's search stays short."""
    court.forget_before(day)
    return court.list_hearing(day, hours)


def test_court_lists_like_an_mm1_queue() -> None:
    """Ready hearings arriving as Poisson, exponential lengths, FIFO listing: M/M/1 waits."""
    lam, mean_hours, sitting_days, hours_per_day = 0.5, 1.0, 4.2, 1.0  # capacity 0.6 h/day: rho 0.833
    mu = sitting_days * hours_per_day / 7 / mean_hours
    means = []
    for rep in range(16):
        rng = np.random.default_rng([rep, 11])
        court = Court(sitting_days, hours_per_day)
        times = np.cumsum(rng.exponential(1 / lam, 40_000))
        lengths = rng.exponential(mean_hours, times.size)
        waits = [_listed_now(court, t, h) - t for t, h in zip(times, lengths, strict=True)]
        means.append(np.mean(waits[5000:]))
    theory = (lam / mu) / (mu - lam)
    mean, half = np.mean(means), 2.13 * np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(mean - theory) <= half, (mean, half, theory)



def test_court_lists_fixed_length_hearings_like_an_md1_queue() -> None:
    """Fixed hearing lengths, FIFO listing: the Pollaczek-Khinchine wait rho S / (2 (1 - rho)), half M/M/1's."""
    lam, hours, sitting_days, hours_per_day = 0.5, 1.0, 4.2, 1.0
    service = hours / (sitting_days * hours_per_day / 7)
    rho = lam * service
    means = []
    for rep in range(16):
        rng = np.random.default_rng([rep, 13])
        court = Court(sitting_days, hours_per_day)
        times = np.cumsum(rng.exponential(1 / lam, 40_000))
        waits = [_listed_now(court, t, hours) - t for t in times]
        means.append(np.mean(waits[5000:]))
    theory = rho * service / (2 * (1 - rho))
    mean, half = np.mean(means), 2.13 * np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(mean - theory) <= half, (mean, half, theory)


def test_open_cases_waiting_for_a_hearing_form_the_courts_backlog() -> None:
    base = two_areas(hours=False)
    backlog = two_areas(hours=False, **{"defaults__initial_state": {"open_cases": [
        {"pathway": "cap", "stage": "final_hearing", "count": 150}]}})
    quiet, busy = mean_metrics(base), mean_metrics(backlog)
    key = ("Capshire", "cap", "listing_wait_days_mean")
    assert busy[key] > quiet[key] + 5



def test_court_time_used_counts_a_hearing_part_heard_in_part_and_never_exceeds_sitting_time() -> None:
    """Hours are counted as the court spends them: a 10-hour hearing at 1 hour a day, listed on day 0,
    has used 4 hours by day 4; a saturated list never uses more than the sitting time, whatever the
    window (statistics restarted mid-hearing)."""
    court = Court(7.0, 1.0)  # one court hour a day
    assert court.list_hearing(0.0, 10.0) == 0.0
    assert court.list_hearing(0.0, 2.0) == 10.0
    assert court.sitting_hours(4.0) == (4.0, 4.0)
    court.reset_stats(4.0)
    assert court.sitting_hours(11.0) == (7.0, 7.0)
    assert court.sitting_hours(20.0) == (8.0, 16.0)  # 6 + 2 hours, then idle


def test_a_hearing_with_short_notice_fills_free_court_time_before_one_listed_further_ahead() -> None:
    """A listing officer fills the diary, not only its end: a final hearing listed for day 84 leaves
    the court free before it, and a first hearing asked for tomorrow with 28 days' notice is heard on
    day 29, not after the final hearing (the single pointer's head-of-line blocking)."""
    court = Court(7.0, 1.0)  # one court hour a day
    assert court.list_hearing(84.0, 2.0) == 84.0
    assert court.list_hearing(29.0, 1.0) == 29.0
    assert court.list_hearing(29.0, 1.0) == 30.0  # the free stretch is used in order
    assert court.list_hearing(83.5, 1.0) == 83.5  # half an hour before the final hearing, half after it
    assert court.free_day == 86.5
    assert court.sitting_hours(100.0) == (5.0, 100.0)
