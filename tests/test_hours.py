"""FCA hours: shared (processor sharing) and deadline disciplines and the end-of-day work clock, each
agreeing with queueing theory where it has an answer (M/M/1-PS, M/D/1-PS)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from model_support import mean_metrics, two_areas

from cfc_sim.model.case import Case
from cfc_sim.model.clock import WorkClock
from cfc_sim.model.hours import DeadlineHours, SharedHours

_NAMES: dict[int, str] = {}  # a test job's case id -> the name the test gives it


def _due_job(name: str, due: float) -> Case:
    """A job for an FCA's hours in unit tests: a case (the compiled hours read a case's slots), its
    due day `due` (read only under deadline order); `_name(job)` gives `name` back."""
    job = Case(len(_NAMES), "CAP", 0.0, 1, False, False)
    _NAMES[job.id] = name
    job.ps_due = due
    return job


def _name(job: Case) -> str:
    return _NAMES[job.id]



def test_an_overloaded_fca_is_slower_processor_sharing() -> None:
    env = simpy.Environment()
    done: dict[str, float] = {}

    fca = SharedHours(WorkClock(env, step_days=0), 2.0, lambda job, now: done.__setitem__(_name(job), now))  # 2 h/day
    fca.add(_due_job("a", 0.0), 4.0, 0.0)
    fca.add(_due_job("b", 0.0), 2.0, 0.0)
    env.run(until=10)
    # two jobs share 2 h/day: b (2 h) ends on day 2; then a has 2 h left alone: day 3
    assert done == pytest.approx({"b": 2.0, "a": 3.0})



def test_the_work_clock_acts_at_the_end_of_the_day_in_request_order() -> None:
    env = simpy.Environment()
    clock = WorkClock(env)
    seen: list[tuple[str, float]] = []

    def note(name: str, now: float) -> None:
        assert now == env.now  # the clock tells its callbacks the day
        seen.append((name, now))
        if name == "b":  # asked for during a tick, due today: runs in the same tick
            clock.at(env.now - 0.5, note, "b-today")

    for day, name in ((3.4, "a"), (3.0, "b"), (3.9, "c"), (0.2, "d")):
        clock.at(day, note, name)
    env.run(until=10)
    assert seen == [("d", 1.0), ("b", 3.0), ("b-today", 3.0), ("a", 4.0), ("c", 4.0)]



def test_the_exact_clock_times_a_request_from_simpys_own_clock_whatever_day_the_caller_passes() -> None:
    """An FCA's hours pass the day they know (`at_now`): an application's drawn day may be a rounding
    away from SimPy's clock. The day-step clock rounds to the day's end; the exact clock (step 0) must
    time its event from SimPy's clock, not from the caller's day."""
    env = simpy.Environment()
    clock = WorkClock(env, step_days=0.0)
    seen: list[float] = []

    def later() -> None:
        yield env.timeout(2.0)
        clock.at_now(5.0, lambda arg, now: seen.append(now), None, now=1.0)  # a caller's stale day

    env.process(later())
    env.run(until=10)
    assert seen == [5.0]  # from the caller's day 1.0 it would have fired at 2.0 + 4.0 = 6.0


def test_a_job_finishing_mid_day_stops_sharing_hours_at_once() -> None:
    """b (0.5 h) ends at 0.5 days; from then a (1.4 h) has all 2 h/day and ends at 0.95, so both are
    recognised at the end of day 1. Had b kept its share until the day's end, a would end on day 2."""
    env = simpy.Environment()
    done: dict[str, float] = {}

    fca = SharedHours(WorkClock(env), 2.0, lambda job, now: done.__setitem__(_name(job), now))
    fca.add(_due_job("a", 0.0), 1.4, 0.0)
    fca.add(_due_job("b", 0.0), 0.5, 0.0)
    env.run(until=5)
    assert done == pytest.approx({"a": 1.0, "b": 1.0})
    assert fca.delivered_hours == pytest.approx(1.9)



def test_deadline_order_gives_all_hours_to_the_piece_due_first() -> None:
    """a (4 h, due day 10) and b (2 h, due day 5) at 2 h/day: b has the hours first and ends on day 1,
    then a on day 3 (shared equally, b would end on day 2). c (1 h, due day 2) arriving at day 1.5
    takes the hours from a, which ends half a day later."""
    env = simpy.Environment()
    done: dict[str, float] = {}
    fca = DeadlineHours(WorkClock(env, step_days=0), 2.0, lambda job, now: done.__setitem__(_name(job), now))
    fca.add(_due_job("a", 10.0), 4.0, 0.0)
    fca.add(_due_job("b", 5.0), 2.0, 0.0)

    def later():  # type: ignore[no-untyped-def]
        yield env.timeout(1.5)
        fca.add(_due_job("c", 2.0), 1.0, env.now)

    env.process(later())
    env.run(until=10)
    assert done == pytest.approx({"b": 1.0, "c": 2.0, "a": 3.5})
    assert fca.delivered_hours == pytest.approx(7.0)



def test_a_hearing_day_delays_deadline_ordered_work_by_its_hours() -> None:
    env = simpy.Environment()
    done: dict[str, float] = {}
    fca = DeadlineHours(WorkClock(env, step_days=0), 2.0, lambda job, now: done.__setitem__(_name(job), now))
    fca.add(_due_job("a", 10.0), 4.0, 0.0)
    fca.spend(3.0, 0.0)  # a hearing: 3 hours away from casework
    env.run(until=10)
    assert done == pytest.approx({"a": 3.5})



def test_deadline_order_files_more_cirs_on_time_than_equal_sharing() -> None:
    """Switching the discipline off (equal shares) must cost CIRs on time where FCAs are short."""
    def on_time(discipline: str) -> float:
        m = mean_metrics(two_areas(court=False, defaults__workforce__fcas=8, defaults__workforce__establishment=8,
                                defaults__workforce__hours={"contracted_per_week": 37.0, "casework_share": 0.65,
                                                            "discipline": discipline}))
        return m[("Live", "cfc", "cir_on_time_share")]

    assert on_time("deadline") > on_time("shared") + 0.03



def _job(i: int) -> Case:
    return Case(i, "CAP", 0.0, 1, False, False)



def _mm1_ps_mean_sojourn(rep: int, lam: float, mean_hours: float, rate: float, fixed: bool = False) -> float:
    """One run of an FCA with Poisson arrivals and exponential (or fixed) work: mean time in system."""
    rng = np.random.default_rng([rep, 7])
    env = simpy.Environment()
    started: dict[int, float] = {}
    sojourn: list[float] = []

    def finished(job: Case, now: float) -> None:
        if started[job.id] > 500:  # after a warm-up
            sojourn.append(now - started[job.id])

    fca = SharedHours(WorkClock(env, step_days=0), rate, finished)  # exact times: the mechanism alone

    def arrivals():  # type: ignore[no-untyped-def]
        i = 0
        while True:
            yield env.timeout(rng.exponential(1 / lam))
            started[i] = env.now
            fca.add(_job(i), mean_hours if fixed else rng.exponential(mean_hours), env.now)
            i += 1

    env.process(arrivals())
    env.run(until=8000)
    return float(np.mean(sojourn))



def test_processor_sharing_fca_matches_mm1_ps_sojourn_time() -> None:
    """M/M/1-PS: mean time in system 1 / (mu - lambda), within the run's 95% interval."""
    lam, mean_hours, rate = 0.8, 1.0, 1.0  # arrivals a day, hours per job, hours a day: rho 0.8
    means = [_mm1_ps_mean_sojourn(rep, lam, mean_hours, rate) for rep in range(12)]
    theory = 1 / (rate / mean_hours - lam)
    mean, half = np.mean(means), 2.2 * np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(mean - theory) <= half, (mean, half, theory)



def test_processor_sharing_fca_matches_md1_ps_sojourn_time() -> None:
    """M/D/1-PS: processor sharing's mean time in system is insensitive to the work's distribution,
    S / (1 - rho) for fixed work as for exponential work (FCFS would give S + rho S / (2 (1 - rho)))."""
    lam, hours, rate = 0.8, 1.0, 1.0
    means = [_mm1_ps_mean_sojourn(rep, lam, hours, rate, fixed=True) for rep in range(12)]
    theory = hours / rate / (1 - lam * hours / rate)
    fcfs = hours / rate + (lam * hours / rate) * hours / rate / (2 * (1 - lam * hours / rate))
    mean, half = np.mean(means), 2.2 * np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(mean - theory) <= half, (mean, half, theory)
    assert abs(mean - fcfs) > half  # the check tells the disciplines apart


def test_where_fcas_work_in_hours_their_utilisation_is_their_casework_hours_in_use() -> None:
    """Caseload places do not bind an FCA who works in hours, so `fca_utilisation` reports hours in use
    (a planner would otherwise read FCAs as idle while CIRs wait for hours); the slot model keeps places."""
    hours = mean_metrics(two_areas(), reps=1)
    for area in ("Live", "Capshire", "ALL"):
        assert hours[(area, "all", "fca_utilisation")] == hours[(area, "all", "fca_hours_utilisation")]
    slots = mean_metrics(two_areas(hours=False), reps=1)
    assert ("Live", "all", "fca_hours_utilisation") not in slots and 0 < slots[("Live", "all", "fca_utilisation")] <= 1



def test_the_monthly_fca_utilisation_is_hours_in_use_too_where_fcas_work_in_hours() -> None:
    """The monthly series reads as the summary does: month by month it averages to the run's hours in use
    (caseload places in use, the slot measure, are far lower here), and stays places in the slot model."""
    from cfc_sim.model.simulation import simulate
    from cfc_sim.scenario.loading import config_from_dict

    for hours_mode in (True, False):
        data = two_areas() if hours_mode else two_areas(hours=False)
        out = simulate(config_from_dict(data), 0)
        summary = {(a, m): v for a, p, m, v in out.metrics if p == "all"}
        monthly = [v for a, _, m, v in out.monthly if a == "ALL" and m == "fca_utilisation" and v == v]
        assert monthly and all(0 <= v <= 1 for v in monthly)
        assert abs(float(np.mean(monthly)) - summary[("ALL", "fca_utilisation")]) < 0.05
