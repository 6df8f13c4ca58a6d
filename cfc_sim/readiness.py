"""Readiness of each area to go live, month by month (DESIGN 2.4), from a run's monthly series.

Criteria 1-5 use the mean across replications of each month's state; criterion 6
(`performance`) is the share of replications in which the area files at least the target
share of CIRs on time over its first `performance_months` months live.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cfc_sim.calendar import SimCalendar
from cfc_sim.model.arrivals import daily_rate
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

CRITERIA = ("capacity", "vacancy", "training", "stability", "partnerships", "performance")
GATING = CRITERIA[:5]  # the criteria a `readiness` go-live policy waits for
SOFT = ("vacancy", "training", "stability")
COLUMNS = ["area", "month", "criterion", "value", "threshold", "passed", "status", "margin", "go_live_month"]


def cfc_slot_days_per_application(area: AreaConfig) -> float:
    """Expected FCA slot-days one CFC application needs (Cafcass CIR plus any second report)."""
    cfc = area.cfc
    per_cir = cfc.cir_work_days.mean_value() + cfc.second_report_share * cfc.second_report_work_days.mean_value()
    return cfc.cafcass_cir_share * per_cir


def required_fte(area: AreaConfig, calendar: SimCalendar, month: int) -> float:
    """FCAs needed for the month's forecast CFC demand at the full caseload cap."""
    start, end = calendar.month_start_days[month], calendar.month_start_days[month + 1]
    per_day = daily_rate(area.demand, calendar, start, end)
    return per_day * cfc_slot_days_per_application(area) / area.workforce.caseload_cap


def performance_probability(series: pd.DataFrame, area: str, first_month: int, months: int,
                            labels: Sequence[str], target_share: float) -> float:
    """Share of replications meeting the on-time target over the area's first `months` months live."""
    window = set(labels[first_month:first_month + months])
    rows = series[(series["area"] == area) & series["month"].isin(window)]
    cirs = rows[rows["metric"] == "cirs_filed"].set_index(["replication", "month"])["value"]
    share = rows[rows["metric"] == "cir_on_time_share"].set_index(["replication", "month"])["value"]
    if cirs.empty:
        return math.nan
    on_time = (share.reindex(cirs.index).fillna(0.0) * cirs).groupby(level=0).sum()
    filed = cirs.groupby(level=0).sum()
    met = (on_time[filed > 0] / filed[filed > 0]) >= target_share - 1e-12
    return float(met.mean()) if len(met) else math.nan


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


def overall_status(rows: Sequence[dict[str, object]]) -> str:
    """green: all pass; amber: only performance fails, or one soft criterion within tolerance; else red."""
    failing = [r for r in rows if not r["passed"]]
    if not failing:
        return "green"
    if len(failing) == 1 and (failing[0]["criterion"] == "performance" or failing[0]["status"] == "amber"):
        return "amber"
    return "red"


def _monthly_means(series: pd.DataFrame) -> pd.DataFrame:
    wanted = ["trained_fte", "vacancy_rate", "trained_share", "leavers", "fte_in_post"]
    rows = series[series["metric"].isin(wanted)]
    return rows.groupby(["area", "month", "metric"])["value"].mean().unstack("metric")


def readiness_frame(config: ScenarioConfig, calendar: SimCalendar, series: pd.DataFrame) -> pd.DataFrame:
    """`readiness.csv`: one row per area, month and criterion plus an `overall` row."""
    header = config.header
    rules = header.readiness
    labels = calendar.month_labels
    first = header.warmup_months
    means = _monthly_means(series)
    out: list[dict[str, object]] = []
    for area in config.areas:
        go_live_day = calendar.day_of(area.go_live)
        live_month = calendar.month_index(go_live_day) if go_live_day > 0 else first
        performance = performance_probability(series, area.name, max(live_month, first), rules.performance_months,
                                              labels, header.targets.cir_on_time_share)
        leavers_hist: list[float] = []
        fte_hist: list[float] = []
        for k in range(first, calendar.horizon_months):
            label = labels[k]
            if (area.name, label) not in means.index:
                continue
            m = means.loc[(area.name, label)]
            leavers_hist.append(float(m.get("leavers", 0.0)))
            fte_hist.append(float(m.get("fte_in_post", 0.0)))
            window = slice(-12, None)
            months_seen = len(leavers_hist[window])
            fte_avg = float(np.mean(fte_hist[window]))
            turnover = (sum(leavers_hist[window]) * 12 / months_seen / fte_avg) if fte_avg > 0 else math.nan
            review_date = calendar.start if k == 0 else _first_of(label)
            partners = area.partnerships
            established = sum(d <= review_date for d in (partners.idva, partners.local_authority, partners.police))
            rows = [
                _criterion("capacity", float(m.get("trained_fte", math.nan)),
                           required_fte(area, calendar, k) * rules.capacity_headroom, True, rules.amber_tolerance),
                _criterion("vacancy", float(m.get("vacancy_rate", math.nan)), rules.max_vacancy_rate, False,
                           rules.amber_tolerance),
                _criterion("training", float(m.get("trained_share", math.nan)), rules.min_training_share, True,
                           rules.amber_tolerance),
                _criterion("stability", turnover, rules.max_turnover_12m, False, rules.amber_tolerance),
                _criterion("partnerships", established / 3, 1.0, True, 0.0),
                _criterion("performance", performance, rules.performance_confidence, True, 0.0),
            ]
            passed_count = sum(bool(r["passed"]) for r in rows)
            rows.append({"criterion": "overall", "value": float(passed_count), "threshold": float(len(CRITERIA)),
                         "passed": passed_count == len(CRITERIA), "status": overall_status(rows),
                         "margin": float(passed_count - len(CRITERIA))})
            for row in rows:
                out.append({"area": area.name, "month": label, **row, "go_live_month": k == live_month})
    return pd.DataFrame(out, columns=COLUMNS)


def _first_of(label: str) -> object:
    import datetime as dt

    return dt.date(int(label[:4]), int(label[5:7]), 1)


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
