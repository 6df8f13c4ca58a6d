"""The work estimate printed before long runs (issue 10: a planner is not left in silence)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_runner import invoke
from scenario_factory import config, scenario_dict

from cfc_sim import load_scenario, workload
from cfc_sim.scenario.variants import config_variant
from cfc_sim.workload import cases_per_replication, work_notice

REPO = Path(__file__).resolve().parent.parent


def _national():  # type: ignore[no-untyped-def]
    return config(yaml.safe_load((REPO / "scenarios" / "national-rollout.yaml").read_text()))


def test_cases_count_applications_over_the_horizon_and_open_cases() -> None:
    cfg = config(scenario_dict(horizon_months=12, defaults__demand__applications_per_week=10,
                               defaults__initial_state={"open_cases_per_weekly_application": 5.0}))
    assert cases_per_replication(cfg) == pytest.approx(10 * 365.25 / 7 + 50)


def test_short_runs_say_nothing_and_long_runs_say_how_long() -> None:
    assert work_notice(config()) is None
    national = _national()
    notice = work_notice(national.with_run_options(replications=200), workers=2)
    assert notice is not None and "cases x 200 replications" in notice and "2 workers" in notice


def test_run_prints_the_estimate_on_stderr_before_simulating(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(workload, "CASES_PER_SECOND", 1)  # so the small example counts as long
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(horizon_months=3, replications=1)))
    code, _, err = invoke(["run", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert "cases x 1 replication: roughly" in err


def test_auto_workers_keep_short_runs_in_the_process_and_spread_long_ones(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    small = config()
    assert workload.auto_workers(small) == 1  # seconds of work: worker processes would cost more
    national = _national()
    monkeypatch.setattr(workload, "available_cpus", lambda: 8)
    assert workload.auto_workers(national.with_run_options(replications=5)) == 8  # replications split by area
    assert workload.auto_workers(national.with_run_options(replications=30)) == 8
    monkeypatch.setattr(workload, "available_cpus", lambda: 64)
    london = config_variant(national, {}, areas=["East London"]).with_run_options(replications=20)
    assert workload.auto_workers(london) == 20  # one area: a replication is one task, so one worker each
    monkeypatch.setattr(workload, "available_cpus", lambda: 1)
    assert workload.auto_workers(national.with_run_options(replications=30)) == 1


def test_hours_and_court_scenarios_are_estimated_at_their_slower_pace() -> None:
    slot = config(scenario_dict())  # the slot parameterisation (theory checks, old files)
    assert workload.cases_per_second(slot) == workload.CASES_PER_SECOND
    for name in ("national-rollout.yaml", "pilot-birmingham-court.yaml"):  # the shipped scenarios
        modelled = load_scenario(REPO / "scenarios" / name)
        assert workload.cases_per_second(modelled) == workload.CASES_PER_SECOND_MODELLED


def test_run_takes_auto_or_a_number_of_workers_and_refuses_others(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(horizon_months=3, replications=1)))
    code, _, err = invoke(["run", str(path), "--workers", "auto", "--out", str(tmp_path / "a")], capsys)
    assert code == 0, err
    code, _, err = invoke(["run", str(path), "--workers", "many", "--out", str(tmp_path / "b")], capsys)
    assert code == 2 and "'many' is not a whole number or 'auto'" in err
    assert not (tmp_path / "b").exists()


def test_run_without_workers_asks_auto_workers(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cfc_sim import experiment

    seen = []
    real = experiment.run_scenario
    monkeypatch.setattr(workload, "auto_workers", lambda config: 3)

    def recording(config, *, workers=1, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(workers)
        return real(config, workers=1, **kwargs)

    monkeypatch.setattr(experiment, "run_scenario", recording)  # the runner imports it when a run starts
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(horizon_months=3, replications=1)))
    code, _, err = invoke(["run", str(path), "--out", str(tmp_path / "a")], capsys)
    assert code == 0, err
    code, _, err = invoke(["run", str(path), "--workers", "2", "--out", str(tmp_path / "b")], capsys)
    assert code == 0, err
    assert seen == [3, 2]
