"""Acceptance (issue 26): every figure shown in more than one place has one definition and one value:
the terminal (`cfc-sim run`), the report, the workbook, `compare` and the board page. Children seen
is judged on CFC cases everywhere (CAP sees the children of section 7 cases only)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from cli_runner import invoke_quietly
from scenario_factory import scenario_dict

from cfc_sim.at_risk import areas_at_risk, national_checks
from cfc_sim.compare import compare_frame, estimate_texts
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.report.area_table import area_frame, area_rows
from cfc_sim.report.comparison import area_comparisons, render_comparison
from cfc_sim.report.views import national_rows
from cfc_sim.results import RunResult
from cfc_sim.results_reader import read_results


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, RunResult]:
    """Two areas, one going live part-way: its CAP months make children seen on all cases differ
    from children seen on CFC cases."""
    folder = tmp_path_factory.mktemp("kpi")
    scenario = folder / "kpi.yaml"
    scenario.write_text(yaml.safe_dump(scenario_dict(
        name="kpi", horizon_months=12, replications=3,
        areas=[{"name": "Liveshire", "go_live": "2025-01-06"}, {"name": "Laterton", "go_live": "2026-09-07"}])))
    code, out, err = invoke_quietly(["run", str(scenario), "--out", str(folder / "run")])
    assert code == 0, err
    return out, folder / "run", read_results(folder / "run")


def test_children_seen_is_one_value_on_cfc_cases_in_every_view(run: tuple[str, Path, RunResult]) -> None:
    out, folder, result = run
    s = result.summary
    cfc = s[(s["area"] == NATIONAL) & (s["pathway"] == "cfc") & (s["metric"] == "children_seen_share")]
    every = s[(s["area"] == NATIONAL) & (s["pathway"] == "all") & (s["metric"] == "children_seen_share")]
    value = float(cfc["mean"].iloc[0])
    assert abs(value - float(every["mean"].iloc[0])) > 1e-3  # the two definitions differ in this run
    checks = {c.metric: c for c in national_checks(s, result.config)}
    assert checks["children_seen_share"].value == value and "CFC cases" in checks["children_seen_share"].label
    assert f"{value:.1%}" in next(line for line in out.splitlines() if "children seen (CFC cases)" in line)
    assert float(national_rows(s).loc["children_seen_share", "mean"]) == value
    table = compare_frame([result, result], ["a", "b"])
    row = table[table["metric"] == "children_seen_share"].iloc[0]
    assert row["mean"] == value and row["pathway"] == "cfc"


def _kpi_row(page: str, metric: str) -> str:
    found = re.search(rf'<tr data-metric="{re.escape(metric)}">(.*?)</tr>', page, re.S)
    assert found, metric
    return found.group(1)


def test_every_national_figure_is_one_value_across_terminal_report_compare_and_board(
        run: tuple[str, Path, RunResult]) -> None:
    _, folder, result = run
    s = result.summary
    terminal = {c.metric: (c.value, c.ci_low, c.ci_high) for c in national_checks(s, result.config)}
    report = national_rows(s)
    table = compare_frame([result, result], ["a", "b"])
    page = render_comparison([result, result], ["a", "b"], [folder, folder])
    shared = [m for m in terminal if m in set(table["metric"])]
    assert {"cir_on_time_share", "children_seen_share", "cir_working_days_mean"} <= set(shared)
    for metric in shared:
        value = terminal[metric]
        assert tuple(float(report.loc[metric, c]) for c in ("mean", "ci_low", "ci_high")) == value, metric
        row = table[(table["metric"] == metric) & (table["run"] == "a")].iloc[0]
        assert (row["mean"], row["ci_low"], row["ci_high"]) == value, metric
        assert html.escape(estimate_texts(metric, [value])[0]) in _kpi_row(page, metric), metric


def test_every_area_figure_is_one_value_across_terminal_report_workbook_and_board(
        run: tuple[str, Path, RunResult]) -> None:
    _, folder, result = run
    rows = {r.area: r for r in area_rows(result)}
    sheet = area_frame(list(rows.values()), result.config.header.targets).set_index("area")
    risks = {r.area: r for r in areas_at_risk(result.summary, result.readiness, result.config)}
    board = {r.area: r.runs[0] for r in area_comparisons([result, result])}
    for name, row in rows.items():
        on_time = (row.on_time.mean, row.on_time.low, row.on_time.high)
        assert sheet.loc[name, "cir_on_time_share"] == row.on_time.mean
        seen = sheet.loc[name, "children_seen_share"]
        assert seen == row.children_seen.mean or (row.children_seen.missing and seen != seen)
        cell = board[name]
        assert cell is not None and cell.on_time == on_time
        if name in risks:
            assert (risks[name].on_time, risks[name].on_time_low, risks[name].on_time_high) == on_time
        # the readiness verdict, reason and ready month: one story in the report, the workbook and the board
        assert (cell.status.status, cell.status.reason, cell.status.ready_text) == (
            row.readiness.status, row.readiness.reason, row.readiness.ready_text)
        assert sheet.loc[name, "status_reason"] == row.readiness.reason
