"""Figures for leaders: readiness heatmap, CIR on-time fan charts, caseload and queue, workforce.

Colours come from `cfc_sim.palette` (colour-blind safe: statuses differ in lightness as well as hue;
series in Okabe-Ito; targets dark grey dashed).
Every chart has a title, axis units and a legend; matplotlib runs headless (Agg).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from cfc_sim.chart_inputs import MAX_AREA_PANELS, Bands, RunChartInputs, run_chart_inputs, run_chart_names  # noqa: E402
from cfc_sim.metric_catalogue import (  # noqa: E402
    CIR_OUTPUT,
    NATIONAL,
    READY_MEAN,
    READY_PREFIX,
    label_of,
    whole_run_name,
    written_as_share,
)
from cfc_sim.palette import BLUE, GREY, ORANGE, PURPLE, RAG, SERIES, TARGET  # noqa: E402


def _months_axis(ax: plt.Axes, months: list[str], every: int = 6) -> None:
    ticks = list(range(0, len(months), every))
    ax.set_xticks(ticks)
    ax.set_xticklabels([months[i] for i in ticks], rotation=45, ha="right", fontsize=8)


def _margins_in(fig: plt.Figure, left: float, right: float, bottom: float, top: float, wspace: float,
                hspace: float) -> None:
    """Fixed margins in inches (so any grid fits): tight_layout would lay the figure out once more
    to measure it, a sixth of a national run's chart time."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        wspace=wspace, hspace=hspace)


def readiness_heatmap(readiness: pd.DataFrame, path: Target, title: str = "Readiness to go live",
                      live_before_run: Sequence[str] = ()) -> None:
    """Areas x months, each cell the area's overall RAG status that month; a star at each planned
    go-live month in the run (none for `live_before_run`: their first month is flagged only to be judged)."""
    overall = readiness[readiness["criterion"] == "overall"]
    areas = list(overall["area"].drop_duplicates())
    months = sorted(overall["month"].unique())
    code = {"green": 0, "amber": 1, "red": 2}
    grid = np.full((len(areas), len(months)), np.nan)
    a_idx = {a: i for i, a in enumerate(areas)}
    m_idx = {m: j for j, m in enumerate(months)}
    for row in overall.itertuples():
        grid[a_idx[row.area], m_idx[row.month]] = code[row.status]
    fig, ax = plt.subplots(figsize=(max(8, len(months) * 0.22 + 3), max(3, len(areas) * 0.25 + 1.5)))
    ax.imshow(grid, aspect="auto", cmap=ListedColormap([RAG["green"], RAG["amber"], RAG["red"]]),
              vmin=0, vmax=2, interpolation="nearest")
    if "go_live_month" in readiness:
        live = overall[(overall["go_live_month"].astype(str) == "True") & ~overall["area"].isin(list(live_before_run))]
        ax.scatter([m_idx[m] for m in live["month"]], [a_idx[a] for a in live["area"]], marker="*",
                   s=90, c="white", edgecolors="black", linewidths=0.8, label="planned go-live")
    ax.set_yticks(range(len(areas)))
    ax.set_yticklabels(areas, fontsize=8)
    _months_axis(ax, months)
    ax.set_xlabel("month")
    ax.set_title(title)
    meaning = {"green": "green: ready;\nlive: CIRs on time", "amber": "amber: nearly ready\nor not certain",
               "red": "red: not ready;\nlive: CIRs late"}  # a live month is judged on its CIRs, not on readiness
    handles: list[Artist] = [Patch(color=RAG[s], label=meaning[s]) for s in ("green", "amber", "red")]
    handles.append(plt.Line2D([], [], marker="*", markerfacecolor="white", markeredgecolor="black", markersize=10,
                              linestyle="", label="planned go-live"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title="status")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": "cfc-sim"})  # so `readiness --out` knows it may replace it
    plt.close(fig)


WORST_AREAS = 8
Target = Path  # a PNG file


def _band(series: Bands, metric: str, area: str) -> pd.DataFrame:
    return series.get(metric, area)


def _fan(ax: plt.Axes, band: pd.DataFrame, months: list[str], colour: str = BLUE, label: str = "median") -> None:
    x = [months.index(m) for m in band.index]
    ax.fill_between(x, band[0.05], band[0.95], color=colour, alpha=0.18, linewidth=0, label="90% band")
    ax.fill_between(x, band[0.25], band[0.75], color=colour, alpha=0.35, linewidth=0, label="50% band")
    ax.plot(x, band[0.5], color=colour, linewidth=1.5, label=label)


def _finish_panels(fig: plt.Figure, axes: np.ndarray, used: int, title: str, path: Target) -> None:
    """Per-area small multiples: blank the unused panels, month labels only under the lowest panel of
    each column, one legend (every series any panel drew) under the title at the top, save."""
    panels = list(axes.flat)
    cols = axes.shape[1]
    for ax in panels[used:]:
        ax.axis("off")
    for i, ax in enumerate(panels[:used]):
        if i + cols < used:  # another panel below shows the months
            ax.tick_params(labelbottom=False)
    legend: dict[str, Artist] = {}
    for ax in panels[:used]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    height = fig.get_figheight()
    heading = fig.suptitle(title, x=0.01, y=1 - 0.1 / height, ha="left", va="top", fontsize=11)
    key = fig.legend(list(legend.values()), list(legend), loc="upper left", bbox_to_anchor=(0.01, 1 - 0.38 / height),
                     fontsize=8, ncol=6, frameon=False)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas (headless)
    wanted = max(heading.get_window_extent(renderer).x1, key.get_window_extent(renderer).x1) / fig.dpi + 0.15
    if wanted > fig.get_figwidth():  # few panels: widen so the title and the legend are not cut off
        fig.set_figwidth(wanted)
    _margins_in(fig, left=0.6, right=0.15, bottom=0.75, top=1.05, wspace=0.25, hspace=0.45)  # title, legend above
    fig.savefig(path, dpi=100)
    plt.close(fig)


def worst_areas(scores: Mapping[str, float], areas: Sequence[str], count: int) -> list[str]:
    """The `count` areas with the lowest score (areas without one left out), worst first."""
    scored = [(scores.get(a, math.nan), i, a) for i, a in enumerate(areas)]
    return [a for score, _, a in sorted(s for s in scored if not math.isnan(s[0]))][:count]


def cir_fan_chart(series: Bands, areas: list[str], months: list[str], target: float, path: Target,
                  on_time: Mapping[str, float]) -> None:
    """The monthly share of CIRs filed within target: median and 50/90% bands across replications, per
    area; with more than MAX_AREA_PANELS areas, England and the WORST_AREAS areas with the lowest share
    over the run (`on_time`, the summary's: the areas the summary and the areas at risk call worst; a
    ranking by monthly medians dropped late go-lives, with few months), every area by region in
    `region_lines_chart`."""
    shown = [a for a in areas if not _band(series, "cir_on_time_share", a).empty]
    title = "CIRs filed within eight working weeks (share per month, across replications)"
    if len(shown) > MAX_AREA_PANELS:
        worst = worst_areas(on_time, shown, WORST_AREAS)
        title = (f"CIRs filed within eight working weeks: {whole_run_name(areas)} and the {len(worst)} of "
                 f"{len(shown)} areas with the lowest share over the run (every area: cir_on_time_regions.png)")
        shown = [NATIONAL, *worst] if not _band(series, "cir_on_time_share", NATIONAL).empty else worst
    if not shown:
        shown = areas[:1]
    cols = len(shown) if len(shown) <= 4 else (3 if len(shown) <= 9 else 4)
    rows = math.ceil(len(shown) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.5 * rows + 1.0), sharey=True, squeeze=False)
    for ax, area in zip(axes.flat, shown, strict=False):
        band = _band(series, "cir_on_time_share", area)
        if not band.empty:
            _fan(ax, band, months)
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1, label=f"target {target:.0%}")
        ax.set_title(whole_run_name(areas, capital=True) if area == NATIONAL else area, fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, max(len(months) - 1, 1))
        _months_axis(ax, months, every=max(6, len(months) // 4))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    _finish_panels(fig, axes, len(shown), title, path)


LINE_COLOURS = [*SERIES[:6], "#F0E442", SERIES[6]]  # Okabe-Ito, yellow included
LINE_STYLES = ["-", "--", "-.", ":"]


def regions_of(config: object, areas: Sequence[str]) -> dict[str, list[str]]:
    """Region -> its areas, in scenario order (areas without a region under "other")."""
    region = {a.name: (getattr(a, "region", None) or "other") for a in config.areas}  # type: ignore[attr-defined]
    grouped: dict[str, list[str]] = {}
    for area in areas:
        grouped.setdefault(region.get(area, "other"), []).append(area)
    return grouped


def region_lines_chart(bands: Bands, metric: str, regions: dict[str, list[str]], months: list[str], path: Target,
                       title: str, ylabel: str, share: bool = False, target: float | None = None,
                       go_live: dict[str, str] | None = None) -> None:
    """Small multiples by region: each area's median of `metric` by month as a line (its own colour and
    dash within the panel, named in the panel's legend), a dot at its planned go-live month."""
    panels = [(name, members) for name, members in regions.items()
              if any(not bands.get(metric, a).empty for a in members)] or list(regions.items())[:1]
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.0 * rows + 0.8), sharey=share, squeeze=False)
    for ax, (name, members) in zip(axes.flat, panels, strict=False):
        for i, area in enumerate(members):
            band = bands.get(metric, area)
            if band.empty:
                continue
            x = [months.index(m) for m in band.index]
            line, = ax.plot(x, band[0.5], color=LINE_COLOURS[i % len(LINE_COLOURS)],
                            linestyle=LINE_STYLES[(i // len(LINE_COLOURS)) % len(LINE_STYLES)], linewidth=1.3,
                            label=area)
            planned = (go_live or {}).get(area)
            # the dot on the line: at the go-live month, or the first month after it with a value (a CIR
            # share has none until the first CIRs, weeks after go-live, and the dot had gone missing)
            within = planned is not None and months and months[0] <= planned  # live before the run: no dot
            shown = band[0.5][(band.index >= planned) & band[0.5].notna()] if within else band[0.5][:0]
            if len(shown):
                ax.plot([months.index(shown.index[0])], [shown.iloc[0]], marker="o", color=line.get_color(),
                        markersize=4)
        if target is not None:
            ax.axhline(target, color=TARGET, linestyle="--", linewidth=1)
        ax.set_title(name, fontsize=9)
        ax.set_xlim(0, max(len(months) - 1, 1))
        ax.set_ylim(0, 1.02) if share else ax.set_ylim(bottom=0)
        if share:
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        _months_axis(ax, months, every=max(6, len(months) // 4))
        ax.legend(fontsize=6.5, loc="lower left" if share else "upper right", frameon=False, handlelength=2.2)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    _margins_in(fig, left=0.75, right=0.15, bottom=0.75, top=0.75, wspace=0.22 if share else 0.3, hspace=0.55)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def caseload_queue_chart(series: Bands, months: list[str], cap: float, path: Target, whole: str) -> None:
    """National mean caseload per FCA and the unallocated queue over time."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    band = _band(series, "caseload_mean", NATIONAL)
    if not band.empty:
        _fan(ax1, band, months)
    # the cap is on pieces of work in hand at once; a reported case stays on the caseload until it
    # closes (as Cafcass counts), so the mean can sit above the line without any FCA over the cap
    ax1.axhline(cap, color=TARGET, linestyle="--", linewidth=1,
                label=f"cap: {cap:g} pieces of work in hand\n(reported cases stay on the caseload)")
    ax1.set_title(f"Mean caseload per FCA in post ({whole})")
    ax1.set_ylabel("open cases per FCA (incl. public-law work)")
    ax1.set_ylim(bottom=0)
    band = _band(series, "unallocated_queue_mean", NATIONAL)
    if not band.empty:
        _fan(ax2, band, months, colour="#CC79A7")
    if band.empty or not (band[0.95] > 0).any():  # a flat zero on an axis of 0 to 0.05 looks like a missing chart
        ax2.text(0.5, 0.5, "no case waited for allocation\nin any month of any replication", ha="center",
                 va="center", transform=ax2.transAxes, fontsize=10, color=GREY)
    ax2.set_title(f"Cases awaiting allocation to an FCA ({whole})")
    ax2.set_ylabel("cases in allocation queues (monthly mean)")
    ax2.set_ylim(bottom=0)
    top = max([cap * 1.1, *(band[0.95].max() * 1.05 for band in [_band(series, "caseload_mean", NATIONAL)]
                             if not band.empty)])
    ax1.set_ylim(0, top)  # the cap line clear of the frame
    for ax, where in ((ax1, "lower right"), (ax2, "upper left")):  # away from the lines
        _months_axis(ax, months)
        ax.set_xlabel("month")
        ax.legend(fontsize=8, loc=where)
    _margins_in(fig, left=0.75, right=0.2, bottom=0.95, top=0.45, wspace=0.22, hspace=0.2)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def workforce_chart(series: Bands, months: list[str], path: Target, whole: str) -> None:
    """National FCAs in post against establishment, vacancies, leavers and the CFC-trained share."""
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4.2))
    for metric, colour, label in (("fte_in_post", BLUE, "FCAs in post"), ("establishment", GREY, "establishment")):
        band = _band(series, metric, NATIONAL)
        if not band.empty:
            _fan(ax1, band, months, colour=colour, label=label)
    ax1.set_title(f"FCAs in post and establishment ({whole})")
    ax1.set_ylabel("FTE")
    handles, labels = ax1.get_legend_handles_labels()
    keep = [i for i, lab in enumerate(labels) if "band" not in lab or i < 2]
    ax1.legend([handles[i] for i in keep], [labels[i] for i in keep], fontsize=8, loc="lower left")
    for metric, colour, label in (("vacancies", ORANGE, "vacancies (FTE)"),
                                  ("leavers", PURPLE, "leavers per month")):
        band = _band(series, metric, NATIONAL)
        if not band.empty:
            x = [months.index(m) for m in band.index]
            ax2.plot(x, band[0.5], color=colour, label=label)
            ax2.fill_between(x, band[0.05], band[0.95], color=colour, alpha=0.2, linewidth=0)
    ax2.set_title("Vacancies and leavers (median, 90% band)")
    ax2.set_ylabel("FTE / people")
    ax2.legend(fontsize=8)
    band = _band(series, "trained_share", NATIONAL)
    if not band.empty:
        _fan(ax3, band, months, colour=SERIES[2], label="CFC-trained share")
    ax3.set_ylim(0, 1.02)
    ax3.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax3.set_title("FCAs trained for Child Focused Courts")
    ax3.legend(fontsize=8, loc="lower right")
    for ax in (ax1, ax2, ax3):
        _months_axis(ax, months)
        ax.set_xlabel("month")
        ax.set_ylim(bottom=0)
    ax1.set_ylim(0, ax1.get_ylim()[1] * 1.06)  # the establishment line clear of the frame's top edge
    _margins_in(fig, left=0.75, right=0.2, bottom=0.95, top=0.45, wspace=0.27, hspace=0.2)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_run_chart(name: str, inputs: RunChartInputs, into: Path) -> None:
    """Draw one of `run_chart_names` into the folder `into` (a PNG file of that name)."""
    config, bands, months = inputs.config, inputs.bands, inputs.months
    areas = [a.name for a in config.areas]
    target = config.header.targets.cir_on_time_share
    go_live = {a.name: a.go_live.strftime("%Y-%m") for a in config.areas}
    many = len(areas) > MAX_AREA_PANELS
    whole = whole_run_name(areas)
    path = into / name
    if name == "readiness_heatmap.png":
        readiness_heatmap(inputs.readiness, path, f"Readiness to go live: {config.name}", config.live_at_start())
    elif name == "cir_on_time_fan.png":
        cir_fan_chart(bands, areas, months, target, path, inputs.on_time)
    elif name == "cir_on_time_regions.png":
        region_lines_chart(bands, "cir_on_time_share", regions_of(config, areas), months, path,
                           "CIRs filed within eight working weeks, every area by region (median across "
                           "replications; dot: planned go-live; dashed: target)", "share on time", share=True,
                           target=target, go_live=go_live)
    elif name == "caseload_queue.png":
        caps = [a.workforce.caseload_cap for a in config.areas]
        caseload_queue_chart(bands, months, float(np.median(caps)), path, whole)
    elif name == "workforce.png":
        workforce_chart(bands, months, path, whole)
    elif name == "transition_cap_rundown.png" and many:
        region_lines_chart(bands, "open_cap_cases", regions_of(config, areas), months, path,
                           "Transition: open CAP cases per area by region (median across replications; dot: "
                           "planned go-live)", "open CAP cases", go_live=go_live)
    elif name == "transition_cap_rundown.png":
        transition_chart(bands, areas, months, go_live, path)
    else:
        raise ValueError(f"no run chart named {name!r}")


def draw_run_charts(result: object, folder: Path, on_chart: Callable[[str], None] | None = None) -> None:
    """The standard charts of a results folder in this process, from bands computed once; `on_chart`
    is told each chart's file name before it is drawn (progress for long runs)."""
    tell = on_chart or (lambda name: None)
    inputs = run_chart_inputs(result)
    for name in run_chart_names(result.config):  # type: ignore[attr-defined]
        tell(name)
        draw_run_chart(name, inputs, folder)


RUN_COLOURS = SERIES
RUN_MARKERS = ["o", "s", "D", "^", "v", "P", "X"]  # a shape per run too: colour is never the only cue


def _run_style(i: int) -> dict[str, Any]:
    return {"color": RUN_COLOURS[i % len(RUN_COLOURS)], "marker": RUN_MARKERS[i % len(RUN_MARKERS)]}


def _span(values: Sequence[float], target: float | None = None) -> tuple[float, float]:
    """Axis limits around the values (and a near-by target), padded: not from zero, so differences show."""
    finite = [v for v in values if v == v]
    if target is not None:
        finite.append(target)
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = (high - low) * 0.15 or max(abs(high) * 0.05, 0.01)
    return low - pad, high + pad


def difference_colour(verdict: str) -> str:
    """Green better, dark red worse, grey no clear difference, and blue a clear difference in a figure
    that is neither better nor worse (FCAs in post, CIRs filed): those had been grey, read as 'no
    clear difference' under the chart's caption."""
    if verdict.endswith("better"):
        return RAG["green"]
    if verdict.endswith("worse"):
        return RAG["red"]
    return GREY if verdict.startswith("no ") else BLUE  # "no clear difference", "no difference"


def difference_chart(table: pd.DataFrame, path: Path, labels: list[str]) -> None:
    """Each compared KPI's difference from run 1, per later run, as a point with its 95% interval
    against a line at zero, on an axis centred on zero: a difference whose interval crosses the line
    may be chance, however large the point looks. Shares in percentage points."""
    from cfc_sim.compare import difference_verdict, measure_label, metric_of, shown_metrics

    metrics = [m for m in shown_metrics(table)
               if table[(table["metric"] == m) & table["diff"].notna()].shape[0] > 0]
    cols = 3
    rows = max(1, math.ceil(len(metrics) / cols))
    others = labels[1:]
    height = 0.3 * max(1, len(others)) + 1.3
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, height * rows + 0.8), squeeze=False)
    y = np.arange(len(others))[::-1]
    for ax, metric in zip(axes.flat, metrics, strict=False):
        sub = table[table["metric"] == metric].set_index("run").reindex(others)
        m = metric_of(metric)
        scale = 100.0 if m.kind == "share" else 1.0
        reach = 0.0
        for i, label in enumerate(others):
            row = sub.loc[label]
            d, lo, hi = (float(row[c]) * scale for c in ("diff", "diff_low", "diff_high"))
            if d != d:
                continue
            verdict = difference_verdict(metric, row["diff"], row["diff_low"], row["diff_high"])
            colour = difference_colour(verdict)
            ax.errorbar([d], [y[i]], xerr=[[max(d - lo, 0)], [max(hi - d, 0)]], linestyle="none", capsize=4,
                        marker="o", markersize=6, color=colour)
            reach = max(reach, abs(lo), abs(hi), abs(d))
        reach = reach * 1.15 if reach > 0 else 1.0
        ax.axvline(0, color="black", linewidth=1.2)
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-0.7, len(others) - 0.3)
        ax.set_yticks(y)
        ax.set_yticklabels([f"run {i + 2}" for i in range(len(others))], fontsize=8)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5, symmetric=True))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
        pathway = str(sub["pathway"].dropna().iloc[0]) if "pathway" in sub and sub["pathway"].notna().any() else "all"
        title = measure_label(metric, pathway)
        ax.set_title(title[:1].upper() + title[1:], fontsize=8.5)
        ax.set_xlabel("percentage points" if m.kind == "share" else m.unit, fontsize=7.5)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis("off")
    fig.suptitle("Difference from run 1 with its 95% interval; the line is no difference (an interval crossing it "
                 "may be chance)", x=0.01, ha="left", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare_chart(table: pd.DataFrame, path: Path, labels: list[str], targets: dict[str, float] | None,
                  where: str) -> None:
    """Each compared KPI: every run's mean as a point with its 95% interval, on an axis fitted to the
    values (not from zero), the target as a dashed line, and the paired difference from the first run
    in the panel's title. KPIs that are zero in every run are left out."""
    from cfc_sim.compare import difference_text, metric_of, shown_metrics

    targets = targets or {}
    metrics = shown_metrics(table)
    cols = 3
    rows = max(1, math.ceil(len(metrics) / cols))
    height = 0.32 * len(labels) + 1.35
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, height * rows + 0.6 + 0.25 * math.ceil(len(labels) / 3)),
                             squeeze=False)
    y = np.arange(len(labels))[::-1]
    for ax, metric in zip(axes.flat, metrics, strict=False):
        sub = table[table["metric"] == metric].set_index("run").reindex(labels)
        m = metric_of(metric)
        for i, label in enumerate(labels):
            row = sub.loc[label]
            err = [[max(row["mean"] - row["ci_low"], 0)], [max(row["ci_high"] - row["mean"], 0)]]
            ax.errorbar([row["mean"]], [y[i]], xerr=err, linestyle="none", capsize=4, markersize=7,
                        **_run_style(i))
        target = targets.get(metric)
        lo, hi = _span(list(sub["ci_low"]) + list(sub["ci_high"]) + list(sub["mean"]))
        unit = m.unit
        if target is not None and lo - (hi - lo) <= target <= hi + (hi - lo):  # draw a target that is near
            ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.2)
            ax.annotate("target", (target, 1.0), xycoords=("data", "axes fraction"), fontsize=7, ha="center",
                        va="bottom", color=TARGET)
            lo, hi = _span([lo, hi], target)
        elif target is not None:
            unit += f"; target {m.format(target)}, {'above' if target > hi else 'below'} the axis"
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.7, len(labels) - 0.3)
        ax.set_yticks(y)
        ax.set_yticklabels([str(i + 1) for i in range(len(labels))], fontsize=8)
        if m.kind == "share":
            ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
        elif hi - lo >= 10:
            ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
        title = m.label if len(m.label) <= 48 else m.short[:1].upper() + m.short[1:]
        if len(labels) == 2 and sub.iloc[1]["diff"] == sub.iloc[1]["diff"]:
            d = sub.iloc[1]
            title += f"\ndifference {difference_text(metric, d['diff'], d['diff_low'], d['diff_high'])}"
        ax.set_title(title, fontsize=8.5, pad=10)
        ax.set_xlabel(unit, fontsize=7.5)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis("off")
    handles = [plt.Line2D([], [], linestyle="none", markersize=7, label=f"{i + 1}: {label}", **_run_style(i))
               for i, label in enumerate(labels)]
    height_in = fig.get_figheight()
    legend_rows = math.ceil(len(labels) / 3)
    fig.suptitle(f"Scenario comparison ({where}): mean and 95% interval per run; difference from run 1 "
                 "(paired when the runs share a seed)", x=0.01, y=1 - 0.12 / height_in, ha="left", va="top",
                 fontsize=11)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, 1 - 0.45 / height_in), fontsize=9,
               ncol=min(3, len(labels)), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - (0.55 + 0.25 * legend_rows) / height_in))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def area_comparison_chart(frame: pd.DataFrame, labels: list[str], target: float, moved: set[str],
                          path: Path) -> None:
    """Each area's CIR on-time share in every run (point and 95% interval), areas worst first in the
    first run, the target as a dashed line; areas whose go-live moved are marked with an arrow."""
    areas = list(frame[frame["run"] == labels[0]].sort_values("mean", na_position="first")["area"])
    areas += [a for a in frame["area"].drop_duplicates() if a not in areas]
    if not areas:
        areas = ["(no area files CIRs)"]
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(areas) * max(1, len(labels) / 2) + 1.9))
    offsets = np.linspace(-0.25, 0.25, len(labels)) if len(labels) > 1 else np.zeros(1)
    position = {a: len(areas) - 1 - k for k, a in enumerate(areas)}
    for i, label in enumerate(labels):
        sub = frame[frame["run"] == label]
        ys = [position[a] + offsets[i] for a in sub["area"]]
        err = np.vstack([np.maximum(sub["mean"] - sub["low"], 0), np.maximum(sub["high"] - sub["mean"], 0)])
        ax.errorbar(sub["mean"], ys, xerr=err, linestyle="none", capsize=2, markersize=5, elinewidth=1,
                    label=f"{i + 1}: {label}", **_run_style(i))
    ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.2, label=f"target {target:.0%}")
    ax.set_yticks([position[a] for a in areas])
    ax.set_yticklabels([f"{a}  \u2192" if a in moved else a for a in areas], fontsize=8)
    for tick in ax.get_yticklabels():
        if tick.get_text().endswith("\u2192"):
            tick.set_fontweight("bold")
    lows = [v for v in frame["low"] if v == v]
    ax.set_xlim(max(0.0, min(lows + [target]) - 0.05) if lows else 0.0, 1.01)
    ax.set_ylim(-0.7, len(areas) - 0.3)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.xaxis.set_ticks_position("both")
    ax.tick_params(axis="x", labeltop=True, labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("share of CIRs filed within eight working weeks (whole run), mean and 95% interval")
    ax.set_title("CIR on-time share by area, worst first" + (" (\u2192 = go-live moved)" if moved else ""),
                 fontsize=11, loc="left", pad=22)
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(4, len(labels) + 1), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.45 / fig.get_figheight(), 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def transition_chart(series: Bands, areas: list[str], months: list[str], go_live: dict[str, str],
                     path: Target) -> None:
    """Open CAP cases per area over time: the run-down of the old pathway after go-live (one panel per
    area: for runs of up to MAX_AREA_PANELS areas; larger runs draw `region_lines_chart`)."""
    bands = {a: _band(series, "open_cap_cases", a) for a in areas}
    shown = [a for a in areas if not bands[a].empty and bands[a][0.95].max() > 0]  # areas with CAP work
    cols = min(5, max(1, len(shown)))
    rows = math.ceil(len(shown) / cols) if shown else 1
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.0 * rows + 1.0), squeeze=False)
    for ax, area in zip(axes.flat, shown, strict=False):
        _fan(ax, bands[area], months, colour="#555555", label="open CAP cases")
        if go_live.get(area) in months:
            ax.axvline(months.index(go_live[area]), color=TARGET, linestyle=":", linewidth=1.5,
                       label="planned go-live")
        ax.set_title(area, fontsize=9)
        ax.set_ylim(bottom=0)
        _months_axis(ax, months, every=max(6, len(months) // 4))
    _finish_panels(fig, axes, len(shown), "Transition: open CAP cases per area (cases), median and bands across "
                   "replications", path)


def sweep_chart(table: pd.DataFrame, keys: list[str], metric: str, path: Path, area: str = NATIONAL,
                start: Any = None, run_areas: Sequence[str] = (),
                bounds_days: tuple[float, float] | None = None) -> None:
    """The chosen metric against the first swept key, one line per combination of the others; every
    variant shown (`sweep_view.metric_view`): a date metric on a date axis (`start`: the scenario
    start), a variant without a value as a cross on the top edge marked "not live within the run"."""
    import datetime as dt

    import matplotlib.dates as mdates

    from cfc_sim.sweep_view import is_date_metric, metric_view, where_label

    dated = is_date_metric(metric) and start is not None
    view = metric_view(table, keys, metric, area, start if start is not None else dt.date(2000, 1, 1), bounds_days)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    x_key, others = keys[0], keys[1:]
    groups = list(view.groupby(others, sort=False)) if others else [((), view)]
    missing_drawn = False
    for i, (group_key, sub) in enumerate(groups):
        xs = list(sub[x_key])
        positions: list[float] = list(map(float, range(len(xs))))
        try:
            positions = [float(v) for v in xs]
            numeric = True
        except ValueError:
            numeric = False
        label = ", ".join(f"{k}={v}" for k, v in zip(others, group_key if isinstance(group_key, tuple)
                                                              else (group_key,), strict=False)) or metric
        spread = (max(positions) - min(positions)) if len(xs) > 1 else 1.0
        dodge = (i - (len(groups) - 1) / 2) * 0.012 * spread  # lines that coincide stay visible side by side
        shift = mdates.date2num(start) if dated else 0.0
        mean, low, high = (sub[c].to_numpy(dtype=float) + shift for c in ("mean", "ci_low", "ci_high"))
        known = ~np.isnan(mean)
        x = np.array(positions) + dodge
        if known.any():
            ax.errorbar(x[known], mean[known], yerr=np.vstack([mean - low, high - mean])[:, known], capsize=4,
                        label=label, **_run_style(i))
        if (~known).any():
            ax.plot(x[~known], [1.0] * int((~known).sum()), linestyle="none", marker="X", markersize=10,
                    color=RAG["red"], transform=ax.get_xaxis_transform(), clip_on=False,
                    label=None if missing_drawn else "not live within the run (no value)")
            missing_drawn = True
        if not numeric:
            ax.set_xticks(positions)
            ax.set_xticklabels(xs)
    if view["mean"].isna().all():
        ax.text(0.5, 0.5, "no variant has a value" + (": none went live within the run" if dated else ""),
                transform=ax.transAxes, ha="center", va="center", fontsize=11, color=GREY)
        ax.set_yticks([])
    elif dated:
        ax.yaxis_date()
        ax.yaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    elif written_as_share(metric):
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(x_key)
    ax.set_ylabel("date" if dated else label_of(metric))
    ax.set_title(f"Sweep: {label_of(metric)} ({where_label(area, run_areas)}), mean and 95% interval", pad=14)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sensitivity_chart(indices: pd.DataFrame, method: str, path: Path, title: str, whole: str) -> None:
    """Tornado-like bars per input, largest at the top: Morris mu* (sigma as markers) or Sobol total
    index ST with the first-order S1 overlaid, for England's CIR on-time share and for the mean over
    areas of the earliest-ready-month indices."""

    outputs = indices["output"].drop_duplicates()
    n_areas = int((outputs.str.startswith(READY_PREFIX) & (outputs != READY_MEAN)).sum())
    panels = [(CIR_OUTPUT, f"CIR on-time share ({whole})", "share of CIRs on time"),
              (READY_MEAN, f"Earliest ready month (mean over {n_areas} area{'s' if n_areas != 1 else ''})",
               "months")]
    n_params = indices["param"].nunique()
    fig, axes = plt.subplots(1, 2, figsize=(13, max(3.6, 0.45 * n_params + 2.6)))
    orange = ORANGE

    def error(value: pd.Series, conf: pd.Series) -> np.ndarray:  # intervals not below zero
        conf = conf.fillna(0.0).to_numpy()
        return np.vstack([np.minimum(conf, np.maximum(value.fillna(0.0).to_numpy(), 0.0)), conf])

    for ax, (output, heading, unit) in zip(axes, panels, strict=True):
        ax.set_title(heading, fontsize=10)
        rows = indices[indices["output"] == output]
        if rows.empty:
            ax.text(0.5, 0.5, "no area goes live during the run", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
            continue
        score = "mu_star" if method == "morris" else "ST"
        rows = rows.assign(_s=rows[score].fillna(-1.0)).sort_values("_s", kind="stable")  # largest at the top
        y = np.arange(len(rows))
        if method == "morris":
            ax.barh(y, rows["mu_star"], xerr=error(rows["mu_star"], rows["mu_star_conf"]), color=BLUE,
                    capsize=3, label="mu*: mean |elementary effect|, 95% interval")
            ax.scatter(rows["sigma"], y, marker="D", facecolors="none", edgecolors=orange, zorder=3,
                       label="sigma: spread of the effects (interactions, non-linearity)")
            ax.set_xlabel(f"change over the input's low-to-high range ({unit})")
        else:
            ax.barh(y, rows["ST"], color=BLUE, height=0.7, label="total index ST")
            ax.barh(y, rows["S1"], color=orange, height=0.3, label="first-order index S1")
            # Intervals apart: ST's along the upper edge of its bar, S1's through the middle.
            ax.errorbar(rows["ST"], y + 0.25, xerr=error(rows["ST"], rows["ST_conf"]), fmt="none", ecolor="black",
                        capsize=3, label="95% interval of ST")
            ax.errorbar(rows["S1"], y, xerr=error(rows["S1"], rows["S1_conf"]), fmt="none", ecolor=PURPLE,
                        capsize=2, label="95% interval of S1")
            ax.set_xlabel("Sobol index (share of the output's variance)")
        ax.axvline(0, color=GREY, linewidth=0.8)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))  # tick labels that do not run together
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.2g}"))
        ax.set_yticks(y)
        ax.set_yticklabels(rows["param"], fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1 if method == "morris" else 2,
                  frameon=False)
    name = "Morris elementary effects" if method == "morris" else "Sobol indices"
    fig.suptitle(f"Global sensitivity ({name}): {title}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
