"""The FCA need for a board, on one screen: England's need, its three parts and its interval, where
(per area, largest first), when (by financial year) and the cost; and the workbook's "Costs" sheet.

Reads need.csv as `cfc-sim plan --need` writes it (`need`, `need_parts`); older need.csv files
without the parts or the years show what they have.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from cfc_sim.metric_catalogue import NATIONAL, whole_run_name
from cfc_sim.need_parts import FEW_REPLICATIONS_FOR_NEED, PART_COLUMNS, financial_years, year_columns

AREAS_SHOWN = 12  # the largest needs listed on the screen; the rest fold away
PART_WORDS = {"hours_fte": ("Hours", "CFC's extra FCA hours per application, at today's use of hours"),
              "timeliness_fte": ("Timeliness", "FCAs the eight-week target and children seen need beyond the "
                                               "hours part (fewer, when below zero: FCAs can use more of their "
                                               "hours than today and still meet the target)"),
              "transition_fte": ("Transition", "double running while CAP cases open at go-live run down")}
CSS = """
.board { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px 28px; }
.board .headline { grid-column: 1 / -1; font-size: 17px; margin: 4px 0 2px; }
.board .headline strong.big { font-size: 26px; }
.board table { font-size: 13.5px; }
.board th, .board td { padding: 3px 6px; }
.board th.num { text-align: right; }
.board h3 { margin: 10px 0 4px; font-size: 15.5px; }
.board .bar { display: inline-block; height: 10px; background: #0072B2; vertical-align: middle; }
.board .bar.neg { background: #D55E00; }
.board td.below { text-align: right; border-right: 1px solid #777; }
"""


def _as_float(value: Any) -> float | None:
    """A need.csv cell as a number; None when it is not one."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _number(value: Any, signed: bool = False) -> str:
    v = _as_float(value)
    if v is None:
        return "n/a"
    if math.isnan(v):
        return "not found"
    if math.isinf(v):
        return "beyond the search"
    return f"{v:+,.0f}" if signed else f"{v:,.0f}"


def money_text(value: Any) -> str:
    """Pounds as a board reads an estimate: £10.5m, £420k, £9,800 ("n/a" for none)."""
    v = _as_float(value)
    if v is None or math.isnan(v):
        return "n/a"
    sign = "-" if v < 0 else ""  # -£5,000, not £-5,000
    v = abs(v)
    if v >= 1e6:
        return f"{sign}£{v / 1e6:,.1f}m"
    return f"{sign}£{v / 1e3:,.0f}k" if v >= 1e4 else f"{sign}£{v:,.0f}"


def _has(need: pd.DataFrame, *columns: str) -> bool:
    return all(c in need.columns for c in columns)


def _headline(england: pd.Series, need: pd.DataFrame) -> str:
    interval = f"{_number(england['ci_low'], True)} to {_number(england['ci_high'], True)}"
    over = "replications"
    if _has(need, "assumption_low", "assumption_high") and england["assumption_low"] == england["assumption_low"]:
        sets = int(england.get("assumption_sets", 0) or 0)
        interval = f"{_number(england['assumption_low'], True)} to {_number(england['assumption_high'], True)}"
        over = f"{sets} accepted assumption sets and their replications"
    cost = ""
    if _has(need, "annual_cost") and england["annual_cost"] == england["annual_cost"] and england["annual_cost"]:
        lasting = ""
        if _has(need, "hours_fte", "timeliness_fte", "transition_fte") and england["transition_fte"]:
            lasting = (f" (the {_number(england['hours_fte'] + england['timeliness_fte'], True)} that stay; the "
                       f"other {_number(england['transition_fte'], True)} are needed only while CAP cases run down)")
        cost = (f", costing about <strong>{html.escape(money_text(england['annual_cost']))} a year</strong> once the "
                f"transition is over{html.escape(lasting)}")
    need_text = html.escape(_number(england["difference"], True))
    names = {str(a) for a in need["area"] if a != NATIONAL}
    whole = whole_run_name(names, capital=True)
    who = html.escape(whole) + (" need" if len(names) > 1 and whole != "England" else " needs")
    only = "" if over != "replications" else (" The interval is the simulation's noise only: <code>cfc-sim plan "
                                             "--need --assumptions</code> adds the uncertain assumptions.")
    cap_need = _as_float(england.get("fcas_needed_cap"))
    cap = f"CAP would need {html.escape(_number(cap_need))}; " if cap_need is not None and cap_need == cap_need else ""
    return (_against_today(england, need, who)
            + f'<p class="headline">Child Focused Courts themselves take <strong class="big">{need_text}'
            f"</strong> FCAs more than keeping today's CAP performance with no area live would ({cap}95% interval "
            f"{html.escape(interval)}, over {html.escape(over)}){cost}: the figure to fund the change with.{only}</p>")


def _against_today(england: pd.Series, need: pd.DataFrame, who: str) -> str:
    """The first answer a board asks for: FCAs needed under CFC against those in post today, counted
    where areas would be short (what to recruit) and net of areas with more than they need. The CFC
    less CAP figure that follows is another question (what CFC itself costs), and had led the page
    alone, read as FCAs to hire."""
    areas = need[need["area"] != NATIONAL]
    if (areas.empty or not _has(need, "fte_now", "fcas_needed_cfc") or areas["fcas_needed_cfc"].isna().any()
            or areas["fte_now"].isna().any()):
        return ""
    gap = areas["fcas_needed_cfc"].astype(float) - areas["fte_now"].astype(float)
    short, over = int((gap > 0).sum()), int((gap < 0).sum())
    net = (f" (net {_number(gap.sum(), True)}: {over} area{' has' if over == 1 else 's have'} more than CFC "
           "needs)" if over else "")
    short_text = (f"<strong>{html.escape(_number(gap.clip(lower=0).sum(), True))}</strong> in the {short} area"
                  f"{'s' if short != 1 else ''} that would be short" if short else "no area would be short")
    return (f'<p class="headline">Under Child Focused Courts {who} <strong class="big">'
            f"{html.escape(_number(areas['fcas_needed_cfc'].sum()))}</strong> FCAs against "
            f"{html.escape(_number(areas['fte_now'].sum()))} in post today: {short_text}{html.escape(net)}.</p>")


def _parts(england: pd.Series, need: pd.DataFrame) -> str:
    if not _has(need, *PART_COLUMNS):
        return ""
    rows = []
    scale = max([abs(float(england[c])) for c in PART_COLUMNS if england[c] == england[c]] + [1.0])
    for column in PART_COLUMNS:
        label, words = PART_WORDS[column]
        value = float(england[column])
        width = 0 if value != value else round(90 * abs(value) / scale)
        bar = f'<span class="bar{" neg" if value < 0 else ""}" style="width:{width}px"></span>'
        below, above = (bar, "") if value < 0 else ("", bar)  # fewer to the left of the line, more to the right
        rows.append(f"<tr><td><strong>{label}</strong> <span class=\"note\">{html.escape(words)}</span></td>"
                    f'<td class="num">{_number(value, True)}</td><td class="below">{below}</td><td>{above}</td></tr>')
    rows.append(f'<tr class="total"><td>Need (CFC less CAP)</td><td class="num">{_number(england["difference"], True)}'
                "</td><td></td><td></td></tr>")
    return ('<h3>What it is made of</h3><table id="need-parts"><thead><tr><th>Part</th><th class="num">FCAs</th>'
            "<th>fewer</th><th>more</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _years(england: pd.Series, need: pd.DataFrame) -> str:
    years = financial_years(need)
    if not years:
        return ""
    rows = []
    for label in years:
        fcas, cost = year_columns(label)
        rows.append(f"<tr><td>{html.escape(label)}</td><td class=\"num\">{_number(england[fcas], True)}</td>"
                    f'<td class="num">{html.escape(money_text(england[cost]))}</td></tr>')
    return ('<h3>When: by financial year (April to March)</h3><table id="need-years"><thead><tr><th>Year</th>'
            '<th class="num">FCAs CFC takes over CAP (mean over the year)</th><th class="num">Cost</th></tr>'
            '</thead><tbody>'
            + "".join(rows) + '</tbody></table><p class="note">Each area needs its extra FCAs from when they '
            "must be in post to be trained for its go-live (its training window before it; from the start where it "
            "is live already), and the transition part only while its CAP cases run down after go-live; years cut "
            "by the horizon count its months only. The simulation has them in post from the start: the months "
            "before are simulated but not costed.</p>")


def _where(need: pd.DataFrame) -> str:
    areas = need[need["area"] != NATIONAL].copy()
    areas["_order"] = areas["difference"].fillna(-math.inf)
    areas = areas.sort_values("_order", ascending=False, kind="stable")
    parts = _has(need, *PART_COLUMNS)

    def row(r: Any) -> str:
        interval = ("" if r.ci_low != r.ci_low else f"{_number(r.ci_low, True)} to {_number(r.ci_high, True)}")
        split = (f'<td class="num">{_number(r.hours_fte, True)} / {_number(r.timeliness_fte, True)} / '
                 f"{_number(r.transition_fte, True)}</td>" if parts else "")
        note = str(getattr(r, "note", "") or "")
        return (f"<tr><td>{html.escape(str(r.area))}</td><td class=\"num\">{_number(r.fte_now)}</td>"
                f'<td class="num">{_number(r.fcas_needed_cap)}</td><td class="num">{_number(r.fcas_needed_cfc)}</td>'
                f'<td class="num"><strong>{_number(r.difference, True)}</strong></td>'
                f'<td class="num">{html.escape(interval)}</td>{split}'
                f'<td class="note">{html.escape(note)}</td></tr>')

    head = ('<thead><tr><th>Court area</th><th class="num">FCAs now</th><th class="num">Needed: CAP</th>'
            '<th class="num">Needed: CFC</th><th class="num">Need (CFC less CAP)</th>'
            '<th class="num">95% interval</th>' + ('<th class="num">hours / timeliness / transition</th>' if parts
                                                   else "") + "<th>Note</th></tr></thead>")
    shown = [row(r) for r in areas.head(AREAS_SHOWN).itertuples()]
    rest = [row(r) for r in areas.iloc[AREAS_SHOWN:].itertuples()]
    more = ""
    if rest:
        total = areas.iloc[AREAS_SHOWN:]["difference"].sum()
        more = (f"<details><summary>{len(rest)} more areas ({_number(total, True)} FCAs)</summary>"
                f'<table id="need-table-rest">{head}<tbody>{"".join(rest)}</tbody></table></details>')
    return (f'<h3>Where: per area, largest first</h3><table id="need-table">{head}<tbody>{"".join(shown)}'
            f"</tbody></table>{more}"
            '<p class="note">Needed: the fewest FCAs meeting the rule below, with CFC (from each go-live) and '
            "keeping today's CAP with no area live; the need is their difference, not FCAs to add to today's "
            "(an area may need fewer than it has under both).</p>")


def _drivers(need: pd.DataFrame) -> str:
    """Which assumptions move England's need most; with too few accepted sets to rank them, say so
    (a blank cell reads as a number in pandas: never show 'nan')."""
    if not len(need):
        return ""
    row = need.iloc[0]
    drivers = row["drivers"] if _has(need, "drivers") else None
    if isinstance(drivers, str) and drivers.strip():
        return (f'<p class="note"><strong>What drives it most</strong> (rank correlation of the total need with '
                f"each assumption across the accepted sets): {html.escape(drivers)}.</p>")
    sets = pd.to_numeric(row["assumption_sets"], errors="coerce") if _has(need, "assumption_sets") else None
    if sets is not None and sets == sets and sets > 0:
        return (f'<p class="note"><strong>What drives it most</strong>: {int(sets)} accepted assumption sets are '
                "too few to rank the assumptions (a fuller calibration gives more sets).</p>")
    return ""


def need_section_html(need: pd.DataFrame) -> str:
    """The report's "FCA need" section body: one screen for a board."""
    if need.empty:
        return "<p>need.csv has no rows.</p>"
    england = need.iloc[0]
    rule = ""
    if "cfc_rule" in need.columns:
        rule = (f"Under CFC: {html.escape(str(england.get('cfc_rule', '')))}; to keep CAP: "
                f"{html.escape(str(england.get('cap_rule', '')))}; with probability "
                f"{html.escape(str(england.get('confidence', '')))}"
                + (f"; both {html.escape(str(england['keep_up_rule']))}" if "keep_up_rule" in need.columns else "")
                + ". From <code>cfc-sim plan --need</code>.")
    reps = need.attrs.get("replications")
    few = (f'<p class="warning" id="need-few-replications"><strong>This need rests on {reps} replication'
           f"{'s' if reps != 1 else ''}</strong>: its interval understates the simulation's noise. For a figure to "
           f"quote, rerun <code>cfc-sim plan --need</code> with --reps {FEW_REPLICATIONS_FOR_NEED} or more.</p>"
           if isinstance(reps, int) and reps < FEW_REPLICATIONS_FOR_NEED else "")
    return (f"<style>{CSS}</style>" + few + '<div class="board">' + _headline(england, need)
            + f"<div>{_parts(england, need)}{_years(england, need)}{_drivers(need)}</div>"
            + f"<div>{_where(need)}</div></div>" + (f'<p class="note">{rule}</p>' if rule else ""))


COSTS_HEADERS = {"area": "Court area", "financial_year": "Financial year (April to March)",
                 "fcas": "FCAs CFC takes over keeping CAP (mean over the year's months in the horizon)",
                 "cost": "Cost (£)"}


def costs_frame(need: pd.DataFrame) -> pd.DataFrame:
    """The workbook's "Costs" sheet: England (or what the ALL rows are) then each area, per financial
    year, FCAs and cost, with headers in words."""
    whole = whole_run_name((str(a) for a in need["area"] if a != NATIONAL), capital=True)
    rows = []
    for r in need.itertuples(index=False):
        values = r._asdict()
        for label in financial_years(need):
            fcas, cost = year_columns(label)
            rows.append({"area": whole if values["area"] == NATIONAL else values["area"],
                         "financial_year": label, "fcas": values[fcas], "cost": values[cost]})
    return pd.DataFrame(rows, columns=list(COSTS_HEADERS)).rename(columns=COSTS_HEADERS)
