"""Parameter uncertainty: re-sampled per draw, collapsing to the plain run, variance shares."""

from __future__ import annotations

import pandas as pd
import pytest
from cli_runner import invoke
from scenario_factory import config, scenario_dict

from cfc_sim.experiment import run_scenario
from cfc_sim.uncertainty import sample_config, sampled_values


def _with(parameters: dict, inner: int = 2, **changes) -> dict:  # type: ignore[no-untyped-def]
    data = scenario_dict(horizon_months=9, replications=8, defaults__workforce__annual_turnover=0.15, **changes)
    data["uncertainty"] = {"inner_replications": inner, "parameters": parameters}
    return data


def test_collapsed_ranges_reproduce_the_plain_run_exactly() -> None:
    plain = run_scenario(config(scenario_dict(horizon_months=9, replications=8,
                                              defaults__workforce__annual_turnover=0.15)))
    collapsed = run_scenario(config(_with({"workforce.annual_turnover": [0.15, 0.15],
                                           "demand.applications_per_week": {"dist": "fixed", "value": 1.0,
                                                                             "relative": True}})))
    pd.testing.assert_frame_equal(plain.replications, collapsed.replications, check_exact=True)


def test_each_draw_is_shared_by_its_inner_replications_and_differs_between_draws() -> None:
    cfg = config(_with({"workforce.annual_turnover": [0.05, 0.4]}, inner=3))
    values = [sampled_values(cfg, r)["workforce.annual_turnover"] for r in range(6)]
    assert values[0] == values[1] == values[2] and values[3] == values[4] == values[5]
    assert values[0] != values[3] and all(0.05 <= v <= 0.4 for v in values)
    assert sample_config(cfg, 4).areas[0].workforce.annual_turnover == values[4]


def test_relative_parameters_scale_each_areas_own_value_and_areas_can_be_named() -> None:
    data = _with({"demand.applications_per_week": {"dist": "uniform", "low": 2, "high": 3, "relative": True},
                  "areas.Southshire.workforce.fcas": [20, 30]})
    data["areas"] = [{"name": "Northshire", "go_live": "2026-04-01", "demand": {"applications_per_week": 4}},
                     {"name": "Southshire", "go_live": "2026-04-01"}]
    cfg = config(data)
    factor = sampled_values(cfg, 0)["demand.applications_per_week"]
    sampled = sample_config(cfg, 0)
    assert sampled.areas[0].demand.applications_per_week == pytest.approx(4 * factor)
    assert sampled.areas[1].demand.applications_per_week == pytest.approx(10 * factor)
    assert sampled.areas[0].workforce.fcas == 10 and 20 <= sampled.areas[1].workforce.fcas <= 30
    assert isinstance(sampled.areas[1].workforce.fcas, int)


def test_summary_splits_variance_between_parameters_and_randomness() -> None:
    data = _with({"demand.applications_per_week": {"dist": "uniform", "low": 0.5, "high": 1.5, "relative": True}},
                 inner=3)
    data["replications"] = 18
    summary = run_scenario(config(data)).summary
    apps = summary[(summary["area"] == "ALL") & (summary["pathway"] == "all")
                   & (summary["metric"] == "applications")].iloc[0]
    assert apps["parameter_variance_share"] > 0.8  # demand drawn +-50% dominates Poisson noise
    assert apps["parameter_variance_share"] + apps["randomness_variance_share"] == pytest.approx(1.0)
    assert apps["n_reps"] == 18


def test_bad_uncertainty_keys_exit_2(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import yaml

    for parameters, key in [({"workforce.nonsense": [1, 2]}, "uncertainty.parameters.workforce.nonsense"),
                            ({"areas.Nowhere.workforce.fcas": [1, 2]}, "areas.Nowhere"),
                            ({"workforce.annual_turnover": [1]}, "uncertainty.parameters")]:
        path = tmp_path / "s.yaml"
        path.write_text(yaml.safe_dump(_with(parameters)))
        code, _, err = invoke(["validate", str(path)], capsys)
        assert code == 2 and key in err, err
