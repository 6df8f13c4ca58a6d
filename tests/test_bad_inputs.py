"""A battery of malformed scenarios and hostile names (issue 10): every one gives exit 2 from both
`cfc-sim validate` and `cfc-sim run`, exactly one message naming the file and the key path (with
the area's name where the problem is in an area), no traceback, nothing written, and no waiting.

Each case starts from the small example scenario (`cfc_sim.scenario.examples.scenario_dict`,
one area called Testshire) and breaks one thing.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_runner import invoke

from cfc_sim.scenario.examples import modelled_dict, scenario_dict

AREA = "areas[0] (Testshire)"
SECONDS = 10.0  # a bad input is refused at once, not after reading gigabytes or waiting on a pipe


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Path]  # writes the bad input under the folder, returns the path to give
    key: str | None  # the key path the one message must name (None: the file as a whole)
    words: tuple[str, ...] = ()
    file: str | None = None  # the file the message names, when not the one given (an extended file)


def _write(folder: Path, data: dict[str, Any], name: str = "bad.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def changed(mutate: Callable[[dict[str, Any]], Any]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        data = copy.deepcopy(scenario_dict())
        mutate(data)
        return _write(folder, data)
    return build


def setting(path: str, value: Any) -> Callable[[Path], Path]:
    """The example with one dotted key set (`areas.0.name` indexes the areas list)."""
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[parts[-1]] = value
    return changed(mutate)


def area_setting(path: str, value: Any) -> Callable[[Path], Path]:
    return setting(f"areas.0.{path}", value)


def two_areas(first: str, second: str) -> Callable[[Path], Path]:
    return changed(lambda d: d.update(areas=[{"name": first, "go_live": "2026-04-01"},
                                             {"name": second, "go_live": "2026-04-01"}]))


def snapshot(text: str | None = None, special: str | None = None) -> Callable[[Path], Path]:
    """The area's open cases from a snapshot CSV holding `text`, or a special file instead."""
    def build(folder: Path) -> Path:
        target = _special(folder / "open.csv", special) if special else folder / "open.csv"
        if text is not None:
            target.write_text(text, encoding="utf-8")
        data = scenario_dict()
        data["areas"][0]["initial_state"] = {"snapshot_csv": str(target)}
        return _write(folder, data)
    return build


def outside_snapshot() -> Callable[[Path], Path]:
    """A snapshot CSV in the folder above the scenario's (a scenario from elsewhere reaching out)."""
    def build(folder: Path) -> Path:
        inner = folder / "scenario"
        inner.mkdir()
        (folder / "open.csv").write_text("pathway,stage,count\ncap,report,3\n", encoding="utf-8")
        data = scenario_dict()
        data["areas"][0]["initial_state"] = {"snapshot_csv": "../open.csv"}
        return _write(inner, data)
    return build


def modelled(*, hours: bool, court: bool, without: str | None = None, sitting: float | None = None,
             set_key: tuple[str, str, float] | None = None) -> Callable[[Path], Path]:
    """The example with FCA hours and/or a court (`without` one key of it; a sitting-day rate)."""
    def build(folder: Path) -> Path:
        data = modelled_dict(hours=hours, court=court)
        if without is not None:
            block, key = without.split(".")
            del data["defaults"][block][key]
        if sitting is not None:
            data["defaults"]["court"]["sitting_days_per_week"] = sitting
        if set_key is not None:
            block, key, value = set_key
            if key == "hours":  # the casework share of the FCA hours block
                data["defaults"][block][key]["casework_share"] = value
            else:
                data["defaults"][block][key] = value
        return _write(folder, data)
    return build


def extends(special: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        target = _special(folder / "parent.yaml", special)
        return _write(folder, {"extends": str(target), "name": "child"})
    return build


def given(special: str) -> Callable[[Path], Path]:
    """A special file given as the scenario itself."""
    return lambda folder: _special(folder / "bad.yaml", special)


def _special(path: Path, kind: str) -> Path:
    if kind == "dev-zero":
        return Path("/dev/zero")
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "huge":
        with open(path, "wb") as handle:  # sparse: large on paper, nothing on disk
            handle.truncate(50_000_000)
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind != "missing":
        raise AssertionError(kind)
    return path


def uncertain(parameters: dict[str, Any]) -> Callable[[Path], Path]:
    return changed(lambda d: d.update(uncertainty={"parameters": parameters}))


def intervention(**fields: Any) -> Callable[[Path], Path]:
    entry = {"at": "2026-06-01", "area": "Testshire", "set": {"workforce.establishment": 12}, **fields}
    return changed(lambda d: d.update(interventions=[entry]))


def typo_with_areas_and_interventions(data: dict[str, Any]) -> None:
    """One misspelt default in a file whose areas all rely on it, with an intervention naming one."""
    data["defaults"]["workforce"]["anual_turnover"] = data["defaults"]["workforce"].pop("annual_turnover")
    data["areas"] = [{"name": n, "go_live": "2026-04-01"} for n in ("Kent", "Wiltshire & Swindon", "Essex")]
    data["interventions"] = [{"at": "2026-06-01", "area": "Wiltshire & Swindon",
                              "set": {"workforce.establishment": 12}}]


NAMES = [
    ("empty", ""), ("spaces", "   "), ("all-caps", "ALL"), ("all-lower", "all"), ("all-mixed", "All"),
    ("formula", "=SUM(A1:A9)"), ("plus", "+44 Area"), ("minus", "-Kent"), ("at-sign", "@Kent"),
    ("escape", "Kent\x1b[31m"), ("bell", "Kent\x07"), ("tab", "Ke\tnt"), ("newline", "Kent\nEssex"),
    ("leading-space", " Kent"), ("trailing-space", "Kent "), ("zero-width", "\u200bKent"),
    ("nul", "Ke\x00nt"), ("too-long", "K" * 101), ("carriage-return", "Kent\r"),
    ("delete-char", "Kent\x7f"),
]
NOT_TEXT = [("number", 123), ("null", None), ("list", ["Kent"]), ("bool", True), ("mapping", {"a": 1})]

CASES: list[Case] = [
    *[Case(f"area-name-{i}", area_setting("name", v), "areas[0]", ()) for i, v in NAMES],
    *[Case(f"area-name-{i}", area_setting("name", v), "areas[0]", ()) for i, v in NOT_TEXT],
    *[Case(f"region-{i}", area_setting("region", v), "areas[0]", ()) for i, v in NAMES if v.strip() or i == "empty"],
    Case("duplicate-names", two_areas("Kent", "Kent"), "areas[1] (Kent).name", ("duplicate",)),
    Case("duplicate-names-ignoring-case", two_areas("Kent", "KENT"), "areas[1] (KENT).name", ("duplicate",)),
    # dates outside 1900-2200, or not dates
    Case("start-year-1", setting("start", "0001-01-01"), "start", ("1900-01-01",)),
    Case("start-year-9999", setting("start", "9999-12-31"), "start", ("2200-12-31",)),
    Case("start-1899", setting("start", "1899-12-31"), "start", ("1900",)),
    Case("start-2201", setting("start", "2201-01-01"), "start", ("2200",)),
    Case("horizon-past-2200", changed(lambda d: d.update(start="2200-06-01", horizon_months=24)),
         "horizon_months", ("2200-12-31",)),
    Case("go-live-year-1", area_setting("go_live", "0001-01-01"), f"{AREA}.go_live", ("1900",)),
    Case("go-live-year-9999", area_setting("go_live", "9999-12-31"), f"{AREA}.go_live", ("2200",)),
    Case("partnership-1800", setting("defaults.partnerships.idva", "1800-01-01"), "defaults.partnerships.idva",
         ("1900",)),
    Case("bank-holiday-3000", setting("calendar", {"bank_holidays": ["3000-01-01"]}), "calendar.bank_holidays[0]",
         ("2200",)),
    Case("intervention-year-9999", intervention(at="9999-01-01"), "interventions[0].at", ("2200",)),
    Case("impossible-day", area_setting("go_live", "2026-02-30"), f"{AREA}.go_live", ("date", "'2026-02-30'")),
    Case("slashes", setting("start", "2026/04/01"), "start", ("YYYY-MM-DD",)),
    Case("date-as-number", setting("start", 20260401), "start", ("YYYY-MM-DD",)),
    Case("date-and-time", setting("start", "2026-04-01T10:00:00"), "start", ("date",)),
    Case("date-as-word", area_setting("go_live", "yesterday"), f"{AREA}.go_live", ("date",)),
    # files that are not regular files, or too large, are refused before reading
    Case("scenario-dev-zero", given("dev-zero"), None, ("not a regular file",)),
    Case("scenario-fifo", given("fifo"), None, ("not a regular file",)),
    Case("scenario-huge", given("huge"), None, ("bytes",)),
    Case("scenario-binary", given("binary"), None, ("UTF-8",)),
    Case("snapshot-dev-zero", snapshot(special="dev-zero"), f"{AREA}.initial_state.snapshot_csv",
         ("outside the scenario's folder",)),
    Case("snapshot-outside-folder", outside_snapshot(), f"{AREA}.initial_state.snapshot_csv",
         ("outside the scenario's folder", "snapshot_outside_folder")),
    Case("cap-hours-without-workforce-hours", modelled(hours=True, court=False, without="workforce.hours"),
         "defaults.cap.hours", ("cap.hours", "no effect", "workforce.hours")),
    Case("sitting-days-below-floor", modelled(hours=False, court=True, sitting=1e-9),
         "defaults.court.sitting_days_per_week", ("0.1", "1e-09")),
    Case("sitting-hours-below-floor",
         modelled(hours=False, court=True, set_key=("court", "hours_per_sitting_day", 1e-6)),
         "defaults.court.hours_per_sitting_day", ("0.5",)),
    Case("casework-share-below-floor", modelled(hours=True, court=False, set_key=("workforce", "hours", 1e-6)),
         "defaults.workforce.hours.casework_share", ("0.05",)),
    Case("snapshot-fifo", snapshot(special="fifo"), f"{AREA}.initial_state.snapshot_csv", ("not a regular file",)),
    Case("snapshot-folder", snapshot(special="folder"), f"{AREA}.initial_state.snapshot_csv", ("folder",)),
    Case("snapshot-missing", snapshot(special="missing"), f"{AREA}.initial_state.snapshot_csv", ("not found",)),
    Case("snapshot-huge", snapshot(special="huge"), f"{AREA}.initial_state.snapshot_csv", ("bytes",)),
    Case("snapshot-binary", snapshot(special="binary"), f"{AREA}.initial_state.snapshot_csv", ("UTF-8",)),
    Case("snapshot-unknown-area", snapshot("area,pathway,stage,count\nTestshire,cap,report,3\nKnet,cap,report,4\n"),
         f"{AREA}.initial_state.snapshot_csv", ("line 3", "Knet")),
    Case("snapshot-bad-count", snapshot("pathway,stage,count\ncap,report,three\n"),
         f"{AREA}.initial_state.snapshot_csv", ("line 2", "whole-number")),
    Case("snapshot-no-count-column", snapshot("pathway,stage\ncap,report\n"), f"{AREA}.initial_state.snapshot_csv",
         ("count",)),
    Case("snapshot-bad-stage", snapshot("pathway,stage,count\ncap,cir,3\n"), f"{AREA}.initial_state.open_cases[0]",
         ("not a CAP stage",)),
    Case("extends-dev-zero", extends("dev-zero"), "extends", ("not a regular file",)),
    Case("extends-fifo", extends("fifo"), "extends", ("not a regular file",)),
    Case("extends-folder", extends("folder"), "extends", ("not a regular file",)),
    Case("extends-missing", extends("missing"), "extends", ("not found",)),
    Case("extends-huge", extends("huge"), None, ("bytes",), file="parent.yaml"),
    # bounds a real planner could need, with headroom; beyond them a run would take hours or GBs
    Case("applications-5001", area_setting("demand", {"applications_per_week": 5001}),
         f"{AREA}.demand.applications_per_week", ("5000",)),
    Case("applications-100000", setting("defaults.demand.applications_per_week", 100_000),
         "defaults.demand.applications_per_week", ("5000",)),
    Case("fcas-5001", area_setting("workforce", {"fcas": 5001}), f"{AREA}.workforce.fcas", ("5000",)),
    Case("fcas-100000", setting("defaults.workforce.fcas", 100_000), "defaults.workforce.fcas", ("5000",)),
    Case("establishment-100000", setting("defaults.workforce.establishment", 100_000),
         "defaults.workforce.establishment", ("5000",)),
    Case("flexible-100000", setting("defaults.workforce.flexible.max_fte", 100_000),
         "defaults.workforce.flexible.max_fte", ("5000",)),
    Case("seats-100000", setting("defaults.workforce.training.seats_per_month", 100_000),
         "defaults.workforce.training.seats_per_month", ("5000",)),
    Case("open-cases-600000", area_setting("initial_state", {"open_cases": [
        {"pathway": "cap", "stage": "report", "count": 600_000}]}), f"{AREA}.initial_state.open_cases[0].count",
        ("500000",)),
    Case("open-cases-total", area_setting("initial_state", {"open_cases": [
        {"pathway": "cap", "stage": "report", "count": 200_000}] * 3}), f"{AREA}.initial_state.open_cases",
        ("600,000",)),
    Case("open-per-weekly-1000", setting("defaults.initial_state", {"open_cases_per_weekly_application": 1000.0}),
         "defaults.initial_state.open_cases_per_weekly_application", ("100",)),
    Case("growth-1000-percent", setting("defaults.demand.annual_growth", 10.0), "defaults.demand.annual_growth",
         ("1",)),
    Case("seasonality-100", setting("defaults.demand.seasonality", [100.0] * 12), "defaults.demand.seasonality",
         ("items 0, 1", "10")),
    Case("peak-demand-seasonal", changed(lambda d: d["defaults"]["demand"].update(
        applications_per_week=4000, seasonality=[10.0] + [1.0] * 11)), f"{AREA}.demand", ("a week",)),
    Case("peak-demand-growth", changed(lambda d: (d["defaults"]["demand"].update(
        applications_per_week=4000, annual_growth=1.0), d.update(horizon_months=36))), f"{AREA}.demand",
        ("a week",)),
    Case("too-many-areas", changed(lambda d: d.update(areas=[{"name": f"A{i}", "go_live": "2026-04-01"}
                                                             for i in range(501)])), "areas", ("500",)),
    Case("too-many-interventions", changed(lambda d: d.update(interventions=[
        {"at": "2026-06-01", "area": "Testshire", "set": {"workforce.establishment": 12}}] * 10_001)),
        "interventions", ("10000",)),
    Case("replications-0", setting("replications", 0), "replications", ("1",)),
    Case("horizon-0", setting("horizon_months", 0), "horizon_months", ("1",)),
    # values in defaults are checked even when every area overrides them
    Case("defaults-overridden-negative", changed(lambda d: (d["defaults"]["workforce"].update(fcas=-1),
                                                            d["areas"][0].update(workforce={"fcas": 3}))),
         "defaults.workforce.fcas", ("-1",)),
    Case("defaults-overridden-share", changed(lambda d: (d["defaults"]["demand"].update(high_risk_share=1.5),
                                                         d["areas"][0].update(demand={"high_risk_share": 0.2}))),
         "defaults.demand.high_risk_share", ("1.5",)),
    Case("defaults-overridden-distribution", changed(lambda d: (
        d["defaults"]["cfc"].update(intake_days={"dist": "triangular", "low": 15, "mode": 10, "high": 5}),
        d["areas"][0].update(cfc={"intake_days": {"dist": "fixed", "value": 10}}))),
        "defaults.cfc.intake_days", ("low <= mode <= high",)),
    Case("defaults-overridden-text-for-number", changed(lambda d: (
        d["defaults"]["workforce"].update(caseload_cap="twenty"), d["areas"][0].update(workforce={"caseload_cap": 9}))),
        "defaults.workforce.caseload_cap", ("twenty",)),
    # one typo gives one error, at the right key
    Case("typo-in-defaults-many-areas", changed(typo_with_areas_and_interventions),
         "defaults.workforce.anual_turnover", ("did you mean 'annual_turnover'",)),
    Case("typo-in-area", changed(lambda d: d["areas"][0].update(workforce={"fcass": 3})), f"{AREA}.workforce.fcass",
         ("did you mean 'fcas'",)),
    Case("typo-in-block-name", changed(lambda d: d["defaults"].update(workfroce=d["defaults"].pop("workforce"))),
         "defaults.workfroce", ("did you mean 'workforce'",)),
    Case("typo-top-level", changed(lambda d: d.update(horizon_month=d.pop("horizon_months"))), "horizon_month",
         ("did you mean 'horizon_months'",)),
    Case("required-key-missing-everywhere", changed(lambda d: (
        d["defaults"]["workforce"].pop("annual_turnover"),
        d.update(areas=[{"name": n, "go_live": "2026-04-01"} for n in ("Kent", "Essex")]))),
        "defaults.workforce.annual_turnover", ("required key is missing",)),
    Case("bad-area-and-intervention-on-it", changed(lambda d: (
        d["areas"][0].update(workforce={"fcas": -2}),
        d.update(interventions=[{"at": "2026-06-01", "area": "Testshire", "set": {"workforce.fcas": 4}}]))),
        f"{AREA}.workforce.fcas", ("-2",)),
    # uncertainty ranges are judged by every value they can draw, before anything runs
    Case("uncertain-share-above-1", uncertain({"workforce.hire_success": [0.5, 1.5]}),
         "uncertainty.parameters.workforce.hire_success", ("high end",)),
    Case("uncertain-lognormal-share", uncertain({"demand.high_risk_share": {"dist": "lognormal", "mean": 0.2,
                                                                             "sd": 0.05}}),
         "uncertainty.parameters.demand.high_risk_share", ("no upper limit",)),
    Case("uncertain-relative-overflow", uncertain({"cfc.cafcass_cir_share": {"dist": "uniform", "low": 1.0,
                                                                              "high": 3.0, "relative": True}}),
         "uncertainty.parameters.cfc.cafcass_cir_share", ("high end",)),
    Case("uncertain-fcas-beyond-max", uncertain({"workforce.fcas": [1, 6000]}),
         "uncertainty.parameters.workforce.fcas", ("5000",)),
    Case("uncertain-caseload-zero", uncertain({"workforce.caseload_cap": [0, 10]}),
         "uncertainty.parameters.workforce.caseload_cap", ("low end",)),
    Case("uncertain-unknown-area", uncertain({"areas.Nowhere.workforce.fcas": [1, 2]}),
         "uncertainty.parameters.areas.Nowhere.workforce.fcas", ("area",)),
    Case("uncertain-empty-part", uncertain({"workforce..fcas": [1, 2]}), "uncertainty.parameters.workforce..fcas",
         ("empty part",)),
    Case("uncertain-a-block", uncertain({"workforce.sickness": [1, 2]}), "uncertainty.parameters.workforce.sickness",
         ("numeric",)),
    Case("uncertain-a-date", uncertain({"partnerships.idva": [1, 2]}), "uncertainty.parameters.partnerships.idva",
         ("numeric",)),
    Case("uncertain-top-level-key", uncertain({"horizon_months": [1, 2]}), "uncertainty.parameters.horizon_months",
         ("numeric",)),
    # interventions: validated cumulatively, at the key that is wrong
    Case("intervention-beyond-max", intervention(set={"workforce.fcas": 200_000}),
         "interventions[0].set.workforce.fcas", ("5000",)),
    Case("intervention-whole-block", intervention(set={"workforce": {"fcas": 3}}), "interventions[0].set.workforce",
         ("whole block",)),
    Case("intervention-unknown-key", intervention(set={"workforce.fcass": 3}), "interventions[0].set.workforce.fcass",
         ("per-area",)),
    Case("intervention-before-start", intervention(at="2020-01-01"), "interventions[0].at", ("before",)),
    Case("intervention-unknown-area", intervention(area="Atlantis"), "interventions[0].area", ("Atlantis",)),
    Case("intervention-hostile-area", intervention(area="=cmd|' /C calc'!A0"), "interventions[0].area",
         ("no area named",)),
    Case("intervention-cumulative", changed(lambda d: (
        d["defaults"]["prioritisation"].update(activate_queue=50, deactivate_queue=20),
        d.update(interventions=[
            {"at": "2026-09-01", "area": "Testshire", "set": {"prioritisation.deactivate_queue": 40}},
            {"at": "2026-06-01", "area": "Testshire", "set": {"prioritisation.activate_queue": 30}}]))),
        "interventions[0].set.prioritisation", ("must not exceed",)),
    # hostile scenario names and descriptions of other kinds
    Case("scenario-name-escape", setting("name", "run\x1b]0;pwned\x07"), "name", ()),
    Case("scenario-name-path", setting("name", "../../etc"), "name", ()),
    Case("scenario-name-formula", setting("name", "=HYPERLINK(1)"), "name", ()),
]


def _one_clear_message(case: Case, path: Path, err: str, out: str) -> None:
    assert "Traceback" not in err + out and "internal error" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one message, got:\n{err}"
    assert (str(path.parent / case.file) if case.file else str(path)) in lines[0], err
    if case.key is not None:
        assert f": {case.key}" in lines[0], err
    for word in case.words:
        assert word in lines[0], (word, err)


def test_the_battery_is_large_enough() -> None:
    assert len(CASES) >= 100 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_by_validate_and_run_alike(case: Case, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = case.build(tmp_path)
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        started = time.perf_counter()
        code, out, err = invoke(argv, capsys)
        assert time.perf_counter() - started < SECONDS, argv
        assert code == 2, (argv, out, err)
        _one_clear_message(case, path, err, out)
    assert not (tmp_path / "out").exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_a_snapshot_outside_the_folder_is_read_when_the_scenario_allows_it(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = outside_snapshot()(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["areas"][0]["initial_state"]["snapshot_outside_folder"] = True
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, _, err = invoke(["validate", str(path)], capsys)
    assert code == 0, err
