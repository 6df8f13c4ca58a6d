"""Global sensitivity (issue 7 item 4): Morris and Sobol designs over scenario keys, common random
numbers, cached design points, the output folder and argument errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from cli_runner import invoke
from scenario_factory import scenario_dict

from cfc_sim.errors import UserError
from cfc_sim.sensitivity import CIR_OUTPUT, READY_MEAN, design, parse_param, parse_params, run_sensitivity

pytest.importorskip("SALib")

CAP = "defaults.workforce.caseload_cap"
DA = "defaults.demand.domestic_abuse_share"
RISK = "defaults.demand.high_risk_share"
PARAMS = [f"{CAP}=2:12", f"{DA}=0.1:0.9", f"{RISK}=0.1:0.3"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One area live on CFC for six months; 3 FCAs, so the caseload cap decides the CIR on-time share
    (the domestic-abuse flag has no effect in the model)."""
    data = scenario_dict(name="sens", horizon_months=6, replications=1, defaults__workforce__fcas=3,
                         defaults__workforce__establishment=3)
    path = tmp_path_factory.mktemp("sens") / "sens.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def rollout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A live area and one going live in month 3 whose FCAs start untrained."""
    data = scenario_dict(name="rollout", horizon_months=6, replications=1, defaults__workforce__fcas=3,
                         defaults__workforce__establishment=3)
    data["areas"] = [{"name": "Live", "go_live": "2026-04-01"},
                     {"name": "Later", "go_live": "2026-07-01",
                      "workforce": {"training": {"days": 5, "seats_per_month": 1, "trained_share_at_start": 0.0}}}]
    path = tmp_path_factory.mktemp("rollout") / "rollout.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _rows(table: pd.DataFrame, output: str) -> pd.DataFrame:
    return table[table["output"] == output].set_index("param")


def test_params_are_parsed_with_whole_numbers_where_the_scenario_needs_them() -> None:
    cap = parse_param(f"{CAP}=2:12")
    assert (cap.key, cap.low, cap.high, cap.integer) == (CAP, 2.0, 12.0, True)
    assert cap.value(5.333) == 5 and cap.value(8.667) == 9 and isinstance(cap.value(2.0), int)
    assert parse_param(f"{CAP}=2.0:12.5").integer  # an int field, whatever the bounds look like
    assert parse_param("areas.*.workforce.fcas=3:6").integer
    assert parse_param("defaults.prioritisation.activate_queue=20:80").integer
    share = parse_param(f"{RISK}=0.1:0.3")
    assert not share.integer and share.value(0.2) == pytest.approx(0.2)
    assert not parse_param("defaults.demand.applications_per_week=5:15").integer  # a float field stays continuous
    assert parse_param("defaults.cfc.cir_work_days=20:40").integer  # untyped (a distribution): whole bounds
    for bad in ("no-equals", f"{CAP}=12", f"{CAP}=12:2", f"{CAP}=5:5", f"{CAP}=a:b", f"{CAP}=:3", "=1:2",
                f"{CAP}=true:3"):
        with pytest.raises(UserError):
            parse_param(bad)
    with pytest.raises(UserError, match="more than once"):
        parse_params([f"{CAP}=2:12", f"{CAP}=3:5"])


def test_the_design_is_deterministic_in_the_seed() -> None:
    params = parse_params(PARAMS)
    morris = design(params, "morris", 5, seed=7)
    assert morris.shape == (5 * 4, 3)
    assert np.array_equal(morris, design(params, "morris", 5, seed=7))
    assert not np.array_equal(morris, design(params, "morris", 5, seed=8))
    sobol = design(params, "sobol", 8, seed=7)
    assert sobol.shape == (8 * 5, 3)
    assert np.array_equal(sobol, design(params, "sobol", 8, seed=7))
    low, high = np.array([2, 0.1, 0.1]), np.array([12, 0.9, 0.3])
    assert ((sobol >= low) & (sobol <= high)).all() and ((morris >= low - 1e-9) & (morris <= high + 1e-9)).all()


def test_morris_ranks_the_caseload_cap_first_and_a_rerun_reuses_every_point(scenario, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "morris"
    argv = ["sensitivity", str(scenario), *[a for p in PARAMS for a in ("--param", p)], "--method", "morris",
            "--reps", "1", "--out", str(out)]
    code, stdout, err = invoke(argv, capsys)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [".cfc-sim-output", "design.csv", "manifest.json",
                                                    "sensitivity.csv", "sensitivity.png"]
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["output", "param", "method", "mu_star", "mu_star_conf", "sigma", "rank"]
    cir = _rows(table, CIR_OUTPUT)
    assert cir.loc[CAP, "rank"] == 1 and cir.loc[DA, "rank"] == 3
    assert cir.loc[DA, "mu_star"] < 0.1 * cir.loc[CAP, "mu_star"]
    assert READY_MEAN not in set(table["output"])  # the only area is live from the start
    points = pd.read_csv(out / "design.csv")
    assert len(points) == 10 * 4 and list(points.columns[:5]) == ["point", "trajectory", CAP, DA, RISK]
    assert points[CAP].between(2, 12).all() and (points[CAP] == points[CAP].round()).all()
    assert points[CIR_OUTPUT].between(0, 1).all()
    assert "Ranked inputs: CIR on-time share" in stdout and CAP in stdout
    cache = tmp_path / ".morris.cache"
    assert len(list(cache.glob("*.json"))) == points.drop(columns=["point", "trajectory", CIR_OUTPUT]) \
        .drop_duplicates().shape[0]
    # The same command again: nothing is simulated, the folder is replaced with the same tables.
    code, stdout, err = invoke([*argv, "--overwrite"], capsys)
    assert code == 0, err
    assert " 0 run, 40 reused" in stdout
    pd.testing.assert_frame_equal(pd.read_csv(out / "design.csv"), points)
    pd.testing.assert_frame_equal(pd.read_csv(out / "sensitivity.csv"), table)


def test_sobol_total_index_is_largest_for_the_caseload_cap(scenario) -> None:  # type: ignore[no-untyped-def]
    result = run_sensitivity(scenario, parse_params(PARAMS), "sobol", samples=16, reps=1)
    assert len(result.design) == 16 * 5
    cir = _rows(result.indices, CIR_OUTPUT)
    assert list(result.indices.columns) == ["output", "param", "method", "S1", "S1_conf", "ST", "ST_conf", "rank"]
    assert cir["ST"].idxmax() == CAP and cir.loc[CAP, "rank"] == 1
    assert cir.loc[CAP, "ST"] > 0.3 and cir.loc[DA, "ST"] == pytest.approx(0.0, abs=0.02)
    assert (cir["ST_conf"] >= 0).all() and (cir["S1_conf"] >= 0).all()


def test_readiness_output_covers_areas_going_live_and_area_restricts(rollout, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    seats = "areas.Later.workforce.training.seats_per_month"
    params = parse_params([f"{seats}=0:4", f"{RISK}=0.1:0.3"])
    result = run_sensitivity(rollout, params, "morris", samples=4, reps=1)
    assert result.areas == ["Later"]  # "Live" is live at the start
    months = result.design["earliest_ready_month:Later"]
    assert months.between(0, 6).all() and months.nunique() > 1  # 6 = never ready within the run
    assert (months[result.design[seats] == 0] == 6).all()  # no training places: never ready
    ready = _rows(result.indices, READY_MEAN)
    assert ready.loc[seats, "rank"] == 1 and ready.loc[RISK, "mu_star"] == 0
    chosen = run_sensitivity(rollout, params, "morris", samples=2, reps=1, areas=["Live"])
    assert chosen.areas == ["Live"] and "earliest_ready_month:Later" not in chosen.design
    code, _, err = invoke(["sensitivity", str(rollout), "--param", f"{RISK}=0.1:0.3", "--method", "morris",
                           "--area", "Nowhere", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "Nowhere" in err and not (tmp_path / "x").exists()


def test_workers_give_the_same_numbers_as_one_process(scenario, tmp_path) -> None:  # type: ignore[no-untyped-def]
    params = parse_params(PARAMS[:2])
    serial = run_sensitivity(scenario, params, "morris", samples=2, reps=1)
    parallel = run_sensitivity(scenario, params, "morris", samples=2, reps=1, workers=2, cache=tmp_path / "c")
    pd.testing.assert_frame_equal(serial.design, parallel.design)
    assert parallel.runs == len(set(map(tuple, serial.design[[CAP, DA]].itertuples(index=False))))


@pytest.mark.parametrize("param, message", [
    (f"{CAP}=2-12", "KEY=LOW:HIGH"),
    (f"{CAP}=12:2", "less than HIGH"),
    ("defaults.workforce.caseload_kap=2:12", "caseload_kap"),
    ("areas.Nowhere.workforce.fcas=2:4", "Nowhere"),
    (f"{CAP}=low:high", "numbers"),
])
def test_bad_params_exit_2_and_write_nothing(scenario, tmp_path, capsys, param, message) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bad"
    code, _, err = invoke(["sensitivity", str(scenario), "--param", param, "--method", "sobol", "--out", str(out)],
                          capsys)
    assert code == 2, err
    assert message in err and not out.exists() and not (tmp_path / ".bad.cache").exists()


def test_method_is_required_and_checked(scenario, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    for extra in ([], ["--method", "fast"]):
        code, _, _ = invoke(["sensitivity", str(scenario), "--param", PARAMS[0], *extra,
                             "--out", str(tmp_path / "m")], capsys)
        assert code == 2


def test_sobol_indices_from_few_samples_or_outside_0_1_are_flagged() -> None:
    """Sobol --samples 4 printed ST 1.379 and S1 -0.088 as a ranking: a share of variance cannot."""
    from types import SimpleNamespace

    import pandas as pd

    from cfc_sim.cli.planning import sobol_notes

    bad = pd.DataFrame({"ST": [1.379, 0.2], "S1": [-0.088, 0.1]})
    notes = sobol_notes(SimpleNamespace(method="sobol", samples=4, indices=bad))
    assert any("--samples 4" in n for n in notes) and any("1 index(es) lie outside 0-1" in n for n in notes)
    good = pd.DataFrame({"ST": [0.6, 0.2], "S1": [0.5, 0.1]})
    assert sobol_notes(SimpleNamespace(method="sobol", samples=128, indices=good)) == []
    assert sobol_notes(SimpleNamespace(method="morris", samples=4, indices=bad)) == []
