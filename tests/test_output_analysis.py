"""Replication counts (--reps auto) and the MSER-5 warm-up check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml
from cli_runner import invoke
from scenario_factory import config, scenario_dict

from cfc_sim.experiment import run_scenario, run_until_precise
from cfc_sim.output_analysis import headline_values_of, mser5, relative_half_widths, transient_warnings


def test_mser5_finds_a_start_up_ramp_and_leaves_a_stationary_series_alone() -> None:
    rng = np.random.default_rng(1)
    ramp = np.concatenate([np.linspace(0, 100, 15), np.full(45, 100.0)]) + rng.normal(0, 2, 60)
    assert 10 <= mser5(ramp) <= 20
    assert mser5(100 + rng.normal(0, 2, 60)) <= 5


def _capshire(backlog: float | None) -> dict:
    data = scenario_dict(horizon_months=36, replications=6, defaults__demand__applications_per_week=20,
                         defaults__workforce__fcas=20, defaults__workforce__establishment=20,
                         areas=[{"name": "Capshire", "go_live": "2030-01-01"}])
    if backlog is not None:
        data["defaults"]["initial_state"] = {"open_cases_per_weekly_application": backlog}
    return data


def test_warm_up_check_flags_an_empty_start_and_not_a_steady_state_backlog() -> None:
    # Little's law: a CAP case is open 46.7 days to first hearing + 40% x (84 + 180) days = 152.3 days,
    # so 152.3 / 7 = 21.76 open cases per weekly application in steady state.
    empty = transient_warnings(run_scenario(config(_capshire(None))).timeseries)
    assert any("open cases" in w for w in empty)
    backlog = run_scenario(config(_capshire(21.76))).timeseries
    assert transient_warnings(backlog) == []
    queue = backlog[(backlog["area"] == "ALL") & (backlog["metric"] == "unallocated_queue_mean")]
    assert mser5(queue.groupby("month")["value"].mean().to_numpy()) == 0 or queue["value"].max() < 1


def test_reps_auto_stops_when_every_headline_interval_is_within_the_precision() -> None:
    cfg = config(scenario_dict(horizon_months=12, replications=2))
    result = run_until_precise(cfg, 0.03, 200, workers=1)
    n = result.config.replications
    assert 5 <= n < 200 and result.manifest["replications"] == n
    assert max(relative_half_widths(headline_values_of(result.replications)).values()) <= 0.03
    plain = run_scenario(cfg.with_run_options(replications=n))
    pd.testing.assert_frame_equal(result.summary, plain.summary)  # replication r is always stream r


def test_reps_auto_from_the_cli_says_how_many_it_used(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(horizon_months=6)))
    code, out, err = invoke(["run", str(path), "--reps", "auto", "--precision", "0.05", "--out",
                             str(tmp_path / "r")], capsys)
    assert code == 0, err
    assert "--reps auto: used" in out and "within 5.0%" in out
    assert invoke(["run", str(path), "--reps", "many"], capsys)[0] == 2
