"""Allocation rules on small deterministic cases, asserting the exact sequence of events."""

from __future__ import annotations

import simpy
from scenario_factory import config

from cfc_sim.calendar import SimCalendar
from cfc_sim.model.area import Area, NationalTotals
from cfc_sim.model.case import CAP, CFC, Case
from cfc_sim.streams import Streams


def _area(fcas_trained: list[bool], cap: int = 1) -> tuple[simpy.Environment, Area]:
    cfg = config(defaults__workforce__fcas=0, defaults__workforce__caseload_cap=cap)
    env = simpy.Environment()
    cal = SimCalendar(cfg.header.start, 12)
    area = Area(env, cfg.areas[0], cal, Streams(1, 0), NationalTotals())
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
