"""The leaders' report (`cfc-sim report`): the Excel workbook, the self-contained HTML page, the page in a
real headless browser, and the command line.

One small results folder (the commented two-area example, two replications) is made per module.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cli_runner import invoke

import cfc_sim
from cfc_sim.report import write_html, write_xlsx
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


def test_workbook_has_the_four_sheets_and_the_summary_rows(result: RunResult, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = write_xlsx(result, tmp_path / "report.xlsx")
    assert path == tmp_path / "report.xlsx"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary file left behind
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Readiness", "Monthly", "Scenario"]

    summary = wb["Summary"]
    rows = list(summary.iter_rows(values_only=True))
    assert list(rows[0]) == list(result.summary.columns)
    assert len(rows) - 1 == len(result.summary)
    first = result.summary.iloc[0]
    assert rows[1][:3] == (first["area"], first["pathway"], first["metric"])
    assert rows[1][3] == pytest.approx(first["mean"])
    assert summary.freeze_panes == "A2"

    readiness = wb["Readiness"]
    assert readiness.max_row - 1 == len(result.readiness)
    assert [c.value for c in readiness[1]] == list(result.readiness.columns)
    assert readiness.conditional_formatting  # RAG fills on the status column

    monthly = wb["Monthly"]
    assert [c.value for c in monthly[1]] == ["area", "month", "metric", "mean", "p05", "p50", "p95"]
    groups = result.timeseries.groupby(["area", "month", "metric"]).ngroups
    assert monthly.max_row - 1 == groups
    for area, month, metric, mean, p05, p50, p95 in monthly.iter_rows(min_row=2, max_row=200, values_only=True):
        assert area and month and metric
        assert p05 - 1e-9 <= mean <= p95 + 1e-9
        assert p05 - 1e-9 <= p50 <= p95 + 1e-9

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
    assert table.count("<tr>") == len(result.config.areas) + 1  # header + one row per area
    grid = text[text.index('id="status-grid"'):]
    grid = grid[:grid.index("</table>")]
    for area in result.config.areas:
        name = html.escape(area.name)
        assert f"<tr><td>{name}</td>" in table
        assert f'<td class="area">{name}</td>' in grid
    months = sorted(result.readiness["month"].unique())[:13]
    assert grid.count('<th class="month"') == len(months)
    # every red or amber cell explains itself in a tooltip
    cells = re.findall(r'<td class="cell status-(\w+)[^"]*" title="([^"]*)"', grid)
    assert len(cells) == len(months) * len(result.config.areas)
    for status, title in cells:
        if status in ("red", "amber"):
            assert " vs " in title or " in only " in title, title  # value vs threshold, or how often met
    for colour in ("#009E73", "#E69F00", "#D55E00"):
        assert colour in text
    assert result.manifest["command"] in text
    assert result.manifest["scenario_sha256"] in text
    assert 'id="how"' in text and "95% interval" in text
    assert "chartsLoaded" in text


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
