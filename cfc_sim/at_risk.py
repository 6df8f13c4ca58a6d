"""The headline a planner acts on: each national figure against its target, and the areas at risk
of missing the CIR target or of not being ready at their planned go-live, worst first, each with
its main reason in words and figures.

One module so that `cfc-sim run` (the terminal) and the leaders' report rank and word the areas
the same way. Reads a run's summary and readiness frames; the readiness verdict itself comes from
`cfc_sim.readiness_view` (the one readiness story).

An area is **at risk** when its CIR on-time share (mean across replications) is below the
scenario's target, or when it is not live at the start and its status at the planned go-live
month is amber or red. Worst first means a larger **risk score**: the CIR on-time shortfall in
percentage points, plus 10 points when red at the planned go-live (5 when amber) and one point
per month from the planned go-live month to the first month on or after it in which criteria
1-5 all pass (the ready month, `readiness_view.earliest_ready`; the run's remaining months when there
is none), at most MAX_LATE_MONTHS (a year): the run's end would otherwise rank areas by their
go-live dates.

An area also is at risk when it does not keep up with its demand (`keeping_up`, the rule plan,
need and rollout judge every target with): its mean allocation queue over the run's last months
exceeds that over its first months from go-live by more than the rule's tolerance in months of
demand. A run has no reference run with unlimited FCAs, so this is the rule's queue part only.
Such an area's CIR on-time share does not count as meeting the target (it is measured on the
cases that got through): its score is at least KEEP_UP_POINTS, plus 10 points per month of demand
its queue grew by.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cfc_sim.chart_inputs import run_chart_names
from cfc_sim.keeping_up import QUEUE_METRIC, QUEUE_TOLERANCE, first_queue_month, queue_grows, queue_means
from cfc_sim.metric_catalogue import BY_NAME, HEADLINE, NATIONAL, scenario_targets
from cfc_sim.readiness_view import NO_STATUS, AreaStatus, area_statuses, month_gap
from cfc_sim.scenario.schema import ScenarioConfig

RED_POINTS, AMBER_POINTS = 10.0, 5.0
# Months not ready count up to a year: the run's end cuts the count for an area never ready, so
# uncapped, an area due late in the run ranked below one due early for that reason alone (Greater
# Manchester, 57% of CIRs on time, 26th; South Yorkshire, the same 57%, 3rd)
MAX_LATE_MONTHS = 12
KEEP_UP_POINTS, POINTS_PER_MONTH_OF_DEMAND = 20.0, 10.0
# Where a CIR's time goes (CFC cases with a Cafcass CIR): the larger of these is the main cause.
CIR_DELAY_CAUSES = (
    ("cir_allocation_wait_days_mean", "waiting for a CFC-trained FCA to be allocated"),
    ("cir_fca_hours_delay_days_mean", "FCAs short of hours (the work waited for FCA time)"),
)
MIN_CAUSE_DAYS = 0.5  # a cause adding less than half a day on average is not named


@dataclass(frozen=True)
class TargetCheck:
    """One national figure beside its target (target text empty when the figure has none)."""

    metric: str
    label: str
    value: float
    ci_low: float
    ci_high: float
    target: str  # e.g. "at least 90.0%"; "" without a target
    met: bool | None  # the mean against the target; None without a target or a value
    certain: bool  # the whole 95% interval is on the same side of the target
    replications: int = 2  # behind the interval: one gives none (its "interval" is the value itself)

    @property
    def verdict(self) -> str:
        """"met" / "NOT met" ("" without a target); "too close to call" when the interval spans the
        target, as the report says, with what the mean alone says; "not judged" from one replication,
        which gives no interval (it had read "met" on a single draw)."""
        if self.met is None:
            return ""
        word = "met" if self.met else "NOT met"
        if self.replications < 2:
            return f"not judged (one replication, no interval; its value {word})"
        return word if self.certain else f"too close to call (mean {word}; interval spans the target)"


# Targets that are the aim of CFC (see most children), so the headline judges them on CFC cases: CAP
# sees only the children of section 7 cases (about 30%), and a national mix would miss 75% by design.
CFC_TARGETS = ("children_seen_share",)


def judged_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary's `all` rows, with each area's CFC_TARGETS metrics taken from its `cfc` rows where
    it has them (the row's `pathway` says which): what headlines and per-area tables judge."""
    rows = summary[summary["pathway"] == "all"]
    cfc = summary[(summary["pathway"] == "cfc") & summary["metric"].isin(CFC_TARGETS)]
    if cfc.empty:
        return rows
    replaced = rows.set_index(["area", "metric"]).index.isin(cfc.set_index(["area", "metric"]).index)
    return pd.concat([rows[~replaced], cfc]).sort_index()


def _target_of(metric: str, config: ScenarioConfig) -> tuple[float, bool, str] | None:
    """(threshold, higher is better, words) of a national figure with a target in the scenario."""
    target = scenario_targets(config.header.targets, decimals=1).get(metric)
    return None if target is None else (target.threshold, target.higher_is_better, target.words)


def _meets(value: float, threshold: float, higher: bool) -> bool:
    return value >= threshold - 1e-12 if higher else value <= threshold + 1e-12


def national_checks(summary: pd.DataFrame, config: ScenarioConfig) -> list[TargetCheck]:
    """The headline national figures (catalogue order), each with its target and verdict."""
    judged = judged_rows(summary)
    national = judged[judged["area"] == NATIONAL].set_index("metric")
    out = []
    for metric in HEADLINE:
        if metric.name not in national.index:
            continue
        row = national.loc[metric.name]
        label = f"{metric.short} (CFC cases)" if row["pathway"] == "cfc" else metric.short
        value, low, high = float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])
        target = _target_of(metric.name, config)
        met: bool | None = None
        certain = False
        text = ""
        if target is not None and value == value:
            threshold, higher, text = target
            met = _meets(value, threshold, higher)
            certain = _meets(low, threshold, higher) == met and _meets(high, threshold, higher) == met
        out.append(TargetCheck(metric.name, label, value, low, high, text, met, certain, int(row["n_reps"])))
    return out


@dataclass(frozen=True)
class AreaRisk:
    """One area at risk: why, in words and figures, and where to look next."""

    area: str
    region: str
    on_time: float  # CIR on-time share, mean across replications (NaN: no CIRs)
    on_time_low: float
    on_time_high: float
    readiness: AreaStatus  # the verdict at the planned go-live (`readiness_view.status_at`)
    months_late: int | None  # planned go-live month to the first ready month on or after it (None: not judged)
    reasons: tuple[str, ...]  # worst first
    look_next: str
    score: float

    @property
    def main_reason(self) -> str:
        return self.reasons[0] if self.reasons else ""


def _area_values(summary: pd.DataFrame) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Per area, per metric (pathway `all`): (mean, ci_low, ci_high), from one pass over the summary."""
    rows = summary[summary["pathway"] == "all"]
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for r in rows.itertuples():
        out.setdefault(str(r.area), {})[str(r.metric)] = (float(r.mean), float(r.ci_low), float(r.ci_high))
    return out


def _gated(config: ScenarioConfig, values: dict[str, tuple[float, float, float]]) -> str:
    """Under the readiness policy, when the gate took the area live: each run is gated on its own state,
    where the ready month judges criteria across runs, so the two may differ and both are said."""
    if config.header.readiness.policy != "readiness" or "go_live_day" not in values:
        return ""
    share = values.get("live_at_end", (1.0, 1.0, 1.0))[0]
    mean_day = values["go_live_day"][0]
    if share <= 0 or mean_day != mean_day:
        return "; the readiness gate took it live in no run"
    when = (config.header.start + dt.timedelta(days=round(mean_day))).isoformat()[:7]
    return (f"; the readiness gate took it live in {share:.0%} of runs (each on its own state; on average "
            f"{when}, cfc-sim readiness gives the median and range)")


def _months_late(view: AreaStatus, config: ScenarioConfig) -> tuple[int | None, str | None]:
    """(months from the planned go-live month to the area's ready month, `readiness_view.earliest_ready`,
    the one definition every view shows; counted to the end of the run when there is none; that
    month or None)."""
    if view.status == NO_STATUS or view.month is None:
        return None, None
    ready = view.earliest_ready
    if ready is not None:
        return max(0, month_gap(view.month, ready)), ready
    start = config.header.start
    end_month = (start.year * 12 + start.month - 1 + config.header.horizon_months)
    end = f"{end_month // 12:04d}-{end_month % 12 + 1:02d}"
    return max(0, month_gap(view.month, end)), None


def _cir_cause(values: dict[str, tuple[float, float, float]]) -> str:
    causes = [(values[m][0], label) for m, label in CIR_DELAY_CAUSES if m in values and values[m][0] == values[m][0]]
    days, label = max(causes, default=(0.0, ""))
    if days < MIN_CAUSE_DAYS:
        return ""
    return f"mainly {label}: {days:.0f} days on average"


def queue_growth(monthly: pd.DataFrame | None, config: ScenarioConfig) -> dict[str, tuple[float, float, float]]:
    """Per area whose allocation queue grows (`keeping_up.queue_grows`, on the monthly means across
    replications of a run's monthly summary): (first months' mean, last months' mean, applications a month)."""
    if monthly is None or monthly.empty:
        return {}
    months = sorted(monthly["month"].unique())
    index = {m: i for i, m in enumerate(months)}
    out = {}
    for area in config.areas:
        rows = monthly[monthly["area"] == area.name]
        queue = rows[rows["metric"] == QUEUE_METRIC]
        demand = rows[rows["metric"] == "applications"]["mean"]
        first, last = queue_means({index[m]: float(v) for m, v in zip(queue["month"], queue["mean"], strict=True)},
                                  first_queue_month(config, area.name, len(months)), len(months))
        per_month = float(demand.mean()) if len(demand) else math.nan
        if queue_grows(first, last, per_month, QUEUE_TOLERANCE):
            out[area.name] = (first, last, per_month)
    return out


def areas_at_risk(summary: pd.DataFrame, readiness: pd.DataFrame, config: ScenarioConfig,
                  results: str = "RESULTS", monthly: pd.DataFrame | None = None) -> list[AreaRisk]:
    """Every area at risk (see the module docstring), worst first; `results` names the folder in
    the commands suggested under "look next"; `monthly`, the run's monthly summary, for keeping up."""
    target = config.header.targets.cir_on_time_share
    statuses = {v.area: v for v in area_statuses(readiness, config)}
    by_area = _area_values(summary)
    on_time_rows = summary[(summary["pathway"] == "all") & (summary["metric"] == "cir_on_time_share")]
    on_time_reps = dict(zip(on_time_rows["area"].astype(str), on_time_rows["n_reps"], strict=True))
    growing = queue_growth(monthly, config)
    # the fan chart of a large run shows only the lowest few: every area has its line in the region chart
    by_region = (f"{results}/charts/cir_on_time_regions.png (its line in its region's panel)"
                 if "cir_on_time_regions.png" in run_chart_names(config) else "")
    out = []
    for area in config.areas:
        view = statuses[area.name]
        values = by_area.get(area.name, {})
        on_time, low, high = values.get("cir_on_time_share", (math.nan, math.nan, math.nan))
        reasons: list[tuple[float, str]] = []
        looks: list[str] = []
        score = 0.0
        if area.name in growing:
            first, last, per_month = growing[area.name]
            points = KEEP_UP_POINTS + POINTS_PER_MONTH_OF_DEMAND * (last - first) / per_month
            score += points
            reasons.append((points, f"not keeping up with demand: allocation queue grew from {first:,.0f} to "
                                    f"{last:,.0f} cases ({(last - first) / per_month:.1f} months of applications); "
                                    "its CIRs on time count only the cases that got through"))
            looks.append(f"{results}/monthly_summary.csv (its rows of unallocated_queue_mean: the queue by month)")
        if on_time == on_time and on_time < target - 1e-12:
            shortfall = (target - on_time) * 100
            score += shortfall
            working = values.get("cir_working_days_mean", (math.nan,) * 3)[0]
            # no interval from one replication with CIRs (a late go-live may have CIRs in one run only)
            interval = f" (95% CI {low:.0%} to {high:.0%})" if on_time_reps.get(area.name, 0) > 1 else ""
            words = (f"CIRs on time {on_time:.0%}{interval} vs target {target:.0%}"
                     + (f", {working:.0f} working days to a CIR on average" if working == working else ""))
            cause = _cir_cause(values)
            reasons.append((shortfall, words + (f"; {cause}" if cause else "")))
            looks.append(by_region or f"{results}/charts/cir_on_time_fan.png (its monthly on-time share)")
        live_at_start = area.go_live <= config.header.start
        late, ready_month = (None, None) if live_at_start else _months_late(view, config)
        if not live_at_start and view.status in ("red", "amber"):
            points = (RED_POINTS if view.status == "red" else AMBER_POINTS) + min(late or 0, MAX_LATE_MONTHS)
            score += points
            when = view.month or area.go_live.isoformat()[:7]
            if ready_month is None:
                ready = "not ready on or after it within the run"
            elif late:
                ready = f"ready from {ready_month}, {late} month{'s' if late != 1 else ''} after its planned go-live"
            else:
                ready = "ready at its planned go-live"
            ready += _gated(config, values)
            reasons.append((points, f"{view.status} at planned go-live {when}: {view.reason}; {ready}"))
            looks.append(f"cfc-sim readiness {results} --month {when}")
        if not reasons:
            continue
        reasons.sort(key=lambda r: -r[0])
        out.append(AreaRisk(area.name, area.region or "", on_time, low, high, view, late,
                            tuple(text for _, text in reasons), ", ".join(looks), score))
    return sorted(out, key=lambda r: (-r.score, r.area))


def format_check(check: TargetCheck) -> str:
    """One national figure for the terminal: value, interval, target and verdict."""
    metric = BY_NAME[check.metric]
    target = f"target {check.target}" if check.target else ""
    interval = (f"(95% CI {metric.format(check.ci_low)} to {metric.format(check.ci_high)})"
                if check.replications > 1 else "(one replication: no interval)")
    return (f"{check.label:<36} {metric.format(check.value):>10}   {interval}"
            + (f"   {target}: {check.verdict}" if target else ""))


def risk_rows(risks: list[AreaRisk]) -> list[dict[str, Any]]:
    """The at-risk areas as plain rows (for tables and the report)."""
    return [{"rank": k, "area": r.area, "region": r.region, "cir_on_time_share": r.on_time,
             "status_at_go_live": r.readiness.status, "planned_go_live": r.readiness.planned,
             "earliest_ready": r.readiness.earliest_ready, "months_late": r.months_late,
             "main_reason": r.main_reason, "other_reasons": "; ".join(r.reasons[1:]), "look_next": r.look_next,
             "score": r.score} for k, r in enumerate(risks, start=1)]
