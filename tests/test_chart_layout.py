"""Charts as a person sees them (issue 12, item 7): no legend over the data, no tick labels running
together, no legend or title over a panel. Every figure the chart functions draw is laid out and checked
in display coordinates."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import pytest

import cfc_sim
from cfc_sim.results_reader import read_results

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def folder(pristine: Path) -> Path:
    """The module's small run (`tampered_folders.pristine`), read only: charts are drawn from it."""
    return pristine


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Keep every figure a chart function closes, to inspect it."""
    kept: list[plt.Figure] = []
    monkeypatch.setattr(plt, "close", lambda fig=None: kept.append(fig))
    yield kept
    monkeypatch.undo()
    plt.close("all")


def _overlap(a, b, gap: float = -1.0) -> bool:  # type: ignore[no-untyped-def]
    """Two boxes (display pixels) closer than `gap` (negative: overlapping by more than that)."""
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap


def _check(fig: plt.Figure, name: str) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    for ax in axes:
        labels = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        for a, b in itertools.combinations(labels, 2):
            assert not _overlap(a, b, gap=3.0), f"{name}: x tick labels run together in {ax.get_title()!r}"
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        for line in ax.get_lines():
            points = line.get_transform().transform(line.get_xydata())
            inside = [(x, y) for x, y in points if box.x0 < x < box.x1 and box.y0 < y < box.y1]
            assert not inside, f"{name}: the legend covers {line.get_label()!r} in {ax.get_title()!r}"
    figure = fig.bbox
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in axes:
            assert not _overlap(box, ax.get_window_extent(renderer)), f"{name}: the figure legend covers a panel"
        assert box.x0 >= figure.x0 - 1 and box.x1 <= figure.x1 + 1, f"{name}: the figure legend is cut off"
    title = fig._suptitle  # noqa: SLF001 - matplotlib keeps the figure title here
    if title is not None and title.get_text():
        box = title.get_window_extent(renderer)
        assert box.x0 >= figure.x0 - 1 and box.x1 <= figure.x1 + 1, f"{name}: the figure title is cut off"


def test_run_charts_keep_legends_off_the_data(folder: Path, figures: list[plt.Figure], tmp_path: Path) -> None:
    from cfc_sim.charts import draw_run_charts

    draw_run_charts(read_results(folder), tmp_path)
    assert len(figures) == 5
    for fig, name in zip(figures, ["heatmap", "fan", "caseload", "workforce", "transition"], strict=True):
        _check(fig, name)


def test_a_one_area_run_fits_its_titles_and_legends(figures: list[plt.Figure], tmp_path: Path) -> None:
    """A pilot has one area: one panel must still leave room for the title and legend above it."""
    from cfc_sim.charts import draw_run_charts

    out = tmp_path / "pilot"
    cfc_sim.run(REPO / "scenarios" / "pilot-south-east-wales-court.yaml", reps=1, out=out)
    figures.clear()  # the run drew its own; check the ones drawn here
    (tmp_path / "charts").mkdir()
    draw_run_charts(read_results(out), tmp_path / "charts")
    for fig, name in zip(figures, ["heatmap", "fan", "caseload", "workforce", "transition"], strict=True):
        _check(fig, name)


def test_comparison_charts_keep_legends_off_the_data(folder: Path, figures: list[plt.Figure], tmp_path: Path) -> None:
    import pandas as pd

    from cfc_sim.charts import area_comparison_chart, compare_chart
    from cfc_sim.compare import compare_frame

    run = read_results(folder)
    table = compare_frame([run, run], ["first", "second"])
    compare_chart(table, tmp_path / "c.png", ["first", "second"], {"cir_on_time_share": 0.9}, "England")
    frame = pd.DataFrame({"area": ["Dorset", "Dorset", "Wiltshire & Swindon", "Wiltshire & Swindon"],
                          "run": ["first", "second"] * 2, "mean": [0.95, 0.9, 0.8, 0.85],
                          "low": [0.9, 0.85, 0.7, 0.75], "high": [1.0, 0.95, 0.9, 0.95]})
    area_comparison_chart(frame, ["first", "second"], 0.9, {"Dorset"}, tmp_path / "a.png")
    for fig, name in zip(figures, ["compare", "areas"], strict=True):
        _check(fig, name)


def test_sensitivity_and_sweep_charts_stay_readable(figures: list[plt.Figure], tmp_path: Path) -> None:
    import pandas as pd

    from cfc_sim.charts import sensitivity_chart, sweep_chart

    rows = []
    for output in ("cir_on_time_share", "earliest_ready_month:Northshire", "earliest_ready_month:mean"):
        for k, param in enumerate(("defaults.workforce.caseload_cap", "defaults.workforce.annual_turnover")):
            rows.append({"output": output, "param": param, "method": "morris", "mu_star": 0.00064 + k * 1e-5,
                         "mu_star_conf": 0.0009, "sigma": 0.0009, "rank": k + 1})
    sensitivity_chart(pd.DataFrame(rows), "morris", tmp_path / "s.png", "tiny effects", "England")  # 0.0006: long
    sweep = pd.DataFrame([{"variant": f"v{i}", "cap": cap, "turnover": t, "area": "ALL", "pathway": "all",
                           "metric": "cir_on_time_share", "mean": 0.95, "ci_low": 0.7, "ci_high": 1.0, "n_reps": 2}
                          for i, (cap, t) in enumerate(itertools.product((16, 20), (0.1, 0.2)))])
    sweep_chart(sweep, ["cap", "turnover"], "cir_on_time_share", tmp_path / "w.png")
    for fig, name in zip(figures, ["sensitivity", "sweep"], strict=True):
        _check(fig, name)
    xs = [tuple(bars.lines[0].get_xdata()) for bars in figures[1].axes[0].containers]
    assert len(xs) == 2 and xs[0] != xs[1]  # identical variants drawn side by side, not one over the other
