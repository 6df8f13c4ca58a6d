"""The work estimate printed before long runs (issue 10: a planner is not left in silence)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_runner import invoke
from scenario_factory import config, scenario_dict

from cfc_sim import workload
from cfc_sim.workload import cases_per_replication, work_notice

REPO = Path(__file__).resolve().parent.parent


def test_cases_count_applications_over_the_horizon_and_open_cases() -> None:
    cfg = config(scenario_dict(horizon_months=12, defaults__demand__applications_per_week=10,
                               defaults__initial_state={"open_cases_per_weekly_application": 5.0}))
    assert cases_per_replication(cfg) == pytest.approx(10 * 365.25 / 7 + 50)


def test_short_runs_say_nothing_and_long_runs_say_how_long() -> None:
    assert work_notice(config()) is None
    national = config(yaml.safe_load((REPO / "scenarios" / "national-rollout.yaml").read_text()))
    notice = work_notice(national.with_run_options(replications=200), workers=2)
    assert notice is not None and "cases x 200 replications" in notice and "2 workers" in notice


def test_run_prints_the_estimate_on_stderr_before_simulating(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(workload, "CASES_PER_SECOND", 1)  # so the small example counts as long
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(horizon_months=3, replications=1)))
    code, _, err = invoke(["run", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert "cases x 1 replication: roughly" in err
