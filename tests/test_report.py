"""The leaders' report (`cfc-sim report`): the Excel workbook, the self-contained HTML page, the page in a
real headless browser, and the command line.

One small results folder (the commented two-area example, two replications) is made per module.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from cli_runner import invoke
from scenario_factory import scenario_dict

import cfc_sim
from cfc_sim.metric_catalogue import BY_NAME
from cfc_sim.report import write_html, write_xlsx
from cfc_sim.report.workbook import HEADER_WORDS, header_words
from cfc_sim.results import RunResult
from cfc_sim.results_reader import read_results

REPO = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "results"
    cfc_sim.run(REPO / "scenarios" / "example-small.yaml", reps=2, out=out)
    return out


@pytest.fixture(scope="module")
def result(folder: Path) -> RunResult:
    return read_results(folder)


@pytest.fixture(scope="module")
def html_report(folder: Path, result: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_html(result, folder, tmp_path_factory.mktemp("html") / "report.html")


# Four areas with known risks: one FCA for ten applications a week (far below the CIR target), two FCAs
# for fourteen (below it), one ready in every way, and one whose police partnership starts only after its
# go-live (red at go-live, on target once live).
AT_RISK_AREAS = [
    {"name": "Fineshire", "region": "North", "go_live": "2026-04-01"},
    {"name": "Overloadshire", "region": "North", "go_live": "2026-04-01", "workforce": {"fcas": 1, "establishment": 1}},
    {"name": "Squeezeshire", "region": "South", "go_live": "2026-04-01",
     "workforce": {"fcas": 2, "establishment": 2}, "demand": {"applications_per_week": 14}},
    {"name": "Lateshire", "region": "South", "go_live": "2026-09-01", "partnerships": {"police": "2027-02-01"}},
]


def at_risk_scenario(folder: Path, name: str = "at-risk", **changes: object) -> Path:
    data = scenario_dict(name=name, horizon_months=12, replications=2, seed=5, **changes)
    data["areas"] = [dict(a) for a in AT_RISK_AREAS]
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def risky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("at-risk")
    cfc_sim.run(at_risk_scenario(tmp), out=tmp / "results")
    return tmp / "results"


class _Tags(HTMLParser):
    """Collects every tag with its attributes, and the text of table rows by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def _charts(folder: Path) -> list[Path]:
    return sorted((folder / "charts").glob("*.png"))


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


# --------------------------------------------------------------------------- workbook


def test_workbook_area_inputs_sheet_has_one_row_per_area_with_headers_in_words(result: RunResult,
                                                                               tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(write_xlsx(result, tmp_path / "report.xlsx"))
    rows = list(wb["Area inputs"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Area", "Region", "Planned go-live", "FCAs in post at the start")
    assert all(" " in h or h in ("Area", "Region") for h in header)  # words, not key paths
    assert not any("_" in h or "." in h for h in header)
    areas = result.config.areas
    assert [r[0] for r in rows[1:]] == [a.name for a in areas]
    first = dict(zip(header, rows[1], strict=True))
    assert first["FCAs in post at the start"] == areas[0].workforce.fcas
    assert first["Planned go-live"].date() == areas[0].go_live
    assert first["FCAs leaving a year (share of those in post)"] == pytest.approx(areas[0].workforce.annual_turnover)


def test_workbook_has_the_four_sheets_and_the_summary_rows(result: RunResult, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = write_xlsx(result, tmp_path / "report.xlsx")
    assert path == tmp_path / "report.xlsx"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary file left behind
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Areas", "Summary", "Readiness", "Monthly", "Area inputs", "Scenario"]

    summary = wb["Summary"]
    rows = list(summary.iter_rows(values_only=True))
    assert list(rows[0]) == [header_words(c) for c in result.summary.columns]  # words, not ci_low
    assert "95% interval: low" in rows[0] and "ci_low" not in rows[0]
    assert len(rows) - 1 == len(result.summary)
    first = result.summary.iloc[0]
    assert rows[1][:3] == (first["area"], first["pathway"], first["metric"])
    assert rows[1][3] == pytest.approx(first["mean"])
    assert summary.freeze_panes == "A2"

    readiness = wb["Readiness"]
    assert readiness.max_row - 1 == len(result.readiness)
    assert [c.value for c in readiness[1]] == [header_words(c) for c in result.readiness.columns]
    assert readiness.conditional_formatting  # RAG fills on the status column

    # Monthly: one row per area and month, one column per metric holding the mean across replications
    monthly = wb["Monthly"]
    summary_rows = result.monthly_summary()
    metrics = list(summary_rows["metric"].drop_duplicates())
    assert [c.value for c in monthly[1]] == ["Court area", "Month", *(header_words(m) for m in metrics)]
    assert len({c.value for c in monthly[1]}) == len(metrics) + 2  # no two metrics under one header
    # every header in words a leader reads ("Fte in post", "Open cap cases" had been the code names with spaces)
    assert all(m in HEADER_WORDS or m in BY_NAME for m in metrics), [m for m in metrics
                                                                     if m not in HEADER_WORDS and m not in BY_NAME]
    means = {(r.area, dt.datetime(int(r.month[:4]), int(r.month[5:7]), 1), r.metric): r.mean
             for r in summary_rows.itertuples()}
    keys = list(dict.fromkeys((a, m) for a, m, _ in means))  # monthly_summary's order of areas and months
    rows = list(monthly.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == keys  # every area-month, once, in order
    assert len(keys) == result.timeseries.groupby(["area", "month"]).ngroups
    for area, month, *values in rows:
        for metric, value in zip(metrics, values, strict=True):
            expected = means.get((area, month, metric), math.nan)  # no such series, or no value: an empty cell
            assert value == (None if math.isnan(expected) else pytest.approx(expected, rel=1e-12)), (area, month,
                                                                                                     metric)
    first = {c.value: k for k, c in enumerate(monthly[1], start=1)}
    assert monthly.cell(row=2, column=2).is_date and monthly.cell(row=2, column=2).number_format == "mmm yyyy"
    assert monthly.cell(row=2, column=first[header_words("cir_on_time_share")]).number_format == "0.0%"
    assert monthly.cell(row=2, column=first[header_words("open_cases")]).number_format == "#,##0.00"
    last = monthly.cell(row=1, column=len(first)).column_letter
    assert monthly.freeze_panes == "A2" and monthly.auto_filter.ref == f"A1:{last}{len(rows) + 1}"

    scenario = {k: v for k, v in wb["Scenario"].iter_rows(min_row=2, values_only=True)}
    for key in ("name", "description", "start", "horizon_months", "replications", "seed", "readiness.policy",
                "readiness.max_vacancy_rate", "targets.cir_on_time_share", "scenario_sha256", "command",
                "cfc_sim_version", "python", "simpy"):
        assert key in scenario, key
    assert scenario["name"] == result.config.name
    assert scenario["scenario_sha256"] == result.manifest["scenario_sha256"]
    assert scenario["command"] == result.manifest["command"]


# --------------------------------------------------------------------------- HTML


def test_html_is_self_contained_and_embeds_every_chart(folder: Path, html_report: Path) -> None:
    text = html_report.read_text(encoding="utf-8")
    tags = _parse(text)
    images = [attrs for tag, attrs in tags if tag == "img"]
    charts = _charts(folder)
    assert len(charts) >= 4
    assert len(images) == len(charts)
    for attrs in images:
        assert (attrs.get("src") or "").startswith("data:image/png;base64,")
    for tag, attrs in tags:
        for name in ("src", "href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), (tag, name, value)
        if tag == "link":
            assert attrs.get("rel") != "stylesheet", "stylesheets must be inline"
        if tag == "script":
            assert "src" not in attrs, "scripts must be inline"
    assert "@import" not in text and "url(http" not in text
    for chart in charts:  # each chart has a caption naming it
        assert f"<strong>{chart.name}</strong>" in text


def test_html_has_readiness_rows_months_and_the_reproduce_command(result: RunResult, html_report: Path) -> None:
    text = html_report.read_text(encoding="utf-8")
    assert result.config.name in text
    table = text[text.index('id="readiness-table"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == len(result.config.areas) + 1  # header + one row per area
    grid = text[text.index('id="status-grid"'):]
    grid = grid[:grid.index("</table>")]
    for area in result.config.areas:
        name = html.escape(area.name)
        assert f'<tr data-area="{name}"><td>{name}</td>' in table
        assert f'<td class="area">{name}</td>' in grid
    months = sorted(result.readiness["month"].unique())  # every month of the run: go-lives span years
    assert grid.count('<th class="month"') == len(months)
    assert text.count("<details data-month=") == len(months)
    # every red or amber cell explains itself in a tooltip
    cells = re.findall(r'<td class="cell status-(\w+)[^"]*" title="([^"]*)"', grid)
    assert len(cells) == len(months) * len(result.config.areas)
    for status, title in cells:
        if status in ("red", "amber"):
            assert " vs " in title or " in only " in title, title  # value vs threshold, or how often met
    for colour in ("#1F9E89", "#FFC20A", "#8B0000"):
        assert colour in text
    assert result.manifest["command"] in text
    reproduce = _section(text, 'id="reproduce-section"')  # a report sent on: where its scenario file is
    assert "<code>scenario.resolved.yaml</code> in the results folder" in reproduce and "moved" in reproduce
    assert result.manifest["scenario_sha256"] in text
    assert 'id="how"' in text and "95% interval" in text
    assert "chartsLoaded" in text


def _section(text: str, marker: str, end: str = "</section>") -> str:
    part = text[text.index(marker):]
    return part[:part.index(end)]


def test_html_judges_children_seen_on_cfc_cases(result: RunResult, html_report: Path) -> None:
    """Children seen is CFC's aim: the headline shows the CFC cases' share, named so, not a mix with
    CAP's section 7 cases."""
    text = html_report.read_text(encoding="utf-8")
    s = result.summary
    cfc = s[(s["area"] == "ALL") & (s["pathway"] == "cfc") & (s["metric"] == "children_seen_share")]
    assert not cfc.empty
    shown = re.search(r"Children seen by an FCA before the decision, CFC cases</td><td class=\"num\"><strong>"
                      r"([0-9.]+)%", text)
    assert shown is not None and float(shown.group(1)) == pytest.approx(100 * float(cfc["mean"].iloc[0]), abs=0.05)


def test_html_names_the_areas_most_at_risk_worst_first_with_reasons(risky: Path, tmp_path: Path) -> None:
    result = read_results(risky)
    text = write_html(result, risky, tmp_path / "report.html").read_text(encoding="utf-8")
    section = _section(text, '<section id="at-risk">')
    top = re.findall(r'<li class="top" data-area="([^"]+)"', section)
    assert len(top) == 3
    assert set(top) == {"Overloadshire", "Squeezeshire", "Lateshire"}  # Fineshire is on target and ready
    assert "Fineshire" not in section
    assert top[0] == "Overloadshire"  # one FCA for ten applications a week: the furthest below target
    s = result.summary
    share = s[(s["pathway"] == "all") & (s["metric"] == "cir_on_time_share")].set_index("area")["mean"]
    below = [a for a in top if share[a] < 0.9]
    assert below == sorted(below, key=lambda a: share[a])  # worst on-time share first
    assert top[-1] == "Lateshire"  # on target once live, but red at its planned go-live
    late = section[section.index('data-area="Lateshire"'):]
    assert "red at planned go-live 2026-09" in late and "partnerships in place 2 of 3 vs all 3" in late
    assert "ready from 2027-02, 5 months after its planned go-live" in late
    over = section[section.index('data-area="Overloadshire"'):]
    assert f"CIRs on time {share['Overloadshire']:.0%}" in over and "vs target 90%" in over
    assert "Most at risk: Overloadshire, " in section


def test_report_and_run_name_the_same_areas_at_risk_in_the_same_order(risky: Path) -> None:
    from cfc_sim.at_risk import areas_at_risk
    from cfc_sim.report.area_table import area_rows, at_risk

    result = read_results(risky)
    terminal = [(r.area, r.reasons) for r in areas_at_risk(result.summary, result.readiness, result.config,
                                                           monthly=result.monthly_summary())]
    assert [(r.area, r.reasons) for r in at_risk(area_rows(result))] == terminal


def test_html_area_table_has_every_area_against_the_targets(risky: Path, tmp_path: Path) -> None:
    result = read_results(risky)
    text = write_html(result, risky, tmp_path / "report.html").read_text(encoding="utf-8")
    table = _section(text, 'id="area-table"', "</table>")
    rows = re.findall(r'<tr data-area="([^"]+)">(.*?)</tr>', table, flags=re.S)
    assert [name for name, _ in rows] == [a["name"] for a in AT_RISK_AREAS]
    cells = {name: re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for name, row in rows}
    assert cells["Overloadshire"][0] == "1" and cells["Fineshire"][0] == ""  # risk rank
    assert "&#9888;" in cells["Overloadshire"][2]  # below the CIR target: marked, not colour alone
    assert "&#9888;" not in cells["Fineshire"][2]
    assert "LIVE" in cells["Fineshire"][7] and "RED" in cells["Lateshire"][7]
    assert cells["Lateshire"][8] == "Feb 2027"  # earliest ready: the police partnership's month
    assert cells["Fineshire"][9] == "on target and ready"
    assert cells["Lateshire"][9].startswith("red at planned go-live 2026-09")
    for header in ("CIRs on time (95% interval)", "Children seen", "Weeks to decision", "Open cases per FCA",
                   "Vacancy rate", "Status at planned go-live", "Ready month", "Why (main reason first)"):
        assert header in table


def test_html_shows_every_warning_of_the_run_escaped(folder: Path, tmp_path: Path) -> None:
    import json

    copy = tmp_path / "results"
    shutil.copytree(folder, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["warnings"] = ["warm-up check: queue settles late", "<script>alert(1)</script> & more"]
    (copy / "manifest.json").write_text(json.dumps(resealed(manifest)), encoding="utf-8")
    text = write_html(read_results(copy), copy, tmp_path / "r.html").read_text(encoding="utf-8")
    section = _section(text, '<section id="warnings">')
    assert section.count("<li>") == 2
    assert "warm-up check: queue settles late" in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in section and "<script>alert" not in text
    manifest["warnings"] = []
    (copy / "manifest.json").write_text(json.dumps(resealed(manifest)), encoding="utf-8")
    text = write_html(read_results(copy), copy, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "The run raised no warnings." in text


def _need_folder(tmp_path: Path, rows: str) -> Path:
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "need.csv").write_text("area,fte_now,fcas_needed_cfc,fcas_needed_cap,difference,ci_low,ci_high,"
                                   "confidence,cfc_rule,cap_rule,note\n" + rows, encoding="utf-8")
    return plan


def test_cli_report_shows_the_fca_need_of_a_plan(folder: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    plan = _need_folder(tmp_path, "ALL,46,9,7,2,1,4,0.8,cir_on_time_share>=0.9,wait,\n"
                                  "Dorset,26,5,3,2,1,3,0.8,cir_on_time_share>=0.9,wait,<b>odd</b>\n"
                                  "Wiltshire & Swindon,20,4,4,0,0,1,0.8,cir_on_time_share>=0.9,wait,\n")
    out = tmp_path / "board"
    code, _, err = invoke(["report", str(folder), "--need", str(plan), "--out", str(out)], capsys)
    assert code == 0, err
    text = (out / "report.html").read_text(encoding="utf-8")
    section = _section(text, '<section id="need">')
    assert "Both areas need " in section and "<td>Dorset</td>" in section and "+2" in section  # not England's
    assert "&lt;b&gt;odd&lt;/b&gt;" in section and "<b>odd" not in section  # an older need.csv: no parts, no years
    wb = openpyxl.load_workbook(out / "report.xlsx")
    need = list(wb["Need"].iter_rows(values_only=True))
    assert need[0][:7] == ("Court area", "FCAs in post now", "FCAs needed under CFC", "FCAs needed keeping CAP",
                           "Need (CFC less CAP)", "95% interval: low", "95% interval: high")
    assert len(need) == 4
    plain = invoke(["report", str(folder), "--html", "--out", str(tmp_path / "plain.html")], capsys)
    assert plain[0] == 0 and 'id="need"' not in (tmp_path / "plain.html").read_text(encoding="utf-8")


def test_cli_report_refuses_a_broken_need_file(folder: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "need.csv").write_text("area,fte_now\nDorset,3\n", encoding="utf-8")
    code, _, err = invoke(["report", str(folder), "--need", str(plan), "--out", str(tmp_path / "r.html")], capsys)
    assert code == 2 and "need.csv" in err and "lacks the column" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()
    code, _, err = invoke(["report", str(folder), "--need", str(tmp_path / "none"), "--out",
                           str(tmp_path / "r.html")], capsys)
    assert code == 2 and not (tmp_path / "r.html").exists()


def test_cli_report_says_a_plan_without_need_has_none(folder: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A plan run without --need has no need.csv: say so, not that need.csv was 'added since'."""
    from cfc_sim.output_folder import write_folder

    plan = tmp_path / "plan"
    write_folder(plan, "plan", lambda tmp: (tmp / "plan.csv").write_text("area\nDorset\n", encoding="utf-8"))
    code, _, err = invoke(["report", str(folder), "--need", str(plan), "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and "without --need" in err and "plan SCENARIO --need" in err and "added since" not in err
    assert not (tmp_path / "r").exists()


def test_cli_report_refuses_another_scenarios_need(folder: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A need of other areas, or from a plan of another scenario (its manifest names it), would be shown
    as this run's: refused, exit 2, nothing written."""
    from cfc_sim.output_folder import write_folder

    header = ("area,fte_now,fcas_needed_cfc,fcas_needed_cap,difference,ci_low,ci_high,confidence,cfc_rule,cap_rule,"
              "note\n")
    rows = "ALL,46,9,7,2,1,4,0.8,r,w,\nEssex,3,5,3,2,1,3,0.8,r,w,\n"
    plan = _need_folder(tmp_path, rows)
    code, _, err = invoke(["report", str(folder), "--need", str(plan), "--out", str(tmp_path / "r.html")], capsys)
    assert code == 2 and "Essex" in err and "another scenario" in err and "Traceback" not in err
    same_areas = "ALL,46,9,7,2,1,4,0.8,r,w,\nDorset,26,5,3,2,1,3,0.8,r,w,\n"
    other = write_folder(tmp_path / "other-plan", "plan",
                         lambda tmp: (tmp / "need.csv").write_text(header + same_areas, encoding="utf-8"),
                         details={"scenario_name": "national-rollout"})
    code, _, err = invoke(["report", str(folder), "--need", str(other), "--out", str(tmp_path / "r.html")], capsys)
    assert code == 2 and "'national-rollout'" in err and "'example-small'" in err
    assert not (tmp_path / "r.html").exists()
    some = "ALL,26,5,3,2,1,3,0.8,r,w,\nDorset,26,5,3,2,1,3,0.8,r,w,\n"  # a plan with --area Dorset: ALL is Dorset's
    partial = write_folder(tmp_path / "partial-plan", "plan",
                           lambda tmp: (tmp / "need.csv").write_text(header + some, encoding="utf-8"),
                           details={"scenario_name": "example-small"})
    code, _, err = invoke(["report", str(folder), "--need", str(partial), "--out", str(tmp_path / "r.html")], capsys)
    assert code == 2 and "1 of this run's 2 areas" in err
    both = same_areas + "Wiltshire & Swindon,20,4,4,0,0,1,0.8,r,w,\n"
    mine = write_folder(tmp_path / "my-plan", "plan",
                        lambda tmp: (tmp / "need.csv").write_text(header + both, encoding="utf-8"),
                        details={"scenario_name": "example-small"})
    code, _, err = invoke(["report", str(folder), "--need", str(mine), "--out", str(tmp_path / "r.html")], capsys)
    assert code == 0, err
    # a variant that kept the base's name but has other staffing (a trial's "noname" variant: 28 in Dorset)
    other_staff = both.replace("Dorset,26,", "Dorset,28,")
    variant = write_folder(tmp_path / "variant-plan", "plan",
                           lambda tmp: (tmp / "need.csv").write_text(header + other_staff, encoding="utf-8"),
                           details={"scenario_name": "example-small"})
    code, _, err = invoke(["report", str(folder), "--need", str(variant), "--out", str(tmp_path / "r2.html")], capsys)
    assert code == 2 and "28 FCAs in post in Dorset, where this run has 26" in err


def test_workbook_areas_sheet_one_row_per_area_with_real_dates(risky: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    result = read_results(risky)
    wb = openpyxl.load_workbook(write_xlsx(result, tmp_path / "report.xlsx"))
    rows = list(wb["Areas"].iter_rows(values_only=True))
    from cfc_sim.report.area_table import area_frame, area_rows

    back = {header_words(c): c for c in area_frame(area_rows(result), result.config.header.targets).columns}
    header = [back[h] for h in rows[0]]  # the headers are words; the test reads them by column name
    assert len(rows) - 1 == len(result.config.areas)
    record = {r[header.index("area")]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    late = record["Lateshire"]
    assert late["planned_go_live"] == dt.datetime(2026, 9, 1)  # a date cell, not text
    assert late["ready_month"] == dt.datetime(2027, 2, 1)  # the one ready month, a date cell
    assert late["slip_months"] == 5 and "partnerships in place 2 of 3" in late["status_reason"]
    assert record["Fineshire"]["ready_month"] == "already live"
    assert late["status_at_go_live"] == "red" and late["risk_rank"] == 3
    assert record["Overloadshire"]["risk_rank"] == 1 and record["Fineshire"]["risk_rank"] is None
    assert record["Fineshire"]["status_at_go_live"] == "live"  # live before the run: no go-live to judge
    assert 0 <= record["Overloadshire"]["cir_on_time_share"] < 0.9
    sheet = wb["Areas"]
    assert sheet.cell(row=2, column=header.index("cir_on_time_share") + 1).number_format == "0.0%"
    assert sheet.cell(row=2, column=header.index("planned_go_live") + 1).is_date
    month = wb["Readiness"].cell(row=2, column=2)
    assert month.is_date and month.number_format == "mmm yyyy"
    assert wb["Monthly"].cell(row=2, column=2).is_date
    scenario = {k: v for k, v in wb["Scenario"].iter_rows(min_row=2, values_only=True)}
    assert scenario["start"] == dt.datetime(2026, 4, 1)


def test_html_write_is_atomic_and_replaces(result: RunResult, folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")
    write_html(result, folder, path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# --------------------------------------------------------------------------- real browser


def test_html_loads_every_chart_in_headless_chromium(folder: Path, html_report: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must have it (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium); CI runs this test")
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--virtual-time-budget=10000"]
    url = html_report.resolve().as_uri()
    dom = subprocess.run([*base, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    n = len(_charts(folder))
    assert f'data-charts-loaded="{n}/{n}"' in dom.stdout, re.findall(r"<body[^>]*>", dom.stdout)

    shot = tmp_path / "shot.png"
    run = subprocess.run([*base, f"--user-data-dir={tmp_path / 'profile-shot'}", "--hide-scrollbars",
                          f"--screenshot={shot}", "--window-size=1400,3000", url],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.is_file()
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 50_000, len(data)  # a blank page is a few kB


# --------------------------------------------------------------------------- command line


def test_cli_report_writes_both_files(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    shutil.copytree(folder, results)
    code, out, err = invoke(["report", str(results)], capsys)
    assert code == 0, err
    assert (results / "report.html").is_file() and (results / "report.xlsx").is_file()
    assert str(results / "report.html") in out and str(results / "report.xlsx") in out
    assert not [p.name for p in results.iterdir() if ".tmp-" in p.name]


def test_cli_report_single_format_and_out(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke(["report", str(folder), "--html", "--out", str(tmp_path / "leaders")], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "leaders").iterdir()) == [".cfc-sim-output", "report.html"]
    code, out, err = invoke(["report", str(folder), "--out", str(tmp_path / "board.xlsx")], capsys)
    assert code == 0, err
    assert (tmp_path / "board.xlsx").is_file() and not (tmp_path / "board.html").exists()
    code, out, err = invoke(["report", str(folder), "--xlsx", "--out", str(tmp_path / "wrong.html")], capsys)
    assert code == 2
    assert not (tmp_path / "wrong.html").exists()


def test_cli_report_refuses_a_folder_that_is_not_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("not results", encoding="utf-8")
    code, out, err = invoke(["report", str(tmp_path)], capsys)
    assert code == 2
    assert "not a results folder" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    code, out, err = invoke(["report", str(tmp_path / "missing")], capsys)
    assert code == 2


# --------------------------------------------------------------------------- comparison page (report RUN RUN)


@pytest.fixture(scope="module")
def delayed(risky: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The at-risk scenario with the same seed and Lateshire's go-live six months later."""
    tmp = tmp_path_factory.mktemp("delayed")
    path = at_risk_scenario(tmp, "at-risk-delayed")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["areas"][3]["go_live"] = "2027-03-01"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    cfc_sim.run(path, out=tmp / "results")
    return tmp / "results"


@pytest.fixture(scope="module")
def comparison(risky: Path, delayed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("comparison") / "board"
    code, _, err = _invoke_quietly(["report", str(risky), str(delayed), "--out", str(out)])
    assert code == 0, err
    return out / "comparison.html"


def _invoke_quietly(argv: list[str]) -> tuple[int, str, str]:
    from cli_runner import invoke_quietly

    return invoke_quietly(argv)


def test_comparison_page_shows_which_areas_move_and_paired_differences(comparison: Path) -> None:
    text = comparison.read_text(encoding="utf-8")
    moved = re.findall(r'<tr class="moved" data-area="([^"]+)" data-moved="yes">', text)
    assert moved == ["Lateshire"]
    assert len(re.findall(r'data-moved="no"', text)) == 3
    summary = _section(text, '<section id="summary">')
    assert 'data-area="Lateshire"' in summary and "later by 6 months (1 Sep 2026 to 1 Mar 2027)" in summary
    assert 'id="never-ready"' not in summary  # every area going live is ready within both runs
    kpis = _section(text, '<section id="kpis">')
    assert "CIRs filed within eight working weeks" in kpis and "cir_on_time_share</td>" not in kpis
    assert "at least 90%" in kpis  # the target beside the figure
    assert " pts (" in kpis  # share differences in percentage points
    assert not re.search(r"\d[eE][+-]\d", kpis)  # no scientific notation
    assert re.search(r"\d{1,3},\d{3} \(", kpis)  # counts with thousands separators
    assert "paired with run 1 (same seed" in text
    images = [attrs for tag, attrs in _parse(text) if tag == "img"]
    assert len(images) == 3 and all((a.get("src") or "").startswith("data:image/png;base64,") for a in images)
    assert 'id="chart-differences"' in text  # each difference with its interval against zero
    for tag, attrs in _parse(text):
        for name in ("src", "href"):
            assert not (attrs.get(name) or "").lower().startswith(("http:", "https:", "//")), (tag, attrs)


def test_the_board_page_says_when_areas_are_ready_in_no_run_so_their_ready_month_cannot_move() -> None:
    """A comparison where most areas are never ready shows few ready-month moves: the page says why."""
    from cfc_sim.readiness_view import AreaStatus
    from cfc_sim.report.comparison import AreaComparison, AreaRun, _moved_summary

    def cell(ready: str | None) -> AreaRun:
        status = AreaStatus(area="A", region="", planned="2027-01-01", month="2027-01", status="red", failing=(),
                            failing_criteria=(), codes="", go_live=True, note="", earliest_ready=ready)
        return AreaRun(status=status, went_live="2027-01-01", on_time=(0.5, 0.4, 0.6))

    rows = [AreaComparison("Nevershire", "", (cell(None), cell(None)), ("",), ("",), ("",)),
            AreaComparison("Readyshire", "", (cell("2027-03"), cell("2027-03")), ("",), ("",), ("",))]
    text = _moved_summary(rows, ["base", "variant"])
    assert '<p class="note" id="never-ready">1 of 2 areas are not ready within the run in any of the runs' in text
    rows[0] = AreaComparison("Nevershire", "", (cell(None), cell("2027-05")), ("",), ("later",), ("",))
    assert 'id="never-ready"' not in _moved_summary(rows, ["base", "variant"])


def test_comparison_page_escapes_what_the_folders_say(risky: Path, delayed: Path, tmp_path: Path) -> None:
    import json

    copy = tmp_path / "tampered"
    shutil.copytree(delayed, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["command"] = "cfc-sim run <script>alert(1)</script>"
    (copy / "manifest.json").write_text(json.dumps(resealed(manifest)), encoding="utf-8")
    from cfc_sim.report.comparison import render_comparison

    text = render_comparison([read_results(risky), read_results(copy)], ["a<b>", "b&c"], [risky, copy])
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a&lt;b&gt;" in text and "b&amp;c" in text and "a<b>" not in text


def test_cli_report_of_several_runs_refuses_what_a_comparison_cannot_do(risky: Path, delayed: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(["report", str(risky), str(delayed), "--xlsx", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "one HTML page" in err and not (tmp_path / "x").exists()
    code, _, err = invoke(["report", str(risky), str(delayed), "--out", str(risky)], capsys)
    assert code == 2 and not (risky / "comparison.html").exists()
    code, out, err = invoke(["report", str(risky), str(delayed), "--out", str(tmp_path / "board.html")], capsys)
    assert code == 0, err
    assert (tmp_path / "board.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(tmp_path / "board.html") in out


def test_comparison_page_in_headless_chromium_shows_the_moved_go_live(comparison: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must have it (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium); CI runs this test")
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--virtual-time-budget=10000"]
    url = comparison.resolve().as_uri()
    dom = subprocess.run([*base, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-charts-loaded="3/3"' in dom.stdout, re.findall(r"<body[^>]*>", dom.stdout)
    rendered = {attrs.get("data-area"): attrs.get("data-moved") for tag, attrs in _parse(dom.stdout)
                if tag == "tr" and attrs.get("data-moved")}
    assert rendered == {"Lateshire": "yes", "Fineshire": "no", "Overloadshire": "no", "Squeezeshire": "no"}
    shot = tmp_path / "shot.png"
    run = subprocess.run([*base, f"--user-data-dir={tmp_path / 'profile-shot'}", "--hide-scrollbars",
                          f"--screenshot={shot}", "--window-size=1400,3000", url],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes().startswith(PNG_MAGIC) and shot.stat().st_size > 50_000


def test_comparison_page_names_ready_month_moves_and_each_runs_description_and_cost(comparison: Path) -> None:
    text = comparison.read_text(encoding="utf-8")
    summary = _section(text, '<section id="summary">')
    moves = re.search(r'<ul id="ready-moved">(.*?)</ul>', summary, re.S)
    assert moves and 'data-area="Lateshire"' in moves.group(1) and "Fineshire" not in moves.group(1)
    assert 'id="need-changed' in summary  # a list, or the sentence that no need changed
    golive = _section(text, '<section id="golive">')
    assert "Ready month (after plan)" in golive and "already live" in golive
    runs = _section(text, '<section id="runs">')
    assert "What it assumes" in runs and re.search(r"£[\d.,]+[mk]? \(£[\d.,]+[mk]? to £[\d.,]+[mk]?\)", runs)


def test_ready_month_and_need_changes_in_words() -> None:
    from cfc_sim.readiness_view import ALREADY_LIVE, AreaStatus
    from cfc_sim.report.comparison import need_changed_text, ready_moved_text

    def status(ready: str | None, note: str = "") -> AreaStatus:
        return AreaStatus("A", "", "2026-10-05", "2026-10", "red", (), (), "", True, note, ready,
                          live_before_run=note == ALREADY_LIVE)

    assert ready_moved_text(status("2026-10"), status("2027-01")) == "later by 3 months (Oct 2026 to Jan 2027)"
    assert ready_moved_text(status("2027-01"), status("2026-12")) == "earlier by 1 month (Jan 2027 to Dec 2026)"
    assert ready_moved_text(status("2026-10"), status(None)) == "not within the run (was Oct 2026)"
    assert ready_moved_text(status(None), status("2027-02")) == "ready from Feb 2027 (was not within the run)"
    assert ready_moved_text(status("2026-10"), status("2026-10")) == ""
    assert ready_moved_text(status("2026-10", ALREADY_LIVE), status("2026-11", ALREADY_LIVE)) == ""
    assert need_changed_text(10.3, 12.4) == "+2.1 FCAs (10.3 to 12.4)"
    assert need_changed_text(10.3, 10.5) == ""  # below half an FCA: not named


def test_the_need_section_is_one_page_for_a_board_and_the_workbook_prices_it_by_year(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """England's need, its three parts, its interval over assumptions, where (largest first), when (by
    financial year) and the cost; the workbook's Costs sheet has headers in words."""
    openpyxl = pytest.importorskip("openpyxl")
    plan = tmp_path / "plan"
    plan.mkdir()
    head = ("area,fte_now,fcas_needed_cfc,fcas_needed_cap,difference,ci_low,ci_high,hours_fte,timeliness_fte,"
            "transition_fte,transition_months,annual_cost,confidence,cfc_rule,cap_rule,keep_up_rule,note,"
            "assumption_low,assumption_high,assumption_sets,drivers,fcas_fy2026_27,cost_fy2026_27,"
            "fcas_fy2027_28,cost_fy2027_28\n")
    rows = ("ALL,46,28,7,5,4,6,3,1,1,6,400000,0.8,cir,wait,keeping up,,2,9,3,cfc.hours.cir (+0.9),2.5,200000,4,"
            "320000\n"
            "Dorset,26,5,4,1,1,2,1,0,0,0,80000,0.8,cir,wait,keeping up,,,,,,0.5,40000,1,80000\n"
            "Wiltshire & Swindon,20,23,3,4,3,5,2,1,1,6,320000,0.8,cir,wait,keeping up,,,,,,2,160000,3,240000\n")
    (plan / "need.csv").write_text(head + rows, encoding="utf-8")
    out = tmp_path / "board"
    code, _, err = invoke(["report", str(folder), "--need", str(plan), "--out", str(out)], capsys)
    assert code == 0, err
    section = _section((out / "report.html").read_text(encoding="utf-8"), '<section id="need">')
    assert "Both areas need " in section and "+5" in section and "+2 to +9" in section
    # the first answer is against today's FCAs, where areas would be short (what to recruit), then net;
    # the CFC less CAP figure follows as what CFC itself takes (it had led alone, read as FCAs to hire)
    today = section.index("28</strong> FCAs against 46 in post today")
    assert "<strong>+3</strong> in the 1 area that would be short (net -18: 1 area has more than CFC needs)" in section
    assert today < section.index("Child Focused Courts themselves take") and "CAP would need 7; 95% interval" in section
    assert "3 accepted assumption sets" in section and "cfc.hours.cir (+0.9)" in section
    assert 'id="need-parts"' in section and "Hours" in section and "Transition" in section
    assert section.index("Wiltshire &amp; Swindon") < section.index("<td>Dorset</td>")  # largest first
    assert "2026-27" in section and "£320k" in section and "£400k a year" in section
    assert "(the +4 that stay; the other +1 are needed only while CAP cases run down)" in section
    assert "Needed: CAP" in section and "Needed: CFC" in section  # the need is a difference, not FCAs to add
    assert 'class="below"><span class="bar neg"' not in section  # timeliness +1 here: no bar to the left
    wb = openpyxl.load_workbook(out / "report.xlsx")
    costs = list(wb["Costs"].iter_rows(values_only=True))
    assert costs[0] == ("Court area", "Financial year (April to March)",
                        "FCAs CFC takes over keeping CAP (mean over the year's months in the horizon)", "Cost (£)")
    assert ("Both areas", "2027-28", 4, 320000) in costs and len(costs) == 1 + 3 * 2


def test_the_need_section_never_shows_nan_for_drivers_it_could_not_rank() -> None:
    """Two accepted sets are too few to rank assumptions: the section says so rather than 'nan'."""
    import pandas as pd

    from cfc_sim.report.need_view import _drivers

    need = pd.DataFrame({"area": ["ALL"], "drivers": [float("nan")], "assumption_sets": [2]})
    text = _drivers(need)
    assert "nan" not in text and "2 accepted assumption sets are too few" in text
    ranked = pd.DataFrame({"area": ["ALL"], "drivers": ["casework share (+0.9)"], "assumption_sets": [12]})
    assert "casework share (+0.9)" in _drivers(ranked)
    assert _drivers(pd.DataFrame({"area": ["ALL"], "difference": [5.0]})) == ""


def test_the_headline_of_a_two_area_run_is_not_called_england(html_report: Path) -> None:
    """example-small has two areas: its ALL rows are both areas together, not England."""
    text = html_report.read_text(encoding="utf-8")
    assert "<h2>Headline figures for both areas</h2>" in text and "Measure (both areas, whole run)" in text
    assert "Headline figures for England" not in text
    assert "children seen (CFC cases): at least 75%" in text and "up to 75%" not in text


@pytest.mark.parametrize("name", ["board.pdf", "board.docx", "board.csv"])
def test_report_out_in_a_format_it_is_not_written_in_is_refused(name: str, folder: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`--out r.pdf` made a folder called r.pdf holding report.html: refused, saying what --out takes."""
    for argv in (["report", str(folder)], ["report", str(folder), str(folder)]):
        code, _, err = invoke([*argv, "--out", str(tmp_path / name)], capsys)
        assert code == 2 and "--out" in err and ".html" in err and "Traceback" not in err
        assert not (tmp_path / name).exists()


def test_the_board_page_of_two_area_runs_is_not_called_england(folder: Path, result: RunResult,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison page's heading, KPI column and chart title name what the ALL rows are."""
    import cfc_sim.charts
    from cfc_sim.report.comparison import render_comparison

    titles: list[str] = []
    real = cfc_sim.charts.compare_chart

    def spy(table, path, labels, targets, where):  # type: ignore[no-untyped-def]
        titles.append(where)
        return real(table, path, labels, targets, where)

    monkeypatch.setattr(cfc_sim.charts, "compare_chart", spy)
    page = render_comparison([result, result], ["a", "b"], [folder, folder])
    assert "Headline figures for both areas, side by side" in page and "Measure (both areas, whole run)" in page
    assert titles == ["both areas"] and "for England" not in page


def test_a_negative_part_of_the_need_is_drawn_to_the_left_of_the_line() -> None:
    """Timeliness below zero (FCAs can use more of their hours than today) is fewer FCAs: its bar must
    not point the same way as the hours' +10."""
    import pandas as pd

    from cfc_sim.report.need_view import _parts

    need = pd.DataFrame([{"area": "ALL", "difference": 4.0, "hours_fte": 10.0, "timeliness_fte": -8.0,
                          "transition_fte": 2.0}])
    html_text = _parts(need.iloc[0], need)
    hours, timeliness = html_text.split("<tr>")[2], html_text.split("<tr>")[3]
    assert 'class="below"></td><td><span class="bar"' in hours
    assert 'class="below"><span class="bar neg"' in timeliness and "fewer, when below zero" in timeliness


def test_an_area_live_before_the_run_has_no_go_live_star_in_the_status_grid(html_report: Path) -> None:
    """Dorset went live in 2022: its first month is flagged only to be judged, not as its go-live."""
    text = html_report.read_text(encoding="utf-8")
    grid = _section(text, '<section id="grid">') if '<section id="grid">' in text else text
    rows = {row.split("</td>")[0]: row for row in grid.split('<tr><td class="area">')[1:]}
    assert "golive" not in rows["Dorset"] and "golive" in rows["Wiltshire &amp; Swindon"]



def resealed(manifest: dict) -> dict:  # type: ignore[type-arg]
    """A manifest edited on purpose with its own digest recomputed (as a forger would), so the test
    reaches the checks behind the seal."""
    from cfc_sim.seal import manifest_digest

    return {**manifest, "manifest_sha256": manifest_digest(manifest)}


def test_the_board_table_lists_first_an_area_whose_ready_month_moves() -> None:
    """Its note says 'areas whose go-live or readiness differs come first': a ready month that moves
    is such a difference (Wiltshire's moved but stayed in go-live order)."""
    from cfc_sim.readiness_view import AreaStatus
    from cfc_sim.report.comparison import AreaComparison, AreaRun, _golive_html

    def run(area: str, ready: str) -> AreaRun:
        status = AreaStatus(area, "", "2027-01-01", "2027-01", "red", (), (), "", True, "", ready)
        return AreaRun(status, "2027-01-01", (0.9, 0.8, 1.0), 20.0)

    same = AreaComparison("Aardshire", "", (run("Aardshire", "2027-03"), run("Aardshire", "2027-03")), ("",), ("",))
    moves = AreaComparison("Zedshire", "", (run("Zedshire", "2027-03"), run("Zedshire", "2027-06")), ("",),
                           ("later by 3 months (Mar 2027 to Jun 2027)",))
    page = _golive_html([same, moves], ["base", "variant"])
    assert page.index("Zedshire") < page.index("Aardshire")


def test_a_report_file_is_not_put_into_another_runs_folder(folder: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`report A --out B/report.html` had written A's page into run B's folder, beside B's workbook
    under the same name (found by a newcomer trial): refused, nothing written; into A's own folder or
    a plain folder it is fine, and a comparison page may go into one of the compared runs' folders."""
    other = tmp_path / "other"
    cfc_sim.run(REPO / "scenarios" / "example-small.yaml", reps=2, seed=5, out=other)
    before = sorted(p.name for p in other.iterdir())
    code, _, err = invoke(["report", str(folder), "--html", "--out", str(other / "report.html")], capsys)
    assert code == 2 and "inside another cfc-sim run folder" in err and "Traceback" not in err
    assert sorted(p.name for p in other.iterdir()) == before
    assert invoke(["report", str(folder), "--html", "--out", str(tmp_path / "plain.html")], capsys)[0] == 0
    code, _, err = invoke(["report", str(folder), str(other), "--out", str(other / "board.html")], capsys)
    assert code == 0, err
