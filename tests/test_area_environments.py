"""Each area runs in a SimPy environment of its own (`simulate`), and the national metrics are read
from the areas' counts afterwards. Areas share nothing, not even the end-of-day clock, so running
several in one environment (`Replication(...).run()`) must give the same numbers; the national
unallocated queue must be the areas' queues summed over time from the end of warm-up, not the sum
of their maxima."""

from __future__ import annotations

import pickle

import pytest
from model_support import two_areas

from cfc_sim.metrics import ChangeLog, summed
from cfc_sim.model import simulate
from cfc_sim.model.simulation import Replication, collector_paused, combine_areas, simulate_areas
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import config_from_dict
from cfc_sim.uncertainty import sample_config


def _one_environment(data: dict, replication: int) -> tuple[list, list]:
    cfg = sample_config(config_from_dict(data), replication)
    with collector_paused():
        out = Replication(cfg, replication).run()
    return out.metrics, out.monthly


def _crowded() -> dict:
    """Areas that queue, switch the prioritisation protocol on (weekly hub reviews on whole days, as
    the clock's ticks are), change staff by intervention on the day warm-up ends: where a clock
    shared by the areas once made one area's same-day order depend on the others."""
    data = modelled_dict(court=False, horizon_months=18, warmup_months=3)
    data["defaults"]["workforce"].update({"fcas": 1, "establishment": 1, "caseload_cap": 2})
    data["defaults"]["prioritisation"] = {"activate_queue": 3, "deactivate_queue": 1, "hub_review_days": 7}
    data["defaults"]["cap"]["hours"]["report"] = {"dist": "gamma", "mean": 60, "sd": 20}
    data["defaults"]["cfc"]["hours"]["cir"] = {"dist": "gamma", "mean": 50, "sd": 15}
    data["areas"] = [{"name": f"A{i}", "region": "Test", "go_live": ["2026-04-01", "2031-01-01"][i % 2],
                      "demand": {"applications_per_week": [1.0, 2.0, 0.7, 1.5][i]}} for i in range(4)]
    data["interventions"] = [{"at": "2026-07-01", "area": "A1", "set": {"workforce.fcas": 3}}]
    return data


def test_an_environment_per_area_gives_the_numbers_of_one_environment_for_all() -> None:
    crowded = _crowded()
    queue_max = [v for a, p, m, v in simulate(config_from_dict(crowded), 1).metrics
                 if p == "all" and m == "unallocated_queue_max"]
    assert max(queue_max) > 0  # the national queue's log is exercised
    for data in (two_areas(), two_areas(horizon_months=12, warmup_months=2),
                 {**modelled_dict(hours=False, court=False), "areas": two_areas()["areas"]}, crowded):
        per_area = simulate(config_from_dict(data), 1)
        metrics, monthly = _one_environment(data, 1)
        assert per_area.metrics == metrics  # every area and national row, to the last bit
        assert per_area.monthly == monthly
        assert {row[0] for row in metrics} == {"ALL", *(a["name"] for a in data["areas"])}


def test_the_trace_is_each_areas_events_in_time_order() -> None:
    data = two_areas(horizon_months=6)
    out = simulate(config_from_dict(data), 0, trace=True)
    assert out.events
    days = [event[0] for event in out.events]
    assert days == sorted(days)
    cfg = sample_config(config_from_dict(data), 0)
    together = Replication(cfg, 0, trace=True).run().events
    assert together is not None
    for name in ("Live", "Capshire"):  # the same events, in the same order, area by area
        mine = [e for e in out.events if e[1] == name]
        assert mine and mine == [e for e in together if e[1] == name]


def test_the_national_queue_is_the_areas_queues_summed_over_time() -> None:
    north, south = ChangeLog(), ChangeLog()
    for day, delta in ((1.0, 1), (2.0, 1), (4.0, -1), (5.0, -1)):  # 2 queued from day 2 to 4
        north.add(day, delta)
    for day, delta in ((4.5, 1), (4.6, 1), (6.0, -1), (8.0, -1)):  # 2 queued from day 4.6 to 6
        south.add(day, delta)
    queue = summed([north, south], start_day=0.0)
    assert queue.maximum == 3  # 1 + 2 at day 4.6, not 2 + 2
    expected = 1 * 1 + 2 * 2 + 1 * 0.5 + 2 * 0.1 + 3 * 0.4 + 2 * 1 + 1 * 2  # from day 1 to day 8
    assert abs(queue.integral_to(10.0) - expected) < 1e-12
    assert summed([ChangeLog()], start_day=3.0).integral_to(10.0) == 0.0


def test_the_national_queue_starts_where_each_area_started_its_statistics() -> None:
    """A change on the day warm-up ends counts as the area counted it: before its statistics started
    (an intervention, urgent) only sets the value they start from; after, it is counted."""
    north, south = ChangeLog(), ChangeLog()
    for day in (1.0, 2.0, 3.0):  # three queued in warm-up, then on the warm-up day two leave first
        north.add(day, 1)
    north.add(5.0, -1)
    north.add(5.0, -1)
    north.start_here()  # statistics start (day 5): one queued
    north.add(5.0, 1)  # then one more the same day, counted
    south.start_here()
    south.add(5.0, 1)
    south.add(5.0, -1)  # same-day changes in another area: areas in order, each in its own order
    south.add(7.0, 1)
    queue = summed([north, south], start_day=5.0)
    assert queue.maximum == 3  # 1 at the start, 2 after north's, 3 with south's first, 2 after its second
    assert abs(queue.integral_to(9.0) - (2 * 2 + 3 * 2)) < 1e-12


def test_a_replication_run_in_parts_of_its_areas_gives_what_simulate_gives() -> None:
    """`run` splits a replication's areas between worker processes when the replications alone
    would leave one idle: the parts, however split and in whatever order they come back (pickled,
    as from a worker), combine to exactly `simulate`'s output, draws and trace included."""
    crowded = _crowded()
    crowded["uncertainty"] = {"parameters": {"workforce.annual_turnover": [0.05, 0.3]}}
    cfg = config_from_dict(crowded)
    names = [a.name for a in cfg.areas]
    whole = simulate(cfg, 2, trace=True)
    assert whole.events
    for split in (names[1::2], names[::2]), ([names[3]], names[:3]), (names[::-1],):
        parts = [pickle.loads(pickle.dumps(simulate_areas(cfg, 2, part, trace=True))) for part in split]
        assert combine_areas(cfg, 2, parts) == whole  # every metric, monthly row and event, to the last bit
    missing = [simulate_areas(cfg, 2, names[:3])]
    with pytest.raises(ValueError, match="each of its areas once"):
        combine_areas(cfg, 2, missing)
    with pytest.raises(ValueError, match="each of its areas once"):
        combine_areas(cfg, 2, [*missing, simulate_areas(cfg, 2, names[2:])])  # one area twice


def test_an_areas_run_survives_pickling_whole() -> None:
    """What a worker sends back: the compiled classes (histograms, change logs, case statistics, the
    readout) rebuilt field by field."""
    cfg = config_from_dict(two_areas(horizon_months=6))
    run = simulate_areas(cfg, 0, ["Capshire"])[0]
    back = pickle.loads(pickle.dumps(run))
    assert (back.metrics, back.monthly, back.snapshot_sums, back.events) == (
        run.metrics, run.monthly, run.snapshot_sums, run.events)
    mine, again = run.readouts[0], back.readouts[0]
    assert (again.name, again.hours_delivered, again.leavers, again.fcas) == (
        mine.name, mine.hours_delivered, mine.leavers, mine.fcas)
    for pathway, stats in mine.stats.items():
        copy = again.stats[pathway]
        assert (copy.applications, copy.closed, copy.child_weeks) == (stats.applications, stats.closed,
                                                                      stats.child_weeks)
        pairs = ((stats.decision_weeks, copy.decision_weeks), (stats.cir_working_days, copy.cir_working_days))
        for hist, same in pairs:
            assert (same.bin_width, same.integer, same.counts, same.zeros, same.weight, same.total) == (
                hist.bin_width, hist.integer, hist.counts, hist.zeros, hist.weight, hist.total)
    assert mine.stats["cap"].decision_weeks.weight > 0 and mine.stats["cap"].cir_working_days.integer
    assert (list(again.queue_log.days), list(again.queue_log.deltas), again.queue_log.start) == (
        list(mine.queue_log.days), list(mine.queue_log.deltas), mine.queue_log.start)
    assert (again.caseload.counts, again.caseload.total) == (mine.caseload.counts, mine.caseload.total)
