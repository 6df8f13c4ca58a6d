"""What the FCA need is made of, when it is needed and what it costs.

The difference (FCAs needed under CFC less FCAs keeping today's CAP performance, `need`) is split
into three parts that sum to it in every row:

- `hours_fte`: the extra FTE that CFC's extra FCA hours per application need at today's use of
  hours: the CAP need's private-law FCAs (less the fixed `other_work_fte`, or times 1 -
  `other_work_share`) x (CFC hours per application / CAP hours per application - 1), rounded
  (`readiness.cfc_hours_per_application` and `readiness.cap_hours_per_application`, the expected work
  content of the scenario's hours). 0 where the area is not live within the horizon or works in
  slots (no hours to compare).
- `transition_fte`: double running while the CAP cases open at go-live run down: their remaining
  FCA hours (half a CAP case's hours each, on average) spread over the time CAP cases closed after
  go-live took to decide, in FTE at the area's casework hours, rounded; read from the CFC run at the
  CFC need (`open_cap_cases_at_go_live`, `transition_cap_weeks_to_decision_mean`).
- `timeliness_fte`: the rest, the further FTE the simulation finds to meet the eight-week target
  and children seen at the confidence asked (negative where the two estimates above overstate it).

Phasing (`need_by_month`): an area needs its hours and timeliness parts from the month its extra
FCAs must be in post, `training_lead_months` before its go-live month (CFC-trained FCAs are asked for
at go-live, and training starts `training.months_before_go_live` before it), to the horizon, and its
transition part for `transition_months` months after go-live; the cost of a
month is its FCAs x days x `cost_per_fte_day` x `cost_weighting` (`plan.fte_day_cost`), summed by
financial year (April to March) in `need_by_year`.
"""

from __future__ import annotations

import calendar as calendar_days
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from cfc_sim.calendar import DAYS_PER_YEAR
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.readiness import cap_hours_per_application, cfc_hours_per_application, go_live_month
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

FEW_REPLICATIONS_FOR_NEED = 5  # below this the need's interval understates the noise (docs/need.md)

if TYPE_CHECKING:  # the report reads need.csv's columns from here without the planning machinery
    from cfc_sim.plan import Evaluator

PART_COLUMNS = ["hours_fte", "timeliness_fte", "transition_fte"]
BY_YEAR_COLUMNS = ["area", "financial_year", "months", "fcas_mean", "cost"]
WEEKS_PER_MONTH = DAYS_PER_YEAR / 12 / 7


def _mean(values: list[float]) -> float:
    defined = [v for v in values if v == v]
    return sum(defined) / len(defined) if defined else math.nan


def need_parts(config: ScenarioConfig, row: dict[str, Any], cfc: Evaluator, live: bool) -> dict[str, Any]:
    """The three parts of one area's difference, its transition months and its yearly cost once
    the transition is over (see the module docstring)."""
    from cfc_sim.plan import fte_day_cost

    area = config.area(row["area"])
    difference = row["difference"]
    if difference != difference:
        return {"hours_fte": math.nan, "timeliness_fte": math.nan, "transition_fte": math.nan,
                "transition_months": 0, "annual_cost": math.nan}
    hours = transition = 0.0
    months = 0
    cfc_hours, cap_hours = cfc_hours_per_application(area), cap_hours_per_application(area)
    if live and cap_hours > 0:
        workforce = area.workforce
        private_fte = (row["fcas_needed_cap"] - workforce.other_work_fte if workforce.other_work_fte is not None
                       else row["fcas_needed_cap"] * (1 - workforce.other_work_share))  # FCAs on private law
        hours = float(round(max(private_fte, 0.0) * (cfc_hours / cap_hours - 1)))
        extra = int(row["fcas_needed_cfc"]) - area.workforce.fcas
        values = cfc.values(area.name, extra)
        open_cases = _mean(values.get("all/open_cap_cases_at_go_live", []))
        weeks = _mean(values.get("all/transition_cap_weeks_to_decision_mean", []))
        per_day = area.workforce.casework_hours_per_day * (1 - area.workforce.other_work_share)
        if open_cases == open_cases and weeks == weeks and weeks > 0 and per_day > 0:
            transition = float(round(open_cases * cap_hours * 0.5 / (per_day * weeks * 7)))
            months = math.ceil(weeks / WEEKS_PER_MONTH)
    lasting = difference - transition
    return {"hours_fte": hours, "timeliness_fte": difference - hours - transition, "transition_fte": transition,
            "transition_months": months, "annual_cost": lasting * fte_day_cost(area) * DAYS_PER_YEAR}


def financial_year(year: int, month: int) -> str:
    """April to March: 2027-01 is in 2026-27."""
    first = year if month >= 4 else year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def horizon_months(config: ScenarioConfig) -> list[tuple[int, int]]:
    """(year, month 1-12) of each month of the horizon, in order."""
    start = config.header.start
    return [(y, m + 1) for y, m in (divmod(start.year * 12 + start.month - 1 + k, 12)
                                    for k in range(config.header.horizon_months))]


def months_by_financial_year(config: ScenarioConfig) -> dict[str, int]:
    """How many months of each financial year the horizon covers: a year with fewer than 12 is costed
    for those months only, and says so."""
    counts: dict[str, int] = {}
    for year, month in horizon_months(config):
        label = financial_year(year, month)
        counts[label] = counts.get(label, 0) + 1
    return counts


def training_lead_months(area: AreaConfig) -> int:
    """How many months before its go-live an area's extra FCAs must be in post: its CFC training
    window (`training.months_before_go_live`; none set: training from the run's start, so no lead)."""
    lead = area.workforce.training.months_before_go_live
    return lead if lead is not None else 0


def need_by_month(config: ScenarioConfig, need: pd.DataFrame) -> pd.DataFrame:
    """Per area and month of the horizon: the extra FCAs needed (0 before they must be in post) and their cost."""
    from cfc_sim.plan import fte_day_cost

    months = horizon_months(config)
    rows = []
    for row in need[need["area"] != NATIONAL].itertuples():
        if row.difference != row.difference:
            continue
        area = config.area(str(row.area))
        live = go_live_month(config, area.name)
        in_post = live - training_lead_months(area)
        for m, (year, month) in enumerate(months):
            fcas = 0.0
            if m >= in_post:
                fcas = row.difference - row.transition_fte
            if live <= m < live + row.transition_months:
                fcas += row.transition_fte
            days = calendar_days.monthrange(year, month)[1]
            rows.append({"area": area.name, "month": f"{year:04d}-{month:02d}",
                         "financial_year": financial_year(year, month), "fcas": fcas,
                         "cost": fcas * days * fte_day_cost(area)})
    return pd.DataFrame(rows, columns=["area", "month", "financial_year", "fcas", "cost"])


def need_by_year(config: ScenarioConfig, need: pd.DataFrame) -> pd.DataFrame:
    """`need_by_year.csv`: England (ALL) then per area, per financial year within the horizon, the
    months counted, the mean extra FCAs needed over them and their cost."""
    monthly = need_by_month(config, need)
    if monthly.empty:
        return pd.DataFrame(columns=BY_YEAR_COLUMNS)
    national = monthly.groupby(["financial_year", "month"], sort=True)[["fcas", "cost"]].sum().reset_index()
    national["area"] = NATIONAL
    out = []
    for frame in (national, monthly):
        grouped = frame.groupby(["area", "financial_year"], sort=False).agg(
            months=("month", "count"), fcas_mean=("fcas", "mean"), cost=("cost", "sum")).reset_index()
        out.append(grouped)
    return pd.concat(out, ignore_index=True)[BY_YEAR_COLUMNS]


def year_columns(label: str) -> tuple[str, str]:
    """need.csv's columns of one financial year: mean extra FCAs over its months and their cost."""
    short = label.replace("-", "_")
    return f"fcas_fy{short}", f"cost_fy{short}"


def with_years(config: ScenarioConfig, need: pd.DataFrame) -> pd.DataFrame:
    """need.csv with two columns per financial year within the horizon (`year_columns`): the mean
    extra FCAs needed over the year's months in the horizon and their cost (NaN where no need)."""
    by_year = need_by_year(config, need)
    out = need.copy()
    for label in dict.fromkeys(by_year["financial_year"]):
        fcas, cost = year_columns(str(label))
        rows = by_year[by_year["financial_year"] == label].set_index("area")
        out[fcas] = out["area"].map(rows["fcas_mean"])
        out[cost] = out["area"].map(rows["cost"])
    return out


def financial_years(need: pd.DataFrame) -> list[str]:
    """The financial years of need.csv's year columns, in order (2026-27, ...)."""
    return [c[len("fcas_fy"):].replace("_", "-") for c in need.columns if c.startswith("fcas_fy")]
