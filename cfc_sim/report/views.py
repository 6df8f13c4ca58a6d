"""What the leaders' report shows, in either format: headline figures, readiness per area and month,
charts and their captions, the scenario's main inputs (shared by the HTML page and the workbook).

Reads only a `RunResult` (from `cfc_sim.results_reader`) and the folder's checked PNG charts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from cfc_sim.at_risk import judged_rows
from cfc_sim.metric_catalogue import NATIONAL, Metric, scenario_targets
from cfc_sim.readiness_view import AreaStatus, area_statuses, monthly_statuses, slip_text
from cfc_sim.results import RunResult
from cfc_sim.results_reader import chart_files
from cfc_sim.version import __version__

# The one-letter codes (readiness_view.CRITERION_CODES) under each status in the month-by-month grid.
CODE_LEGEND = [("C", "capacity: not enough CFC-trained FCAs"), ("V", "vacancy rate too high"),
               ("T", "too few FCAs CFC-trained"), ("S", "staff turnover too high"),
               ("P", "partnerships not all in place"), ("O", "on-time CIR target unlikely to be met")]


class MonthStatus(NamedTuple):
    status: str
    failing: list[str]  # why, part by part (`AreaStatus.reasons`: failing, then not yet certain)
    codes: str
    go_live: bool


NO_MONTH = MonthStatus("n/a", [], "", False)


CHART_CAPTIONS = {
    "readiness_heatmap": "Readiness to go live, month by month: one row per court area, one column per month; "
                         "before go-live green = ready, amber = nearly ready or not certain, red = not ready; once "
                         "an area is live its months show its CIRs on time instead (green on target, amber not "
                         "certain, red below), so green "
                         "just after a star means the first CIRs came in on time, not that the area was ready; "
                         "a star marks the planned go-live month.",
    "cir_on_time_fan": "Share of Child Impact Reports filed within eight working weeks, per court area and month "
                       "(in a run of many areas: all areas together and the areas with the lowest share). "
                       "The line is the middle outcome across replications, the shaded bands hold the middle 50% "
                       "and 90% of outcomes, and the dashed line is the target.",
    "cir_on_time_regions": "Every court area's share of Child Impact Reports filed within eight working weeks, one "
                           "panel per region: each line is an area's middle outcome across replications, the dot "
                           "its planned go-live (at its first month with CIRs from then), the dashed line the "
                           "target.",
    "caseload_queue": "All areas together: average open cases per FCA against the caseload cap (left), and "
                      "cases waiting to be allocated to an FCA (right), month by month, with bands across "
                      "replications.",
    "workforce": "The workforce of all areas together: FCAs in post against the funded establishment (left), "
                 "vacancies and leavers (middle), and the share of FCAs trained for Child Focused Courts (right).",
    "transition_cap_rundown": "Transition: cases still open on the old pathway (CAP) in each area, running down "
                              "after the area goes live on Child Focused Courts (dotted line; in a run of many "
                              "areas, one panel per region with a dot at each area's go-live).",
}


CHART_ORDER = list(CHART_CAPTIONS)


def is_missing(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def format_value(value: Any, metric: Metric) -> str:
    return "n/a" if is_missing(value) else metric.format(float(value))


def month_label(label: str) -> str:
    """'2027-04' -> 'Apr 2027'."""
    try:
        return dt.date(int(label[:4]), int(label[5:7]), 1).strftime("%b %Y")
    except (ValueError, IndexError):
        return label


def ready_label(status: AreaStatus) -> str:
    """The ready month as the report words it: 'Apr 2027', 'already live' or 'not within the run'."""
    text = status.ready_text
    return month_label(text) if text[:1].isdigit() else text


def day_label(iso: str) -> str:
    """'2027-04-06' -> '6 Apr 2027'."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%b %Y}"


def run_date_label(manifest: dict[str, Any]) -> str:
    stamp = str(manifest.get("finished") or manifest.get("started") or "")
    try:
        when = dt.datetime.fromisoformat(stamp)
        return f"{when.day} {when:%B %Y}"
    except ValueError:
        return stamp or "unknown date"


def national_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """England's headline rows (children seen from CFC cases where there are any: `judged_rows`)."""
    judged = judged_rows(summary)
    return judged[judged["area"] == NATIONAL].set_index("metric")


# Where a CIR's time goes (CFC cases with a Cafcass CIR), in the words a planner acts on.
LISTING_CAUSE = "court listing (wait for the decision hearing)"  # after the CIR: delays the decision only
CIR_DELAY_CAUSES = (
    ("cir_allocation_wait_days_mean", "waiting for a trained FCA (transition queue)"),
    ("cir_fca_hours_delay_days_mean", "FCA hours (the work waited for FCA time)"),
    ("listing_wait_days_mean", LISTING_CAUSE),
)


def cir_delay_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Per area with CFC cases: CIR on-time share and working days, children seen, and the days each
    cause adds (allocation wait, FCA hours, court listing); the larger of the first two is the main
    cause of late CIRs. Listing waits delay the decision, not the CIR: shown because they delay the
    child's outcome."""
    cfc = summary[(summary["pathway"] == "cfc") & (summary["area"] != NATIONAL)]
    rows = []
    for area, group in cfc.groupby("area", sort=False):
        values = dict(zip(group["metric"], group["mean"], strict=True))
        if "cir_on_time_share" not in values:
            continue
        causes = {label: float(values[m]) for m, label in CIR_DELAY_CAUSES if m in values}
        cir_causes = {k: v for k, v in causes.items() if k != LISTING_CAUSE}
        main = (max(cir_causes, key=lambda k: cir_causes[k]) if cir_causes and max(cir_causes.values()) > 0.5
                else "none: within the least elapsed times")
        rows.append({"area": area, "on_time": float(values["cir_on_time_share"]),
                     "working_days": float(values.get("cir_working_days_mean", float("nan"))),
                     "children_seen": float(values.get("children_seen_share", float("nan"))),
                     "causes": causes, "main": main})
    return sorted(rows, key=lambda r: r["on_time"])


def chart_paths(folder: Path) -> list[Path]:
    """The folder's charts safe to embed (see `chart_files`), in the report's order."""
    found = chart_files(folder)
    rank = {name: i for i, name in enumerate(CHART_ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.stem, len(rank)), p.name))


def chart_caption(stem: str) -> str:
    return CHART_CAPTIONS.get(stem, f"Chart: {stem.replace('_', ' ')}.")


def readiness_overview(result: RunResult) -> list[dict[str, Any]]:
    """Per area: region, planned go-live, status at the planned go-live month with the failing criteria
    in words, and the earliest month in which criteria 1-5 all pass (`readiness_view.status_at`)."""
    return [{"area": v.area, "region": v.region, "planned": v.planned, "assessed_month": v.month, "status": v.status,
             "failing": list(v.failing), "reason": v.reason, "note": v.note, "earliest_ready": v.earliest_ready,
             "ready": ready_label(v), "slip": slip_text(v.slip_months)}
            for v in area_statuses(result.readiness, result.config)]


_LAST_GRID: list[tuple[Any, Any, tuple[str, ...], dict[tuple[str, str], MonthStatus]]] = []


def monthly_status(result: RunResult, months: Sequence[str]) -> dict[tuple[str, str], MonthStatus]:
    """(area, month) -> status, failing criteria (in words and as one-letter codes), planned go-live month.

    The page asks twice for the same grid (the grid, then the per-month lists): the last one is kept
    for the same readiness frame, config and months, so it is built once per report."""
    wanted = tuple(months)
    for readiness, config, asked, grid in _LAST_GRID:
        if readiness is result.readiness and config is result.config and asked == wanted:
            return grid
    grid = {key: MonthStatus(v.status, list(v.reasons), v.codes, v.go_live)
            for key, v in monthly_statuses(result.readiness, result.config, months).items()}
    _LAST_GRID[:] = [(result.readiness, result.config, wanted, grid)]
    return grid


def kpi_verdict(metric: str, row: pd.Series, targets: Any) -> tuple[str, str]:
    """(target text, verdict) for the KPIs that have a target."""
    low, high = float(row["ci_low"]), float(row["ci_high"])
    found = scenario_targets(targets).get(metric)
    if found is None:
        return "", ""
    target, higher, text = found.threshold, found.higher_is_better, found.words
    if is_missing(low) or is_missing(high):
        return text, ""
    if "n_reps" in row and int(row["n_reps"]) < 2:
        return text, "not judged (one replication: no interval)"
    if (higher and low >= target) or (not higher and high <= target):
        return text, "meets target"
    if (higher and high < target) or (not higher and low > target):
        return text, "below target" if higher else "misses target"
    return text, "too close to call (interval spans the target)"


def spread(values: Sequence[float], fmt: str) -> str:
    """'x' when all areas agree, else 'x to y'."""
    low, high = min(values), max(values)
    return fmt.format(low) if math.isclose(low, high) else f"{fmt.format(low)} to {fmt.format(high)}"


def assumption_lines(result: RunResult) -> list[str]:
    """Headline scenario inputs, summed or ranged over the areas (read from the scenario, not the model)."""
    areas = result.config.areas
    if not areas:
        return []
    try:
        w = [a.workforce for a in areas]
        lines = [
            f"Demand: {sum(a.demand.applications_per_week for a in areas):,.0f} private-law applications a week "
            f"in all areas together; annual growth {spread([a.demand.annual_growth for a in areas], '{:.1%}')}.",
            f"Workforce at the start: {sum(x.fcas for x in w):,} FCAs against a funded establishment of "
            f"{sum(x.establishment for x in w):,}; caseload cap {spread([x.caseload_cap for x in w], '{:g}')} cases "
            f"per FCA.",
            f"Turnover {spread([x.annual_turnover for x in w], '{:.0%}')} a year; recruitment takes "
            f"{spread([x.time_to_hire_days.mean_value() for x in w], '{:.0f}')} days on average and succeeds "
            f"{spread([x.hire_success for x in w], '{:.0%}')} of the time.",
            f"CFC training: {spread([x.training.seats_per_month for x in w], '{:g}')} places a month per area, "
            f"{spread([x.training.days for x in w], '{:g}')} days each.",
            f"Under Child Focused Courts, {spread([a.cfc.cafcass_cir_share for a in areas], '{:.0%}')} of cases get a "
            f"Cafcass CIR, taking at least {spread([a.cfc.cir_work_days.mean_value() for a in areas], '{:.0f}')} days "
            "on average (its least elapsed time; where FCAs work in hours, their hours decide how much longer).",
        ]
    except (AttributeError, TypeError, ValueError):  # an older or newer scenario layout: skip the numbers
        return []
    if result.config.interventions:
        lines.append(f"{len(result.config.interventions)} scheduled change(s) to area parameters (interventions).")
    return lines


def scenario_rows(result: RunResult) -> list[tuple[str, Any]]:
    h = result.config.header
    m = result.manifest
    rules, targets = h.readiness, h.targets
    rows: list[tuple[str, Any]] = [
        ("name", h.name), ("description", h.description), ("start", h.start),
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


