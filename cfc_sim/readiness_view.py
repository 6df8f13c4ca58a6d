"""Readiness as people read it: the one place that says an area's status at its planned go-live or
in a given month, and why, for `readiness`, `report` and `rollout` alike.

`cfc_sim.readiness` holds the pure criteria the model applies inside a replication; this module
holds the table code on top of them (pandas): `readiness.csv` from the monthly series, the
earliest ready month, and `status_at`, whose verdict and wording every command shows. An area
whose planned go-live lies after the run has no status there ("n/a"), wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cfc_sim.calendar import SimCalendar
from cfc_sim.readiness import CRITERIA, GATING, AreaState, assess, overall_status, review_date_of, trailing_turnover
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

COLUMNS = ["area", "month", "criterion", "value", "threshold", "passed", "status", "margin", "go_live_month"]
NO_STATUS = "n/a"  # no readiness row for the month asked (e.g. a planned go-live after the run)

CRITERION_NAMES = {
    "capacity": "enough CFC-trained FCAs",
    "vacancy": "vacancy rate",
    "training": "CFC training",
    "stability": "staff stability (turnover)",
    "partnerships": "partnerships in place",
    "performance": "likely to meet the CIR target",
}
# One letter per failing criterion (the report's month-by-month grid).
CRITERION_CODES = {"capacity": "C", "vacancy": "V", "training": "T", "stability": "S", "partnerships": "P",
                   "performance": "O"}
ALREADY_LIVE = "already live at the start of the run"
AFTER_RUN = "planned go-live is after the end of the run"
MONTH_NOT_IN_RUN = "month not in the run"


@dataclass(frozen=True)
class AreaStatus:
    """One area's readiness verdict in one month, with the failing criteria in words."""

    area: str
    region: str
    planned: str  # planned go-live date, ISO
    month: str | None  # the month judged; None when there is none in the run
    status: str  # green / amber / red, or NO_STATUS
    failing: tuple[str, ...]  # failing criteria in words, value vs threshold
    failing_criteria: tuple[str, ...]  # their names (CRITERIA)
    codes: str  # one letter per failing criterion
    go_live: bool  # `month` is the planned go-live month
    note: str
    earliest_ready: str | None  # first month criteria 1-5 all pass; None if never in the run

    @property
    def failing_text(self) -> str:
        """The failing criteria joined for a table cell ("none" when a status has nothing failing)."""
        if self.failing:
            return "; ".join(self.failing)
        return "none" if self.status != NO_STATUS else ""


def _isnan(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def is_true(value: Any) -> bool:
    """A `passed` / `go_live_month` cell as read back from CSV ("True") or built in memory (True)."""
    return value is True or str(value) == "True"


def criterion_words(criterion: str, value: Any, threshold: Any, performance_months: int | None = None) -> str:
    """One failing criterion in plain words, with its value against the threshold."""
    if _isnan(value):
        return f"{CRITERION_NAMES.get(criterion, criterion)}: no data yet"
    v, t = float(value), float(threshold)
    if criterion == "capacity":
        return f"capacity: {v:.1f} CFC-trained FCAs vs {t:.1f} needed"
    if criterion == "vacancy":
        return f"vacancy rate {v:.1%} vs at most {t:.1%}"
    if criterion == "training":
        return f"CFC-trained share {v:.1%} vs at least {t:.1%}"
    if criterion == "stability":
        return f"12-month turnover {v:.1%} vs at most {t:.1%}"
    if criterion == "partnerships":
        return f"partnerships in place {round(v * 3)} of 3 vs all 3"
    if criterion == "performance":
        window = f" in its first {performance_months} months live" if performance_months else ""
        return f"chance of meeting the CIR target{window} {v:.0%} vs at least {t:.0%}"
    return f"{criterion} {v:.3g} vs {t:.3g}"


def failing_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The criteria rows (not `overall`) that did not pass."""
    return rows[(rows["criterion"] != "overall") & ~rows["passed"].map(is_true)]


def _verdict(rows: pd.DataFrame, performance_months: int) -> tuple[str, tuple[str, ...], tuple[str, ...], bool]:
    """(status, failing in words, failing criteria, planned go-live month) of one area-month's rows."""
    overall = rows[rows["criterion"] == "overall"]
    if overall.empty:
        return NO_STATUS, (), (), False
    bad = failing_rows(rows)
    words = tuple(criterion_words(str(r.criterion), r.value, r.threshold, performance_months)
                  for r in bad.itertuples())
    go_live = "go_live_month" in overall and is_true(overall["go_live_month"].iloc[0])
    return str(overall["status"].iloc[0]), words, tuple(str(c) for c in bad["criterion"]), bool(go_live)


def status_at(readiness: pd.DataFrame, config: ScenarioConfig, area: AreaConfig, month: str | None = None,
              earliest: dict[str, str | None] | None = None) -> AreaStatus:
    """The area's status in `month`, or (None) at its planned go-live month.

    At the planned go-live: the month flagged `go_live_month`; an area live before the first
    month with statistics is judged in that first month; one planned after the run has NO_STATUS.
    """
    mine = readiness[readiness["area"] == area.name]
    note = ""
    if month is not None:
        at = mine[mine["month"] == month]
        if at.empty:
            note = MONTH_NOT_IN_RUN
    else:
        at = mine[mine["go_live_month"].map(is_true)] if "go_live_month" in mine else mine.iloc[0:0]
        months = sorted(mine["month"].unique())
        if at.empty and months and area.go_live.strftime("%Y-%m") <= months[0]:
            at = mine[mine["month"] == months[0]]
        if area.go_live <= config.header.start:
            note = ALREADY_LIVE
        elif at.empty:
            note = AFTER_RUN
    status, words, names, go_live = _verdict(at, config.header.readiness.performance_months)
    judged = str(at["month"].iloc[0]) if status != NO_STATUS else None
    ready = earliest if earliest is not None else earliest_ready(readiness)
    return AreaStatus(area=area.name, region=area.region or "", planned=area.go_live.isoformat(), month=judged,
                      status=status, failing=words, failing_criteria=names,
                      codes="".join(CRITERION_CODES.get(c, "?") for c in names), go_live=go_live, note=note,
                      earliest_ready=ready.get(area.name))


def area_statuses(readiness: pd.DataFrame, config: ScenarioConfig, month: str | None = None) -> list[AreaStatus]:
    """`status_at` for every area of the scenario, in scenario order."""
    ready = earliest_ready(readiness)
    return [status_at(readiness, config, area, month, ready) for area in config.areas]


def monthly_statuses(readiness: pd.DataFrame, config: ScenarioConfig,
                     months: Sequence[str]) -> dict[tuple[str, str], AreaStatus]:
    """(area, month) -> `status_at` for the listed months (months without rows left out).

    The frame is split by area and month once, and each `status_at` sees only its own rows: a
    national grid (40 areas x 13 months) takes a fraction of a second instead of filtering all
    13,000 rows 500 times."""
    ready = earliest_ready(readiness)
    rows = readiness[readiness["month"].isin(set(months))]
    cells = {(str(a), str(m)): frame for (a, m), frame in rows.groupby(["area", "month"], sort=True)}
    out = {}
    for area in config.areas:
        for (name, month), frame in cells.items():
            if name == area.name:
                out[(name, month)] = status_at(frame, config, area, month, ready)
    return out


def went_live(summary: pd.DataFrame, config: ScenarioConfig) -> dict[str, str]:
    """Per area when it went live (mean go-live day across replications), for tables."""
    went = summary[(summary["pathway"] == "all") & (summary["metric"] == "go_live_day")].set_index("area")
    live_share = summary[(summary["pathway"] == "all") & (summary["metric"] == "live_at_end")].set_index("area")
    start = config.header.start
    out = {}
    for area in config.areas:
        if area.name not in went.index:
            out[area.name] = "not within the horizon"
            continue
        day = float(went.loc[area.name, "mean"])
        share = float(live_share.loc[area.name, "mean"]) if area.name in live_share.index else 1.0
        text = (start + dt.timedelta(days=round(day))).isoformat()
        out[area.name] = text + (f" (live in {share:.0%} of runs)" if share < 1 else "")
    return out


def earliest_ready(readiness: pd.DataFrame) -> dict[str, str | None]:
    """First month per area in which criteria 1-5 all pass (None if never within the horizon)."""
    if readiness.empty:
        return {}
    gating = readiness[readiness["criterion"].isin(GATING)]
    ok = gating.assign(passed=gating["passed"].map(is_true)).groupby(["area", "month"], sort=False)["passed"].all()
    result: dict[str, str | None] = {}
    for area in readiness["area"].drop_duplicates():
        if area not in ok.index.get_level_values(0):
            result[str(area)] = None
            continue
        months = ok.loc[area]
        ready = months[months]
        result[str(area)] = str(ready.index[0]) if len(ready) else None
    return result


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


def readiness_frame(config: ScenarioConfig, calendar: SimCalendar, series: pd.DataFrame) -> pd.DataFrame:
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
