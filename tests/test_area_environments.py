"""Each area runs in a SimPy environment of its own (`simulate`), and the national metrics are read
from the areas' counts afterwards. Areas never interact, so this must give the numbers of one
environment for every area (`Replication(...).run()`), and the national unallocated queue must be
the areas' queues summed over time, not the sum of their maxima."""

from __future__ import annotations

from model_support import two_areas

from cfc_sim.metrics import ChangeLog, summed
from cfc_sim.model import simulate
from cfc_sim.model.simulation import Replication, collector_paused
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import config_from_dict
from cfc_sim.uncertainty import sample_config


def _one_environment(data: dict, replication: int) -> tuple[list, list]:
    cfg = sample_config(config_from_dict(data), replication)
    with collector_paused():
        out = Replication(cfg, replication).run()
    return out.metrics, out.monthly


def test_an_environment_per_area_gives_the_numbers_of_one_environment_for_all() -> None:
    for data in (two_areas(), two_areas(horizon_months=12, warmup_months=2),
                 {**modelled_dict(hours=False, court=False), "areas": two_areas()["areas"]}):
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
    for name in ("Capshire", "Cfcshire"):  # the same events, in the same order, area by area
        assert [e for e in out.events if e[1] == name] == [e for e in together if e[1] == name]


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
    late = summed([north, south], start_day=4.55)  # statistics from the end of warm-up on
    assert late.maximum == 3 and abs(late.integral_to(10.0) - (2 * 0.05 + 3 * 0.4 + 2 * 1 + 1 * 2)) < 1e-12
    assert summed([ChangeLog()], start_day=3.0).integral_to(10.0) == 0.0
