"""The leaders' per-area table and the areas at risk, worst first (for the HTML page and the workbook).

One row per court area: its CIR on-time share with the 95% interval against the target, children
seen, weeks to decision, caseload and vacancy rate, its readiness status at the planned go-live
(`readiness_view.status_at`, the wording `readiness` and `rollout` use), the earliest ready month,
and the main reason it is at risk, in words and figures.

An area is **at risk** when its CIR on-time share is below the target, or (for an area not already
live at the start of the run) it is not green at its planned go-live. At-risk areas are ranked by
how far the on-time share falls short of the target (in percentage points); areas on target but not
ready at go-live follow, red before amber. The rule is written in `RANKING_RULE` so the page says it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.readiness_view import ALREADY_LIVE, AreaStatus, area_statuses
from cfc_sim.report.views import cir_delay_rows, month_label
from cfc_sim.results import RunResult

RANKING_RULE = ("An area is at risk when its share of CIRs filed on time is below the target, or when it is not "
                "green (ready) at its planned go-live month. At-risk areas are listed worst first: by how far the "
                "on-time share falls short of the target, then red before amber at go-live.")
SEVERITY = {"red": 2, "amber": 1}  # readiness status at go-live, for ranking ties


@dataclass(frozen=True)
class Estimate:
    """A summary row's mean and 95% interval (NaN when the run has no value)."""

    mean: float
    low: float
    high: float

    @property
    def missing(self) -> bool:
        return math.isnan(self.mean)


NO_ESTIMATE = Estimate(math.nan, math.nan, math.nan)


@dataclass(frozen=True)
class AreaRow:
    """One court area in the leaders' per-area table."""

    area: str
    region: str
    on_time: Estimate  # share of CIRs filed within the target's working days
    children_seen: Estimate
    weeks_to_decision: Estimate
    caseload: Estimate  # open cases per FCA in post
    vacancy: Estimate  # vacancy rate
    readiness: AreaStatus  # status at the planned go-live
    main_cause: str  # main cause of late CIRs ("" when the area files none)
    reasons: tuple[str, ...]  # why it is at risk, in words and figures; empty when not at risk
    shortfall_points: float  # target minus on-time share, percentage points (0 when met or unknown)

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)

    @property
    def already_live(self) -> bool:
        return self.readiness.note == ALREADY_LIVE

    @property
    def main_reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "on target and ready"


def _estimates(summary: pd.DataFrame) -> dict[tuple[str, str], Estimate]:
    rows = summary[(summary["pathway"] == "all") & (summary["area"] != NATIONAL)]
    return {(str(r.area), str(r.metric)): Estimate(float(r.mean), float(r.ci_low), float(r.ci_high))
            for r in rows.itertuples()}


def _status_words(status: AreaStatus) -> str:
    when = month_label(status.month) if status.month else ""
    failing = "; ".join(status.failing) if status.failing else "see the readiness table"
    return f"{status.status.upper()} at planned go-live ({when}): {failing}"


def area_rows(result: RunResult) -> list[AreaRow]:
    """Every area of the run, in scenario order."""
    targets = result.config.header.targets
    target = float(targets.cir_on_time_share)
    values = _estimates(result.summary)
    causes = {row["area"]: row["main"] for row in cir_delay_rows(result.summary)}
    rows = []
    for status in area_statuses(result.readiness, result.config):
        name = status.area

        def get(metric: str, area: str = name) -> Estimate:
            return values.get((area, metric), NO_ESTIMATE)

        on_time = get("cir_on_time_share")
        reasons: list[str] = []
        shortfall = 0.0
        if not on_time.missing and on_time.mean < target - 1e-12:
            shortfall = (target - on_time.mean) * 100
            cause = causes.get(name, "")
            because = f"; main cause: {cause}" if cause and not cause.startswith("none") else ""
            reasons.append(f"CIRs on time {on_time.mean:.0%} (95% interval {on_time.low:.0%} to {on_time.high:.0%}) "
                           f"vs target {target:.0%}{because}")
        if status.status in SEVERITY and status.note != ALREADY_LIVE:
            reasons.append(_status_words(status))
        rows.append(AreaRow(area=name, region=status.region, on_time=on_time, children_seen=get("children_seen_share"),
                            weeks_to_decision=get("weeks_to_decision_mean"), caseload=get("caseload_mean"),
                            vacancy=get("vacancy_rate_mean"), readiness=status, main_cause=causes.get(name, ""),
                            reasons=tuple(reasons), shortfall_points=shortfall))
    return rows


def at_risk(rows: list[AreaRow]) -> list[AreaRow]:
    """The at-risk areas, worst first (`RANKING_RULE`)."""
    def key(row: AreaRow) -> tuple[float, int, str]:
        severity = SEVERITY.get(row.readiness.status, 0) if not row.already_live else 0
        return (-row.shortfall_points, -severity, row.area)

    return sorted((r for r in rows if r.at_risk), key=key)


def area_frame(rows: list[AreaRow], targets: Any) -> pd.DataFrame:
    """The per-area table as a frame (the workbook's `Areas` sheet): shares as fractions, months as dates."""
    import datetime as dt

    def month_date(label: str | None) -> dt.date | None:
        return dt.date(int(label[:4]), int(label[5:7]), 1) if label else None

    risk = {r.area: i + 1 for i, r in enumerate(at_risk(rows))}
    out = []
    for r in rows:
        out.append({
            "area": r.area, "region": r.region, "risk_rank": risk.get(r.area),
            "cir_on_time_share": r.on_time.mean, "cir_on_time_ci_low": r.on_time.low,
            "cir_on_time_ci_high": r.on_time.high, "cir_on_time_target": float(targets.cir_on_time_share),
            "children_seen_share": r.children_seen.mean, "weeks_to_decision_mean": r.weeks_to_decision.mean,
            "caseload_mean": r.caseload.mean, "vacancy_rate_mean": r.vacancy.mean,
            "planned_go_live": dt.date.fromisoformat(r.readiness.planned),
            "status_at_go_live": r.readiness.status, "assessed_month": month_date(r.readiness.month),
            "note": r.readiness.note, "earliest_ready_month": month_date(r.readiness.earliest_ready),
            "main_reason": r.main_reason,
        })
    return pd.DataFrame(out)
