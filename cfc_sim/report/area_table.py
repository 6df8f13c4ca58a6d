"""The leaders' per-area table and the areas at risk, worst first (for the HTML page and the workbook).

One row per court area: its CIR on-time share with the 95% interval against the target, children
seen, weeks to decision, caseload and vacancy rate, its readiness status at the planned go-live
(`readiness_view.status_at`, the wording `readiness` and `rollout` use), the ready month and slip,
and the main reason it is at risk, in words and figures. Which areas are at risk, their order and
their reasons come from `cfc_sim.at_risk`, so the report and `cfc-sim run` name the same areas in
the same order with the same words.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cfc_sim.at_risk import (
    AMBER_POINTS,
    KEEP_UP_POINTS,
    POINTS_PER_MONTH_OF_DEMAND,
    RED_POINTS,
    areas_at_risk,
    judged_rows,
)
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.readiness_view import ALREADY_LIVE, AreaStatus, area_statuses
from cfc_sim.results import RunResult

RANKING_RULE = ("An area is at risk when its share of CIRs filed on time is below the target, when it is not "
                "live at the start of the run and is amber or red at its planned go-live month, or when it does "
                "not keep up with its demand (its queue of cases awaiting an FCA grows). At-risk areas are "
                "listed worst first by a risk score: the on-time shortfall in percentage points, plus "
                f"{RED_POINTS:g} points if red at the planned go-live ({AMBER_POINTS:g} if amber), one point "
                "per month until it is first ready on or after that month, and for an area not keeping up "
                f"{KEEP_UP_POINTS:g} points plus {POINTS_PER_MONTH_OF_DEMAND:g} for each month of demand by "
                "which its queue grew. This is the order in which cfc-sim run lists them.")


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
    reasons: tuple[str, ...]  # why it is at risk, worst first (`cfc_sim.at_risk`); empty when not at risk
    risk_rank: int | None  # 1 = most at risk; None when not at risk

    @property
    def at_risk(self) -> bool:
        return self.risk_rank is not None

    @property
    def already_live(self) -> bool:
        return self.readiness.note == ALREADY_LIVE

    @property
    def main_reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "on target and ready"


def _estimates(summary: pd.DataFrame) -> dict[tuple[str, str], Estimate]:
    judged = judged_rows(summary)  # children seen from CFC cases where the area has any
    rows = judged[judged["area"] != NATIONAL]
    return {(str(r.area), str(r.metric)): Estimate(float(r.mean), float(r.ci_low), float(r.ci_high))
            for r in rows.itertuples()}


def area_rows(result: RunResult, results: str = "RESULTS") -> list[AreaRow]:
    """Every area of the run, in scenario order (`results`: the folder named in the reasons' hints)."""
    values = _estimates(result.summary)
    risks = {r.area: (rank, r) for rank, r in enumerate(
        areas_at_risk(result.summary, result.readiness, result.config, results=results,
                      monthly=result.monthly_summary()), start=1)}
    rows = []
    for status in area_statuses(result.readiness, result.config):
        name = status.area

        def get(metric: str, area: str = name) -> Estimate:
            return values.get((area, metric), NO_ESTIMATE)

        rank, risk = risks.get(name, (None, None))
        rows.append(AreaRow(area=name, region=status.region, on_time=get("cir_on_time_share"),
                            children_seen=get("children_seen_share"), weeks_to_decision=get("weeks_to_decision_mean"),
                            caseload=get("caseload_mean"), vacancy=get("vacancy_rate_mean"), readiness=status,
                            reasons=risk.reasons if risk is not None else (), risk_rank=rank))
    return rows


def at_risk(rows: list[AreaRow]) -> list[AreaRow]:
    """The at-risk areas, worst first (`RANKING_RULE`)."""
    return sorted((r for r in rows if r.at_risk), key=lambda r: r.risk_rank or 0)


def area_frame(rows: list[AreaRow], targets: Any) -> pd.DataFrame:
    """The per-area table as a frame (the workbook's `Areas` sheet): shares as fractions, months as dates."""
    def month_date(label: str | None) -> dt.date | None:
        return dt.date(int(label[:4]), int(label[5:7]), 1) if label else None

    out = []
    for r in rows:
        out.append({
            "area": r.area, "region": r.region, "risk_rank": r.risk_rank,
            "cir_on_time_share": r.on_time.mean, "cir_on_time_ci_low": r.on_time.low,
            "cir_on_time_ci_high": r.on_time.high, "cir_on_time_target": float(targets.cir_on_time_share),
            "children_seen_share": r.children_seen.mean, "weeks_to_decision_mean": r.weeks_to_decision.mean,
            "caseload_mean": r.caseload.mean, "vacancy_rate_mean": r.vacancy.mean,
            "planned_go_live": dt.date.fromisoformat(r.readiness.planned),
            "status_at_go_live": "live" if r.already_live else r.readiness.status,
            "assessed_month": None if r.already_live else month_date(r.readiness.month),
            "note": r.readiness.note, "status_reason": r.readiness.reason,
            "ready_month": ("already live" if r.already_live else month_date(r.readiness.earliest_ready)
                            or "not within the run"),
            "slip_months": r.readiness.slip_months,
            "main_reason": r.main_reason,
        })
    return pd.DataFrame(out)
