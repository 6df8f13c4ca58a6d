"""The board's comparison page (`cfc-sim report RUN RUN ...`): one self-contained HTML file comparing
scenarios: go-live dates and readiness side by side (which areas move), each headline KPI with its
paired difference from the first run and 95% interval, and charts on axes fitted to the values.

Runs made with the same seed are paired replication by replication (common random numbers,
`cfc_sim.compare`). Every value read from the results folders is HTML-escaped; the charts are drawn
here from the checked numbers, never copied from the folders.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cfc_sim.calendar import DAYS_PER_MONTH
from cfc_sim.compare import (
    compare_frame,
    difference_text,
    difference_verdict,
    estimate_texts,
    measure_label,
    metric_of,
    paired,
    targets_of,
    whole_of,
)
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.output_folder import HTML_GENERATOR, write_file
from cfc_sim.readiness_view import (
    AFTER_RUN,
    ALREADY_LIVE,
    AreaStatus,
    area_statuses,
    is_true,
    month_gap,
    slip_text,
    went_live,
)
from cfc_sim.report.html_page import CSS, SCRIPT, badge
from cfc_sim.report.need_view import money_text
from cfc_sim.report.views import day_label, month_label, ready_label
from cfc_sim.results import RunResult
from cfc_sim.version import __version__


@dataclass(frozen=True)
class AreaRun:
    """One area in one run: its planned go-live, readiness then, and what happened."""

    status: AreaStatus
    went_live: str  # mean go-live date across replications, or "not within the horizon"
    on_time: tuple[float, float, float]  # CIR on-time share: mean, 95% low, high (NaN when none)
    need_fte: float = math.nan  # CFC-trained FCAs needed at the planned go-live (the capacity threshold)


@dataclass(frozen=True)
class AreaComparison:
    area: str
    region: str
    runs: tuple[AreaRun | None, ...]  # None: the area is not in that run
    moved: tuple[str, ...]  # per run after the first: how its planned go-live moved ("" when it did not)
    ready_moved: tuple[str, ...] = ()  # per run after the first: how its ready month moved ("" if not)
    need_changed: tuple[str, ...] = ()  # per run after the first: how its FCA need changed ("" if not)

    @property
    def any_moved(self) -> bool:
        return any(self.moved)


NEED_CHANGE_FTE = 0.5  # a change in the FCAs needed smaller than this is not named


def ready_moved_text(first: AreaStatus, other: AreaStatus) -> str:
    """How an area's ready month (`readiness_view.earliest_ready`) moved between two runs: '' when
    not, e.g. 'later by 3 months (Oct 2026 to Jan 2027)' or 'no longer ready within the run'."""
    a, b = first.ready_text, other.ready_text
    if a == b:
        return ""
    if not b[:1].isdigit():
        return f"{b} (was {month_label(a) if a[:1].isdigit() else a})"
    if not a[:1].isdigit():
        return f"ready from {month_label(b)} (was {a})"
    gap = month_gap(a, b)
    word = "later" if gap > 0 else "earlier"
    return f"{word} by {abs(gap)} month{'s' if abs(gap) != 1 else ''} ({month_label(a)} to {month_label(b)})"


def need_changed_text(first: float, other: float) -> str:
    """How the CFC-trained FCAs an area needs at its planned go-live changed: '' when by less than
    NEED_CHANGE_FTE (or unknown), else e.g. '+2.1 FCAs (10.3 to 12.4)'."""
    if first != first or other != other or abs(other - first) < NEED_CHANGE_FTE:
        return ""
    return f"{other - first:+.1f} FCAs ({first:.1f} to {other:.1f})"


def _needs(run: RunResult) -> dict[str, float]:
    """Per area the CFC-trained FCAs needed at its planned go-live month: the capacity criterion's
    threshold in `readiness.csv` (the need every readiness view judges against)."""
    r = run.readiness
    if r.empty or "go_live_month" not in r:
        return {}
    rows = r[(r["criterion"] == "capacity") & r["go_live_month"].map(is_true)]
    return {str(a): float(t) for a, t in zip(rows["area"], rows["threshold"], strict=True)}


def _months_between(first: str, other: str) -> int:
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(other)
    return round((b - a).days / DAYS_PER_MONTH)


def moved_text(first: str, other: str) -> str:
    """How a planned go-live moved: '' if not, else e.g. 'later by 6 months (6 Oct 2026 to 6 Apr 2027)'."""
    if first == other:
        return ""
    months = _months_between(first, other)
    if months == 0:
        days = (dt.date.fromisoformat(other) - dt.date.fromisoformat(first)).days
        size = f"{abs(days)} day{'s' if abs(days) != 1 else ''}"
    else:
        size = f"{abs(months)} month{'s' if abs(months) != 1 else ''}"
    word = "later" if other > first else "earlier"
    return f"{word} by {size} ({day_label(first)} to {day_label(other)})"


def _on_time(run: RunResult) -> dict[str, tuple[float, float, float]]:
    s = run.summary
    rows = s[(s["pathway"] == "all") & (s["metric"] == "cir_on_time_share") & (s["area"] != NATIONAL)]
    return {str(r.area): (float(r.mean), float(r.ci_low), float(r.ci_high)) for r in rows.itertuples()}


def area_comparisons(runs: Sequence[RunResult]) -> list[AreaComparison]:
    """Every area of any run (the first run's order, then new ones), side by side."""
    per_run = []
    for run in runs:
        statuses = {s.area: s for s in area_statuses(run.readiness, run.config)}
        went = went_live(run.replications, run.config)
        on_time = _on_time(run)
        needs = _needs(run)
        per_run.append({name: AreaRun(status, went[name], on_time.get(name, (math.nan,) * 3),
                                      needs.get(name, math.nan))
                        for name, status in statuses.items()})
    names: list[str] = []
    for run in runs:
        names += [a.name for a in run.config.areas if a.name not in names]
    regions = {a.name: a.region or "" for run in runs for a in run.config.areas}
    out = []
    for name in names:
        cells = tuple(r.get(name) for r in per_run)
        first = cells[0]
        moved = tuple("" if first is None or c is None else moved_text(first.status.planned, c.status.planned)
                      for c in cells[1:])
        ready = tuple("" if first is None or c is None else ready_moved_text(first.status, c.status)
                      for c in cells[1:])
        need = tuple("" if first is None or c is None else need_changed_text(first.need_fte, c.need_fte)
                     for c in cells[1:])
        out.append(AreaComparison(name, regions[name], cells, moved, ready, need))
    return out


def _png(draw: Callable[[Path], None]) -> str:
    """A chart drawn to a temporary file and returned as a data URI (nothing left on disk)."""
    with tempfile.TemporaryDirectory(prefix="cfc-sim-chart-") as tmp:
        path = Path(tmp) / "chart.png"
        draw(path)
        data = path.read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _share(value: tuple[float, float, float]) -> str:
    mean, low, high = value
    if mean != mean:
        return "n/a"
    return f'{mean:.0%}<br><span class="note">{low:.0%} to {high:.0%}</span>'


def _status_changed(row: AreaComparison) -> bool:
    return len({c.status.status for c in row.runs if c is not None}) > 1


def _golive_html(rows: list[AreaComparison], labels: Sequence[str]) -> str:
    # what changes first (stable): a moved go-live, a status or a ready month that differs
    rows = sorted(rows, key=lambda r: not (r.any_moved or _status_changed(r) or any(r.ready_moved)))
    head = "".join(f'<th colspan="4" class="run">{i + 1}: {html.escape(label)}</th>'
                   for i, label in enumerate(labels))
    sub = "".join("<th>Planned go-live</th><th>Status then</th><th>Ready month (after plan)</th><th>CIRs on time</th>"
                  for _ in labels)
    body = []
    for row in rows:
        tds = []
        for i, cell in enumerate(row.runs):
            if cell is None:
                tds.append('<td colspan="4" class="note">not in this run</td>')
                continue
            status = cell.status
            live = status.note == ALREADY_LIVE
            planned = html.escape(day_label(status.planned))
            if i > 0 and row.moved[i - 1]:
                planned = f'<strong class="moved-date">{planned}</strong>'
            went = cell.went_live
            if not live and went and not went.startswith(status.planned):
                planned += f'<br><span class="note">went live {html.escape(went)}</span>'
            shown = badge("live") if live else badge(status.status)
            why = html.escape(status.reason) if status.reason and status.reason != "none" and not live else ""
            when = html.escape(month_label(status.month)) if status.month and not live else ""
            detail = f'<br><span class="note">{when}{": " if when and why else ""}{why}</span>' if when or why else ""
            slip = slip_text(status.slip_months)
            ready = html.escape(ready_label(status)) + (f'<br><span class="note">{html.escape(slip)}</span>'
                                                        if slip else "")
            tds.append(f'<td class="nowrap">{planned}</td><td>{shown}{detail}</td>'
                       f'<td class="nowrap ready">{ready}</td><td class="num">{_share(cell.on_time)}</td>')
        moved = "; ".join(f"run {i + 2}: {m}" for i, m in enumerate(row.moved) if m)
        cls = ' class="moved"' if row.any_moved else ""
        body.append(f'<tr{cls} data-area="{html.escape(row.area, quote=True)}" '
                    f'data-moved="{"yes" if row.any_moved else "no"}"><td>{html.escape(row.area)}'
                    + (f'<br><span class="note">{html.escape(row.region)}</span>' if row.region else "")
                    + f'</td>{"".join(tds)}<td>{html.escape(moved) or "same date"}</td></tr>')
    return ('<div class="scroll"><table id="golive-table" class="compare"><thead><tr><th rowspan="2">Court area'
            f'</th>{head}<th rowspan="2">Go-live moved?</th></tr><tr>{sub}</tr></thead><tbody>'
            + "".join(body) + "</tbody></table></div>")


def _areas_warning(runs: Sequence[RunResult], labels: Sequence[str]) -> str:
    """Warnings when the runs model different areas (England's figures then sum different populations),
    cover different months, differ in replications or rest on different calibrations: `compare` says
    the same in the terminal, and a board reading only this page must see it too."""
    from cfc_sim.compare import calibration_of, replications_of, same_areas, same_span

    others = list(zip(runs[1:], labels[1:], strict=True))
    differ = [label for run, label in others if not same_areas(runs[0], run)]
    longer = [label for run, label in others if not same_span(runs[0], run)]
    fewer = [f"{label}: {replications_of(run)}" for run, label in others
             if replications_of(run) != replications_of(runs[0])]
    calibrated = [f"{label}: {calibration_of(run) or 'none'}" for run, label in others
                  if calibration_of(run) != calibration_of(runs[0])]
    parts = []
    if differ:
        parts.append('<p class="warning" id="different-areas"><strong>The runs model different areas</strong> ('
                     + html.escape(", ".join(differ)) + f" against {html.escape(labels[0])}): the headline figures "
                     "for all areas together below add up different areas, so their differences compare populations, "
                     "not scenarios. Compare the areas both runs have, in the side-by-side table.</p>")
    if longer:
        parts.append('<p class="warning" id="different-periods"><strong>The runs cover different months</strong> ('
                     + html.escape(", ".join(longer)) + f" against {html.escape(labels[0])}): counts, averages and "
                     "ready months are over different periods, so their differences are not the scenarios' alone.</p>")
    if fewer:
        parts.append('<p class="warning" id="different-replications"><strong>The runs have different numbers of '
                     f'replications</strong> ({html.escape("; ".join(fewer))}; {html.escape(labels[0])}: '
                     f"{replications_of(runs[0])}): their intervals differ in width, and paired differences use only "
                     "the replications both have. Rerun them with the same --reps.</p>")
    if calibrated:
        parts.append('<p class="warning" id="different-calibration"><strong>The runs rest on different '
                     f'calibrations</strong> ({html.escape("; ".join(calibrated))}; {html.escape(labels[0])}: '
                     f"{html.escape(calibration_of(runs[0]) or 'none')}): their differences mix the scenarios with "
                     "the assumptions. Rerun the older one.</p>")
    return "".join(parts)


def _moved_summary(rows: list[AreaComparison], labels: Sequence[str]) -> str:
    moved = [r for r in rows if r.any_moved]
    changed = [r for r in rows if _status_changed(r)]
    parts = []
    if moved:
        items = "".join(f'<li data-area="{html.escape(r.area, quote=True)}"><strong>{html.escape(r.area)}</strong>: '
                        + html.escape("; ".join(f"run {i + 2} ({labels[i + 1]}) {m}" for i, m in enumerate(r.moved)
                                                if m)) + "</li>" for r in moved)
        parts.append(f"<p><strong>Go-live moves in {len(moved)} of {len(rows)} areas:</strong></p>"
                     f'<ul id="moved-list">{items}</ul>')
    else:
        parts.append(f'<p id="moved-list-none">No area\'s planned go-live differs between the runs '
                     f"({len(rows)} areas).</p>")
    parts.append(_change_list(rows, labels, "ready_moved", "ready-moved", "Ready month moves",
                              "No area's ready month moves between the runs"))
    never = [r for r in rows if all(c is not None and c.status.note not in (ALREADY_LIVE, AFTER_RUN)
                                    and c.status.earliest_ready is None for c in r.runs)]
    if never:
        parts.append(f'<p class="note" id="never-ready">{len(never)} of {len(rows)} areas are not ready within the '
                     "run in any of the runs, so their ready month cannot move: a difference between the runs shows "
                     "in them only as CIRs on time and the FCAs needed. Read each run's readiness before reading few "
                     "moves as little change.</p>")
    if any(r.ready_moved and any(r.ready_moved) for r in rows):
        parts.append('<p class="note">Largest moves first. A ready month is judged on every replication of '
                     "the run; with few replications a move of a month or two may be chance (a rerun with more "
                     "replications settles it).</p>")
    parts.append(_change_list(rows, labels, "need_changed", "need-changed",
                              "CFC-trained FCAs needed at the planned go-live change",
                              "No area's CFC-trained FCAs needed at its planned go-live (the readiness capacity "
                              f"threshold) change by {NEED_CHANGE_FTE:g} or more"))
    if changed:
        items = "".join(f"<li><strong>{html.escape(r.area)}</strong>: "
                        + ", ".join(f"run {i + 1} {html.escape(c.status.status.upper())}" for i, c in enumerate(r.runs)
                                    if c is not None) + "</li>" for r in changed)
        parts.append(f"<p><strong>Readiness at planned go-live differs in {len(changed)} area"
                     f"{'s' if len(changed) != 1 else ''}:</strong></p><ul id=\"status-changed\">{items}</ul>")
    return "".join(parts)


def _size_of_change(row: AreaComparison) -> float:
    """Sort key, largest change first: a ready month lost or gained counts as the largest, then the
    most months moved, then the largest change in FCAs needed."""
    first = row.runs[0]
    size = 0.0
    for cell in row.runs[1:]:
        if first is None or cell is None:
            continue
        a, b = first.status.earliest_ready, cell.status.earliest_ready
        if (a is None) != (b is None):
            size = max(size, 1e6)
        elif a is not None and b is not None:
            size = max(size, abs(month_gap(a, b)))
        if first.need_fte == first.need_fte and cell.need_fte == cell.need_fte:
            size = max(size, abs(cell.need_fte - first.need_fte))
    return -size


def _change_list(rows: list[AreaComparison], labels: Sequence[str], field: str, list_id: str, title: str,
                 none: str) -> str:
    """The areas whose `field` (ready_moved or need_changed) differs from run 1, by how much, per run."""
    changed = sorted((r for r in rows if any(getattr(r, field))), key=_size_of_change)
    if not changed:
        return f'<p id="{list_id}-none">{html.escape(none)} ({len(rows)} areas).</p>'
    items = "".join(
        f'<li data-area="{html.escape(r.area, quote=True)}"><strong>{html.escape(r.area)}</strong>: '
        + html.escape("; ".join(f"run {i + 2} ({labels[i + 1]}) {m}" for i, m in enumerate(getattr(r, field)) if m))
        + "</li>" for r in changed)
    return (f"<p><strong>{html.escape(title)} in {len(changed)} of {len(rows)} areas:</strong></p>"
            f'<ul id="{list_id}">{items}</ul>')


def _kpi_html(table: pd.DataFrame, labels: Sequence[str], targets: dict[str, tuple[float, str]], whole: str) -> str:
    head = "".join(f"<th>{i + 1}: {html.escape(label)}</th>" for i, label in enumerate(labels))
    diffs = "".join(f"<th>Difference, run {i + 1} minus run 1 (95% interval)</th>" for i in range(1, len(labels)))
    body = []
    for metric, group in table.groupby("metric", sort=False):
        m = metric_of(str(metric))
        rows = list(group.itertuples())
        texts = estimate_texts(str(metric), [(r.mean, r.ci_low, r.ci_high) for r in rows])
        values = "".join(f'<td class="num">{html.escape(text)}</td>' for text in texts)
        cells = ""
        for r in rows[1:]:
            verdict = difference_verdict(str(metric), r.diff, r.diff_low, r.diff_high)
            cls = (" better" if verdict.endswith("better") else " worse" if verdict.endswith("worse") else "")
            text = difference_text(str(metric), r.diff, r.diff_low, r.diff_high)
            cells += (f'<td class="num diff{cls}"><strong>{html.escape(text)}</strong><br>'
                      f'<span class="note">{html.escape(verdict)}</span></td>')
        target = targets.get(str(metric), (None, ""))[1]
        label = measure_label(str(metric), str(rows[0].pathway), long=True)
        body.append(f'<tr data-metric="{html.escape(str(metric), quote=True)}"><td>{html.escape(label)}'
                    f'<br><span class="note">{html.escape(m.unit)}</span></td><td>{html.escape(target)}</td>'
                    f"{values}{cells}</tr>")
    return (f'<div class="scroll"><table id="kpi-table"><thead><tr><th>Measure ({html.escape(whole)}, whole run)</th>'
            f"<th>Target</th>{head}{diffs}</tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")


def cost_text(run: RunResult) -> str:
    """The run's workforce cost a year in England (FCAs in post and flexible staff at their day rates):
    the `workforce_cost` summary figure over the months it covers, with its 95% interval."""
    s = run.summary
    row = s[(s["area"] == NATIONAL) & (s["pathway"] == "all") & (s["metric"] == "workforce_cost")]
    header = run.config.header
    years = (header.horizon_months - header.warmup_months) / 12
    if row.empty or years <= 0:
        return "n/a"
    mean, low, high = (float(row[c].iloc[0]) / years for c in ("mean", "ci_low", "ci_high"))
    if mean != mean:
        return "n/a"
    # £98.8m, not £98,837,768: an estimate (a pound-exact cost had made higher turnover look £887,041 cheaper)
    return f"{money_text(mean)} ({money_text(low)} to {money_text(high)})"


def _runs_html(runs: Sequence[RunResult], labels: Sequence[str], folders: Sequence[Path]) -> str:
    body = []
    for i, (run, label, folder) in enumerate(zip(runs, labels, folders, strict=True)):
        m = run.manifest
        pairing = "" if i == 0 else ("paired with run 1 (same seed: replication r against replication r)"
                                     if paired(runs[0], run) else
                                     "not paired (different seed or areas): Welch interval")
        body.append(f"<tr><td>{i + 1}</td><td>{html.escape(label)}</td>"
                    f"<td>{html.escape(run.config.header.description or '')}</td>"
                    f'<td class="num">{html.escape(cost_text(run))}</td><td>{html.escape(Path(folder).name)}</td>'
                    f"<td class=\"num\">{html.escape(str(m.get('seed', '')))}</td>"
                    f"<td class=\"num\">{html.escape(str(m.get('replications', '')))}</td>"
                    f"<td>{html.escape(pairing)}</td><td><code>{html.escape(str(m.get('command', '')))}</code></td>"
                    "</tr>")
    return ('<div class="scroll"><table id="runs-table"><thead><tr><th>Run</th><th>Scenario</th>'
            "<th>What it assumes</th><th>Pay of the FCAs in post and flexible staff a year (95% interval; "
            "recruiting and training not counted, so fewer FCAs in post look cheaper)</th>"
            "<th>Results folder</th><th>Seed</th><th>Replications</th><th>Differences</th>"
            "<th>Command that reproduces it</th></tr></thead>"
            "<tbody>" + "".join(body) + "</tbody></table></div>")


COMPARISON_CSS = """
table.compare th.run { text-align: center; background: #e4ecf4; border-left: 2px solid #fff; }
tr.moved td { background: #e8f1f8; }
tr.moved td:first-child { border-left: 5px solid #0072B2; font-weight: 600; }
strong.moved-date::before { content: "\\2192 "; }
td.diff.better .note { color: #00664a; font-weight: 700; }
td.diff.worse .note { color: #a33d00; font-weight: 700; }
"""


def render_comparison(runs: Sequence[RunResult], labels: Sequence[str], folders: Sequence[Path]) -> str:
    """The comparison page as one HTML string."""
    from cfc_sim.charts import area_comparison_chart, compare_chart, difference_chart

    table = compare_frame(runs, labels)
    targets = targets_of(runs[0])
    rows = area_comparisons(runs)
    whole = whole_of(runs)
    moved = {r.area for r in rows if r.any_moved}
    frame = pd.DataFrame([{"area": r.area, "run": labels[i], "mean": c.on_time[0], "low": c.on_time[1],
                           "high": c.on_time[2]} for r in rows for i, c in enumerate(r.runs) if c is not None],
                         columns=["area", "run", "mean", "low", "high"])
    kpi_chart = _png(lambda p: compare_chart(table, p, list(labels), {k: v for k, (v, _) in targets.items()}, whole))
    diff_chart = _png(lambda p: difference_chart(table, p, list(labels)))
    area_chart = _png(lambda p: area_comparison_chart(frame, list(labels), targets["cir_on_time_share"][0],
                                                      moved, p))
    all_paired = all(paired(runs[0], r) for r in runs[1:])
    pairing = ("All runs share the seed, so each difference is estimated replication by replication (common "
               "random numbers: replication r of one scenario against replication r of the other), which removes "
               "most of the chance variation and leaves the effect of the scenario change."
               if all_paired else
               "Some runs have a different seed or model different areas, so their differences are estimated from "
               "independent samples (Welch's interval): wider than a paired comparison. Rerun with the same seed "
               "to pair them; over different areas the figures of all areas together are of different populations.")
    title = "Scenario comparison: " + " vs ".join(labels)
    reps = sorted({int(r.manifest.get("replications", 0)) for r in runs})
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">' + HTML_GENERATOR,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{CSS}{COMPARISON_CSS}</style><script>{SCRIPT}</script></head>"
        "<body><main>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="lead">{len(runs)} runs &middot; {html.escape(", ".join(map(str, reps)))} replications '
        f"&middot; differences are each run minus run 1 ({html.escape(labels[0])})</p>",
        '<nav><a href="#summary">What changes</a><a href="#golive">Go-live and readiness</a>'
        '<a href="#kpis">Headline figures</a><a href="#charts">Charts</a><a href="#runs">Runs</a></nav>',
        '<section id="how"><div class="explain">',
        "<p>Each run is a simulation of court areas under one scenario, repeated many times with "
        "different chance events. Figures are averages across those replications with a <strong>95% "
        f"interval</strong>. {html.escape(pairing)}</p>{_areas_warning(runs, labels)}"
        "<p>A difference whose interval lies wholly above or below "
        "zero is a clear difference; one whose interval spans zero may be chance. Differences of shares are in "
        "percentage points (pts). Better or worse is said only for measures where one direction is better.</p>"
        "</div></section>",
        '<section id="summary"><h2>What changes</h2>', _moved_summary(rows, labels), "</section>",
        '<section id="golive"><h2>Go-live dates and readiness, side by side</h2>',
        "<p>Each area's planned go-live in each run, its readiness status in that month (for areas already live, "
        "LIVE), with what is not ready, and its share of CIRs filed on time. Areas whose go-live or readiness "
        "differs come first; rows whose go-live moves are highlighted and marked &#8594;.</p>",
        _golive_html(rows, labels), "</section>",
        f'<section id="kpis"><h2>Headline figures for {html.escape(whole)}, side by side</h2>',
        _kpi_html(table, labels, targets, whole),
        "</section>",
        '<section id="charts"><h2>Charts</h2>',
        f'<figure id="chart-differences"><img src="{diff_chart}" alt="Each headline difference from run 1 with its '
        '95% interval against zero">'
        "<figcaption>Each headline figure's difference from run 1 (each later run on its own line) with its 95% "
        "interval, against a line at zero on an axis centred on it: green better, dark red worse, blue a clear "
        "difference in a figure that is neither better nor worse (FCAs in post, CIRs filed), grey no clear difference. "
        "Each panel has its own scale. An interval that crosses the line may be chance, however far the point sits "
        "from it."
        "</figcaption></figure>",
        f'<figure id="chart-kpis"><img src="{kpi_chart}" alt="Each headline figure per run with its 95% interval">'
        "<figcaption>Each headline figure: every run's mean (point) and 95% interval (whiskers), on an axis "
        "fitted to the values (not from zero, so small differences show); the dashed line is the target; the "
        "panel title gives the difference from run 1. Figures that are zero in every run are left out."
        "</figcaption></figure>",
        f'<figure id="chart-areas"><img src="{area_chart}" alt="CIR on-time share by area and run">'
        "<figcaption>Each area's share of CIRs filed on time in every run, worst first in run 1, with the target; "
        "&#8594; marks areas whose go-live moves.</figcaption></figure>",
        "</section>",
        '<section id="runs"><h2>Runs compared</h2>', _runs_html(runs, labels, folders), "</section>",
        f'<p class="note">Comparison written by cfc_sim {html.escape(__version__)}.</p>',
        "</main></body></html>",
    ]
    return "\n".join(parts)


def write_comparison(runs: Sequence[RunResult], labels: Sequence[str], folders: Sequence[Path], path: Path,
                     owner: Path | None = None) -> Path:
    """Write the comparison page to `path` atomically (recorded in the marker of `owner`, if given)."""
    text = render_comparison(runs, labels, folders)
    return write_file(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"), owner=owner)

