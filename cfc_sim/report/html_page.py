"""The leaders' report as one self-contained HTML page (charts embedded), every inserted value escaped."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

from cfc_sim.metric_catalogue import HEADLINE, whole_run_name
from cfc_sim.output_folder import HTML_GENERATOR, write_file
from cfc_sim.palette import RAG
from cfc_sim.report.area_table import RANKING_RULE, AreaRow, Estimate, area_rows, at_risk
from cfc_sim.report.views import (
    CIR_DELAY_CAUSES,
    CODE_LEGEND,
    NO_MONTH,
    assumption_lines,
    chart_caption,
    chart_paths,
    cir_delay_rows,
    day_label,
    format_value,
    kpi_verdict,
    month_label,
    monthly_status,
    national_rows,
    readiness_overview,
    ready_label,
    run_date_label,
)
from cfc_sim.results import RunResult
from cfc_sim.results_reader import PNG_MAX_BYTES
from cfc_sim.version import __version__

AT_RISK_SHOWN = 3  # the areas named first under "Areas most at risk"

CSS = """
:root { --green: #1F9E89; --amber: #FFC20A; --red: #8B0000; --ink: #1b1b1b; --muted: #555; --line: #d0d0d0; }
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
.status-red { background: var(--red); color: #fff; }
.status-none { background: #BBBBBB; }
.status-live { background: #fff; border: 2px solid #0072B2; color: #0072B2; padding: 0 6px; }
.counts span { margin-right: 10px; }
table.grid { width: auto; font-size: 13px; border-collapse: separate; border-spacing: 0; }
table.grid th, table.grid td { border: 1px solid #fff; padding: 3px 4px; }
table.grid th.month { text-align: center; min-width: 44px; font-weight: 600; line-height: 1.15; }
table.grid td.cell { text-align: center; font-weight: 700; color: #000; min-width: 44px; cursor: help; }
table.grid td.cell.status-red { color: #fff; }
table.grid td.cell .codes { display: block; font-size: 10px; letter-spacing: 1px; line-height: 1.1; }
table.grid td.golive { outline: 3px solid #000; outline-offset: -3px; box-shadow: inset 0 0 0 5px #fff; }
table.grid td.area { white-space: nowrap; padding-right: 12px; position: sticky; left: 0; z-index: 1;
                    background: #fff; }
table.grid thead th:first-child { left: 0; z-index: 2; }
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
td.miss { font-weight: 700; }
ol.at-risk > li { margin: 6px 0; }
ol.at-risk > li ul { margin: 2px 0 0; padding-left: 18px; }
ol.at-risk > li.top { font-size: 15.5px; }
ul.warnings li { margin: 4px 0; }
ul.warnings { background: #fff8e6; border-left: 5px solid #FFC20A; padding: 8px 12px 8px 32px; }
p.warning { background: #fff8e6; border-left: 5px solid #FFC20A; padding: 8px 12px; }
tr.total td { font-weight: 700; border-top: 2px solid #888; }
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


def badge(status: str) -> str:
    """A status as colour and word (a live area: an outlined LIVE, outside the readiness colours)."""
    if status == "live":
        return '<span class="badge status-live">LIVE</span>'
    cls = f"status-{status}" if status in RAG else "status-none"
    return f'<span class="badge {cls}">{html.escape(status.upper() if status in RAG else status)}</span>'


def _kpi_table(result: RunResult) -> str:
    national = national_rows(result.summary)
    targets = result.config.header.targets
    rows = []
    for kpi in HEADLINE:
        if kpi.name not in national.index:
            continue
        row = national.loc[kpi.name]
        target, verdict = kpi_verdict(kpi.name, row, targets)
        interval = f"{format_value(row['ci_low'], kpi)} to {format_value(row['ci_high'], kpi)}"
        mean = format_value(row["mean"], kpi)
        label = f"{kpi.label.split(' (')[0]}, CFC cases" if row["pathway"] == "cfc" else kpi.label
        rows.append(f"<tr><td>{html.escape(label)}</td><td class=\"num\"><strong>{mean}</strong></td>"
                    f"<td class=\"num\">{interval}</td><td>{html.escape(kpi.unit)}</td>"
                    f"<td>{html.escape(target)}</td><td>{html.escape(verdict)}</td></tr>")
    if not rows:
        return '<p class="note">No national figures in this results folder.</p>'
    whole = html.escape(whole_run_name(a.name for a in result.config.areas))
    return (f"<table><thead><tr><th>Measure ({whole}, whole run)</th><th>Estimate</th><th>95% interval</th>"
            "<th>Unit</th><th>Target</th><th>Against target</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _readiness_table(result: RunResult, overview: list[dict[str, Any]]) -> str:
    counts = {s: sum(r["status"] == s for r in overview) for s in ("green", "amber", "red")}
    count_html = " ".join(f"<span>{badge(s)} {n} area{'s' if n != 1 else ''}</span>" for s, n in counts.items())
    body = []
    for r in overview:
        failing = r["reason"]
        when = month_label(r["assessed_month"]) if r["assessed_month"] else ""
        planned = html.escape(day_label(r["planned"]))
        if r["note"]:
            planned += f'<br><span class="note">{html.escape(r["note"])}</span>'
        body.append(f"<tr data-area=\"{html.escape(r['area'], quote=True)}\"><td>{html.escape(r['area'])}</td>"
                    f"<td>{html.escape(r['region'])}</td><td class=\"nowrap\">"
                    f"{planned}</td><td class=\"nowrap\">{badge(r['status'])}<br><span class=\"note\">"
                    f"{html.escape(when)}</span></td><td>{html.escape(failing)}</td>"
                    f"<td class=\"nowrap ready\">{html.escape(r['ready'])}</td>"
                    f"<td class=\"nowrap slip\">{html.escape(r['slip'])}</td></tr>")
    return (f'<p class="counts">At each area\'s planned go-live month: {count_html}</p>'
            '<div class="scroll"><table id="readiness-table"><thead><tr><th>Court area</th><th>Region</th>'
            "<th>Planned go-live</th><th>Status then</th><th>Why (value vs threshold)</th>"
            "<th>Ready month</th><th>Ready after plan</th></tr></thead><tbody>" + "".join(body)
            + "</tbody></table></div>")


def _status_grid(result: RunResult, months: list[str]) -> str:
    cells = monthly_status(result, months)
    head = "".join(f'<th class="month" scope="col">{html.escape(month_label(m)).replace(" ", "<br>")}</th>'
                   for m in months)
    body = []
    live_at_start = set(result.config.live_at_start())  # their first month is flagged only to be judged
    for area in result.config.areas:
        tds = []
        already = area.name in live_at_start
        for m in months:
            status, failing, codes, golive = cells.get((area.name, m), NO_MONTH)
            golive = golive and not already
            letter = {"green": "G", "amber": "A", "red": "R"}.get(status, "-")
            cls = f"cell status-{status}" if status in RAG else "cell status-none"
            if golive:
                cls += " golive"
                letter += "*"
            tip = f"{area.name}, {month_label(m)}: {status.upper()}"
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
                lists += (f"<p>{badge(status)} {len(items[status])} area(s)</p><ul>{''.join(items[status])}</ul>")
        summary = (f"{month_label(m)}: {len(items['red'])} red, {len(items['amber'])} amber, {green} green")
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
         f"live at least {rules.performance_confidence:.0%}. Vacancy and turnover are judged on their rate over "
         "12 months with its 95% interval (amber while the interval spans the threshold); a month is red when a "
         "failing criterion is red or more than one fails, amber when one fails (the CIR forecast is never more "
         f"than amber; training within {rules.amber_tolerance:.0%} of its threshold) or a passing one is not "
         "certain"),
        ("Targets", f"CIR within {targets.cir_working_days} working days for at least {targets.cir_on_time_share:.0%} "
                    f"of cases; children seen (CFC cases): at least {targets.children_seen_share:.0%}"),
    ]
    kv = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items)
    numbers = "".join(f"<li>{html.escape(line)}</li>" for line in assumption_lines(result))
    return (f'<dl class="kv">{kv}</dl><h3>Assumptions</h3><p>The scenario\'s description above states what it '
            f"assumes. The main figures behind it:</p><ul>{numbers}</ul>"
            "<p>Every parameter (demand, work times, workforce, turnover, training, partnership dates) is in the "
            "scenario file, whose comments give the source of each figure. The scenario exactly as run is "
            "<code>scenario.resolved.yaml</code> in the results folder. The model, its simplifications and its "
            "calibration against published figures are described in the project documentation.</p>")


def _reproduce_html(result: RunResult) -> str:
    m = result.manifest
    command = str(m.get("command", "")) or "(not recorded)"
    versions = [("cfc_sim (run)", m.get("cfc_sim_version")), ("Python", m.get("python")), ("SimPy", m.get("simpy")),
                ("cfc_sim (report)", __version__), ("scenario sha256", m.get("scenario_sha256")),
                ("run started", m.get("started")), ("run finished", m.get("finished")),
                ("run time", f"{m['wall_seconds']} s" if "wall_seconds" in m else None)]
    kv = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in versions if v is not None)
    return ("<p>Run this command to get the same numbers again. Its scenario file is the run's own copy,\n"
            "<code>scenario.resolved.yaml</code> in the results folder: if the folder has been moved or sent on,\n"
            "give that file's path where it is now.</p>"
            f'<pre id="reproduce">'
            f'{html.escape(command)}</pre><dl class="kv">{kv}</dl>')


def _cir_delay_table(result: RunResult) -> str:
    rows = cir_delay_rows(result.summary)
    if not rows:
        return '<p class="note">No area files Cafcass CIRs in this run.</p>'
    target = result.config.header.targets
    labels = [label for _, label in CIR_DELAY_CAUSES]
    head = "".join(f'<th class="num">{html.escape(label)}, days</th>' for label in labels)
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{row["causes"][label]:.1f}</td>' if label in row["causes"]
                        else '<td class="num">n/a</td>' for label in labels)
        seen = "n/a" if row["children_seen"] != row["children_seen"] else f"{row['children_seen']:.0%}"
        body.append(f"<tr><td>{html.escape(row['area'])}</td><td class=\"num\">{row['on_time']:.0%}</td>"
                    f"<td class=\"num\">{row['working_days']:.1f}</td><td class=\"num\">{seen}</td>{cells}"
                    f"<td>{html.escape(row['main'])}</td></tr>")
    return (f"<p>CIR target: {target.cir_on_time_share:.0%} within {target.cir_working_days} working days; "
            f"children seen target {target.children_seen_share:.0%}. Worst on-time share first. The three "
            "causes are averages over CIR cases (court listing: over CFC hearings); the main cause of late CIRs "
            "is the larger of the first two (listing comes after the CIR: it delays the decision). FCA hours "
            "and listing waits are modelled only when the scenario has FCA hours and a court block.</p>"
            f'<div class="scroll"><table><thead><tr><th>Area</th><th class="num">CIRs on time</th>'
            f'<th class="num">working days to CIR</th><th class="num">children seen (CFC)</th>{head}'
            f"<th>main cause of late CIRs</th></tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _share(e: Estimate, interval: bool = True, digits: int = 0) -> str:
    if e.missing:
        return "n/a"
    text = f"{e.mean:.{digits}%}"
    if interval and not (math.isnan(e.low) or math.isnan(e.high)):
        text += f'<br><span class="note">{e.low:.0%} to {e.high:.0%}</span>'
    return text


def _number(e: Estimate, digits: int = 1) -> str:
    return "n/a" if e.missing else f"{e.mean:,.{digits}f}"


def _at_risk_html(rows: list[AreaRow]) -> str:
    ranked = at_risk(rows)
    if not ranked:
        return (f'<p id="at-risk-none">No area is at risk: every area meets the CIR on-time target and is ready at '
                f"its planned go-live.</p><p class=\"note\">{html.escape(RANKING_RULE)}</p>")
    items = []
    for i, row in enumerate(ranked):
        reasons = "".join(f"<li>{html.escape(reason)}</li>" for reason in row.reasons)
        cls = ' class="top"' if i < AT_RISK_SHOWN else ""
        items.append(f'<li{cls} data-area="{html.escape(row.area, quote=True)}"><strong>{html.escape(row.area)}'
                     f"</strong>{(' (' + html.escape(row.region) + ')') if row.region else ''}<ul>{reasons}</ul></li>")
    top = ", ".join(html.escape(r.area) for r in ranked[:AT_RISK_SHOWN])
    lead = (f"<p><strong>{len(ranked)} of {len(rows)} area{'s' if len(rows) != 1 else ''} at risk.</strong> "
            f"Most at risk: {top}.</p>")
    rest = len(ranked) - AT_RISK_SHOWN
    more = (f'<details><summary>The other {rest} area{"s" if rest != 1 else ""} at risk</summary>'
            f'<ol start="{AT_RISK_SHOWN + 1}" class="at-risk">{"".join(items[AT_RISK_SHOWN:])}</ol></details>'
            if rest > 0 else "")
    return (f"{lead}<p class=\"note\">{html.escape(RANKING_RULE)}</p>"
            f'<ol id="at-risk-list" class="at-risk">{"".join(items[:AT_RISK_SHOWN])}</ol>{more}')


def _cell(text: str, misses: bool) -> str:
    """A numeric cell; one that misses its target is marked with a warning sign and bold (not colour alone)."""
    if misses:
        return f'<td class="num miss"><span aria-label="misses target">&#9888;</span> {text}</td>'
    return f'<td class="num">{text}</td>'


def _area_table_html(result: RunResult, rows: list[AreaRow]) -> str:
    h = result.config.header
    targets, rules = h.targets, h.readiness
    rank = {r.area: i + 1 for i, r in enumerate(at_risk(rows))}
    caps_by_area = {a.name: float(a.workforce.caseload_cap) for a in result.config.areas}
    caps = sorted(set(caps_by_area.values()))
    cap = f"{caps[0]:g}" if len(caps) == 1 else f"{caps[0]:g} to {caps[-1]:g}"
    body = []
    for r in rows:
        status = r.readiness
        when = (f"live from {day_label(status.planned)}" if r.already_live
                else month_label(status.month) if status.month else status.note)
        earliest = ready_label(status)
        risk = f"{rank[r.area]}" if r.area in rank else ""
        below = (not r.on_time.missing) and r.on_time.mean < targets.cir_on_time_share - 1e-12
        unseen = (not r.children_seen.missing) and r.children_seen.mean < targets.children_seen_share - 1e-12
        vac_high = (not r.vacancy.missing) and r.vacancy.mean > rules.max_vacancy_rate + 1e-12
        area_cap = caps_by_area.get(r.area, math.inf)
        overloaded = (not r.caseload.missing) and r.caseload.mean > area_cap + 1e-12
        shown = badge("live") if r.already_live else badge(status.status)
        body.append(
            f'<tr data-area="{html.escape(r.area, quote=True)}"><td class="num">{risk}</td>'
            f"<td>{html.escape(r.area)}</td>"
            f"{_cell(_share(r.on_time), below)}"
            f"{_cell(_share(r.children_seen, interval=False), unseen)}"
            f'<td class="num">{_number(r.weeks_to_decision)}</td>{_cell(_number(r.caseload), overloaded)}'
            f"{_cell(_share(r.vacancy, interval=False, digits=1), vac_high)}"
            f'<td class="nowrap">{shown}<br><span class="note">{html.escape(when)}</span></td>'
            f'<td class="nowrap">{html.escape(earliest)}</td><td>{html.escape(r.main_reason)}</td></tr>')
    return (f"<p>Targets: CIRs on time at least {targets.cir_on_time_share:.0%} (within "
            f"{targets.cir_working_days} working days); children seen at least {targets.children_seen_share:.0%}; "
            f"caseload cap {cap} cases per FCA; vacancy rate at most {rules.max_vacancy_rate:.0%}. Figures are "
            "averages over the whole run; a value that misses its target is marked &#9888; and in bold. The "
            "risk rank orders the areas at risk (1 = most at risk).</p>"
            '<div class="scroll"><table id="area-table"><thead><tr><th class="num">Risk rank</th><th>Court area</th>'
            '<th class="num">CIRs on time (95% interval)</th><th class="num">Children seen</th>'
            '<th class="num">Weeks to decision</th><th class="num">Open cases per FCA</th>'
            '<th class="num">Vacancy rate</th><th>Status at planned go-live</th><th>Ready month</th>'
            "<th>Why (main reason first)</th></tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")


def _warnings_html(result: RunResult) -> str:
    warnings = [str(w) for w in result.manifest.get("warnings", [])]
    if not warnings:
        return '<p id="no-warnings">The run raised no warnings.</p>'
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    return (f"<p>The run raised {len(warnings)} warning{'s' if len(warnings) != 1 else ''}; read the figures "
            f'with them in mind.</p><ul id="warnings-list" class="warnings">{items}</ul>')


def _need_html(need: Any) -> str:
    """The FCA need from `cfc-sim plan --need` (need.csv), when the report was given one: one screen
    for a board (`need_view`)."""
    from cfc_sim.report.need_view import need_section_html

    return need_section_html(need)


def render_html(result: RunResult, folder: Path, need: Any = None) -> str:
    """The report as one HTML string (charts read from `folder/charts`; `need`: a checked need.csv frame)."""
    areas = area_rows(result)
    overview = readiness_overview(result)
    months = sorted(result.readiness["month"].unique()) if not result.readiness.empty else []
    figures = _figures(chart_paths(folder))
    reps = html.escape(str(result.manifest.get("replications", result.config.header.replications)))
    whole = html.escape(whole_run_name(a.name for a in result.config.areas))
    parts = [
        *_head(result, months, reps, need is not None),
        *_how_to_read(reps),
        f'<section id="headline"><h2>Headline figures for {whole}</h2>',
        f"<p class=\"note\">Whole run, all court areas together; estimate = average across {reps} replications.</p>",
        _kpi_table(result), "</section>",
        '<section id="warnings"><h2>Warnings from the run</h2>', _warnings_html(result), "</section>",
        '<section id="at-risk"><h2>Areas most at risk</h2>', _at_risk_html(areas), "</section>",
        '<section id="areas"><h2>Each court area against the targets</h2>', _area_table_html(result, areas),
        "</section>",
        '<section id="readiness"><h2>Readiness of each court area at its planned go-live</h2>',
        "<p>Status of each area in the month it is planned to go live (for areas already live, at the start of "
        "the run), what is not yet ready with the simulated value against the threshold, and the first month in "
        "which the workforce and partnership criteria (all but performance) are all met.</p>",
        _readiness_table(result, overview), "</section>",
        '<section id="cir-late"><h2>Why CIRs are late, by area</h2>', _cir_delay_table(result), "</section>",
        *_by_month(result, months),
        *([f'<section id="need"><h2>FCA need</h2>{_need_html(need)}</section>'] if need is not None else []),
        '<section id="charts"><h2>Charts</h2>',
        "".join(figures) or '<p class="note">No charts in this results folder.</p>', "</section>",
        '<section id="scenario"><h2>Scenario and assumptions</h2>', _scenario_html(result), "</section>",
        '<section id="reproduce-section"><h2>Reproduce this run</h2>', _reproduce_html(result), "</section>",
        f'<p class="note">Report written by cfc_sim {html.escape(__version__)}.</p>',
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _figures(charts: list[Path]) -> list[str]:
    """Each chart as a figure with its PNG embedded (one that grew past the cap since it was checked is left out)."""
    figures = []
    for chart in charts:
        with open(chart, "rb") as handle:
            raw = handle.read(PNG_MAX_BYTES + 1)
        if len(raw) > PNG_MAX_BYTES:  # grew since it was checked
            continue
        data = base64.b64encode(raw).decode("ascii")
        caption = chart_caption(chart.stem)
        figures.append(f'<figure id="chart-{html.escape(chart.stem)}"><img src="data:image/png;base64,{data}" '
                       f'alt="{html.escape(caption, quote=True)}"><figcaption><strong>{html.escape(chart.name)}'
                       f"</strong>: {html.escape(caption)}</figcaption></figure>")
    return figures


def _head(result: RunResult, months: list[str], reps: str, with_need: bool) -> list[str]:
    """The page's head, title, the run in one line and the navigation."""
    config, h = result.config, result.config.header
    title = f"Child Focused Courts rollout: {h.name}"
    end = month_label(months[-1]) if months else ""
    return [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">' + HTML_GENERATOR,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style><script>{SCRIPT}</script></head><body><main>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="lead">Simulation run on {html.escape(run_date_label(result.manifest))} &middot; {reps} '
        "replications "
        f"&middot; {len(config.areas)} court areas &middot; {html.escape(month_label(months[0]) if months else '')}"
        f" to {html.escape(end)}</p>",
        '<nav><a href="#how">How to read this</a><a href="#warnings">Warnings</a>'
        '<a href="#headline">Headline figures</a><a href="#at-risk">Areas at risk</a>'
        '<a href="#areas">Each area</a><a href="#readiness">Readiness at go-live</a>'
        '<a href="#cir-late">Why CIRs are late</a><a href="#by-month">Status by month</a>'
        + ('<a href="#need">FCA need</a>' if with_need else "") +
        '<a href="#charts">Charts</a><a href="#scenario">Scenario and assumptions</a>'
        '<a href="#reproduce-section">Reproduce</a></nav>',
    ]


def _how_to_read(reps: str) -> list[str]:
    """What the simulation is, what the intervals and the statuses mean."""
    return [
        '<section id="how"><h2>How to read this report</h2><div class="explain">',
        "<p>This report comes from a computer simulation of the family court advisers (FCAs) Cafcass needs as "
        "court areas move to <strong>Child Focused Courts</strong>. The simulation was run many times "
        f"({reps} <em>replications</em>) with different chance events (when applications arrive, how long "
        "reports take, who leaves). Figures are averages across those runs; the <strong>95% interval</strong> is "
        "the range the true average very probably lies in: a wide interval means the figure is uncertain, and "
        "more replications would narrow it.</p>",
        "<p>Each court area is checked every month against six readiness criteria: enough CFC-trained FCAs, "
        "vacancy rate, training, staff turnover, partnerships (IDVA, local authority, police) and the chance of "
        f"meeting the eight-working-week report target. Vacancy and turnover are rates over the last 12 months "
        "taken across all the runs, with a 95% interval, so one leaver in a small team does not flip an area. "
        "An area live for the whole of the last few months is judged on how it performs: its share of CIRs on "
        "time over those months; until then, on its readiness as at go-live. "
        f"{badge('green')} means all are met with certainty; {badge('amber')} means nearly ready or not yet "
        "certain (one check fails but not clearly, or the runs cannot yet tell whether a check is met); "
        f"{badge('red')} means not ready. The <em>ready month</em> is the first month on or after the planned "
        "go-live in which the first five checks are all met; <em>ready after plan</em> is how far it lies after the "
        "planned go-live. Where areas go live on their planned dates whatever their readiness (the "
        "<em>planned</em> policy), the ready month is when an area would have been ready, not when it went live. "
        "Colours are always shown with the word or letter, so the report can "
        "be read without colour. These are projections from the assumptions listed at the end, not forecasts "
        "of certainty.</p></div></section>",
    ]


def _by_month(result: RunResult, grid_months: list[str]) -> list[str]:
    """The status grid of every month of the run (a rollout's go-lives span years), its key, and each
    month's red and amber areas and why."""
    grid_range = (f"{month_label(grid_months[0])} to {month_label(grid_months[-1])}" if grid_months else "")
    return [
        '<section id="by-month"><h2>Status by month</h2>',
        f"<p>Each area's status in each month from {html.escape(grid_range)}: G = green, A = amber, R = red; "
        "<strong>*</strong> and a black frame mark the planned go-live month. The small letters under the status "
        "say what is not ready (key below). Hover over a cell for the figures; the lists under the table give "
        "the same month by month: open a month to see which areas are red or amber then, and why. Scroll the "
        "table sideways for later months.</p>",
        f'<p class="legend">{badge("green")} G ready &nbsp; {badge("amber")} A nearly ready or not certain &nbsp; '
        f'{badge("red")} R not ready &nbsp; (once an area is live: its CIRs on time, on target, not certain or '
        "below)</p>",
        '<p class="legend note">What is not ready: '
        + "; ".join(f"<strong>{c}</strong> {html.escape(text)}" for c, text in CODE_LEGEND) + "</p>",
        _status_grid(result, grid_months),
        "<h3>Which areas are red or amber, and why, month by month</h3>",
        _month_details(result, grid_months), "</section>",
    ]


def write_html(result: RunResult, folder: Path, path: Path, owner: Path | None = None, need: Any = None) -> Path:
    """Write the self-contained HTML report (charts embedded) for the results in `folder` to `path`
    atomically (recorded in the marker of the output folder `owner`, if given)."""
    text = render_html(result, Path(folder), need)
    return write_file(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"), owner=owner)
