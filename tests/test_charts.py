"""Run charts draw what a reader can read (issue 13): the bands across replications are computed once
and equal the per-area quantiles; a run of many areas gets England and its worst areas as fans and
every area by region as lines, instead of a 40-panel figure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scenario_factory import config, scenario_dict

from cfc_sim.chart_inputs import run_chart_inputs
from cfc_sim.charts import (
    MAX_AREA_PANELS,
    Bands,
    draw_run_charts,
    regions_of,
    worst_areas,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]


def _series(areas: list[str], reps: int = 5, seed: int = 3) -> pd.DataFrame:
    """A monthly series of every charted metric: area i's on-time share sits near 1 - i / 100."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(reps):
        for i, area in enumerate(["ALL", *areas]):
            for month in MONTHS:
                for metric in ("cir_on_time_share", "open_cap_cases", "caseload_mean", "unallocated_queue_mean",
                               "fte_in_post", "establishment", "vacancies", "leavers", "trained_share"):
                    base = 1 - i / 100 if metric == "cir_on_time_share" else 10.0 + i
                    rows.append((r, area, month, metric, float(min(1.0, base - rng.uniform(0, 0.01)))
                                 if metric == "cir_on_time_share" else base + rng.normal()))
    return pd.DataFrame(rows, columns=["replication", "area", "month", "metric", "value"])


def _result(n_areas: int) -> SimpleNamespace:
    areas = [f"Area {i:02d}" for i in range(n_areas)]
    config = SimpleNamespace(
        name="synthetic",
        areas=[SimpleNamespace(name=a, region=f"Region {i % 4}", go_live=dt.date(2027, 1 + i % 12, 1),
                               workforce=SimpleNamespace(caseload_cap=20)) for i, a in enumerate(areas)],
        header=SimpleNamespace(targets=SimpleNamespace(cir_on_time_share=0.9), start=dt.date(2026, 4, 1)),
        live_at_start=lambda: [])  # every area goes live in 2027
    readiness = pd.DataFrame([(a, m, "overall", "green" if i % 3 else "amber", m == "2027-06")
                              for i, a in enumerate(areas) for m in MONTHS],
                             columns=["area", "month", "criterion", "status", "go_live_month"])
    # over the run the ranking is the other way round from the monthly medians (Area 00 lowest)
    summary = pd.DataFrame([(a, "all", "cir_on_time_share", 0.5 + i / 100) for i, a in enumerate(areas)],
                           columns=["area", "pathway", "metric", "mean"])
    return SimpleNamespace(config=config, timeseries=_series(areas), readiness=readiness, summary=summary)


def _panel_titles(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Each figure saved from now on: its panels' titles, in order."""
    import matplotlib.pyplot as plt

    titles: list[list[str]] = []
    real_savefig = plt.Figure.savefig

    def spy(fig, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        titles.append([ax.get_title() for ax in fig.axes if ax.get_title()])
        return real_savefig(fig, path, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", spy)
    return titles


def test_bands_equal_the_per_area_quantiles_computed_one_by_one() -> None:
    series = _series(["North", "South"])
    bands = Bands(series)
    for area in ("ALL", "North", "South"):
        for metric in ("cir_on_time_share", "open_cap_cases"):
            rows = series[(series["area"] == area) & (series["metric"] == metric)].groupby("month")["value"]
            expected = pd.DataFrame({q: rows.quantile(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)})
            pd.testing.assert_frame_equal(bands.get(metric, area), expected, check_names=False)
    assert bands.get("cir_on_time_share", "Nowhere").empty
    assert bands.get("not_a_metric", "North").empty


def test_worst_areas_are_those_with_the_lowest_share_and_areas_without_one_are_left_out() -> None:
    areas = [f"Area {i:02d}" for i in range(20)]
    scores = {a: 1 - i / 100 for i, a in enumerate(areas) if a != "Area 19"}
    assert worst_areas(scores, areas, 3) == ["Area 18", "Area 17", "Area 16"]


def test_a_large_runs_fan_chart_ranks_areas_by_the_summary_s_share_over_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trial found the areas at risk pointing at the fan chart for East London, 5th lowest in the
    summary, which the fan chart left out: it ranked by monthly medians, where a late go-live has few
    months. The fan chart now takes the summary's share, and the areas at risk of a large run point
    at the region chart, where every area has its line."""

    from cfc_sim import at_risk, charts

    titles = _panel_titles(monkeypatch)
    result = _result(MAX_AREA_PANELS + 8)
    charts.draw_run_chart("cir_on_time_fan.png", run_chart_inputs(result), tmp_path)
    assert titles[-1] == ["All 20 areas", *[f"Area {i:02d}" for i in range(charts.WORST_AREAS)]]
    # the areas at risk of a large run point at the region chart; of a small one, at the fan chart (every area)
    from cfc_sim.readiness_view import AreaStatus

    run = config(scenario_dict(name="one", horizon_months=24, replications=3,
                                         areas=[{"name": "Lateham", "go_live": "2026-07-06"}]))
    monkeypatch.setattr(at_risk, "area_statuses", lambda readiness, cfg: [
        AreaStatus("Lateham", "", "", "2026-07", "green", (), (), "", True, "", "2026-07")])
    row = {"area": "Lateham", "pathway": "all", "metric": "cir_on_time_share", "mean": 0.57, "ci_low": 0.4,
           "ci_high": 0.7, "n_reps": 3}
    small = at_risk.areas_at_risk(pd.DataFrame([row]), pd.DataFrame(), run, results="R")
    assert "R/charts/cir_on_time_fan.png" in small[0].look_next
    monkeypatch.setattr(at_risk, "run_chart_names", lambda cfg: ["cir_on_time_fan.png", "cir_on_time_regions.png"])
    large = at_risk.areas_at_risk(pd.DataFrame([row]), pd.DataFrame(), run, results="R")
    assert "R/charts/cir_on_time_regions.png (its line in its region's panel)" in large[0].look_next
    assert "cir_on_time_fan.png" not in large[0].look_next


def test_regions_keep_scenario_order() -> None:
    result = _result(6)
    assert regions_of(result.config, [a.name for a in result.config.areas]) == {
        "Region 0": ["Area 00", "Area 04"], "Region 1": ["Area 01", "Area 05"], "Region 2": ["Area 02"],
        "Region 3": ["Area 03"]}


@pytest.mark.parametrize("n_areas, region_chart", [(3, False), (MAX_AREA_PANELS + 8, True)])
def test_run_charts_of_a_small_and_a_large_run(n_areas: int, region_chart: bool, tmp_path: Path) -> None:
    drawn: list[str] = []
    draw_run_charts(_result(n_areas), tmp_path, drawn.append)
    expected = ["readiness_heatmap.png", "cir_on_time_fan.png", *(["cir_on_time_regions.png"] if region_chart else []),
                "caseload_queue.png", "workforce.png", "transition_cap_rundown.png"]
    assert drawn == expected  # each announced before it is drawn (progress)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)
    for name in expected:
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC, name


def test_a_large_run_fan_chart_has_england_and_the_worst_areas_only(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:

    from cfc_sim import charts

    titles = _panel_titles(monkeypatch)
    result = _result(MAX_AREA_PANELS + 8)
    areas = [a.name for a in result.config.areas]
    lowest_last = {a: -i for i, a in enumerate(areas)}
    charts.cir_fan_chart(Bands(result.timeseries), areas, MONTHS, 0.9, tmp_path / "fan.png", lowest_last)
    assert titles[-1] == ["All 20 areas", *[f"Area {i:02d}" for i in range(19, 19 - charts.WORST_AREAS, -1)]]

