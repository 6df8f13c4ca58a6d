"""Readiness of an area to go live (DESIGN 2.4): six criteria, each with value, threshold,
pass and margin, and a green / amber / red status.

`assess` is the one judge: the model calls it at its reviews (per replication, to gate go-live
under the `readiness` policy) and `readiness_frame` calls it per month on the mean state across
replications to write `readiness.csv`. Criterion 6 (`performance`) is the share of replications
in which the area files at least the target share of CIRs on time in its first months live, so
it exists only across replications.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cfc_sim.calendar import SimCalendar
from cfc_sim.demand import daily_rate
from cfc_sim.scenario.schema import AreaConfig, ReadinessConfig

CRITERIA = ("capacity", "vacancy", "training", "stability", "partnerships", "performance")
GATING = CRITERIA[:5]  # the criteria a `readiness` go-live policy waits for
SOFT = ("vacancy", "training", "stability")
COLUMNS = ["area", "month", "criterion", "value", "threshold", "passed", "status", "margin", "go_live_month"]


@dataclass(frozen=True)
class AreaState:
    """What readiness looks at, for one area at one review."""

    trained_fte: float
    vacancy_rate: float
    trained_share: float
    turnover_12m: float
    performance: float = math.nan  # probability across replications; NaN inside one replication


def cfc_slot_days_per_application(area: AreaConfig) -> float:
    """Expected FCA slot-days one CFC application needs (Cafcass CIR plus any second report)."""
    cfc = area.cfc
    per_cir = cfc.cir_work_days.mean_value() + cfc.second_report_share * cfc.second_report_work_days.mean_value()
    return cfc.cafcass_cir_share * per_cir


def required_fte(area: AreaConfig, calendar: SimCalendar, month: int) -> float:
    """FCAs needed for the month's forecast CFC demand, at the private-law slots of a full cap."""
    start, end = calendar.month_start_days[month], calendar.month_start_days[month + 1]
    per_day = daily_rate(area.demand, calendar, start, end)
    workforce = area.workforce
    slots = workforce.caseload_cap - round(workforce.other_work_share * workforce.caseload_cap)
    return per_day * cfc_slot_days_per_application(area) / max(slots, 1)


def partnerships_share(area: AreaConfig, review_date: dt.date) -> float:
    """Share of the three partnerships (IDVA, local authority, police) established by the date."""
    p = area.partnerships
    return sum(d <= review_date for d in (p.idva, p.local_authority, p.police)) / 3


def _criterion(name: str, value: float, threshold: float, higher_is_better: bool,
               tolerance: float) -> dict[str, object]:
    if value != value:  # not evaluable (no data): fails
        return {"criterion": name, "value": value, "threshold": threshold, "passed": False,
                "status": "red", "margin": math.nan}
    margin = value - threshold if higher_is_better else threshold - value
    passed = margin >= -1e-9
    if passed:
        status = "green"
    elif name in SOFT and margin >= -tolerance:
        status = "amber"
    else:
        status = "red"
    return {"criterion": name, "value": value, "threshold": threshold, "passed": passed, "status": status,
            "margin": margin}


def assess(area: AreaConfig, calendar: SimCalendar, month: int, review_date: dt.date, state: AreaState,
           rules: ReadinessConfig) -> list[dict[str, object]]:
    """The six criteria for one area at one review (performance last)."""
    tol = rules.amber_tolerance
    return [
        _criterion("capacity", state.trained_fte, required_fte(area, calendar, month) * rules.capacity_headroom,
                   True, tol),
        _criterion("vacancy", state.vacancy_rate, rules.max_vacancy_rate, False, tol),
        _criterion("training", state.trained_share, rules.min_training_share, True, tol),
        _criterion("stability", state.turnover_12m, rules.max_turnover_12m, False, tol),
        _criterion("partnerships", partnerships_share(area, review_date), 1.0, True, 0.0),
        _criterion("performance", state.performance, rules.performance_confidence, True, 0.0),
    ]


def gate_passes(rows: Sequence[dict[str, object]]) -> bool:
    """Criteria 1-5 all pass: the `readiness` policy lets the area go live."""
    return all(bool(r["passed"]) for r in rows if r["criterion"] in GATING)


def overall_status(rows: Sequence[dict[str, object]]) -> str:
    """green: all pass; amber: only performance fails, or one soft criterion within tolerance; else red."""
    failing = [r for r in rows if not r["passed"]]
    if not failing:
        return "green"
    if len(failing) == 1 and (failing[0]["criterion"] == "performance" or failing[0]["status"] == "amber"):
        return "amber"
    return "red"


def performance_probability(series: pd.DataFrame, area: str, months: int, labels: Sequence[str],
                            target_share: float) -> float:
    """Share of replications meeting the on-time target over the area's first `months` months live.

    Each replication's window starts at the month the area actually went live in it (the
    `live_areas` series), so a readiness-gated go-live is judged on its own first months.
    """
    rows = series[series["area"] == area]
    live = rows[(rows["metric"] == "live_areas") & (rows["value"] > 0)]
    if live.empty:
        return math.nan
    order = {label: k for k, label in enumerate(labels)}
    first_live = live.assign(k=live["month"].map(order)).groupby("replication")["k"].min()
    cirs = rows[rows["metric"] == "cirs_filed"].set_index(["replication", "month"])["value"]
    share = rows[rows["metric"] == "cir_on_time_share"].set_index(["replication", "month"])["value"]
    met = []
    for replication, first in first_live.items():
        window = [(replication, label) for label in labels[first:first + months]]
        filed = cirs.reindex(window).fillna(0.0)
        on_time = (share.reindex(window).fillna(0.0) * filed).sum()
        if filed.sum() > 0:
            met.append(on_time / filed.sum() >= target_share - 1e-12)
    return sum(met) / len(met) if met else math.nan


def trailing_turnover(leavers: list[float], fte: list[float]) -> float:
    """Leavers over the last (up to) 12 months, annualised, per mean FCA in post."""
    window_leavers, window_fte = leavers[-12:], fte[-12:]
    mean_fte = sum(window_fte) / len(window_fte) if window_fte else 0.0
    if mean_fte <= 0:
        return math.nan
    return sum(window_leavers) * 12 / len(window_leavers) / mean_fte


def review_date_of(calendar: SimCalendar, month: int) -> dt.date:
    """The date of the monthly review for run month `month` (the run start for month 0)."""
    if month == 0:
        return calendar.start
    label = calendar.month_labels[month]
    return dt.date(int(label[:4]), int(label[5:7]), 1)


def readiness_frame(config, calendar: SimCalendar, series: pd.DataFrame) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """`readiness.csv`: per area and month the six criteria on the mean state across replications,
    plus an `overall` row; `go_live_month` marks the month of the planned go-live."""
    header = config.header
    rules = header.readiness
    labels = calendar.month_labels
    first = header.warmup_months
    wanted = ["trained_fte", "vacancy_rate", "trained_share", "leavers", "fte_in_post", "live"]
    means = series[series["metric"].isin(wanted)].groupby(["area", "month", "metric"])["value"].mean()
    means = means.unstack("metric")
    out: list[dict[str, object]] = []
    for area in config.areas:
        go_live_day = calendar.day_of(area.go_live)
        if go_live_day >= calendar.horizon_days:
            live_month = None  # planned after the horizon
        else:
            live_month = calendar.month_index(go_live_day) if go_live_day > 0 else first
        performance = performance_probability(series, area.name, rules.performance_months, labels,
                                              header.targets.cir_on_time_share)
        leavers: list[float] = []
        fte: list[float] = []
        for k in range(first, calendar.horizon_months):
            if (area.name, labels[k]) not in means.index:
                continue
            m = means.loc[(area.name, labels[k])]
            leavers.append(float(m.get("leavers", 0.0)))
            fte.append(float(m.get("fte_in_post", 0.0)))
            state = AreaState(float(m.get("trained_fte", math.nan)), float(m.get("vacancy_rate", math.nan)),
                              float(m.get("trained_share", math.nan)), trailing_turnover(leavers, fte), performance)
            rows = assess(area, calendar, k, review_date_of(calendar, k), state, rules)
            passed_count = sum(bool(r["passed"]) for r in rows)
            rows.append({"criterion": "overall", "value": float(passed_count), "threshold": float(len(CRITERIA)),
                         "passed": passed_count == len(CRITERIA), "status": overall_status(rows),
                         "margin": float(passed_count - len(CRITERIA))})
            for row in rows:
                out.append({"area": area.name, "month": labels[k], **row, "go_live_month": k == live_month})
    return pd.DataFrame(out, columns=COLUMNS)


def earliest_ready(readiness: pd.DataFrame) -> dict[str, str | None]:
    """First month per area in which criteria 1-5 all pass (None if never within the horizon)."""
    gating = readiness[readiness["criterion"].isin(GATING)]
    ok = gating.groupby(["area", "month"], sort=False)["passed"].all()
    result: dict[str, str | None] = {}
    for area in readiness["area"].drop_duplicates():
        months = ok.loc[area]
        ready = months[months]
        result[area] = str(ready.index[0]) if len(ready) else None
    return result


def readiness_rows(result, month: str | None = None) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Per area: status and failing criteria at `month` (default: its planned go-live month), the
    earliest ready month and when it went live (mean across replications), for tables and reports."""
    readiness = result.readiness
    ready = earliest_ready(readiness)
    summary = result.summary
    went = summary[(summary["pathway"] == "all") & (summary["metric"] == "go_live_day")].set_index("area")
    live_share = summary[(summary["pathway"] == "all") & (summary["metric"] == "live_at_end")].set_index("area")
    start = result.config.header.start
    rows = []
    for area in result.config.areas:
        mine = readiness[readiness["area"] == area.name]
        if month is not None:
            at = mine[mine["month"] == month]
        else:
            at = mine[mine["go_live_month"].astype(str) == "True"]
            if at.empty:
                at = mine[mine["month"] == mine["month"].min()]
        overall = at[at["criterion"] == "overall"]
        status = str(overall["status"].iloc[0]) if len(overall) else "n/a"
        failing = at[(at["criterion"] != "overall") & (~at["passed"].astype(str).isin(["True"]))]
        words = "; ".join(f"{r.criterion} {_fmt(r.criterion, r.value)} vs {_fmt(r.criterion, r.threshold)}"
                          for r in failing.itertuples())
        if area.name in went.index:
            day = float(went.loc[area.name, "mean"])
            share = float(live_share.loc[area.name, "mean"]) if area.name in live_share.index else 1.0
            went_live = (start + dt.timedelta(days=round(day))).isoformat()
            if share < 1:
                went_live += f" (live in {share:.0%} of runs)"
        else:
            went_live = "not within the horizon"
        rows.append({"area": area.name, "region": area.region or "", "planned": area.go_live.isoformat(),
                     "status": status, "failing": words or "none", "earliest_ready": ready.get(area.name) or "never",
                     "went_live": went_live})
    return rows


def _fmt(criterion: str, value: float) -> str:
    """Values in the criterion's unit: FTE for capacity, percentages for the rest."""
    if value != value:
        return "n/a"
    return f"{value:.1f} FTE" if criterion == "capacity" else f"{value:.1%}"
