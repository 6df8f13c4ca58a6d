"""Calibration as a procedure (issue 24 item 2): the space file and its errors, the design, the
emulator and implausibility on a known function, and the whole procedure on a small scenario."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from cli_runner import invoke
from scenario_factory import scenario_dict

from cfc_sim.calibrate.design import latin_hypercube, stream, to_unit, to_values
from cfc_sim.calibrate.emulator import combined, fit_emulator, implausibility, replication_variance
from cfc_sim.calibrate.evaluate import load_bases, settings_for
from cfc_sim.calibrate.space import load_space
from cfc_sim.errors import ScenarioError

pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parent.parent
CAP = "defaults.workforce.caseload_cap"
FCAS = "areas.*.workforce.fcas"


def _space(folder: Path, **changes: Any) -> dict[str, Any]:
    """A two-parameter space over a one-area, six-month scenario: the caseload cap and the FCAs
    (a factor on the area's own count) against the CIR on-time share and the mean caseload."""
    data = scenario_dict(name="cal", horizon_months=6, replications=2, defaults__workforce__fcas=3,
                         defaults__workforce__establishment=3)
    (folder / "cal.yaml").write_text(yaml.safe_dump(data))
    space: dict[str, Any] = {
        "name": "small", "seed": 11, "points": 8, "waves": 1, "replications": 2, "candidates": 300,
        "scenarios": {"one": {"file": "cal.yaml"}},
        "parameters": [{"key": CAP, "low": 2, "high": 12, "integer": True},
                       {"key": FCAS, "low": 0.67, "high": 2.0, "relative": True}],
        "figures": [{"name": "CIRs on time", "definition": "CIRs filed within 40 working days",
                     "metric": "cir_on_time_share", "published": "50%-90%", "low": 0.5, "high": 0.9},
                    {"name": "caseload", "definition": "mean open cases per FCA", "metric": "caseload_mean",
                     "published": "1-12", "low": 1, "high": 12}],
        "conditions": [{"name": "open cases steady", "metric": "open_cases",
                        "ratio": {"months": [5, 6], "over": [3, 4]}, "low": 0.5, "high": 2.0}],
    }
    space.update(changes)
    return space


def _write(folder: Path, space: dict[str, Any]) -> Path:
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump(space, sort_keys=False))
    return path


# ------------------------------------------------------------------------------------------ maths


def test_the_non_implausible_set_of_a_known_function_is_found() -> None:
    """f(x) = 10 x on [0, 1], published 5 with band 4 to 6: the non-implausible set is (0.4, 0.6)."""
    x = np.linspace(0, 1, 12)[:, None]
    emulator = fit_emulator(x, 10 * x[:, 0], random_state=1)
    grid = np.linspace(0, 1, 201)[:, None]
    mean, var_em = emulator.predict(grid)
    assert np.allclose(mean, 10 * grid[:, 0], atol=0.02)
    sd_obs = (6 - 4) / 2 / 3
    values = implausibility(5.0, mean, var_em, sd_obs**2, 0.0)
    kept = grid[combined(values[:, None]) < 3, 0]
    assert kept.min() == pytest.approx(0.4, abs=0.011) and kept.max() == pytest.approx(0.6, abs=0.011)


def test_implausibility_adds_the_three_variances_and_combines_by_the_rule() -> None:
    assert implausibility(10.0, np.array([7.0]), np.array([1.0]), 2.0, 6.0)[0] == pytest.approx(3 / 3)
    table = np.array([[1.0, 4.0, 2.0], [0.5, 0.2, np.nan]])
    assert list(combined(table, "max")) == [4.0, np.inf]  # a figure the emulator cannot say is implausible
    assert list(combined(table, "second_max")) == [2.0, 0.5]


def test_replication_variance_is_the_variance_of_a_points_mean() -> None:
    reps = np.array([[1.0, 3.0], [2.0, 2.0], [5.0, np.nan]])
    assert replication_variance(reps) == pytest.approx((2.0 / 2 + 0.0) / 2)
    assert replication_variance(np.array([[1.0], [2.0]])) == 0.0


def test_a_constant_figure_is_emulated_as_a_constant() -> None:
    emulator = fit_emulator(np.random.default_rng(0).random((5, 2)), np.full(5, 0.7), random_state=0)
    mean, var = emulator.predict(np.array([[0.3, 0.3]]))
    assert mean[0] == 0.7 and var[0] == 0.0


def test_figures_are_measured_from_summary_rows_monthly_ratios_and_shares_of_areas() -> None:
    from types import SimpleNamespace

    from cfc_sim.calibrate.measure import measured

    output = SimpleNamespace(
        metrics=[("ALL", "all", "caseload_mean", 7.0), ("A", "all", "caseload_mean", 6.0),
                 ("B", "all", "caseload_mean", 8.0)],
        monthly=[(area, month, "open_cases", value) for area, values in
                 (("A", [10, 10, 11, 11]), ("B", [10, 10, 20, 20]), ("ALL", [20, 20, 31, 31]))
                 for month, value in enumerate(values)])
    windows = ((3, 4), (1, 2))
    measures = [("ALL", "all", "caseload_mean", None, None), ("A", "all", "open_cases", windows, None),
                ("*", "all", "open_cases", windows, (0.9, 1.1)), ("*", "all", "caseload_mean", None, (5.0, 7.0)),
                ("ALL", "all", "open_cases", ((3, 5), (1, 2)), None)]
    values = [v[0] for v in measured([output], measures)]
    assert values[:4] == pytest.approx([7.0, 1.1, 0.5, 0.5]) and np.isnan(values[4])  # month 5 is not in the run


def test_a_share_of_areas_is_read_on_each_areas_mean_over_the_replications() -> None:
    """Area A drifts by chance in each replication (x1.2, then x0.85) but not on its mean; area B drifts
    in both: a share counted per replication would say neither area is steady, the pooled one says A is."""
    from types import SimpleNamespace

    from cfc_sim.calibrate.measure import measured

    def output(a: list[float], b: list[float]) -> SimpleNamespace:
        return SimpleNamespace(metrics=[("ALL", "all", "open_cases", 0.0), ("A", "all", "open_cases", 0.0),
                                        ("B", "all", "open_cases", 0.0)],
                               monthly=[(area, month, "open_cases", value) for area, values in (("A", a), ("B", b))
                                        for month, value in enumerate(values)])

    runs = [output([10, 12], [10, 13]), output([10, 8.5], [10, 12])]
    windows = ((2, 2), (1, 1))
    measures = [("*", "all", "open_cases", windows, (0.9, 1.1)), ("A", "all", "open_cases", windows, None)]
    share, ratio_a = measured(runs, measures)
    assert share == [0.5, 0.5]  # A's pooled ratio 20.5 / 20 = 1.025; B's 25 / 20 = 1.25
    assert ratio_a == pytest.approx([1.2, 0.85])  # a single area's ratio is still read per replication


# ------------------------------------------------------------------------------------------ design


def test_the_design_maps_the_unit_cube_with_log_scales_whole_numbers_and_ties(tmp_path: Path) -> None:
    space = _space(tmp_path, parameters=[
        {"key": CAP, "low": 2, "high": 12, "integer": True},
        {"key": "defaults.demand.domestic_abuse_share", "low": 0.01, "high": 1.0, "log": True},
        {"key": "defaults.demand.high_risk_share", "follows": "defaults.demand.domestic_abuse_share", "factor": 0.5}])
    parsed = load_space(_write(tmp_path, space))
    values = to_values(np.array([[0.0, 0.5], [1.0, 1.0]]), parsed.parameters)
    assert values[0].tolist() == pytest.approx([2, 0.1, 0.05]) and values[1].tolist() == pytest.approx([12, 1, 0.5])
    assert np.allclose(to_unit(values, parsed.parameters), [[0, 0.5], [1, 1]])
    first = latin_hypercube(5, 2, stream(3, 0, 1))
    assert np.array_equal(first, latin_hypercube(5, 2, stream(3, 0, 1)))
    assert sorted(np.floor(first[:, 0] * 5).astype(int)) == [0, 1, 2, 3, 4]  # one point per slice


def test_a_relative_parameter_scales_each_areas_own_value(tmp_path: Path) -> None:
    space = load_space(_write(tmp_path, _space(tmp_path)))
    base = load_bases(space)["one"]
    assert settings_for(base, space.parameters, [4.0, 1.5]) == {CAP: 4, "areas.Testshire.workforce.fcas": 4}


def test_runs_cut_to_some_areas_hand_plans_the_factor_for_every_area(tmp_path: Path) -> None:
    """A space may cut a scenario to a few areas to keep runs cheap; the runs use only those, but the
    settings handed to plans carry a relative parameter's factor to every area of the file."""
    space_dict = _space(tmp_path)
    data = yaml.safe_load((tmp_path / "cal.yaml").read_text())
    first = dict(data["areas"][0])
    data["areas"] = [first, {**first, "name": "Otherton", "workforce": {"fcas": 6, "establishment": 6}}]
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(data))
    space_dict["scenarios"] = {"one": {"file": "cal.yaml", "areas": [first["name"]]}}
    space = load_space(_write(tmp_path, space_dict))
    base = load_bases(space)["one"]
    assert base.areas == [first["name"]]
    assert settings_for(base, space.parameters, [4.0, 1.5]) == {CAP: 4, f"areas.{first['name']}.workforce.fcas": 4}
    assert settings_for(base, space.parameters, [4.0, 1.5], every_area=True) == {
        CAP: 4, f"areas.{first['name']}.workforce.fcas": 4, "areas.Otherton.workforce.fcas": 9}


# ------------------------------------------------------------------------------------------ the space file


@pytest.mark.parametrize(("change", "key", "words"), [
    ({"figures": []}, "figures", "at least 1"),
    ({"parameters": [{"key": CAP, "low": 5, "high": 2}]}, "parameters[0]", "less than high"),
    ({"parameters": [{"key": CAP, "follows": "nothing"}]}, "parameters[0].follows", "not a parameter"),
    ({"parameters": [{"key": CAP, "low": 1, "high": 2, "colour": "red"}]}, "parameters[0].colour", "unknown key"),
    ({"scenarios": {"one": {"file": "missing.yaml"}}}, "scenarios.one.file", "no scenario file"),
    ({"figures": [{"name": "x", "target": "no such figure"}]}, "figures[0].target", "no published target"),
    ({"figures": [{"name": "x", "metric": "caseload_mean", "published": "1", "low": 3}]}, "figures[0].high",
     "missing"),
    ({"conditions": [{"name": "caseload", "metric": "open_cases", "low": 0, "high": 1}]}, "conditions[0].name",
     "used twice"),
    ({"conditions": [{"name": "c", "metric": "open_cases", "area": "*", "low": 0, "high": 1}]}, "conditions[0].each",
     "go together"),
])
def test_space_file_errors_name_the_file_and_key(tmp_path: Path, change: dict[str, Any], key: str, words: str) -> None:
    path = _write(tmp_path, _space(tmp_path, **change))
    with pytest.raises(ScenarioError) as caught:
        load_space(path)
    assert any(k == key and words in m for k, m in caught.value.problems), caught.value.problems
    assert caught.value.file == str(path)


@pytest.mark.parametrize(("block", "index", "change", "words"), [
    ("figures", 0, {"area": "Atlantis"}, ["figures[0].area", "Atlantis"]),
    ("parameters", 0, {"key": "defaults.workforce.caseload_kap"}, ["parameters", "caseload_kap", "unknown key"]),
    ("parameters", 1, {"key": "areas.Atlantis.workforce.fcas"}, ["parameters", "no area named 'Atlantis'"]),
])
def test_the_cli_refuses_a_bad_space_with_exit_2_and_writes_nothing(  # type: ignore[no-untyped-def]
        tmp_path: Path, capsys, block: str, index: int, change: dict[str, Any], words: list[str]) -> None:
    bad = _space(tmp_path)
    bad[block][index].update(change)
    path = _write(tmp_path, bad)
    code, out, err = invoke(["calibrate", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and err.startswith(f"error: {path}") and "Traceback" not in err
    assert all(w in err for w in words), err
    assert not (tmp_path / "out").exists()


def test_the_shipped_national_space_file_is_valid() -> None:
    space = load_space(ROOT / "scenarios" / "calibration" / "national.yaml")
    assert space.figures and space.sampled


# ------------------------------------------------------------------------------------------ the procedure


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("calibrate")
    space = _write(folder, _space(folder, waves=2, points=6))
    from cli_runner import invoke_quietly

    code, out, err = invoke_quietly(["calibrate", str(space), "--out", str(folder / "one"), "--workers", "1"])
    assert code == 0, err
    assert "accepted sets:" in out and "wave 1: 6 points run" in out and "non-implausible" in out
    code, _, err = invoke_quietly(["calibrate", str(space), "--out", str(folder / "two"), "--workers", "2"])
    assert code == 0, err
    return folder


def test_the_same_space_and_seed_give_identical_outputs_whatever_the_workers(calibrated: Path) -> None:
    for name in ("design.csv", "fit.csv", "accepted_sets.csv", "parameters.csv", "waves.csv"):
        assert (calibrated / "one" / name).read_bytes() == (calibrated / "two" / name).read_bytes(), name


def test_accepted_sets_are_the_simulated_points_in_band(calibrated: Path) -> None:
    design = pd.read_csv(calibrated / "one" / "design.csv")
    accepted = pd.read_csv(calibrated / "one" / "accepted_sets.csv")
    assert list(accepted.columns) == ["set", CAP, "areas.Testshire.workforce.fcas"]  # relative: per area
    assert accepted["set"].tolist() == list(range(len(accepted))) and len(accepted) > 0
    assert all(pd.api.types.is_numeric_dtype(accepted[c]) for c in accepted.columns)
    chosen = design[design["accepted"] == "yes"]
    assert accepted[CAP].tolist() == chosen[CAP].tolist()
    assert accepted["areas.Testshire.workforce.fcas"].tolist() == [round(3 * f) for f in chosen[FCAS]]
    inside = (design["CIRs on time"].between(0.5, 0.9) & design["caseload"].between(1, 12)
              & design["open cases steady"].between(0.5, 2.0))
    assert (design["accepted"] == "yes").tolist() == inside.tolist()
    assert design["wave"].tolist() == [1] * 6 + [2] * 6 + [3] * 6
    assert design["stage"].tolist() == ["design"] * 12 + ["check"] * 6
    assert design["implausibility"].iloc[:6].isna().all() and design["implausibility"].iloc[6:].lt(3).all()
    waves = pd.read_csv(calibrated / "one" / "waves.csv")
    assert waves["points_run"].tolist() == [6, 6, 6] and waves["non_implausible_share"].iloc[:2].between(0, 1).all()
    fit = pd.read_csv(calibrated / "one" / "fit.csv")
    assert fit["figure"].tolist() == ["CIRs on time", "caseload", "open cases steady"]
    assert (fit["within"] == "yes").all() and (fit["model_low"] <= fit["model_mean"]).all()


def test_the_folder_is_a_marked_calibrate_folder_with_its_manifest(calibrated: Path) -> None:
    import json

    from cfc_sim.output_folder import folder_kind

    assert folder_kind(calibrated / "one") == "calibrate"
    manifest = json.loads((calibrated / "one" / "manifest.json").read_text())
    assert manifest["seed"] == 11 and len(manifest["space_sha256"]) == 64


def test_an_earlier_calibration_is_replaced_only_with_overwrite(calibrated: Path, capsys: pytest.CaptureFixture[str]
                                                                ) -> None:
    """Like every command's --out: an earlier calibration (hours of runs) is never replaced without a word."""
    before = (calibrated / "one" / "design.csv").read_bytes()
    space = calibrated / "space.yaml"
    code, _, err = invoke(["calibrate", str(space), "--out", str(calibrated / "one")], capsys)
    assert code == 2 and "--overwrite" in err and "Traceback" not in err
    assert (calibrated / "one" / "design.csv").read_bytes() == before
    again = calibrated / "again"
    code, out, _ = invoke(["calibrate", str(space), "--out", str(again), "--points", "2", "--waves", "1"], capsys)
    assert code == 0
    from cfc_sim.calibrate.space import load_space

    dims = len(load_space(space).parameters)  # 2 points say nothing of a space of more than 4 parameters
    assert ("caution: wave 1 ran 2 points" in out) == (2 < dims * 0.5)
    (again / "design.csv").write_text("stale\n", encoding="utf-8")  # as if an older calibration's
    code, _, err = invoke(["calibrate", str(space), "--out", str(again), "--points", "2", "--waves", "1",
                           "--overwrite"], capsys)
    assert code == 0, err
    assert (again / "design.csv").read_text(encoding="utf-8").startswith("point,")  # replaced with the new run's


def test_docs_page_is_regenerated_from_the_folder(calibrated: Path, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_calibration", ROOT / "docs" / "make_calibration.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.render_from(calibrated / "one")
    assert "| CIRs on time |" in page and "CIRs filed within 40 working days" in page
    assert f"`{CAP}`" in page and "accepted sets" in page


def test_the_workers_module_stays_light() -> None:
    """Workers import `cfc_sim.calibrate.measure` to unpickle their task: no pandas, scipy, YAML or
    scikit-learn there (issue 13's rule for pool workers)."""
    import json
    import subprocess
    import sys

    probe = ("import json, sys, cfc_sim.calibrate.measure; "
             "print(json.dumps([m for m in ('pandas', 'scipy', 'yaml', 'sklearn', 'matplotlib') if m in sys.modules]))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(loaded.stdout) == []


def test_a_known_gap_is_measured_and_shown_but_neither_rules_out_nor_decides(tmp_path: Path) -> None:
    """A figure the model cannot reach yet (an impossible band here) must not push the search: with it
    marked as a known gap the same sets are accepted as without it, and the fit table shows it."""
    plain = _space(tmp_path)
    gap = dict(name="impossible", definition="a band no run reaches", metric="caseload_mean",
               published="1000", low=999.0, high=1001.0, known_gap="no mechanism yet")
    with_gap = _space(tmp_path, figures=[*plain["figures"], gap])
    from cli_runner import invoke_quietly

    for name, space in (("plain", plain), ("gap", with_gap)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "cal.yaml").write_text((tmp_path / "cal.yaml").read_text())
        code, out, err = invoke_quietly(["calibrate", str(_write(folder, space)), "--out", str(folder / "out")])
        assert code == 0, err
        if name == "gap":
            assert "[gap] impossible" in out
            fit = pd.read_csv(folder / "out" / "fit.csv")
            assert fit.set_index("figure").loc["impossible", "known_gap"] == "no mechanism yet"
    plain_sets = pd.read_csv(tmp_path / "plain" / "out" / "accepted_sets.csv")
    gap_sets = pd.read_csv(tmp_path / "gap" / "out" / "accepted_sets.csv")
    assert len(plain_sets) > 0
    pd.testing.assert_frame_equal(plain_sets, gap_sets)
