"""The `cfc-sim` command line (DESIGN 4) and the results folder it writes (DESIGN 5).

Most tests call `cfc_sim.cli.main(argv)`, the console-script entry point that maps errors to exit
codes; a few run real subprocesses. Scenarios are small (two areas, nine months) to stay fast.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import simpy
import yaml
from cli_runner import invoke, invoke_quietly
from contract import METRICS
from scenario_factory import scenario_dict

import cfc_sim
from cfc_sim.metric_catalogue import CATALOGUE, is_signed
from cfc_sim.scenario.loading import load_scenario
from cfc_sim.scenario.resolved import scenario_sha256

REPO = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

MANIFEST_KEYS = {"scenario_name", "scenario_sha256", "seed", "replications", "cfc_sim_version", "python",
                 "simpy", "started", "finished", "wall_seconds", "command"}
SHARES = [m.name for m in CATALOGUE if m.bounded]
CRITERIA = {"capacity", "vacancy", "training", "stability", "partnerships", "performance", "overall"}
AREAS = ["Alpha", "Beta"]


# --------------------------------------------------------------------------- helpers


def small_scenario(**changes: Any) -> dict[str, Any]:
    """Two areas, nine months with two of warm-up: Alpha live throughout, Beta live mid-horizon."""
    data = scenario_dict(name="cli-small", horizon_months=9, warmup_months=2, replications=3, seed=4242,
                         **changes)
    data["defaults"]["workforce"].update(annual_turnover=0.3, induction_days=30,
                                         induction_start_cap_share=0.5)
    data["defaults"]["workforce"]["sickness"]["episodes_per_year"] = 3.0
    data["areas"] = [
        {"name": "Alpha", "region": "North", "go_live": "2025-01-07"},
        {"name": "Beta", "go_live": "2026-07-07",
         "workforce": {"fcas": 6, "establishment": 8,
                       "training": {"days": 2, "seats_per_month": 4, "trained_share_at_start": 0.0}}},
    ]
    return data


def write_scenario(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def stray_siblings(folder: Path) -> list[str]:
    """Temporary or trash siblings the atomic writer must not leave behind."""
    return [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]


@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("scenario") / "small.yaml", small_scenario())


@pytest.fixture(scope="module")
def run_dir(small_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real `run --reps 2` of the small scenario, shared by the results-folder tests."""
    out = tmp_path_factory.mktemp("runs") / "first"
    code, stdout, stderr = invoke_quietly(["run", str(small_path), "--reps", "2", "--out", str(out)])
    assert code == 0, (stdout, stderr)
    assert f"results: {out}" in stdout
    return out


@pytest.fixture(scope="module")
def reps(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(run_dir / "replications.csv")


@pytest.fixture(scope="module")
def summary(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(run_dir / "summary.csv")


# --------------------------------------------------------------------------- help, version, arguments


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke(["--help"], capsys)
    assert code == 0, err
    for verb in ("run", "validate"):
        assert verb in out


def test_run_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke(["run", "--help"], capsys)
    assert code == 0, err
    for option in ("--reps", "--seed", "--out", "--workers", "--scheduler", "--trace"):
        assert option in out


def test_validate_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(["validate", "--help"], capsys)
    assert code == 0
    assert "SCENARIO" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(["--version"], capsys)
    assert code == 0
    assert cfc_sim.__version__ in out


@pytest.mark.parametrize("args", [
    ["--reps", "0"],
    ["--reps", "abc"],
    ["--reps", "-3"],
    ["--reps", "1.5"],
    ["--workers", "0"],
    ["--workers", "many"],
    ["--seed", "-1"],
    ["--bogus-option"],
], ids=lambda a: " ".join(a))
def test_bad_run_arguments(args: list[str], small_path: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # so a default results/ folder would show up here
    out = tmp_path / "out"
    code, stdout, err = invoke(["run", str(small_path), "--out", str(out), *args], capsys)
    assert code == 2, (stdout, err)
    option = args[0]
    assert option in err, err
    assert "Traceback" not in stdout + err
    assert list(tmp_path.iterdir()) == []


def test_validate_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(["validate"], capsys)
    assert code == 2
    assert "SCENARIO" in err


def test_validate_notes_an_establishment_below_the_fcas_in_post(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Valid, but a team above its funded posts recruits nobody: 'five more posts' written as 22 for
    Essex's 49 FCAs cuts staff. validate and run say so (exit 0: it may be meant)."""
    variant = tmp_path / "fewer-posts.yaml"
    variant.write_text(f"schema: 1\nname: fewer-posts\nextends: {REPO / 'scenarios' / 'example-small.yaml'}\n"
                       "areas:\n  - name: Dorset\n    workforce: {establishment: 5}\n", encoding="utf-8")
    code, out, err = invoke(["validate", str(variant)], capsys)
    assert code == 0, err
    assert "note: Dorset: establishment 5 is below its 26 FCAs in post" in out
    code, out, err = invoke(["validate", str(REPO / "scenarios" / "example-small.yaml")], capsys)
    assert code == 0 and "note:" not in out
    code, _, err = invoke(["run", str(variant), "--reps", "1", "--out", str(tmp_path / "run")], capsys)
    assert code == 0 and "note: Dorset: establishment 5 is below its 26 FCAs in post" in err
    assert err.count("establishment 5 is below") == 1  # printed once, not again among the warnings at the end
    # the report's readers never saw the terminal: the note is among the run's warnings
    warnings = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))["warnings"]
    assert any("Dorset: establishment 5 is below its 26 FCAs in post" in w for w in warnings)
    variant.write_text(f"schema: 1\nname: fewer-posts\nextends: {REPO / 'scenarios' / 'example-small.yaml'}\n"
                       "areas:\n  - name: Dorset\n    workforce: {annual_turnover: 4}\n", encoding="utf-8")
    code, out, err = invoke(["validate", str(variant)], capsys)
    assert code == 0 and "note: Dorset: annual_turnover 4 is 400% a year" in out
    variant.write_text(f"schema: 1\nname: fewer-posts\nextends: {REPO / 'scenarios' / 'national-rollout.yaml'}\n"
                       "defaults:\n  workforce: {annual_turnover: 4}\n", encoding="utf-8")
    code, out, err = invoke(["validate", str(variant)], capsys)  # typed once under defaults: one note, not 37
    assert code == 0 and out.count("annual_turnover 4 is 400% a year") == 1
    # (London's three areas set their own turnover)
    assert "note: 37 areas (Dorset, Birmingham & Solihull, West Yorkshire, ...): annual_turnover 4" in out


def _validate_variant(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str],
                      base: str = "example-small.yaml") -> tuple[int, str, str]:
    """`validate` of a scenario that extends a shipped one with `body` (YAML after the header)."""
    variant = tmp_path / "v.yaml"
    variant.write_text(f"schema: 1\nname: v\nextends: {REPO / 'scenarios' / base}\n{body}", encoding="utf-8")
    return invoke(["validate", str(variant)], capsys)


def test_validate_notes_readiness_rates_as_percentages_and_interventions_after_the_horizon(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Valid but surely not meant: notes, exit 0; an intervention on the start's state is refused."""
    variant = tmp_path / "v.yaml"
    base = REPO / "scenarios" / "example-small.yaml"
    variant.write_text(f"schema: 1\nname: v\nextends: {base}\nhorizon_months: 6\n"
                       "readiness: {max_turnover_12m: 18, capacity_headroom: 3}\n"
                       "interventions:\n  - at: 2029-01-01\n    area: Dorset\n    set: {workforce.establishment: 30}\n",
                       encoding="utf-8")
    code, out, err = invoke(["validate", str(variant)], capsys)
    assert code == 0, err
    assert "readiness.max_turnover_12m 18 is 1800% a year" in out and "capacity_headroom 3" in out
    assert "1 intervention(s) dated on or after the horizon's end 2026-10-01 never take effect" in out
    variant.write_text(f"schema: 1\nname: v\nextends: {base}\ninterventions:\n  - at: 2027-01-01\n"
                       "    area: Dorset\n    set: {initial_state.open_cases_per_weekly_application: 90}\n"
                       "  - at: 2027-01-01\n    area: Dorset\n    set: {workforce.hire_sucess: 0.9}\n",
                       encoding="utf-8")
    code, _, err = invoke(["validate", str(variant)], capsys)
    assert code == 2 and "initial_state.open_cases_per_weekly_application: is the state at the start" in err
    assert "did you mean 'workforce.hire_success'" in err  # a misspelt intervention key gets the closest keys


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(["frobnicate"], capsys)
    assert code == 2
    assert "frobnicate" in err


# --------------------------------------------------------------------------- the results folder


def test_results_folder_files(run_dir: Path) -> None:
    names = {p.name for p in run_dir.iterdir()}
    assert {"manifest.json", "scenario.resolved.yaml", "replications.csv", "summary.csv", "timeseries.parquet",
            "monthly_summary.csv", "readiness.csv", "charts"} <= names
    assert "timeseries.csv" not in names  # the long series is Parquet now (folders with it are still read)
    assert "events.csv.gz" not in names  # only with --trace
    assert stray_siblings(run_dir) == []


def test_manifest(run_dir: Path, small_path: Path) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert MANIFEST_KEYS <= set(manifest)
    assert manifest["scenario_name"] == "cli-small"
    assert manifest["seed"] == 4242
    assert manifest["replications"] == 2  # --reps overrides the file's 3
    assert manifest["cfc_sim_version"] == cfc_sim.__version__
    assert manifest["python"] == platform.python_version()
    assert manifest["simpy"] == simpy.__version__
    started = datetime.fromisoformat(manifest["started"])
    finished = datetime.fromisoformat(manifest["finished"])
    assert started <= finished
    assert manifest["wall_seconds"] >= 0
    assert isinstance(manifest["command"], str) and manifest["command"].startswith("cfc-sim run ")
    # the sha is of the resolved scenario, the same whether read from the input or the copy written
    resolved = load_scenario(run_dir / "scenario.resolved.yaml")
    assert manifest["scenario_sha256"] == scenario_sha256(resolved)
    as_run = load_scenario(small_path).with_run_options(replications=2)
    assert manifest["scenario_sha256"] == scenario_sha256(as_run)


def test_resolved_scenario_is_the_input_with_defaults_applied(run_dir: Path, small_path: Path) -> None:
    resolved = load_scenario(run_dir / "scenario.resolved.yaml")
    original = load_scenario(small_path)
    assert resolved.areas == original.areas
    assert resolved.header.model_dump(exclude={"replications"}) == original.header.model_dump(
        exclude={"replications"})
    raw = yaml.safe_load((run_dir / "scenario.resolved.yaml").read_text(encoding="utf-8"))
    assert "extends" not in raw
    assert raw["areas"][1]["workforce"]["caseload_cap"] == 20  # spelled out from defaults


def test_replications_csv(reps: pd.DataFrame) -> None:
    assert list(reps.columns) == ["replication", "area", "pathway", "metric", "value"]
    assert sorted(reps["replication"].unique()) == [0, 1]
    assert set(reps["area"]) == {"ALL", *AREAS}
    assert set(reps["pathway"]) <= {"all", "cap", "cfc"}
    assert not reps.duplicated(["replication", "area", "pathway", "metric"]).any()


def test_summary_csv(summary: pd.DataFrame, reps: pd.DataFrame) -> None:
    assert list(summary.columns) == ["area", "pathway", "metric", "mean", "ci_low", "ci_high", "n_reps"]
    assert set(summary["pathway"]) <= {"all", "cap", "cfc"}
    assert "ALL" in set(summary["area"])
    assert set(summary["area"]) <= {"ALL", *AREAS}
    assert (summary["n_reps"] == 2).all()
    assert not summary.duplicated(["area", "pathway", "metric"]).any()
    finite = summary.dropna(subset=["mean"])
    assert (finite["ci_low"] <= finite["mean"] + 1e-9).all()
    assert (finite["mean"] <= finite["ci_high"] + 1e-9).all()
    # summary means are the means of the replication values
    means = reps.groupby(["area", "pathway", "metric"])["value"].mean().rename("rep_mean").reset_index()
    both = summary.merge(means, on=["area", "pathway", "metric"], how="outer", indicator=True)
    assert (both["_merge"] == "both").all()
    gap = (both["mean"] - both["rep_mean"]).abs().fillna(0)
    assert (gap <= 1e-9 * (1 + both["mean"].abs().fillna(0))).all()


def test_every_contract_metric_for_the_nation(summary: pd.DataFrame) -> None:
    national = summary[(summary["area"] == "ALL") & (summary["pathway"] == "all")].set_index("metric")
    missing = [m for m in METRICS if m not in national.index]
    assert missing == []
    # the area that goes live mid-horizon files CIRs, so CIR metrics have values
    for metric in ("applications", "closed_cases", "cirs_filed", "cir_on_time_share", "cir_working_days_mean",
                   "cir_working_days_p90", "weeks_to_decision_mean", "caseload_mean", "fte_in_post_mean",
                   "go_live_day"):
        assert math.isfinite(national.loc[metric, "mean"]), metric
    assert national.loc["applications", "mean"] > 0
    assert national.loc["cirs_filed", "mean"] > 0


def test_every_contract_metric_per_area(summary: pd.DataFrame) -> None:
    for area in AREAS:
        present = set(summary[(summary["area"] == area) & (summary["pathway"] == "all")]["metric"])
        assert set(METRICS) <= present, (area, set(METRICS) - present)


def test_go_live_day(summary: pd.DataFrame) -> None:
    go_live = summary[(summary["pathway"] == "all") & (summary["metric"] == "go_live_day")].set_index("area")
    start = datetime(2026, 4, 1)
    assert go_live.loc["Beta", "mean"] == (datetime(2026, 7, 7) - start).days  # planned policy
    assert go_live.loc["Alpha", "mean"] <= 0  # live before the start


def test_shares_in_unit_interval(reps: pd.DataFrame, summary: pd.DataFrame) -> None:
    values = reps[reps["metric"].isin(SHARES)].dropna(subset=["value"])
    assert not values.empty
    bad = values[(values["value"] < 0) | (values["value"] > 1)]
    assert bad.empty, bad
    means = summary[summary["metric"].isin(SHARES)].dropna(subset=["mean"])
    assert means["mean"].between(0, 1).all()


def test_no_negative_counts_or_times(reps: pd.DataFrame) -> None:
    nonneg = [m for m in METRICS if not is_signed(m)]
    values = reps[reps["metric"].isin(nonneg)].dropna(subset=["value"])
    assert (values["value"] >= 0).all(), values[values["value"] < 0]


def test_conservation_of_cases(reps: pd.DataFrame) -> None:
    """open at start + arrived == closed + open at the horizon, per replication and area (pathway all)."""
    wide = reps[reps["pathway"] == "all"].pivot_table(index=["replication", "area"], columns="metric",
                                                      values="value")
    assert len(wide) == 2 * (1 + len(AREAS))
    lhs = wide["open_cases_start"] + wide["applications"]
    rhs = wide["closed_cases"] + wide["open_cases_end"]
    assert (lhs == rhs).all(), pd.DataFrame({"lhs": lhs, "rhs": rhs})
    assert (wide["open_cases_start"].xs("ALL", level="area") > 0).all()  # warm-up leaves open work


def test_national_figures_add_up(reps: pd.DataFrame) -> None:
    counts = ["applications", "children", "closed_cases", "open_cases_end", "cirs_filed", "leavers"]
    sub = reps[(reps["pathway"] == "all") & reps["metric"].isin(counts)]
    by_area = sub[sub["area"] != "ALL"].groupby(["replication", "metric"])["value"].sum()
    national = sub[sub["area"] == "ALL"].set_index(["replication", "metric"])["value"]
    pd.testing.assert_series_equal(by_area.sort_index(), national.sort_index(), check_names=False)


def test_timeseries_parquet(run_dir: Path) -> None:
    series = pd.read_parquet(run_dir / "timeseries.parquet")
    assert list(series.columns) == ["replication", "area", "month", "metric", "value"]
    assert not series.empty
    assert set(series["replication"]) == {0, 1}
    assert set(series["area"]) - {"ALL"} <= set(AREAS)
    assert series["month"].astype(str).str.fullmatch(r"\d{4}-\d{2}").all()
    assert str(series["value"].dtype) == "float64" and str(series["replication"].dtype) == "int64"


def test_monthly_summary_csv(run_dir: Path) -> None:
    series = pd.read_parquet(run_dir / "timeseries.parquet")
    monthly = pd.read_csv(run_dir / "monthly_summary.csv")
    assert list(monthly.columns) == ["area", "month", "metric", "mean", "p05", "p50", "p95"]
    assert len(monthly) == series.groupby(["area", "month", "metric"]).ngroups  # one row per area-month-metric
    assert len(monthly) < 1_048_576  # fits an Excel sheet
    assert monthly["area"].iloc[0] == "ALL"  # England first, then the areas in scenario order
    assert list(monthly["area"].drop_duplicates()) == ["ALL", *[a for a in AREAS if a in set(monthly["area"])]]
    assert ((monthly["p05"] <= monthly["p50"] + 1e-9) & (monthly["p50"] <= monthly["p95"] + 1e-9)).all()
    one = series[(series["area"] == "ALL") & (series["metric"] == "applications")].groupby("month")["value"]
    row = monthly[(monthly["area"] == "ALL") & (monthly["metric"] == "applications")].set_index("month")
    pd.testing.assert_series_equal(row["mean"], one.mean(), check_names=False)
    pd.testing.assert_series_equal(row["p50"], one.median(), check_names=False)


def test_readiness_csv(run_dir: Path) -> None:
    readiness = pd.read_csv(run_dir / "readiness.csv")
    assert list(readiness.columns[:7]) == ["area", "month", "criterion", "value", "threshold", "passed",
                                           "status"]
    assert set(readiness["criterion"]) <= CRITERIA
    assert "overall" in set(readiness["criterion"])
    assert set(AREAS) <= set(readiness["area"]) <= {"ALL", *AREAS}
    assert set(readiness["status"]) <= {"green", "amber", "red"}
    assert set(readiness["passed"].astype(str)) <= {"True", "False"}
    overall = readiness[readiness["criterion"] == "overall"]
    per_cell = overall.groupby(["area", "month"]).size()
    assert (per_cell == 1).all()
    cells = readiness[["area", "month"]].drop_duplicates()
    assert len(cells) == len(overall)  # one overall row for every area-month


def test_charts_are_real_pngs(run_dir: Path) -> None:
    charts = sorted((run_dir / "charts").glob("*.png"))
    assert len(charts) >= 4, charts
    for chart in charts:
        data = chart.read_bytes()
        assert data[:8] == PNG_MAGIC, chart
        assert len(data) > 1000, chart


def test_manifest_command_reproduces_the_run(run_dir: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    argv = shlex.split(manifest["command"])
    assert argv[:2] == ["cfc-sim", "run"]
    again = tmp_path / "again"
    code, out, err = invoke([*argv[1:], "--out", str(again)], capsys)
    assert code == 0, (out, err)
    for name in ("summary.csv", "replications.csv", "timeseries.parquet", "monthly_summary.csv", "readiness.csv",
                 "scenario.resolved.yaml"):
        assert (again / name).read_bytes() == (run_dir / name).read_bytes(), name
    manifest2 = json.loads((again / "manifest.json").read_text(encoding="utf-8"))
    assert manifest2["scenario_sha256"] == manifest["scenario_sha256"]


def test_same_seed_same_results_and_other_seed_differs(small_path: Path, run_dir: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    same, other = tmp_path / "same", tmp_path / "other"
    assert invoke(["run", str(small_path), "--reps", "2", "--out", str(same)], capsys)[0] == 0
    assert (same / "replications.csv").read_bytes() == (run_dir / "replications.csv").read_bytes()
    assert invoke(["run", str(small_path), "--reps", "2", "--seed", "7", "--out", str(other)], capsys)[0] == 0
    assert (other / "replications.csv").read_bytes() != (run_dir / "replications.csv").read_bytes()
    assert json.loads((other / "manifest.json").read_text(encoding="utf-8"))["seed"] == 7


# --------------------------------------------------------------------------- the --out folder


def test_rerun_replaces_the_results_folder(small_path: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = invoke(["run", str(small_path), "--reps", "1", "--out", str(out)], capsys)
    assert code == 0, err
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    code, _, err = invoke(["run", str(small_path), "--reps", "2", "--out", str(out), "--overwrite"], capsys)
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (first["replications"], manifest["replications"]) == (1, 2)
    assert (out / "summary.csv").is_file()
    assert stray_siblings(out) == []


def test_rerun_keeps_a_results_folder_holding_a_users_files(small_path: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = invoke(["run", str(small_path), "--reps", "1", "--out", str(out)], capsys)
    assert code == 0, err
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "charts" / "annotated.png").write_bytes(PNG_MAGIC)
    code, stdout, err = invoke(["run", str(small_path), "--reps", "2", "--out", str(out)], capsys)
    assert code == 2, (stdout, err)
    assert "notes.txt" in err and "charts/annotated.png" in err and str(out) in err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["replications"] == 1
    assert stray_siblings(out) == []


def test_empty_existing_folder_is_used(small_path: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    code, _, err = invoke(["run", str(small_path), "--reps", "1", "--out", str(out)], capsys)
    assert code == 0, err
    assert (out / "summary.csv").is_file()
    assert stray_siblings(out) == []


def test_out_folder_with_other_files_is_refused(small_path: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "precious"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.docx").write_bytes(b"do not delete")
    (out / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, stdout, err = invoke(["run", str(small_path), "--reps", "1", "--out", str(out)], capsys)
    assert code == 2
    assert str(out) in err
    assert "Traceback" not in stdout + err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]


def test_out_pointing_at_a_file_is_refused(small_path: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "afile"
    out.write_text("keep me", encoding="utf-8")
    code, stdout, err = invoke(["run", str(small_path), "--reps", "1", "--out", str(out)], capsys)
    assert code == 2, (stdout, err)
    assert "Traceback" not in stdout + err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


# --------------------------------------------------------------------------- --trace


def test_trace_writes_an_event_log(small_path: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "traced"
    code, _, err = invoke(["run", str(small_path), "--reps", "1", "--trace", "--out", str(out)], capsys)
    assert code == 0, err
    events = pd.read_csv(out / "events.csv.gz")
    assert {"case_id", "activity", "timestamp", "resource", "area"} <= set(events.columns)
    assert len(events) > 100
    assert set(events["area"]) <= set(AREAS)
    assert events["case_id"].notna().all() and events["activity"].notna().all()
    stamps = pd.to_datetime(events["timestamp"])
    assert (stamps >= pd.Timestamp("2026-04-01")).all()
    events = events.assign(_t=stamps)
    ordered = events.groupby("case_id", sort=False)["_t"].apply(lambda s: s.is_monotonic_increasing)
    assert ordered.all(), ordered[~ordered].index[:5].tolist()
    # the trace does not change the numbers
    code, _, err = invoke(["run", str(small_path), "--reps", "1", "--out", str(tmp_path / "plain")], capsys)
    assert code == 0, err
    assert (tmp_path / "plain" / "summary.csv").read_bytes() == (out / "summary.csv").read_bytes()


# --------------------------------------------------------------------------- real subprocesses


def _cli_executable() -> str:
    beside = Path(sys.executable).parent / "cfc-sim"
    found = str(beside) if beside.is_file() else shutil.which("cfc-sim")
    assert found, "cfc-sim console script not installed"
    return found


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg"}


def test_subprocess_python_m_validate_and_run(small_path: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cfc_sim", "validate", "scenarios/example-small.yaml"],
                          cwd=REPO, capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout
    out = tmp_path / "sub-run"
    done = subprocess.run([sys.executable, "-m", "cfc_sim", "run", str(small_path), "--reps", "1",
                           "--out", str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=_env())
    assert done.returncode == 0, done.stderr
    assert (out / "summary.csv").is_file()


def test_subprocess_console_script_bad_file(tmp_path: Path) -> None:
    bad = write_scenario(tmp_path / "bad.yaml", small_scenario(defaults__workforce__caseload_cap="twenty"))
    done = subprocess.run([_cli_executable(), "validate", str(bad)], capture_output=True, text=True,
                          timeout=120, env=_env())
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"{bad}: defaults.workforce.caseload_cap: " in done.stderr
    assert "Traceback" not in done.stderr
    out = tmp_path / "never"
    done = subprocess.run([_cli_executable(), "run", str(bad), "--out", str(out)], capture_output=True,
                          text=True, timeout=120, env=_env())
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "defaults.workforce.caseload_cap" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_the_python_api_refuses_an_existing_folder_and_an_invalid_config(tmp_path: Path) -> None:
    """cfc_sim.run replaced a results folder silently (the CLI asks for --overwrite) and ran a config
    changed with model_copy(update=...), which pydantic does not validate."""
    import cfc_sim
    from cfc_sim.errors import ScenarioError, UserError

    config = cfc_sim.load_scenario(REPO / "scenarios" / "example-small.yaml").with_run_options(replications=1)
    short = config.model_copy(update={"header": config.header.model_copy(update={"horizon_months": 2})})
    out = tmp_path / "run"
    first = cfc_sim.run(short, out=out)
    assert first.manifest["command"].startswith(f"cfc-sim run {out}/")
    with pytest.raises(UserError, match="--overwrite"):
        cfc_sim.run(short, out=out)
    cfc_sim.run(short, out=out, overwrite=True)
    bad = config.model_copy(update={"header": config.header.model_copy(update={"horizon_months": -5})})
    with pytest.raises(ScenarioError, match="horizon_months"):
        cfc_sim.run(bad)
    assert cfc_sim.run(short).manifest["command"].startswith("cfc-sim run RESULTS/")  # no '{out}' left


def test_validate_notes_a_go_live_typed_a_year_early_or_after_the_run(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """go_live 2025-10-06 for 2026 made an area live from the start with no CFC-trained FCA, and a
    go-live after the run's end is never judged: both passed `validate` without a word (found by a
    newcomer trial). A scenario with every area after the end (CAP only, as national-baseline) is meant."""
    code, out, err = _validate_variant(tmp_path, "areas:\n  - {name: Wiltshire & Swindon, go_live: 2025-10-06}\n"
                                                 "  - {name: Dorset, go_live: 2062-10-06}\n", capsys)
    assert code == 0, err
    text = " ".join(out.split())
    assert "Wiltshire & Swindon is live on CFC from the start (go_live 2025-10-06" in text and "0% of its FCAs" in text
    assert "1 area(s) go live on or after the run's end" in text and "Dorset 2062-10-06" in text
    code, out, _ = _validate_variant(tmp_path, "areas:\n  - {name: Wiltshire & Swindon, go_live: 2062-10-06}\n"
                                               "  - {name: Dorset, go_live: 2062-10-06}\n", capsys)
    assert code == 0 and "go live on or after" not in out


def test_areas_written_as_one_mapping_get_one_message_saying_how_to_write_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`areas:` with `name: Essex` under it (no dash) gave the right message and three false ones that
    followed from it ("no area has region 'London'", "no area named 'Essex'"): found by a newcomer trial.
    A problem of its own (a bad intervention date) is still listed."""
    code, _, err = _validate_variant(tmp_path, "areas:\n  name: Essex\n  go_live: 2029-04-01\n", capsys,
                                     base="national-rollout.yaml")
    assert code == 2 and "start each area with a dash, '- name: Essex'" in err
    assert "no area named" not in err and "no area has region" not in err and "Traceback" not in err
