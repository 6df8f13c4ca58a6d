"""Sweeps, capacity plans, executors and resumable work (issue 5)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_runner import invoke
from scenario_factory import config, mmc_dict, scenario_dict
from theory import mmc_wait_mean

from cfc_sim.experiment import run_scenario
from cfc_sim.plan import Target, plan_areas, smallest_extra
from cfc_sim.results import write_results
from cfc_sim.scenario.variants import apply_settings, parse_setting


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def _queue_scenario() -> dict:
    data = mmc_dict(arrivals_per_day=2.0, work_mean_days=5.0, fcas=11, months=36, warmup_months=3, reps=6, seed=5)
    data["name"] = "queue"
    return data


def test_sweep_over_fcas_shows_the_wait_falling(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    scenario = _write(tmp_path / "queue.yaml", _queue_scenario())
    out = tmp_path / "sweep"
    code, stdout, err = invoke(["sweep", str(scenario), "--set", "defaults.workforce.fcas=11,12,14",
                                "--out", str(out)], capsys)
    assert code == 0, err
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns[:2]) == ["variant", "defaults.workforce.fcas"]
    assert list(table.columns[2:]) == ["area", "pathway", "metric", "mean", "ci_low", "ci_high", "n_reps"]
    wait = table[(table["area"] == "ALL") & (table["pathway"] == "all")
                 & (table["metric"] == "wait_to_allocation_days_mean")].sort_values("defaults.workforce.fcas")
    assert wait["mean"].is_monotonic_decreasing and wait["mean"].iloc[0] > wait["mean"].iloc[-1]
    assert (out / "sweep.png").is_file() and len(list(out.glob("v0*/manifest.json"))) == 3
    # Rerun: every variant is reused, and the table is the same.
    code, stdout, _ = invoke(["sweep", str(scenario), "--set", "defaults.workforce.fcas=11,12,14",
                              "--out", str(out)], capsys)
    assert code == 0 and stdout.count("reused") == 3
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), table)


def test_sweep_settings_address_areas_by_name_and_all_at_once() -> None:
    raw = scenario_dict()
    raw["areas"] = [{"name": "Essex", "go_live": "2026-10-01"}, {"name": "Kent", "go_live": "2027-01-01"}]
    key, values = parse_setting("areas.Essex.go_live=2026-12-01,2027-02-01")
    assert key == "areas.Essex.go_live" and [str(v) for v in values] == ["2026-12-01", "2027-02-01"]
    changed = apply_settings(raw, {"areas.*.workforce.fcas": 7, "areas.Essex.go_live": values[0]})
    assert [a["workforce"]["fcas"] for a in changed["areas"]] == [7, 7]
    assert str(changed["areas"][0]["go_live"]) == "2026-12-01" and changed["areas"][1]["go_live"] == "2027-01-01"
    assert "workforce" not in raw["areas"][0]  # the caller's mapping is untouched


def test_sweep_with_an_unknown_area_or_bad_value_exits_2(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    scenario = _write(tmp_path / "queue.yaml", _queue_scenario())
    code, _, err = invoke(["sweep", str(scenario), "--set", "areas.Nowhere.go_live=2027-01-01",
                           "--out", str(tmp_path / "s")], capsys)
    assert code == 2 and "Nowhere" in err
    code, _, err = invoke(["sweep", str(scenario), "--set", "defaults.workforce.fcas=-1",
                           "--out", str(tmp_path / "s")], capsys)
    assert code == 2 and "workforce.fcas" in err


def test_plan_returns_the_queueing_theory_answer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """M/M/c with lambda = 2/day, work 5 days: W_q is 3.4, 1.1, 0.47, 0.2 days for c = 11..14, so the
    smallest c with W_q <= 0.8 is 13, three more than the 10 in post."""
    assert mmc_wait_mean(2.0, 5.0, 12) > 0.8 > mmc_wait_mean(2.0, 5.0, 13)
    data = mmc_dict(arrivals_per_day=2.0, work_mean_days=5.0, fcas=10, months=96, warmup_months=6, reps=10, seed=3)
    data["defaults"]["workforce"]["establishment"] = 10
    table = plan_areas(config(data), [Target.parse("wait_to_allocation_days_mean<=0.8")], 0.8,
                       cache=tmp_path / "cache")
    row = table[table["area"] == "Queue"].iloc[0]
    assert row["extra_fte"] == 3 and row["achieved_probability"] >= 0.8
    assert table[table["area"] == "ALL"].iloc[0]["extra_fte"] == 3


def test_plan_search_is_logarithmic_and_exact_on_a_monotone_rule() -> None:
    calls: list[int] = []

    def evaluate(n: int) -> float:
        calls.append(n)
        return 1.0 if n >= 37 else 0.0

    assert smallest_extra(evaluate, 0.8, 200) == 37
    assert len(calls) <= 2 * 8 + 1
    assert smallest_extra(lambda n: 0.0, 0.8, 50) is None


def test_plan_search_from_an_estimate_finds_what_it_finds_from_zero_in_fewer_evaluations_near_it() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    for _ in range(300):
        needs = sorted(int(n) for n in rng.integers(0, 70, size=5))
        max_extra = int(rng.integers(1, 60))

        def evaluate(n: int, needs: list[int] = needs) -> float:
            return sum(n >= t for t in needs) / len(needs)

        expected = smallest_extra(evaluate, 0.8, max_extra)
        for start in (0, 1, 2, max_extra, max_extra + 5, int(rng.integers(-3, 80))):
            assert smallest_extra(evaluate, 0.8, max_extra, start) == expected
    calls: list[int] = []

    def counted(n: int) -> float:
        calls.append(n)
        return 1.0 if n >= 37 else 0.0

    smallest_extra(counted, 0.8, 200)
    from_zero = len(calls)
    calls.clear()
    assert smallest_extra(counted, 0.8, 200, start=35) == 37 and len(calls) < from_zero


def test_plan_cli_writes_plan_csv_and_reuses_evaluations(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = _queue_scenario()
    data["defaults"]["workforce"]["cost_per_fte_day"] = 250
    scenario = _write(tmp_path / "queue.yaml", data)
    argv = ["plan", str(scenario), "--target", "wait_to_allocation_days_mean<=1.0", "--confidence", "0.8",
            "--reps", "4", "--out", str(tmp_path / "plan")]
    code, out, err = invoke(argv, capsys)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "plan" / "plan.csv")
    assert list(table.columns[:7]) == ["area", "fte_now", "extra_fte", "target", "confidence", "achieved_mean",
                                       "achieved_probability"]
    extra = table[table["area"] == "ALL"].iloc[0]["extra_fte"]
    assert table[table["area"] == "ALL"].iloc[0]["annual_cost"] == pytest.approx(extra * 250 * 365.25)
    assert extra > 0  # costs are printed in pounds a year, per area and in total
    cost = f"£{extra * 250 * 365.25:,.0f}"
    assert f"about {cost} a year for the FCAs added to today's" in out and f"({cost} a year)" in out
    cache = tmp_path / ".plan.cache"
    files = sorted(p.name for p in cache.iterdir())
    mtimes = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    code, out2, _ = invoke([*argv, "--overwrite"], capsys)
    assert code == 0 and sorted(p.name for p in cache.iterdir()) == files
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == mtimes  # nothing re-run
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "plan" / "plan.csv"), table)


def test_plan_rejects_bad_targets(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    scenario = _write(tmp_path / "queue.yaml", _queue_scenario())
    assert invoke(["plan", str(scenario), "--target", "wait>>3"], capsys)[0] == 2
    assert invoke(["plan", str(scenario), "--target", "no_such_metric>=1", "--reps", "1"], capsys)[0] == 2
    assert invoke(["plan", str(scenario), "--area", "Nowhere", "--reps", "1"], capsys)[0] == 2
    code, _, err = invoke(["plan", str(scenario), "--target", "cir_on_time_share>=90%"], capsys)
    assert code == 2 and "(a share is written as a fraction: cir_on_time_share>=0.9)" in err
    code, _, err = invoke(["plan", str(scenario), "--target", "weeks_to_decision_mean<=20%"], capsys)
    assert code == 2 and "fraction" not in err  # weeks are not a share: no such hint


def test_a_scenario_file_given_where_a_results_folder_goes_says_to_run_it_first(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A newcomer gave `readiness` the scenario file: click had said "Directory ... is a file"."""
    scenario = _write(tmp_path / "queue.yaml", _queue_scenario())
    for argv in (["readiness", str(scenario)], ["report", str(scenario)], ["compare", str(scenario), str(scenario)]):
        code, out, err = invoke(argv, capsys)
        assert code == 2 and not out, argv
        assert f"is a scenario file, not a results folder: run it first (cfc-sim run {scenario})" in err, argv
        assert "Traceback" not in err


def test_dask_local_cluster_gives_the_same_summary_as_one_worker() -> None:
    distributed = pytest.importorskip("dask.distributed")
    cfg = config(scenario_dict(horizon_months=6, replications=3))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        on_cluster = run_scenario(cfg, scheduler=cluster.scheduler_address)
    local = run_scenario(cfg, workers=1)
    pd.testing.assert_frame_equal(on_cluster.summary, local.summary, check_exact=True)
    pd.testing.assert_frame_equal(on_cluster.replications, local.replications, check_exact=True)


def test_interrupted_write_leaves_no_half_written_folder(tmp_path) -> None:
    result = run_scenario(config(scenario_dict(horizon_months=3, replications=1)))

    def interrupted(_result, _folder) -> None:  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_results(result, tmp_path / "out", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_run_with_scheduler_writes_the_same_summary_csv_as_one_worker(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("dask.distributed")
    scenario = _write(tmp_path / "s.yaml", scenario_dict(horizon_months=6, replications=3))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        code, _, err = invoke(["run", str(scenario), "--scheduler", cluster.scheduler_address,
                               "--out", str(tmp_path / "dask")], capsys)
    assert code == 0, err
    assert invoke(["run", str(scenario), "--workers", "1", "--out", str(tmp_path / "one")], capsys)[0] == 0
    assert (tmp_path / "dask" / "summary.csv").read_bytes() == (tmp_path / "one" / "summary.csv").read_bytes()


def test_unreachable_scheduler_is_a_clear_error(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("dask.distributed")
    scenario = _write(tmp_path / "s.yaml", scenario_dict(horizon_months=3, replications=1))
    code, _, err = invoke(["run", str(scenario), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "x")],
                          capsys)
    assert code == 2 and "scheduler" in err and not (tmp_path / "x").exists()


def _two_areas() -> dict:
    data = scenario_dict(name="pair", horizon_months=4, replications=2,
                         areas=[{"name": "Bigshire", "go_live": "2025-01-06", "workforce": {"fcas": 4}},
                                {"name": "Smallton", "go_live": "2025-01-06"}])
    return data


def test_sweep_warns_when_a_key_changes_nothing_and_names_the_override(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = _two_areas()
    data["areas"][1]["workforce"] = {"fcas": 6}  # both areas override defaults.workforce.fcas
    scenario = _write(tmp_path / "pair.yaml", data)
    code, _, err = invoke(["sweep", str(scenario), "--set", "defaults.workforce.fcas=3,5", "--out",
                           str(tmp_path / "s")], capsys)
    assert code == 0, err
    assert "--set defaults.workforce.fcas: every value gives the same scenario" in err
    assert "areas.*.workforce.fcas" in err
    code, _, err = invoke(["sweep", str(scenario), "--set", "areas.*.workforce.fcas=3,5", "--out",
                           str(tmp_path / "t")], capsys)
    assert code == 0 and "identical" not in err and "same scenario" not in err


def test_sweep_area_prints_each_areas_table_and_chart(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    scenario = _write(tmp_path / "pair.yaml", _two_areas())
    out = tmp_path / "s"
    code, stdout, err = invoke(["sweep", str(scenario), "--set", "areas.Smallton.workforce.fcas=1,8", "--area",
                                "Smallton", "--metric", "wait_to_allocation_days_mean", "--out", str(out)], capsys)
    assert code == 0, err
    assert "wait to allocation, days: both areas" in stdout and "wait to allocation, days: Smallton" in stdout
    assert (out / "sweep-Smallton.png").is_file() and (out / "sweep.png").is_file()
    table = pd.read_csv(out / "sweep.csv")
    wait = table[(table["area"] == "Smallton") & (table["pathway"] == "all")
                 & (table["metric"] == "wait_to_allocation_days_mean")]
    assert wait["mean"].iloc[0] > wait["mean"].iloc[1]  # one FCA waits longer than eight
    # rerun into the same folder with another grid and no --area: the earlier grid's area chart goes (it
    # no longer matches sweep.csv); its variant folder stays as a cache, and the warning says so
    (out / "mine.png").write_bytes(b"not cfc-sim's")
    code, _, err = invoke(["sweep", str(scenario), "--set", "areas.Smallton.workforce.fcas=1,4", "--out", str(out)],
                          capsys)
    assert code == 0, err
    assert not (out / "sweep-Smallton.png").exists() and (out / "sweep.png").is_file()
    assert (out / "mine.png").read_bytes() == b"not cfc-sim's"  # never written by cfc-sim: left alone
    assert "earlier grid" in err and "v02_fcas-8" in err
    assert set(pd.read_csv(out / "sweep.csv")["variant"]) == {"v01_fcas-1", "v02_fcas-4"}
    code, _, err = invoke(["sweep", str(scenario), "--set", "areas.Smallton.workforce.fcas=1,8", "--area",
                           "Nowhere", "--out", str(tmp_path / "u")], capsys)
    assert code == 2 and "--area" in err and "Nowhere" in err


def test_preparing_the_assembly_dumps_the_resolved_scenario_once_and_never_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread `run` starts while its replications run elsewhere: the resolved scenario is then
    already in the memo when the manifest asks for it; a failure there is only a lost head start."""
    from cfc_sim import experiment
    from cfc_sim.scenario import resolved
    from cfc_sim.scenario.loading import load_scenario

    config = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "example-small.yaml")
    experiment.prepare_assembly(config)
    assert resolved._RESOLVED[id(config)][0] is config
    calls: list[object] = []

    def broken(c: object) -> str:
        calls.append(c)
        raise RuntimeError("no head start")

    monkeypatch.setattr(resolved, "resolved_yaml", broken)
    experiment.prepare_assembly(config)
    assert calls == [config]
