"""Reproducibility: same seed, same numbers, whatever the executor; streams keyed by name."""

from __future__ import annotations

import gc

import pandas as pd
from scenario_factory import config, scenario_dict

from cfc_sim.experiment import run_scenario
from cfc_sim.model import simulate


def _two_area_dict() -> dict:
    data = scenario_dict(horizon_months=9, replications=3)
    data["areas"] = [
        {"name": "Northshire", "go_live": "2026-07-01", "workforce": {"fcas": 4}},
        {"name": "Southshire", "go_live": "2025-01-01"},
    ]
    return data


def test_same_seed_gives_identical_output() -> None:
    cfg = config(_two_area_dict())
    first, second = simulate(cfg, 1), simulate(cfg, 1)
    assert first.metrics == second.metrics
    assert first.monthly == second.monthly


def test_the_paused_garbage_collector_changes_no_number_and_is_restored() -> None:
    """simulate() runs with the cyclic collector off (speed); with it on, every number is the same,
    and the replication leaves no cyclic garbage behind once it returns."""
    cfg = config(_two_area_dict())
    simulate(cfg, 1)  # first use: lazy imports and caches, which leave garbage of their own
    gc.collect()
    assert gc.isenabled()
    paused = simulate(cfg, 2)
    assert gc.isenabled()
    assert gc.collect() == 0  # the replication's own cycles were collected on the way out
    thresholds = gc.get_threshold()
    gc.set_threshold(1)  # collect as often as possible while the same replication runs
    try:
        collected = simulate(cfg, 2, pause_collector=False)
    finally:
        gc.set_threshold(*thresholds)
    assert paused.metrics == collected.metrics
    assert paused.monthly == collected.monthly
    gc.disable()
    try:
        simulate(cfg, 2)
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()


def test_workers_do_not_change_the_numbers() -> None:
    cfg = config(_two_area_dict())
    one = run_scenario(cfg, workers=1)
    two = run_scenario(cfg, workers=2)
    pd.testing.assert_frame_equal(one.summary, two.summary, check_exact=True)
    pd.testing.assert_frame_equal(one.replications, two.replications, check_exact=True)
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries, check_exact=True)


def test_different_seed_changes_the_numbers() -> None:
    data = _two_area_dict()
    a = run_scenario(config(data)).summary
    data["seed"] = data["seed"] + 1
    b = run_scenario(config(data)).summary
    assert not a["mean"].equals(b["mean"])


def test_replication_streams_do_not_depend_on_the_replication_count() -> None:
    data = _two_area_dict()
    few = run_scenario(config(data)).replications
    data["replications"] = 5
    many = run_scenario(config(data)).replications
    pd.testing.assert_frame_equal(few, many[many["replication"] < 3].reset_index(drop=True))


def test_adding_an_area_leaves_the_other_areas_draws_alone() -> None:
    """Streams are keyed by area name, not position: a new area must not reshuffle the others."""
    data = _two_area_dict()
    before = {(a, p, m): v for a, p, m, v in simulate(config(data), 0).metrics if a == "Southshire"}
    data["areas"].insert(0, {"name": "Eastshire", "go_live": "2025-01-01"})
    after = {(a, p, m): v for a, p, m, v in simulate(config(data), 0).metrics if a == "Southshire"}
    assert before == after


def test_the_collector_pause_nests_survives_errors_and_is_shared_by_threads() -> None:
    import threading

    from cfc_sim.model.simulation import collector_paused

    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer replication is still running
    assert gc.isenabled()
    try:
        with collector_paused():
            raise ValueError("a replication failed")
    except ValueError:
        pass
    assert gc.isenabled()
    started, release = threading.Barrier(2), threading.Event()

    def replication() -> None:
        with collector_paused():
            started.wait()
            release.wait()

    other = threading.Thread(target=replication)
    other.start()
    with collector_paused():
        started.wait()
    assert not gc.isenabled()  # the other thread's replication still runs: the pause is shared
    release.set()
    other.join()
    assert gc.isenabled()


def test_reps_auto_asks_for_the_same_replications_whatever_the_workers(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cfc_sim import experiment

    real = experiment.run_replications
    asked: dict[int, list[range]] = {}

    def recording(config, replications, *, workers=1, **kwargs):  # type: ignore[no-untyped-def]
        asked.setdefault(workers, []).append(replications)
        return real(config, replications, workers=1, **kwargs)

    monkeypatch.setattr(experiment, "run_replications", recording)
    cfg = config(_two_area_dict())
    one = experiment.run_until_precise(cfg, 0.02, 40, workers=1)
    four = experiment.run_until_precise(cfg, 0.02, 40, workers=4)
    assert asked[1] == asked[4] and len(asked[1]) >= 1
    pd.testing.assert_frame_equal(one.summary, four.summary, check_exact=True)


def test_replications_that_would_leave_a_worker_idle_run_split_by_area(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """3 replications on 2 workers: each replication's areas go to two tasks (6 tasks fill both
    workers to the end), combined to exactly `simulate`'s outputs, one progress tick a replication;
    4 replications fill them already and run whole."""
    from cfc_sim import experiment

    seen: list[tuple[str, int]] = []
    kept: list[object] = []  # what run_tasks holds until its last task is in
    real = experiment.run_tasks

    def spy(fn, args, **options):  # type: ignore[no-untyped-def]
        seen.append((fn.__name__, len(args)))
        kept.extend(results := real(fn, args, **{**options, "workers": 1, "pool": None}))  # in this process
        return results

    monkeypatch.setattr(experiment, "run_tasks", spy)
    cfg = config(_two_area_dict())
    ticks: list[int] = []
    outputs = experiment.run_replications(cfg, range(3), workers=2, progress=ticks.append)
    assert seen == [("simulate_areas", 6)] and ticks == [1, 1, 1]
    assert outputs == [simulate(cfg, r) for r in range(3)]
    assert kept == [[]] * 6  # each part's areas let go once their replication is combined (memory)
    seen.clear()
    assert [o.replication for o in experiment.run_replications(cfg, range(4), workers=2)] == [0, 1, 2, 3]
    assert seen == [("simulate", 4)]


def test_a_replications_areas_are_split_into_parts_of_about_equal_work() -> None:
    from cfc_sim.workload import area_parts

    data = scenario_dict(horizon_months=12, replications=1)
    weekly = {"Big": 30.0, "Mid": 14.0, "Small1": 10.0, "Small2": 9.0, "Tiny": 1.0}
    data["areas"] = [{"name": n, "go_live": "2026-07-01", "demand": {"applications_per_week": w}}
                     for n, w in weekly.items()]
    cfg = config(data)
    parts = area_parts(cfg.areas, 2, 12)
    assert sorted(n for part in parts for n in part) == sorted(weekly)  # every area once
    assert parts == [["Big", "Tiny"], ["Mid", "Small1", "Small2"]]  # 31 against 33, largest first
    assert len(area_parts(cfg.areas, 9, 12)) == 5  # never an empty part


def test_areas_with_no_work_are_spread_and_a_run_of_them_splits_cleanly(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Areas with no applications and no open cases: equal (no) work goes to the part with the
    fewest areas, so no part is left empty; the run's split follows the parts it got."""
    from cfc_sim import experiment
    from cfc_sim.workload import area_parts

    data = scenario_dict(horizon_months=6, replications=1)
    data["areas"] = [{"name": n, "go_live": "2026-07-01", "demand": {"applications_per_week": w}}
                     for n, w in (("A", 5.0), ("B", 0.0), ("C", 0.0))]
    cfg = config(data)
    assert area_parts(cfg.areas, 3, 6) == [["A"], ["B"], ["C"]]
    real = experiment.run_tasks
    monkeypatch.setattr(experiment, "run_tasks",
                        lambda fn, args, **options: real(fn, args, **{**options, "workers": 1, "pool": None}))
    assert experiment.run_replications(cfg, [0], workers=3) == [simulate(cfg, 0)]
