"""The run headline (national figures against their targets, the areas at risk and why), progress
after the simulation, `readiness --month` checks, the warm-up check and `--reps auto`'s KPIs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from cli_runner import invoke
from scenario_factory import config, scenario_dict

from cfc_sim.at_risk import areas_at_risk, national_checks
from cfc_sim.model import ReplicationOutput
from cfc_sim.output_analysis import precision_note, replications_needed, transient_warnings
from cfc_sim.results_reader import read_results


def _at_risk_scenario() -> dict:
    """Steadyshire is fine; Shortfield is live with too few FCAs (late CIRs); Lateham goes live
    before its police checks exist (red at its planned go-live)."""
    return scenario_dict(
        name="at-risk", horizon_months=10, replications=3,
        areas=[{"name": "Steadyshire", "go_live": "2025-01-06"},
               {"name": "Shortfield", "go_live": "2025-01-06", "workforce": {"fcas": 1, "establishment": 1}},
               {"name": "Lateham", "go_live": "2026-07-06",
                "partnerships": {"idva": "2026-04-01", "local_authority": "2026-04-01", "police": "2027-01-04"}}])


@pytest.fixture(scope="module")
def headline(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    import contextlib
    import io

    from cfc_sim.cli import main

    folder = tmp_path_factory.mktemp("headline")
    path = folder / "at-risk.yaml"
    path.write_text(yaml.safe_dump(_at_risk_scenario()), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as done:
        raise SystemExit(main(["run", str(path), "--out", str(folder / "run")]))
    assert done.value.code in (0, None), err.getvalue()
    return out.getvalue(), err.getvalue(), folder / "run"


def test_run_names_the_areas_at_risk_worst_first_and_why(headline: tuple[str, str, Path]) -> None:
    out, _, run = headline
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Areas at risk"))
    listed = [line for line in lines[start + 1:] if line[:4].strip().rstrip(".").isdigit()]
    names = [line.split(". ", 1)[1].split(":")[0] for line in listed]
    assert names == ["Shortfield", "Lateham"]  # Steadyshire meets everything; the CIR shortfall is worse
    shortfield, lateham = listed
    assert "CIRs on time" in shortfield and "vs target 90%" in shortfield
    assert "waiting for a CFC-trained FCA" in shortfield
    assert "red at planned go-live 2026-07" in lateham and "partnerships in place 2 of 3" in lateham
    assert f"cfc-sim readiness {run} --month 2026-07" in out
    assert f"cfc-sim report {run}" in out


def test_national_figures_sit_beside_their_targets_with_a_verdict(headline: tuple[str, str, Path]) -> None:
    out, _, run = headline
    result = read_results(run)
    checks = {c.metric: c for c in national_checks(result.summary, result.config)}
    on_time = checks["cir_on_time_share"]
    assert on_time.target == "at least 90.0%" and on_time.met == (on_time.value >= 0.9)
    assert checks["weeks_to_decision_mean"].met is None  # no target: no verdict
    # 40 working days says when each CIR is on time: the mean time to a CIR is not judged against it
    # (a mean of 36 days with a quarter of CIRs late had read "target within 40: met")
    assert checks["cir_working_days_mean"].met is None and checks["cir_working_days_mean"].target == ""
    assert "within 40" not in next(x for x in out.splitlines() if "application to CIR, working days" in x)
    line = next(x for x in out.splitlines() if "CIRs within 8 working weeks" in x)
    assert "target at least 90.0%:" in line and (" met" in line or "NOT met" in line)
    assert ("NOT met" in line) == (not on_time.met)
    # children seen is CFC's aim: judged on CFC cases, not on a mix with CAP's section 7 cases
    seen = checks["children_seen_share"]
    cfc = result.summary[(result.summary["area"] == "ALL") & (result.summary["pathway"] == "cfc")
                         & (result.summary["metric"] == "children_seen_share")]
    assert seen.label.endswith("(CFC cases)") and seen.value == pytest.approx(float(cfc["mean"].iloc[0]))


def test_the_ranking_is_one_function_the_report_can_reuse(headline: tuple[str, str, Path]) -> None:
    _, _, run = headline
    result = read_results(run)
    risks = areas_at_risk(result.summary, result.readiness, result.config)
    assert [r.area for r in risks] == ["Shortfield", "Lateham"]
    assert risks[0].score > risks[1].score > 0
    assert risks[1].readiness.status == "red" and risks[1].months_late is not None


def test_long_steps_after_the_simulation_say_what_they_do(headline: tuple[str, str, Path]) -> None:
    _, err, _ = headline
    for step in ("summarising 3 replications", "readiness of 3 areas", "drawing charts/readiness_heatmap.png",
                 "drawing charts/cir_on_time_fan.png"):
        assert step in err


@pytest.mark.parametrize("month", ["April-2027", "2027-4", "2027-13", "27-04", "2031-01"])
def test_readiness_month_is_checked(month: str, headline: tuple[str, str, Path],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, _, run = headline
    code, out, err = invoke(["readiness", str(run), "--month", month], capsys)
    assert code == 2 and "--month" in err and "Traceback" not in err and out == ""
    assert ("not a month of this run" in err) == (month == "2031-01")


def _series(values: np.ndarray, metric: str = "open_cases") -> pd.DataFrame:
    return pd.DataFrame({"replication": 0, "area": "ALL", "month": [f"m{k:03d}" for k in range(len(values))],
                         "metric": metric, "value": values})


def test_warm_up_check_tells_a_start_up_transient_from_a_sustained_trend() -> None:
    rng = np.random.default_rng(3)
    ramp = np.concatenate([np.linspace(10, 100, 8), np.full(40, 100.0)]) + rng.normal(0, 1, 48)
    growth = np.concatenate([np.full(4, 10.0), np.linspace(20, 200, 44)]) + rng.normal(0, 1, 48)
    (transient,) = transient_warnings(_series(ramp))
    assert "start-up transient" in transient and "warmup_months" in transient
    (trend,) = transient_warnings(_series(growth))
    assert "sustained trend" in trend and "no warm-up removes" in trend


def test_warm_up_check_is_silent_when_every_area_starts_from_open_work() -> None:
    ramp = np.concatenate([np.linspace(10, 100, 8), np.full(40, 100.0)])
    empty = config(scenario_dict())
    started = config(scenario_dict(defaults__initial_state={"open_cases_per_weekly_application": 20}))
    assert transient_warnings(_series(ramp), empty) != []
    assert transient_warnings(_series(ramp), started) == []


def _outputs(national: list[float], area: list[float]) -> list[ReplicationOutput]:
    return [ReplicationOutput(r, metrics=[("ALL", "all", "cir_on_time_share", n), ("Noisy", "all",
                                                                                  "cir_on_time_share", a)])
            for r, (n, a) in enumerate(zip(national, area, strict=True))]


def test_reps_auto_drives_each_areas_cir_on_time_share_too() -> None:
    steady = [0.90, 0.901, 0.899, 0.90, 0.90]
    assert replications_needed(_outputs(steady, steady), 0.05) == 5
    assert replications_needed(_outputs(steady, [0.1, 0.7, 0.3, 0.9, 0.5]), 0.05) > 50
    frame = pd.DataFrame([(o.replication, *m) for o in _outputs(steady, [0.1, 0.7, 0.3, 0.9, 0.5])
                          for m in o.metrics], columns=["replication", "area", "pathway", "metric", "value"])
    note = precision_note(frame, 0.05)
    assert "CIR on-time share of 1 area(s)" in note and "(Noisy)" in note and "NOT within 5.0 points" in note


def test_report_says_what_it_is_writing(headline: tuple[str, str, Path], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _, _, run = headline
    code, out, err = invoke(["report", str(run), "--html", "--out", str(tmp_path / "board")], capsys)
    assert code == 0, err
    assert "writing the HTML report" in err and "html:" in out


def test_readiness_states_the_rule_it_judges_by(headline: tuple[str, str, Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _, _, run = headline
    code, out, err = invoke(["readiness", str(run)], capsys)
    assert code == 0, err
    flat = " ".join(out.split())
    assert "hold in at least 80% of the 3 run(s)" in flat and "1 monthly review(s) in a row" in flat
    assert "rates over the last 12 months pooled across the runs" in flat and "Ready month: the first month" in flat
    # areas live before the run say so once, under the table, not in every such row's status
    assert flat.count("already live when the run starts: no go-live to judge") == 1


def test_an_areas_cir_share_is_held_to_points_not_to_a_share_of_its_mean() -> None:
    """A small area filing 20% +- 3 points on time is precise enough at --precision 0.05 (5 points);
    judged against 5% of its mean (1 point) it would need many times the replications."""
    steady = [0.90, 0.901, 0.899, 0.90, 0.90]
    small = [0.18, 0.22, 0.20, 0.17, 0.23]  # 95% half-width about 3.1 points
    assert replications_needed(_outputs(steady, small), 0.05) == 5
    assert replications_needed(_outputs(steady, small), 0.01) > 5


def test_the_run_says_which_mechanisms_its_numbers_rest_on(headline: tuple[str, str, Path]) -> None:
    """The headline and the manifest name how FCAs work and hearings are listed, area by area."""
    import json

    from cfc_sim.scenario.examples import modelled_dict
    from cfc_sim.scenario.loading import config_from_dict

    out, _, run = headline
    assert "model: slot work, drawn hearing waits in every area" in out
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["mechanisms"] == {"slot work, drawn hearing waits": ["Steadyshire", "Shortfield", "Lateham"]}
    data = modelled_dict()
    data["areas"] = [{"name": "Courtshire", "go_live": "2026-04-01"},
                     {"name": "Slotshire", "go_live": "2026-04-01", "workforce": {"hours": None}, "court": None}]
    assert config_from_dict(data).mechanisms() == {"FCA hours (shared), court listing": ["Courtshire"],
                                                   "slot work, drawn hearing waits": ["Slotshire"]}


def _areas_series(rows: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    frames = [pd.DataFrame({"replication": 0, "area": area, "month": [f"m{k:03d}" for k in range(len(v))],
                            "metric": metric, "value": v}) for (area, metric), v in rows.items()]
    return pd.concat(frames, ignore_index=True)


def test_drift_check_runs_with_open_work_and_names_drifting_and_collapsing_areas() -> None:
    """From today's open work there is no warm-up to check, but a CAP area whose open cases keep
    rising (a backlog building: its outputs depend on the horizon) and an area live from the start
    whose CIRs on time collapse are named; steady areas are not."""
    rng = np.random.default_rng(5)
    data = scenario_dict(defaults__initial_state={"open_cases_per_weekly_application": 20}, horizon_months=48)
    data["areas"].append({**data["areas"][0], "name": "Liveshire", "go_live": data["start"]})  # live from the start
    data["areas"][0]["go_live"] = "2035-01-01"  # CAP throughout
    run = config(data)
    capshire, liveshire = (a.name for a in run.areas)
    steady = 100 + rng.normal(0, 2, 48)
    rising = np.linspace(100, 160, 48) + rng.normal(0, 2, 48)
    kept, collapsed = np.full(48, 0.95), np.concatenate([np.full(6, 0.95), np.linspace(0.9, 0.05, 42)])
    quiet = _areas_series({(capshire, "open_cases"): steady, (liveshire, "cir_on_time_share"): kept})
    assert transient_warnings(quiet, run) == []
    loud = _areas_series({(capshire, "open_cases"): rising, (liveshire, "cir_on_time_share"): collapsed})
    drift, collapse = transient_warnings(loud, run)
    assert "open cases under CAP keep moving" in drift and capshire in drift and "+" in drift
    assert "collapse" in collapse and liveshire in collapse and "95% -> " in collapse


@pytest.mark.parametrize("low, mean, high, words", [
    (0.91, 0.93, 0.95, ("met", "meets target")),
    (0.80, 0.85, 0.88, ("NOT met", "below target")),
    (0.85, 0.89, 0.93, ("too close to call (mean NOT met", "too close to call")),
    (0.87, 0.91, 0.95, ("too close to call (mean met", "too close to call")),
])
def test_the_terminal_and_the_report_give_one_verdict_on_a_target(low: float, mean: float, high: float,
                                                                  words: tuple[str, str]) -> None:
    """An interval that spans the target is 'too close to call' on both screens (the terminal said
    'NOT met' where the report said 'too close to call')."""
    from cfc_sim.at_risk import TargetCheck
    from cfc_sim.report.views import kpi_verdict
    from cfc_sim.scenario.schema import TargetsConfig

    check = TargetCheck("cir_on_time_share", "CIRs on time", mean, low, high, "at least 90.0%", mean >= 0.9,
                        certain=low >= 0.9 or high < 0.9)
    _, report = kpi_verdict("cir_on_time_share", pd.Series({"mean": mean, "ci_low": low, "ci_high": high}),
                            TargetsConfig(cir_working_days=40, cir_on_time_share=0.9, children_seen_share=0.75))
    assert check.verdict.startswith(words[0]) and report.startswith(words[1])
    assert ("too close to call" in check.verdict) == ("too close to call" in report)


def test_an_area_going_live_after_the_run_is_named_as_not_judged(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A proposed rollout may move an area past the horizon: 'at risk: none' must not pass for it too."""
    data = scenario_dict(horizon_months=4, replications=1,
                         areas=[{"name": "Nowshire", "go_live": "2026-04-01"},
                                {"name": "Latershire", "go_live": "2030-01-06"}])
    path = tmp_path / "late.yaml"
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str))), encoding="utf-8")
    code, out, err = invoke(["run", str(path), "--out", str(tmp_path / "run")], capsys)
    assert code == 0, err
    assert ("Not judged: 1 area(s) planned to go live on or after the run's end 2026-08-01: "
            "Latershire (2030-01-06)") in out
    assert "every area files" not in out


def test_one_replication_gives_no_interval_and_judges_no_target(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """One replication's 'interval' is its value: the terminal had printed '95% CI 77.1% to 77.1%' and
    'met', the report 'meets target', where five replications said 'too close to call'."""
    from cfc_sim.report.views import kpi_verdict
    from cfc_sim.scenario.schema import TargetsConfig

    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(scenario_dict(name="one", horizon_months=6, replications=1,
                                                 areas=[{"name": "Steadyshire", "go_live": "2025-01-06"}])),
                    encoding="utf-8")
    code, out, err = invoke(["run", str(path), "--out", str(tmp_path / "run")], capsys)
    assert code == 0, err
    assert "1 replication, 1 area," in out and "use --reps 2 or more" in out
    line = next(x for x in out.splitlines() if "CIRs within 8 working weeks" in x)
    assert "(one replication: no interval)" in line and "95% CI" not in line and "not judged" in line
    targets = TargetsConfig(cir_working_days=40, cir_on_time_share=0.9, children_seen_share=0.75)
    row = pd.Series({"mean": 0.95, "ci_low": 0.95, "ci_high": 0.95, "n_reps": 1})
    assert kpi_verdict("cir_on_time_share", row, targets)[1].startswith("not judged")
    assert kpi_verdict("cir_on_time_share", pd.Series({"mean": 0.95, "ci_low": 0.93, "ci_high": 0.97, "n_reps": 5}),
                       targets)[1] == "meets target"
    assert kpi_verdict("cir_working_days_mean", row, targets) == ("", "")


def test_the_terminal_the_report_and_compare_name_the_same_targets() -> None:
    """One definition of the scenario's targets (children seen had been a 'target' in the terminal and
    an 'aim' in the report and compare)."""
    from cfc_sim.metric_catalogue import scenario_targets
    from cfc_sim.scenario.schema import TargetsConfig

    targets = scenario_targets(TargetsConfig(cir_working_days=40, cir_on_time_share=0.9, children_seen_share=0.75))
    assert set(targets) == {"cir_on_time_share", "children_seen_share"}
    assert targets["children_seen_share"].words == "at least 75%" and targets["children_seen_share"].higher_is_better


def test_months_not_ready_count_at_most_a_year_so_go_live_dates_do_not_rank_the_areas(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two areas red at go-live and never ready: the run's end cuts the months counted, so uncapped an
    area due early in the run outranked one due late for that reason alone (a review found Greater
    Manchester, 57% of CIRs on time, 26th, and South Yorkshire, the same 57%, 3rd)."""
    import cfc_sim.at_risk as at_risk
    from cfc_sim.readiness_view import AreaStatus

    run = config(scenario_dict(name="late", horizon_months=48, replications=2,
                               areas=[{"name": "Early", "go_live": "2026-07-06"},
                                      {"name": "Late", "go_live": "2029-07-02"}]))
    views = {name: AreaStatus(name, "", "", month, "red", ("police: no",), ("partnerships",), "P", True, "", None)
             for name, month in (("Early", "2026-07"), ("Late", "2029-07"))}
    monkeypatch.setattr(at_risk, "area_statuses", lambda readiness, cfg: list(views.values()))
    empty = pd.DataFrame(columns=["area", "pathway", "metric", "mean", "ci_low", "ci_high", "n_reps"])
    risks = {r.area: r for r in areas_at_risk(empty, pd.DataFrame(), run)}
    assert risks["Early"].score == at_risk.RED_POINTS + at_risk.MAX_LATE_MONTHS  # 45 months not ready, counted as 12
    assert risks["Late"].score == at_risk.RED_POINTS + 9  # July 2029 to the run's end, April 2030


def test_an_area_with_cirs_in_one_replication_only_shows_no_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """A late go-live may have CIRs in one run only: its 'interval' is that run's value, and the
    at-risk line had printed '95% CI 57% to 57%' (found by a review)."""
    import cfc_sim.at_risk as at_risk
    from cfc_sim.readiness_view import AreaStatus

    run = config(scenario_dict(name="one", horizon_months=24, replications=3,
                               areas=[{"name": "Lateham", "go_live": "2026-07-06"}]))
    monkeypatch.setattr(at_risk, "area_statuses", lambda readiness, cfg: [
        AreaStatus("Lateham", "", "", "2026-07", "green", (), (), "", True, "", "2026-07")])
    row = {"area": "Lateham", "pathway": "all", "metric": "cir_on_time_share", "mean": 0.57, "ci_low": 0.57,
           "ci_high": 0.57}
    one = areas_at_risk(pd.DataFrame([{**row, "n_reps": 1}]), pd.DataFrame(), run)
    assert "CIRs on time 57% vs target 90%" in one[0].reasons[0] and "95% CI" not in one[0].reasons[0]
    three = areas_at_risk(pd.DataFrame([{**row, "ci_low": 0.4, "ci_high": 0.7, "n_reps": 3}]), pd.DataFrame(), run)
    assert "(95% CI 40% to 70%)" in three[0].reasons[0]
