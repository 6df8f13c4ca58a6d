"""An area: allocation rules on small deterministic cases (asserting the exact sequence of events), other
work and its share of FCAs' hours, and the FTE readiness asks of it on its own mechanism."""

from __future__ import annotations

import math

import pytest
import simpy
from model_support import mean_metrics, two_areas
from scenario_factory import config

from cfc_sim.calendar import SimCalendar
from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, CFC, Case
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import config_from_dict
from cfc_sim.streams import Streams


def _area(fcas_trained: list[bool], cap: int = 1) -> tuple[simpy.Environment, Area]:
    cfg = config(defaults__workforce__fcas=0, defaults__workforce__caseload_cap=cap)
    env = simpy.Environment()
    cal = SimCalendar(cfg.header.start, 12)
    area = Area(env, cfg.areas[0], cal, Streams(1, 0))
    area.trace = []
    for trained in fcas_trained:
        area.add_fca(0.0, trained=trained)
    return env, area


def _case(case_id: int, arrival: float, pathway: str = CAP, high_risk: bool = False) -> Case:
    return Case(case_id, pathway, arrival, 1, False, high_risk)


def _allocations(area: Area) -> list[tuple[float, int, str]]:
    return [(day, case_id, res) for day, _, case_id, act, res in area.trace if act.startswith("allocated")]


def test_queue_serves_high_risk_first_then_oldest_application() -> None:
    env, area = _area([True])
    area.request_allocation(_case(0, 0.0), 0.0, 10.0)  # occupies the only slot until day 10
    area.request_allocation(_case(1, -30.0), 0.0, 5.0)  # oldest standard
    area.request_allocation(_case(2, -5.0, high_risk=True), 0.0, 5.0)  # newer but high risk
    area.request_allocation(_case(3, -60.0), 0.0, 5.0)  # oldest of all, standard
    env.run(until=100)
    assert _allocations(area) == [(0.0, 0, "FCA-0"), (10.0, 2, "FCA-0"), (15.0, 3, "FCA-0"), (20.0, 1, "FCA-0")]


def test_cfc_cases_wait_for_a_trained_fca_while_cap_cases_take_any() -> None:
    env, area = _area([False, True])
    area.request_allocation(_case(0, 0.0, CFC), 0.0, 10.0)  # goes to the trained FCA-1
    area.request_allocation(_case(1, 0.0, CFC), 0.0, 10.0)  # must wait: FCA-0 is free but untrained
    area.request_allocation(_case(2, 0.0, CAP), 0.0, 10.0)  # CAP: untrained FCA-0 takes it
    env.run(until=100)
    assert _allocations(area) == [(0.0, 0, "FCA-1"), (0.0, 2, "FCA-0"), (10.0, 1, "FCA-1")]


def test_no_fca_holds_more_than_its_cap_and_free_slots_never_coexist_with_a_queue() -> None:
    env, area = _area([True, True], cap=3)
    for i in range(20):
        area.request_allocation(_case(i, float(i)), 0.0, 5.0 + i % 4)
    checks = []

    def watch():  # type: ignore[no-untyped-def]
        while True:
            loads = [len(f.cases) for f in area.fcas]
            checks.append((max(loads), area.queued(), min(loads)))
            yield env.timeout(0.5)

    env.process(watch())
    env.run(until=60)
    assert all(top <= 3 for top, _, _ in checks)
    assert all(low == 3 for _, queued, low in checks if queued > 0)
    assert checks[-1] == (0, 0, 0)


def test_leaver_cases_go_to_a_free_colleague_else_back_to_the_queue_keeping_arrival_order() -> None:
    env, area = _area([True, True], cap=2)
    leaver = area.fcas[0]
    for i in range(4):  # both FCAs full: 0 and 2 with FCA-0, 1 and 3 with FCA-1
        area.request_allocation(_case(i, float(i)), 0.0, 30.0)
    area.request_allocation(_case(9, -100.0), 0.0, 30.0)  # queued, oldest
    env.run(until=10)
    area.remove_fca(leaver, 10.0)
    # Case 0 had 20 of its 30 days left, so it frees FCA-1 on day 50, not 60.
    # No colleague has a free slot: both of the leaver's cases return to the queue, in order.
    assert area.queued() == 3
    assert area.stats[CAP].reallocations == 2
    env.run(until=200)
    allocations = _allocations(area)
    assert allocations[-3:] == [(30.0, 9, "FCA-1"), (30.0, 0, "FCA-1"), (50.0, 2, "FCA-1")]


def test_reallocated_case_keeps_its_remaining_work_only() -> None:
    env, area = _area([True, True], cap=1)
    done: list[tuple[int, float]] = []
    area.on_report_done = lambda c, day: done.append((c.id, day))
    case = _case(0, 0.0)
    area.request_allocation(case, 0.0, 30.0)
    env.run(until=10)
    first = case.fca
    area.remove_fca(first, 10.0)
    assert case.fca is area.fcas[0] and case.fca is not first  # the free colleague took it at once
    env.run(until=100)
    assert done == [(0, 30.0)]  # 10 days with the leaver + the remaining 20 with the colleague
    assert case.fcas_seen == 2


def test_cfc_first_allocation_shortens_cfc_waits_and_lengthens_cap_waits() -> None:
    def waits(policy: str) -> tuple[float, float]:
        data = modelled_dict(horizon_months=12, hours=False, court=False, defaults__workforce__fcas=3,
                             defaults__workforce__establishment=3, defaults__workforce__caseload_cap=10,
                             defaults__workforce__allocation_policy=policy,
                             defaults__initial_state={"open_cases": [
                                 {"pathway": "cap", "stage": "awaiting_allocation", "count": 40}]})
        m = mean_metrics(data)
        return (m[("Testshire", "cfc", "wait_to_allocation_days_mean")],
                m.get(("Testshire", "cap", "wait_to_allocation_days_mean"), math.inf))  # none allocated: starved

    cfc_old, cap_old = waits("oldest_first")
    cfc_new, cap_new = waits("cfc_first")
    assert cfc_new < cfc_old and cap_new > cap_old



def _load_area(fcas: int, **workforce: object):  # type: ignore[no-untyped-def]
    from cfc_sim.calendar import SimCalendar
    from cfc_sim.model.area import Area
    from cfc_sim.model.workforce import Workforce
    from cfc_sim.streams import Streams

    data = modelled_dict(court=False)
    data["defaults"]["workforce"].update(fcas=fcas, establishment=fcas, caseload_cap=20, **workforce)
    data["areas"] = [{"name": "Loadshire", "go_live": "2026-04-01"}]
    cfg = config_from_dict(data)
    env = simpy.Environment()
    area = Area(env, cfg.areas[0], SimCalendar(cfg.header.start, cfg.header.horizon_months), Streams(5, 0))
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



def test_required_fte_counts_hours_where_fcas_work_in_hours() -> None:
    """An hours area's FTE need follows the hours each CFC application takes; a slot area's does not."""
    from cfc_sim.readiness import cfc_hours_per_application, required_fte

    def need(cir_hours: float, hours: bool) -> tuple[float, float]:
        data = modelled_dict(hours=hours, court=False)
        if hours:
            data["defaults"]["cfc"]["hours"]["cir"] = {"dist": "fixed", "value": cir_hours}
        scenario = config_from_dict(data)
        area = scenario.areas[0]
        return cfc_hours_per_application(area), required_fte(area, SimCalendar(scenario.header.start, 12), 3)

    light, heavy = need(12.0, True), need(60.0, True)
    cir_share = modelled_dict()["defaults"]["cfc"]["cafcass_cir_share"]
    assert heavy[0] - light[0] == pytest.approx(cir_share * 48.0)
    assert heavy[1] > light[1] * 1.5
    assert need(12.0, False)[0] == 0.0


def test_cfc_hours_per_application_holds_cfc_hearings_again_at_their_own_adjourned_share() -> None:
    """The CFC hearings' own adjourned share, not the court's (CAP's), sets how often an FCA attends them."""
    from cfc_sim.readiness import cfc_hours_per_application

    def hours(court_share: float, cfc_share: float | None) -> float:
        data = modelled_dict()
        data["defaults"]["court"]["adjourned_share"] = court_share
        for kind in ("decision", "review", "further"):
            data["defaults"]["court"]["hearings"][kind]["adjourned_share"] = cfc_share
        return cfc_hours_per_application(config_from_dict(data).areas[0])

    assert hours(0.4, 0.0) == pytest.approx(hours(0.0, None))  # CAP's adjournments do not touch CFC's
    assert hours(0.0, 0.5) > hours(0.0, None)  # CFC's own adjournments do


def test_a_reported_case_stays_on_its_writers_caseload_until_it_closes() -> None:
    """Cafcass counts a case on the caseload of the FCA who reported until it closes: the longer cases
    wait for their final hearing after the report, the higher the mean caseload (it takes no slot)."""
    def caseload(wait_days: float) -> float:
        data = two_areas(hours=False, court=False,
                         defaults__cap__final_hearing_wait_days={"dist": "fixed", "value": wait_days})
        return mean_metrics(data)[("Capshire", "all", "caseload_mean")]

    assert caseload(300.0) > caseload(30.0) + 1.0
