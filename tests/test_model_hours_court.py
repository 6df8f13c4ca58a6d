"""FCA hours (processor sharing) and court listing: each mechanism moves outcomes the right way, and
each agrees with queueing theory where theory has an answer (M/M/1-PS, an M/M/1 court list)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import simpy
import yaml
from scenario_factory import config

import cfc_sim
from cfc_sim.model import simulate
from cfc_sim.model.clock import WorkClock
from cfc_sim.model.court import Court
from cfc_sim.model.hours import DeadlineHours, SharedHours
from cfc_sim.report import write_html
from cfc_sim.report.views import cir_delay_rows
from cfc_sim.results_reader import read_results
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import config_from_dict

TWO_AREAS = [{"name": "Live", "go_live": "2026-04-01"}, {"name": "Capshire", "go_live": "2031-01-01"}]


def _metrics(data: dict, reps: int = 2) -> dict[tuple[str, str, str], float]:
    """Mean of each metric over `reps` replications."""
    cfg = config_from_dict(data)
    sums: dict[tuple[str, str, str], list[float]] = {}
    for r in range(reps):
        for area, pathway, metric, value in simulate(cfg, r).metrics:
            sums.setdefault((area, pathway, metric), []).append(value)
    return {k: float(np.mean(v)) for k, v in sums.items()}


def _two_areas(**changes: object) -> dict:
    data = modelled_dict(**{"horizon_months": 18, **changes})  # type: ignore[arg-type]
    data["areas"] = [dict(a) for a in TWO_AREAS]
    return data


class _DueJob:
    """A job for an FCA's hours in unit tests (`ps_due` is read only under deadline order)."""

    __slots__ = ("name", "ps_due", "ps_left", "ps_finish", "ps_version", "ps_on")

    def __init__(self, name: str, due: float) -> None:
        self.name, self.ps_due, self.ps_left = name, due, 0.0
        self.ps_finish, self.ps_version, self.ps_on = 0.0, 0, False


# ---- FCA hours ------------------------------------------------------------------------------------
def test_fewer_fcas_see_fewer_children_and_file_cirs_later() -> None:
    staffed = _metrics(_two_areas(court=False, defaults__workforce__fcas=14,
                                  defaults__workforce__establishment=14))
    short = _metrics(_two_areas(court=False, defaults__workforce__fcas=8, defaults__workforce__establishment=8))
    assert short[("Live", "cfc", "children_seen_share")] < staffed[("Live", "cfc", "children_seen_share")] - 0.1
    assert short[("Live", "cfc", "cir_working_days_mean")] > staffed[("Live", "cfc", "cir_working_days_mean")] + 5
    delay = ("Live", "cfc", "cir_fca_hours_delay_days_mean")
    assert short[delay] > staffed[delay]
    assert short[("Live", "all", "fca_hours_utilisation")] > staffed[("Live", "all", "fca_hours_utilisation")]


def test_without_hours_children_seen_is_the_cir_share_and_fcas_do_not_matter() -> None:
    few = _metrics(_two_areas(hours=False, court=False, defaults__workforce__fcas=8,
                              defaults__workforce__establishment=8))
    many = _metrics(_two_areas(hours=False, court=False, defaults__workforce__fcas=14,
                               defaults__workforce__establishment=14))
    assert few[("Live", "cfc", "children_seen_share")] == many[("Live", "cfc", "children_seen_share")]
    assert ("Live", "all", "fca_hours_utilisation") not in few


def test_more_hours_per_visit_lowers_children_seen() -> None:
    light = _metrics(_two_areas(court=False, defaults__workforce__fcas=12, defaults__workforce__establishment=12))
    heavy = _metrics(_two_areas(court=False, defaults__workforce__fcas=12, defaults__workforce__establishment=12,
                                defaults__cfc__hours__child_visit=14))
    assert heavy[("Live", "cfc", "children_seen_share")] < light[("Live", "cfc", "children_seen_share")]


def test_more_domestic_abuse_costs_more_cfc_fca_hours() -> None:
    def hours_used(da_share: float) -> float:
        m = _metrics(_two_areas(court=False, defaults__workforce__fcas=30, defaults__workforce__establishment=30,
                                defaults__demand__domestic_abuse_share=da_share))
        return m[("Live", "all", "fca_hours_utilisation")]

    assert hours_used(0.9) > hours_used(0.1) * 1.05


def test_an_overloaded_fca_is_slower_processor_sharing() -> None:
    env = simpy.Environment()
    done: dict[str, float] = {}

    fca = SharedHours(WorkClock(env, step_days=0), 2.0, lambda job, now: done.__setitem__(job.name, now))  # 2 h/day
    fca.add(_DueJob("a", 0.0), 4.0, 0.0)
    fca.add(_DueJob("b", 0.0), 2.0, 0.0)
    env.run(until=10)
    # two jobs share 2 h/day: b (2 h) ends on day 2; then a has 2 h left alone: day 3
    assert done == pytest.approx({"b": 2.0, "a": 3.0})


def test_the_work_clock_acts_at_the_end_of_the_day_in_request_order() -> None:
    env = simpy.Environment()
    clock = WorkClock(env)
    seen: list[tuple[str, float]] = []

    def note(name: str) -> None:
        seen.append((name, env.now))
        if name == "b":  # asked for during a tick, due today: runs in the same tick
            clock.at(env.now - 0.5, note, "b-today")

    for day, name in ((3.4, "a"), (3.0, "b"), (3.9, "c"), (0.2, "d")):
        clock.at(day, note, name)
    env.run(until=10)
    assert seen == [("d", 1.0), ("b", 3.0), ("b-today", 3.0), ("a", 4.0), ("c", 4.0)]


def test_a_job_finishing_mid_day_stops_sharing_hours_at_once() -> None:
    """b (0.5 h) ends at 0.5 days; from then a (1.4 h) has all 2 h/day and ends at 0.95, so both are
    recognised at the end of day 1. Had b kept its share until the day's end, a would end on day 2."""
    env = simpy.Environment()
    done: dict[str, float] = {}

    fca = SharedHours(WorkClock(env), 2.0, lambda job, now: done.__setitem__(job.name, now))
    fca.add(_DueJob("a", 0.0), 1.4, 0.0)
    fca.add(_DueJob("b", 0.0), 0.5, 0.0)
    env.run(until=5)
    assert done == pytest.approx({"a": 1.0, "b": 1.0})
    assert fca.delivered_hours == pytest.approx(1.9)


def test_deadline_order_gives_all_hours_to_the_piece_due_first() -> None:
    """a (4 h, due day 10) and b (2 h, due day 5) at 2 h/day: b has the hours first and ends on day 1,
    then a on day 3 (shared equally, b would end on day 2). c (1 h, due day 2) arriving at day 1.5
    takes the hours from a, which ends half a day later."""
    env = simpy.Environment()
    done: dict[str, float] = {}
    fca = DeadlineHours(WorkClock(env, step_days=0), 2.0, lambda job, now: done.__setitem__(job.name, now))
    fca.add(_DueJob("a", 10.0), 4.0, 0.0)
    fca.add(_DueJob("b", 5.0), 2.0, 0.0)

    def later():  # type: ignore[no-untyped-def]
        yield env.timeout(1.5)
        fca.add(_DueJob("c", 2.0), 1.0, env.now)

    env.process(later())
    env.run(until=10)
    assert done == pytest.approx({"b": 1.0, "c": 2.0, "a": 3.5})
    assert fca.delivered_hours == pytest.approx(7.0)


def test_a_hearing_day_delays_deadline_ordered_work_by_its_hours() -> None:
    env = simpy.Environment()
    done: dict[str, float] = {}
    fca = DeadlineHours(WorkClock(env, step_days=0), 2.0, lambda job, now: done.__setitem__(job.name, now))
    fca.add(_DueJob("a", 10.0), 4.0, 0.0)
    fca.spend(3.0, 0.0)  # a hearing: 3 hours away from casework
    env.run(until=10)
    assert done == pytest.approx({"a": 3.5})


def test_deadline_order_files_more_cirs_on_time_than_equal_sharing() -> None:
    """Switching the discipline off (equal shares) must cost CIRs on time where FCAs are short."""
    def on_time(discipline: str) -> float:
        m = _metrics(_two_areas(court=False, defaults__workforce__fcas=8, defaults__workforce__establishment=8,
                                defaults__workforce__hours={"contracted_per_week": 37.0, "casework_share": 0.65,
                                                            "discipline": discipline}))
        return m[("Live", "cfc", "cir_on_time_share")]

    assert on_time("deadline") > on_time("shared") + 0.03


class _Job:
    __slots__ = ("i", "ps_finish", "ps_version", "ps_on")

    def __init__(self, i: int) -> None:
        self.i, self.ps_finish, self.ps_version, self.ps_on = i, 0.0, 0, False


def _mm1_ps_mean_sojourn(rep: int, lam: float, mean_hours: float, rate: float) -> float:
    """One run of an FCA with Poisson arrivals and exponential work: mean time in system."""
    rng = np.random.default_rng([rep, 7])
    env = simpy.Environment()
    started: dict[int, float] = {}
    sojourn: list[float] = []

    def finished(job: _Job, now: float) -> None:
        if started[job.i] > 500:  # after a warm-up
            sojourn.append(now - started[job.i])

    fca = SharedHours(WorkClock(env, step_days=0), rate, finished)  # exact times: the mechanism alone

    def arrivals():  # type: ignore[no-untyped-def]
        i = 0
        while True:
            yield env.timeout(rng.exponential(1 / lam))
            started[i] = env.now
            fca.add(_Job(i), rng.exponential(mean_hours), env.now)
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


# ---- court listing --------------------------------------------------------------------------------
def test_fewer_sitting_days_lengthen_listing_waits_and_weeks_to_decision() -> None:
    full = _metrics(_two_areas(hours=False, defaults__court__sitting_days_per_week=10.0))
    thin = _metrics(_two_areas(hours=False, defaults__court__sitting_days_per_week=5.0))
    for area, pathway in (("Live", "cfc"), ("Capshire", "cap")):
        assert thin[(area, pathway, "listing_wait_days_mean")] > full[(area, pathway, "listing_wait_days_mean")] + 5
        assert thin[(area, pathway, "weeks_to_decision_mean")] > full[(area, pathway, "weeks_to_decision_mean")] + 1
    assert thin[("Capshire", "all", "sitting_day_utilisation")] > full[("Capshire", "all", "sitting_day_utilisation")]


def test_more_domestic_abuse_means_more_cap_hearings_per_case() -> None:
    def hearings(da_share: float) -> float:
        m = _metrics(_two_areas(hours=False, defaults__demand__domestic_abuse_share=da_share,
                                defaults__cap__fact_finding_share_of_da=0.6,
                                defaults__court__sitting_days_per_week=25.0))
        return m[("Capshire", "cap", "hearings_per_case")]

    assert hearings(0.9) > hearings(0.1) + 0.15  # 0.65 continue x 0.6 fact-finding x 0.8 more DA = +0.31


def test_adjourned_hearings_are_heard_again() -> None:
    none = _metrics(_two_areas(hours=False, defaults__court__adjourned_share=0.0))
    some = _metrics(_two_areas(hours=False, defaults__court__adjourned_share=0.4))
    assert some[("Capshire", "cap", "hearings_per_case")] > none[("Capshire", "cap", "hearings_per_case")] * 1.3


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
        waits = [court.list_hearing(t, h) - t for t, h in zip(times, lengths, strict=True)]
        means.append(np.mean(waits[5000:]))
    theory = (lam / mu) / (mu - lam)
    mean, half = np.mean(means), 2.13 * np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(mean - theory) <= half, (mean, half, theory)


def test_open_cases_waiting_for_a_hearing_form_the_courts_backlog() -> None:
    base = _two_areas(hours=False)
    backlog = _two_areas(hours=False, **{"defaults__initial_state": {"open_cases": [
        {"pathway": "cap", "stage": "final_hearing", "count": 150}]}})
    quiet, busy = _metrics(base), _metrics(backlog)
    key = ("Capshire", "cap", "listing_wait_days_mean")
    assert busy[key] > quiet[key] + 5


# ---- transition: training window and allocation policy ------------------------------------------------
def test_training_happens_in_the_window_before_go_live_not_from_the_start() -> None:
    data = modelled_dict(horizon_months=12, hours=False, court=False, defaults__workforce__training={
        "days": 5, "seats_per_month": 20, "trained_share_at_start": 0.0, "months_before_go_live": 2})
    data["areas"] = [{"name": "Later", "go_live": "2026-12-01"}]
    out = simulate(config_from_dict(data), 0)
    trained = {month: v for area, month, metric, v in out.monthly if metric == "trained_share" and area == "Later"}
    assert trained[0] == 0 and trained[5] == 0  # April to September: no training yet
    assert trained[7] == 1.0  # trained by the end of November, before the 1 December go-live


def test_cfc_first_allocation_shortens_cfc_waits_and_lengthens_cap_waits() -> None:
    def waits(policy: str) -> tuple[float, float]:
        data = modelled_dict(horizon_months=12, hours=False, court=False, defaults__workforce__fcas=3,
                             defaults__workforce__establishment=3, defaults__workforce__caseload_cap=10,
                             defaults__workforce__allocation_policy=policy,
                             defaults__initial_state={"open_cases": [
                                 {"pathway": "cap", "stage": "awaiting_allocation", "count": 40}]})
        m = _metrics(data)
        return (m[("Testshire", "cfc", "wait_to_allocation_days_mean")],
                m.get(("Testshire", "cap", "wait_to_allocation_days_mean"), math.inf))  # none allocated: starved

    cfc_old, cap_old = waits("oldest_first")
    cfc_new, cap_new = waits("cfc_first")
    assert cfc_new < cfc_old and cap_new > cap_old


def test_hours_need_work_content_blocks() -> None:
    from cfc_sim.errors import ScenarioError

    data = modelled_dict(court=False)
    del data["defaults"]["cfc"]["hours"]
    with pytest.raises(ScenarioError, match="cfc.hours"):
        config(data)


# ---- why CIRs are late: the per-area breakdown in the summary and the report ---------------------------
def test_report_names_fca_hours_as_the_main_cause_where_fcas_are_short(tmp_path: Path) -> None:
    data = modelled_dict(horizon_months=12, court=False)
    data["areas"] = [
        {"name": "Short <of> hours", "go_live": "2026-04-01", "workforce": {"fcas": 7, "establishment": 7}},
        {"name": "Well staffed", "go_live": "2026-04-01", "workforce": {"fcas": 30, "establishment": 30}}]
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    folder = tmp_path / "out"
    cfc_sim.run(path, reps=2, out=folder)
    result = read_results(folder)
    rows = {r["area"]: r for r in cir_delay_rows(result.summary)}
    assert rows["Short <of> hours"]["main"].startswith("FCA hours")
    assert rows["Short <of> hours"]["on_time"] < rows["Well staffed"]["on_time"]
    page = write_html(result, folder, tmp_path / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="cir-late"'):page.index('id="by-month"')]
    assert "Short &lt;of&gt; hours" in section and "FCA hours (work ran past its least time)" in section
    assert section.index("Short &lt;of&gt; hours") < section.index("Well staffed")  # worst first


# ---- public-law and other work as a fixed load (workforce.other_work_fte) ---------------------------
def _load_area(fcas: int, **workforce: object):  # type: ignore[no-untyped-def]
    from cfc_sim.calendar import SimCalendar
    from cfc_sim.model.area import Area, NationalTotals
    from cfc_sim.model.workforce import Workforce
    from cfc_sim.streams import Streams

    data = modelled_dict(court=False)
    data["defaults"]["workforce"].update(fcas=fcas, establishment=fcas, caseload_cap=20, **workforce)
    data["areas"] = [{"name": "Loadshire", "go_live": "2026-04-01"}]
    cfg = config_from_dict(data)
    env = simpy.Environment()
    area = Area(env, cfg.areas[0], SimCalendar(cfg.header.start, cfg.header.horizon_months), Streams(5, 0),
                NationalTotals())
    staffing = Workforce(area)
    staffing.staff_at_start()
    return area, staffing


def test_a_fixed_other_work_load_is_shared_by_the_fcas_in_post() -> None:
    """10 FCAs carry 5 FTE of public-law work: half of each cap and of each FCA's hours; an 11th
    takes a share of it (5/11), and when two leave the nine left carry more (5/9)."""
    area, staffing = _load_area(10, other_work_fte=5.0)
    full = area.hours_per_day
    assert [f.other for f in area.fcas] == [10] * 10
    assert area.fcas[0].work.rate == pytest.approx(full * 0.5)
    assert area.capacity_slots.value == 10 * 10
    staffing.hire(0.0)
    area.set_cap(area.fcas[-1], 0.0, 20)  # past induction, for the arithmetic
    assert [f.other for f in area.fcas] == [round(20 * 5 / 11)] * 11
    assert area.fcas[0].work.rate == pytest.approx(full * (1 - 5 / 11))
    area.remove_fca(area.fcas[0], 1.0)
    area.remove_fca(area.fcas[0], 1.0)
    assert [f.other for f in area.fcas] == [round(20 * 5 / 9)] * 9
    assert area.fcas[0].work.rate == pytest.approx(full * (1 - 5 / 9))
    assert area.capacity_slots.value == sum(f.private_cap for f in area.fcas)  # kept in step throughout


def test_an_extra_fca_adds_a_whole_fte_of_private_law_time_under_a_fixed_load() -> None:
    """A share of each FCA grows with the FCAs (public-law work does not): 10 more FCAs add 10 FTE
    of private-law hours under a fixed load, against 10 x (1 - share) under a share."""
    def private_fte(fcas: int, **workforce: object) -> float:
        area, _ = _load_area(fcas, **workforce)
        return sum(f.work.rate for f in area.fcas) / area.hours_per_day

    assert private_fte(20, other_work_fte=7.0) - private_fte(10, other_work_fte=7.0) == pytest.approx(10.0)
    assert private_fte(20, other_work_share=0.7) - private_fte(10, other_work_share=0.7) == pytest.approx(3.0)


def test_other_work_is_a_share_or_a_load_not_both() -> None:
    from cfc_sim.errors import ScenarioError

    data = modelled_dict(court=False)
    data["defaults"]["workforce"].update(other_work_share=0.5, other_work_fte=3.0)
    with pytest.raises(ScenarioError, match="other_work_fte"):
        config(data)


def test_required_fte_under_a_fixed_load_is_the_cfc_fcas_plus_the_load() -> None:
    from cfc_sim.calendar import SimCalendar
    from cfc_sim.readiness import required_fte

    def required(**workforce: object) -> float:
        data = modelled_dict(court=False)
        data["defaults"]["workforce"].update(caseload_cap=20, **workforce)
        cfg = config_from_dict(data)
        return required_fte(cfg.areas[0], SimCalendar(cfg.header.start, cfg.header.horizon_months), 0)

    bare = required()
    assert bare > 0
    assert required(other_work_fte=6.0) == pytest.approx(bare + 6.0)
    assert required(other_work_share=0.5) == pytest.approx(bare * 2)  # half of each cap for the CFC slots
