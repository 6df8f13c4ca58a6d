"""The leaders' report: a results folder rendered as one self-contained HTML page and an Excel workbook.

Reads only what a results folder holds (a `RunResult` from `load_results` and the PNGs in
`charts/`); it never runs or reaches into the model. Both files are written atomically (a
temporary file in the same folder, then `os.replace`), so an interrupted report leaves nothing
half-written.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from cfc_sim import __version__
from cfc_sim.errors import UserError
from cfc_sim.metric_catalogue import HEADLINE, NATIONAL, Metric
from cfc_sim.readiness_view import area_statuses, monthly_statuses
from cfc_sim.results import RunResult

RAG = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00"}
NO_STATUS = "#BBBBBB"
GRID_MONTHS = 13  # the run's first month and the twelve after it ("this month next year" included)

# The one-letter codes (readiness_view.CRITERION_CODES) under each status in the month-by-month grid.
CODE_LEGEND = [("C", "capacity: not enough CFC-trained FCAs"), ("V", "vacancy rate too high"),
               ("T", "too few FCAs CFC-trained"), ("S", "staff turnover too high"),
               ("P", "partnerships not all in place"), ("O", "on-time CIR target unlikely to be met")]


class MonthStatus(NamedTuple):
    status: str
    failing: list[str]
    codes: str
    go_live: bool


NO_MONTH = MonthStatus("n/a", [], "", False)

CHART_CAPTIONS = {
    "readiness_heatmap": "Readiness to go live, month by month: one row per court area, one column per month; "
                         "green = ready, amber = nearly ready, red = not ready; a star marks the planned "
                         "go-live month.",
    "cir_on_time_fan": "Share of Child Impact Reports filed within eight working weeks, per court area and month. "
                       "The line is the middle outcome across replications, the shaded bands hold the middle 50% "
                       "and 90% of outcomes, and the dashed line is the target.",
    "caseload_queue": "England: average open cases per FCA against the caseload cap (left), and cases waiting "
                      "to be allocated to an FCA (right), month by month, with bands across replications.",
    "workforce": "England's workforce: FCAs in post against the funded establishment (left), vacancies and "
                 "leavers (middle), and the share of FCAs trained for Child Focused Courts (right).",
    "transition_cap_rundown": "Transition: cases still open on the old pathway (CAP) in each area, running down "
                              "after the area goes live on Child Focused Courts (dashed line).",
}
CHART_ORDER = list(CHART_CAPTIONS)

CSS = """
:root { --green: #009E73; --amber: #E69F00; --red: #D55E00; --ink: #1b1b1b; --muted: #555; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: var(--ink); margin: 0; background: #f4f4f2;
       line-height: 1.45; font-size: 15px; }
main { max-width: 1240px; margin: 0 auto; background: #fff; padding: 24px 36px 48px; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-top: 8px; border-top: 3px solid #0072B2; }
h3 { font-size: 17px; margin: 22px 0 6px; }
p.lead { color: var(--muted); margin: 0 0 12px; }
nav { font-size: 14px; margin: 10px 0 6px; }
nav a { margin-right: 14px; color: #0057a0; }
.explain { background: #eef5fb; border-left: 5px solid #0072B2; padding: 10px 16px; margin: 12px 0; }
.explain p { margin: 6px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
thead th { position: sticky; top: 0; z-index: 1; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap, th.nowrap { white-space: nowrap; }
.note { color: var(--muted); font-size: 13px; }
.badge { display: inline-block; min-width: 64px; padding: 2px 8px; border-radius: 11px; font-weight: 700;
         color: #000; text-align: center; font-size: 13px; }
.status-green { background: var(--green); }
.status-amber { background: var(--amber); }
.status-red { background: var(--red); }
.status-none { background: #BBBBBB; }
.counts span { margin-right: 10px; }
table.grid { width: auto; font-size: 13px; }
table.grid th, table.grid td { border: 1px solid #fff; padding: 3px 4px; }
table.grid th.month { text-align: center; min-width: 44px; font-weight: 600; line-height: 1.15; }
table.grid td.cell { text-align: center; font-weight: 700; color: #000; min-width: 44px; cursor: help; }
table.grid td.cell .codes { display: block; font-size: 10px; letter-spacing: 1px; line-height: 1.1; }
table.grid td.golive { outline: 3px solid #000; outline-offset: -3px; }
table.grid td.area { white-space: nowrap; padding-right: 12px; }
table.grid tbody tr:nth-child(even) td.area { background: #f6f6f6; }
.legend span.badge { min-width: 0; margin-right: 4px; }
details { margin: 4px 0; border: 1px solid var(--line); border-radius: 4px; padding: 4px 10px; }
details summary { cursor: pointer; font-weight: 600; }
details ul { margin: 6px 0 8px; padding-left: 20px; }
details li { margin: 2px 0; }
figure { margin: 18px 0 28px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); display: block; }
figcaption { font-size: 14px; color: var(--muted); margin-top: 6px; max-width: 900px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 8px 0; }
dl.kv dt { font-weight: 600; }
dl.kv dd { margin: 0; }
pre { background: #f4f4f4; border: 1px solid var(--line); padding: 10px 12px; white-space: pre-wrap;
      word-break: break-all; font-size: 13px; }
.scroll { overflow-x: auto; }
@media print { body { background: #fff; } main { padding: 0; } details { border: none; }
               thead th { position: static; } }
"""

SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (img) { return img.complete && img.naturalWidth > 0; }).length;
  document.body.dataset.chartsLoaded = loaded + "/" + images.length;
});
window.addEventListener("beforeprint", function () {
  Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
});
"""


# --------------------------------------------------------------------------- shared helpers


def _atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created by `write` itself (not mkstemp) so the file gets the usual permissions.
    tmp = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _isnan(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _fmt(value: Any, metric: Metric) -> str:
    return "n/a" if _isnan(value) else metric.format(float(value))


def _month_name(label: str) -> str:
    """'2027-04' -> 'Apr 2027'."""
    try:
        return dt.date(int(label[:4]), int(label[5:7]), 1).strftime("%b %Y")
    except (ValueError, IndexError):
        return label


def _day_name(iso: str) -> str:
    """'2027-04-06' -> '6 Apr 2027'."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%b %Y}"


def _run_date(manifest: dict[str, Any]) -> str:
    stamp = str(manifest.get("finished") or manifest.get("started") or "")
    try:
        when = dt.datetime.fromisoformat(stamp)
        return f"{when.day} {when:%B %Y}"
    except ValueError:
        return stamp or "unknown date"


def _national(summary: pd.DataFrame) -> pd.DataFrame:
    return summary[(summary["area"] == NATIONAL) & (summary["pathway"] == "all")].set_index("metric")


def _charts(folder: Path) -> list[Path]:
    found = sorted((Path(folder) / "charts").glob("*.png"))
    rank = {name: i for i, name in enumerate(CHART_ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.stem, len(rank)), p.name))


def _caption(stem: str) -> str:
    return CHART_CAPTIONS.get(stem, f"Chart: {stem.replace('_', ' ')}.")


# --------------------------------------------------------------------------- readiness views


def readiness_overview(result: RunResult) -> list[dict[str, Any]]:
    """Per area: region, planned go-live, status at the planned go-live month with the failing criteria
    in words, and the earliest month in which criteria 1-5 all pass (`readiness_view.status_at`)."""
    return [{"area": v.area, "region": v.region, "planned": v.planned, "assessed_month": v.month, "status": v.status,
             "failing": list(v.failing), "note": v.note, "earliest_ready": v.earliest_ready}
            for v in area_statuses(result.readiness, result.config)]


def monthly_status(result: RunResult, months: Sequence[str]) -> dict[tuple[str, str], MonthStatus]:
    """(area, month) -> status, failing criteria (in words and as one-letter codes), planned go-live month."""
    return {key: MonthStatus(v.status, list(v.failing), v.codes, v.go_live)
            for key, v in monthly_statuses(result.readiness, result.config, months).items()}


# --------------------------------------------------------------------------- HTML


def _badge(status: str) -> str:
    cls = f"status-{status}" if status in RAG else "status-none"
    return f'<span class="badge {cls}">{html.escape(status.upper() if status in RAG else status)}</span>'


def _kpi_verdict(metric: str, row: pd.Series, targets: Any) -> tuple[str, str]:
    """(target text, verdict) for the KPIs that have a target."""
    low, high = float(row["ci_low"]), float(row["ci_high"])
    if metric == "cir_on_time_share":
        target, higher = targets.cir_on_time_share, True
        text = f"at least {target:.0%}"
    elif metric == "cir_working_days_mean":
        target, higher = float(targets.cir_working_days), False
        text = f"within {targets.cir_working_days} working days"
    elif metric == "children_seen_share":
        target, higher = targets.children_seen_share, True
        text = f"aim: {target:.0%}"
    else:
        return "", ""
    if _isnan(low) or _isnan(high):
        return text, ""
    word = "aim" if metric == "children_seen_share" else "target"
    if (higher and low >= target) or (not higher and high <= target):
        return text, f"meets {word}"
    if (higher and high < target) or (not higher and low > target):
        return text, f"below {word}" if higher else f"misses {word}"
    return text, "too close to call (interval spans the target)"


def _kpi_table(result: RunResult) -> str:
    national = _national(result.summary)
    targets = result.config.header.targets
    rows = []
    for kpi in HEADLINE:
        if kpi.name not in national.index:
            continue
        row = national.loc[kpi.name]
        target, verdict = _kpi_verdict(kpi.name, row, targets)
        interval = f"{_fmt(row['ci_low'], kpi)} to {_fmt(row['ci_high'], kpi)}"
        rows.append(f"<tr><td>{html.escape(kpi.label)}</td><td class=\"num\"><strong>{_fmt(row['mean'], kpi)}</strong>"
                    f"</td><td class=\"num\">{interval}</td><td>{html.escape(kpi.unit)}</td>"
                    f"<td>{html.escape(target)}</td><td>{html.escape(verdict)}</td></tr>")
    if not rows:
        return '<p class="note">No national figures in this results folder.</p>'
    return ("<table><thead><tr><th>Measure (England, whole run)</th><th>Estimate</th><th>95% interval</th>"
            "<th>Unit</th><th>Target</th><th>Against target</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _readiness_table(result: RunResult, overview: list[dict[str, Any]]) -> str:
    counts = {s: sum(r["status"] == s for r in overview) for s in ("green", "amber", "red")}
    count_html = " ".join(f"<span>{_badge(s)} {n} area{'s' if n != 1 else ''}</span>" for s, n in counts.items())
    body = []
    for r in overview:
        failing = "; ".join(r["failing"]) if r["failing"] else ("none" if r["status"] in RAG else "")
        when = _month_name(r["assessed_month"]) if r["assessed_month"] else ""
        planned = html.escape(_day_name(r["planned"]))
        if r["note"]:
            planned += f'<br><span class="note">{html.escape(r["note"])}</span>'
        earliest = _month_name(r["earliest_ready"]) if r["earliest_ready"] else "not within the run"
        body.append(f"<tr><td>{html.escape(r['area'])}</td><td>{html.escape(r['region'])}</td><td class=\"nowrap\">"
                    f"{planned}</td><td class=\"nowrap\">{_badge(r['status'])}<br><span class=\"note\">"
                    f"{html.escape(when)}</span></td><td>{html.escape(failing)}</td>"
                    f"<td class=\"nowrap\">{html.escape(earliest)}</td></tr>")
    return (f'<p class="counts">At each area\'s planned go-live month: {count_html}</p>'
            '<div class="scroll"><table id="readiness-table"><thead><tr><th>Court area</th><th>Region</th>'
            "<th>Planned go-live</th><th>Status then</th><th>What is not ready (value vs threshold)</th>"
            "<th>Earliest ready month</th></tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")


def _status_grid(result: RunResult, months: list[str]) -> str:
    cells = monthly_status(result, months)
    head = "".join(f'<th class="month" scope="col">{html.escape(_month_name(m)).replace(" ", "<br>")}</th>'
                   for m in months)
    body = []
    for area in result.config.areas:
        tds = []
        for m in months:
            status, failing, codes, golive = cells.get((area.name, m), NO_MONTH)
            letter = {"green": "G", "amber": "A", "red": "R"}.get(status, "-")
            cls = f"cell status-{status}" if status in RAG else "cell status-none"
            if golive:
                cls += " golive"
                letter += "*"
            tip = f"{area.name}, {_month_name(m)}: {status.upper()}"
            if golive:
                tip += " (planned go-live month)"
            if failing:
                tip += ": " + "; ".join(failing)
            code_html = f'<span class="codes">{html.escape(codes)}</span>' if codes else ""
            tds.append(f'<td class="{cls}" title="{html.escape(tip, quote=True)}">{letter}{code_html}</td>')
        body.append(f'<tr><td class="area">{html.escape(area.name)}</td>{"".join(tds)}</tr>')
    return ('<div class="scroll"><table class="grid" id="status-grid"><thead><tr><th>Court area</th>'
            f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _month_details(result: RunResult, months: list[str]) -> str:
    cells = monthly_status(result, months)
    names = [a.name for a in result.config.areas]
    blocks = []
    for m in months:
        items: dict[str, list[str]] = {"red": [], "amber": []}
        green = 0
        for area in names:
            status, failing, _, _ = cells.get((area, m), NO_MONTH)
            if status in items:
                items[status].append(f"<li><strong>{html.escape(area)}</strong>: "
                                     f"{html.escape('; '.join(failing) or 'see criteria')}</li>")
            elif status == "green":
                green += 1
        lists = ""
        for status in ("red", "amber"):
            if items[status]:
                lists += (f"<p>{_badge(status)} {len(items[status])} area(s)</p><ul>{''.join(items[status])}</ul>")
        summary = (f"{_month_name(m)}: {len(items['red'])} red, {len(items['amber'])} amber, {green} green")
        blocks.append(f'<details data-month="{html.escape(m)}"><summary>{html.escape(summary)}</summary>'
                      f"{lists or '<p>All areas green.</p>'}</details>")
    return "".join(blocks)


def _scenario_html(result: RunResult) -> str:
    h = result.config.header
    m = result.manifest
    rules, targets = h.readiness, h.targets
    policy = {"planned": "planned: each area goes live on its planned date whatever its state (shows the "
                         "consequences)",
              "readiness": "readiness: each area goes live at the first monthly review on or after its planned "
                           "date at which criteria 1-5 are met"}[rules.policy]
    items = [
        ("Scenario", h.name),
        ("Description", h.description or "(none)"),
        ("Start", h.start.isoformat()),
        ("Horizon", f"{h.horizon_months} months" + (f" (first {h.warmup_months} months of warm-up excluded "
                                                    "from the figures)" if h.warmup_months else "")),
        ("Replications", str(m.get("replications", h.replications))),
        ("Random seed", str(m.get("seed", h.seed))),
        ("Court areas", str(len(result.config.areas))),
        ("Go-live policy", policy),
        ("Readiness thresholds",
         f"capacity: CFC-trained FCAs at least {rules.capacity_headroom:g} x the FTE the forecast demand needs; "
         f"vacancy rate at most {rules.max_vacancy_rate:.0%}; CFC-trained share at least "
         f"{rules.min_training_share:.0%}; 12-month turnover at most {rules.max_turnover_12m:.0%}; all three "
         f"partnerships in place; chance of meeting the CIR target in the first {rules.performance_months} months "
         f"live at least {rules.performance_confidence:.0%}; amber if only the last fails, or one of vacancy, "
         f"training or turnover misses by at most {rules.amber_tolerance:.0%}"),
        ("Targets", f"CIR within {targets.cir_working_days} working days for at least {targets.cir_on_time_share:.0%} "
                    f"of cases; children seen: up to {targets.children_seen_share:.0%}"),
    ]
    kv = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items)
    numbers = "".join(f"<li>{html.escape(line)}</li>" for line in _assumption_lines(result))
    return (f'<dl class="kv">{kv}</dl><h3>Assumptions</h3><p>The scenario\'s description above states what it '
            f"assumes. The main figures behind it:</p><ul>{numbers}</ul>"
            "<p>Every parameter (demand, work times, workforce, turnover, training, partnership dates) is in the "
            "scenario file, whose comments give the source of each figure. The scenario exactly as run is "
            "<code>scenario.resolved.yaml</code> in the results folder. The model, its simplifications and its "
            "calibration against published figures are described in the project documentation.</p>")


def _span(values: Sequence[float], fmt: str) -> str:
    """'x' when all areas agree, else 'x to y'."""
    low, high = min(values), max(values)
    return fmt.format(low) if math.isclose(low, high) else f"{fmt.format(low)} to {fmt.format(high)}"


def _assumption_lines(result: RunResult) -> list[str]:
    """Headline scenario inputs, summed or ranged over the areas (read from the scenario, not the model)."""
    areas = result.config.areas
    if not areas:
        return []
    try:
        w = [a.workforce for a in areas]
        lines = [
            f"Demand: {sum(a.demand.applications_per_week for a in areas):,.0f} private-law applications a week "
            f"in all areas together; annual growth {_span([a.demand.annual_growth for a in areas], '{:.1%}')}.",
            f"Workforce at the start: {sum(x.fcas for x in w):,} FCAs against a funded establishment of "
            f"{sum(x.establishment for x in w):,}; caseload cap {_span([x.caseload_cap for x in w], '{:g}')} cases "
            f"per FCA.",
            f"Turnover {_span([x.annual_turnover for x in w], '{:.0%}')} a year; recruitment takes "
            f"{_span([x.time_to_hire_days.mean_value() for x in w], '{:.0f}')} days on average and succeeds "
            f"{_span([x.hire_success for x in w], '{:.0%}')} of the time.",
            f"CFC training: {_span([x.training.seats_per_month for x in w], '{:g}')} places a month per area, "
            f"{_span([x.training.days for x in w], '{:g}')} days each.",
            f"Under Child Focused Courts, {_span([a.cfc.cafcass_cir_share for a in areas], '{:.0%}')} of cases get a "
            f"Cafcass CIR, taking {_span([a.cfc.cir_work_days.mean_value() for a in areas], '{:.0f}')} days of an "
            f"FCA's caseload slot on average.",
        ]
    except (AttributeError, TypeError, ValueError):  # an older or newer scenario layout: skip the numbers
        return []
    if result.config.interventions:
        lines.append(f"{len(result.config.interventions)} scheduled change(s) to area parameters (interventions).")
    return lines


def _reproduce_html(result: RunResult) -> str:
    m = result.manifest
    command = str(m.get("command", "")) or "(not recorded)"
    versions = [("cfc_sim (run)", m.get("cfc_sim_version")), ("Python", m.get("python")), ("SimPy", m.get("simpy")),
                ("cfc_sim (report)", __version__), ("scenario sha256", m.get("scenario_sha256")),
                ("run started", m.get("started")), ("run finished", m.get("finished")),
                ("run time", f"{m['wall_seconds']} s" if "wall_seconds" in m else None)]
    kv = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in versions if v is not None)
    return (f'<p>Run this command in the project folder to get the same numbers again:</p><pre id="reproduce">'
            f'{html.escape(command)}</pre><dl class="kv">{kv}</dl>')


def render_html(result: RunResult, folder: Path) -> str:
    """The report as one HTML string (charts read from `folder/charts`)."""
    config, h = result.config, result.config.header
    overview = readiness_overview(result)
    months = sorted(result.readiness["month"].unique()) if not result.readiness.empty else []
    grid_months = months[:GRID_MONTHS]
    charts = _charts(folder)
    title = f"Child Focused Courts rollout: {h.name}"
    reps = result.manifest.get("replications", h.replications)
    end = _month_name(months[-1]) if months else ""
    figures = []
    for chart in charts:
        data = base64.b64encode(chart.read_bytes()).decode("ascii")
        caption = _caption(chart.stem)
        figures.append(f'<figure id="chart-{html.escape(chart.stem)}"><img src="data:image/png;base64,{data}" '
                       f'alt="{html.escape(caption, quote=True)}"><figcaption><strong>{html.escape(chart.name)}'
                       f"</strong>: {html.escape(caption)}</figcaption></figure>")
    grid_range = (f"{_month_name(grid_months[0])} to {_month_name(grid_months[-1])}" if grid_months else "")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style><script>{SCRIPT}</script></head><body><main>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="lead">Simulation run on {html.escape(_run_date(result.manifest))} &middot; {reps} replications '
        f"&middot; {len(config.areas)} court areas &middot; {html.escape(_month_name(months[0]) if months else '')}"
        f" to {html.escape(end)}</p>",
        '<nav><a href="#how">How to read this</a><a href="#headline">Headline figures</a>'
        '<a href="#readiness">Readiness at go-live</a><a href="#by-month">Status by month</a>'
        '<a href="#charts">Charts</a><a href="#scenario">Scenario and assumptions</a>'
        '<a href="#reproduce-section">Reproduce</a></nav>',
        '<section id="how"><h2>How to read this report</h2><div class="explain">',
        "<p>This report comes from a computer simulation of the family court advisers (FCAs) Cafcass needs as "
        "court areas move to <strong>Child Focused Courts</strong>. The simulation was run many times "
        f"({reps} <em>replications</em>) with different chance events (when applications arrive, how long "
        "reports take, who leaves). Figures are averages across those runs; the <strong>95% interval</strong> is "
        "the range the true average very probably lies in: a wide interval means the figure is uncertain, and "
        "more replications would narrow it.</p>",
        "<p>Each court area is checked every month against six readiness criteria: enough CFC-trained FCAs, "
        "vacancy rate, training, staff turnover, partnerships (IDVA, local authority, police) and the chance of "
        f"meeting the eight-working-week report target. {_badge('green')} means all are met; {_badge('amber')} "
        f"means nearly ready (only the performance check fails, or one staffing check is only just missed); "
        f"{_badge('red')} means not ready. Colours are always shown with the word or letter, so the report can "
        "be read without colour. These are projections from the assumptions listed at the end, not forecasts "
        "of certainty.</p></div></section>",
        '<section id="headline"><h2>Headline figures for England</h2>',
        f"<p class=\"note\">Whole run, all court areas together; estimate = average across {reps} replications.</p>",
        _kpi_table(result), "</section>",
        '<section id="readiness"><h2>Readiness of each court area at its planned go-live</h2>',
        "<p>Status of each area in the month it is planned to go live (for areas already live, at the start of "
        "the run), what is not yet ready with the simulated value against the threshold, and the first month in "
        "which the workforce and partnership criteria (all but performance) are all met.</p>",
        _readiness_table(result, overview), "</section>",
        '<section id="by-month"><h2>Status by month</h2>',
        f"<p>Each area's status in each month from {html.escape(grid_range)}: G = green, A = amber, R = red; "
        "<strong>*</strong> and a black frame mark the planned go-live month. The small letters under the status "
        "say what is not ready (key below). Hover over a cell for the figures; the lists under the table give "
        "the same for every month: open a month to see which areas are red or amber then, and why. The "
        "readiness chart in the Charts section shows every month of the run.</p>",
        f'<p class="legend">{_badge("green")} G ready &nbsp; {_badge("amber")} A nearly ready &nbsp; '
        f'{_badge("red")} R not ready</p>',
        '<p class="legend note">What is not ready: '
        + "; ".join(f"<strong>{c}</strong> {html.escape(text)}" for c, text in CODE_LEGEND) + "</p>",
        _status_grid(result, grid_months),
        "<h3>Which areas are red or amber, and why, month by month</h3>",
        _month_details(result, grid_months), "</section>",
        '<section id="charts"><h2>Charts</h2>',
        "".join(figures) or '<p class="note">No charts in this results folder.</p>', "</section>",
        '<section id="scenario"><h2>Scenario and assumptions</h2>', _scenario_html(result), "</section>",
        '<section id="reproduce-section"><h2>Reproduce this run</h2>', _reproduce_html(result), "</section>",
        f'<p class="note">Report written by cfc_sim {html.escape(__version__)}.</p>',
        "</main></body></html>",
    ]
    return "\n".join(parts)


def write_html(result: RunResult, folder: Path, path: Path) -> Path:
    """Write the self-contained HTML report (charts embedded) for the results in `folder` to `path`."""
    text = render_html(result, Path(folder))
    return _atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


# --------------------------------------------------------------------------- Excel


def monthly_frame(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Monthly series across replications: `area, month, metric, mean, p05, p95`."""
    columns = ["area", "month", "metric", "mean", "p05", "p95"]
    if timeseries.empty:
        return pd.DataFrame(columns=columns)
    grouped = timeseries.groupby(["area", "month", "metric"], sort=True)["value"]
    quantiles = grouped.quantile([0.05, 0.95]).unstack()
    out = pd.DataFrame({"mean": grouped.mean(), "p05": quantiles[0.05], "p95": quantiles[0.95]})
    return out.reset_index()[columns]


def _scenario_rows(result: RunResult) -> list[tuple[str, Any]]:
    h = result.config.header
    m = result.manifest
    rules, targets = h.readiness, h.targets
    rows: list[tuple[str, Any]] = [
        ("name", h.name), ("description", h.description), ("start", h.start.isoformat()),
        ("horizon_months", h.horizon_months), ("warmup_months", h.warmup_months),
        ("replications", m.get("replications", h.replications)), ("seed", str(m.get("seed", h.seed))),
        ("areas", len(result.config.areas)), ("readiness.policy", rules.policy),
    ]
    for key in ("capacity_headroom", "max_vacancy_rate", "min_training_share", "max_turnover_12m",
                "performance_months", "performance_confidence", "amber_tolerance"):
        rows.append((f"readiness.{key}", getattr(rules, key)))
    for key in ("cir_working_days", "cir_on_time_share", "children_seen_share"):
        rows.append((f"targets.{key}", getattr(targets, key)))
    rows += [("scenario_sha256", m.get("scenario_sha256", "")), ("command", m.get("command", "")),
             ("cfc_sim_version", m.get("cfc_sim_version", "")), ("python", m.get("python", "")),
             ("simpy", m.get("simpy", "")), ("started", m.get("started", "")), ("finished", m.get("finished", "")),
             ("report_cfc_sim_version", __version__)]
    return rows


def _cell(value: Any) -> Any:
    """A value openpyxl can store (numpy scalars to Python, NaN to empty)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


SHARE_METRICS = {"fca_utilisation", "vacancy_rate_mean", "turnover_rate", "live_at_end", "vacancy_rate",
                 "trained_share"}


def _is_share(metric: str) -> bool:
    return metric in SHARE_METRICS or metric.endswith("_share") or "_share_" in metric


def _write_sheet(wb: Any, title: str, frame: pd.DataFrame, widths: dict[str, float],
                 number_format: Callable[[str, Any], str | None] | None = None,
                 rag_column: str | None = None) -> None:
    """One write-only sheet: bold header, frozen panes, filter, widths, number formats, RAG fills."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    columns = list(frame.columns)
    last_row = max(len(frame) + 1, 2)
    ws.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(column, max(len(column) + 2, 10))
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    if rag_column in columns:
        letter = get_column_letter(columns.index(rag_column) + 1)
        for status, colour in RAG.items():
            fill = PatternFill("solid", fgColor=colour[1:], bgColor=colour[1:])
            ws.conditional_formatting.add(f"{letter}2:{letter}{last_row}",
                                          FormulaRule(formula=[f'${letter}2="{status}"'], fill=fill,
                                                      font=Font(bold=True, color="000000")))
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="F0F0F0")
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column)
        cell.font, cell.fill = bold, grey
        header.append(cell)
    ws.append(header)
    metric_at = columns.index("metric") if "metric" in columns else None
    for row in frame.itertuples(index=False):
        metric = str(row[metric_at]) if metric_at is not None else ""
        cells = []
        for column, value in zip(columns, row, strict=True):
            fmt = number_format(column, metric) if number_format else None
            if fmt is None:
                cells.append(_cell(value))
            else:
                cell = WriteOnlyCell(ws, value=_cell(value))
                cell.number_format = fmt
                cells.append(cell)
        ws.append(cells)


def _summary_format(column: str, metric: str) -> str | None:
    if column in ("mean", "ci_low", "ci_high"):
        return "0.0%" if _is_share(metric) else "#,##0.00"
    return "0" if column == "n_reps" else None


def _readiness_format(column: str, metric: str) -> str | None:
    return "0.000" if column in ("value", "threshold", "margin") else None


def _monthly_format(column: str, metric: str) -> str | None:
    if column in ("mean", "p05", "p95"):
        return "0.0%" if _is_share(metric) else "#,##0.00"
    return None


def write_xlsx(result: RunResult, path: Path) -> Path:
    """Write the Excel workbook (sheets Summary, Readiness, Monthly, Scenario) to `path`."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
    except ImportError:
        raise UserError("writing the Excel workbook needs openpyxl: pip install -e \".[excel]\"") from None

    wb = Workbook(write_only=True)  # streams rows: a national run's ~40,000 monthly rows in seconds
    _write_sheet(wb, "Summary", result.summary, {"area": 34, "pathway": 9, "metric": 40, "mean": 14,
                                                 "ci_low": 14, "ci_high": 14, "n_reps": 8}, _summary_format)
    _write_sheet(wb, "Readiness", result.readiness, {"area": 34, "month": 10, "criterion": 13, "value": 11,
                                                     "threshold": 11, "passed": 9, "status": 9, "margin": 11,
                                                     "go_live_month": 15}, _readiness_format, rag_column="status")
    _write_sheet(wb, "Monthly", monthly_frame(result.timeseries), {"area": 34, "month": 10, "metric": 30,
                                                                   "mean": 13, "p05": 13, "p95": 13},
                 _monthly_format)
    ws = wb.create_sheet("Scenario")
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 110
    header = [WriteOnlyCell(ws, value="key"), WriteOnlyCell(ws, value="value")]
    for cell in header:
        cell.font = Font(bold=True)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for key, value in _scenario_rows(result):
        cell = WriteOnlyCell(ws, value=_cell(value))
        cell.alignment = wrap
        ws.append([key, cell])
    return _atomic_write(Path(path), lambda tmp: wb.save(tmp))
