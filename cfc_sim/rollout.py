"""Rollout planner: go-live months for the areas not yet live, under recruitment and training
throughput and a budget, maximising the areas live on time with none breaching readiness.

An area is *on time* when it goes live on or before its planned date, and a go-live date
*breaches readiness* unless criteria 1-5 (DESIGN 2.4) hold at that date with probability at
least P (`--confidence`) across replications. The planner works in five steps:

1. **Readiness run.** The areas not yet live run under the `readiness` policy with their planned
   dates, R replications. In-model reviews (the planned day, then each month start) apply
   criteria 1-5 to that replication's own state, so recruitment (time to hire, hire success),
   training seats per month, turnover and partnership dates are all inside the go-live day each
   replication reports. A replication that goes live but then does not keep up with its demand
   (`keeping_up`: its allocation queue grows after go-live, the rule plan and need judge with)
   counts as not live: a go-live that starves the area is not ready.
2. **Earliest feasible date at no cost.** The area is on time if it went live on its planned day
   in at least a share P of replications. Otherwise its earliest feasible date is the P-quantile
   of the go-live day (the first review at which a share P of replications had passed), which is
   never before the planned date, never before the partnerships exist (the gate checks them) and
   never before the scenario start. Why each late area is late is read from the same run: the
   partnership dates after the planned date, and the criteria failing at the planned month in
   each replication (readiness on that replication's monthly state, as `readiness.csv` does on
   the mean state).
3. **Cost of being on time.** For a late area whose partnerships exist by its planned date, the
   smallest number of extra FCAs (in post and funded from the start; interventions that set the
   area's headcount or establishment are raised by the same number) making it ready on its
   planned day with probability P: one-area runs under common random numbers (areas do not
   interact and their streams are keyed by name, so a one-area run has exactly the draws of the
   full run), searched by doubling then bisection (`plan.smallest_extra`), evaluations cached on
   disk. Extra FCAs start with the area's trained share, so past some number the training seats
   cannot train them by the planned date and more FCAs only delay readiness: the search stops
   there (`trainable_extra`, from seats per month and training days), which also keeps it off
   the range where the probability falls again. Cost: extra x `workforce.cost_per_fte_day` x
   365.25 a year.
4. **Budget.** Every on-time area counts one, so maximising the number of areas on time within
   the budget is a knapsack with unit values, which taking the cheapest additions first solves
   exactly: the k cheapest additions are the cheapest way to put k areas on time, and if the
   (k+1)-th cheapest does not fit, no other does. Ties go to the earlier planned date. A budget
   of 0 funds no extra FCAs, even unpriced ones (`cost_per_fte_day` 0). Unfunded late areas are
   proposed at their earliest feasible date from step 2.
5. **Check.** The proposed plan (proposed dates, funded FCAs) is re-run under the `readiness`
   policy, all areas together; an area passes when it goes live exactly on its proposed date,
   i.e. criteria 1-5 hold there, in at least a share P of replications. Readiness need not
   improve month by month (a leaver, a vacancy), so "ready by" the quantile date of step 2 is not
   always "ready at" it: an area failing the check moves to the P-quantile of its go-live day in
   the check run and is checked again, until every proposed date passes or lies beyond the
   horizon. `ready_probability_at_proposed` and `check_passed` come from this check. The risk
   follows the probability of being ready on the *planned* date under the plan (the check's for
   an area on time, the readiness run's for a late one, which is below P): `high` below P,
   `medium` below (1 + P) / 2 or when the replications are too few to show P (the one-sided 95%
   exact lower bound of the probability is below P: 'ready in 2/2 runs' is not low risk; a plan
   note says how many replications would show it), `low` otherwise; so every late area is high risk.

Every criterion the readiness check judges is judged here: criteria 1-5 by the go-live gate, and
each area's verdict, reason and ready month at its planned go-live are read from the readiness
run's own table (`readiness_view`, the words `readiness` and the report show; columns
`status_at_planned`, `readiness_reason`, `ready_month`), including criterion 6 (the CIR target in
the first months live), which the gate does not wait for but the reason names when it fails.
Areas live at the start are judged on how they perform (once live for `performance_months`), and named
in the notes when not green.

Extra FCAs are bought only for capacity and training. A late area failing the vacancy or turnover
criterion at its planned month is not offered extra FCAs: the added heads leave the vacancies and
leavers as many as before, so they lower the rates only by dilution (Hertfordshire "fixed" by +14
FCAs at £869k a year). Turnover is judged as leavers per FTE-year of the team in post (a rate that
more heads do not lower in expectation) and the reason says to fill the posts or keep the staff.

Areas planned after the horizon cannot be assessed and are listed as such; areas live at the
start are not part of the rollout. Budget is the only link between areas (training seats and
recruitment are per area in the model), so apart from the knapsack each area is planned alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.cache import Cache, lists_by_name, run_key
from cfc_sim.calendar import DAYS_PER_YEAR, SimCalendar
from cfc_sim.errors import UserError
from cfc_sim.experiment import run_replications
from cfc_sim.keeping_up import QUEUE_METRIC, QUEUE_TOLERANCE, queue_grows, queue_means
from cfc_sim.manifest import build_manifest, write_manifest
from cfc_sim.model import ReplicationOutput
from cfc_sim.model.simulation import make_calendar
from cfc_sim.output_folder import write_folder
from cfc_sim.plan import check_addition, smallest_extra, variant
from cfc_sim.progress import PlanProgress
from cfc_sim.readiness import GATING
from cfc_sim.readiness_view import NO_CIRS_YET, AreaStatus, area_statuses, readiness_frame, status_at
from cfc_sim.results import timeseries_frame
from cfc_sim.safe_text import csv_safe
from cfc_sim.scenario.resolved import resolved_yaml
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig
from cfc_sim.scenario.variants import config_variant
from cfc_sim.stats import replications_for_confidence, share_lower_bound

COLUMNS = ["area", "region", "planned_go_live", "proposed_go_live", "on_time", "extra_fte", "annual_cost",
           "ready_probability_at_proposed", "risk", "reason", "delay_months", "ready_probability_at_planned",
           "extra_fte_for_on_time", "annual_cost_for_on_time", "check_passed", "check_runs",
           "status_at_planned", "readiness_reason", "ready_month", "ready_probability_low"]
# Criteria more FCAs only dilute: vacancies and leavers stay as many while the heads grow, so the rates
# fall without the posts being filled or the leavers staying. Rollout never buys these with extra FCAs.
DILUTED = ("vacancy", "stability")
RISKS = ("low", "medium", "high")
SHORT_OF = {"capacity": "CFC-trained FCAs", "training": "trained FCAs"}  # what an area late on these lacks
PARTNERSHIPS = (("idva", "IDVA"), ("local_authority", "local authority"), ("police", "police"))


@dataclass
class RolloutPlan:
    """What `plan_rollout` returns: the per-area table, the proposed scenario and the totals."""

    table: pd.DataFrame
    proposed: ScenarioConfig
    totals: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    already_live: list[str] = field(default_factory=list)
    readiness: pd.DataFrame | None = None  # the readiness table of the readiness run (every area)
    readiness_config: ScenarioConfig | None = None  # the scenario that table judges


@dataclass
class _Area:
    config: AreaConfig
    planned_day: float
    baseline: list[float] = field(default_factory=list)  # go-live day per replication, planned dates
    p_planned: float = math.nan
    blockers: str = ""
    blocker_names: list[str] = field(default_factory=list)
    partnerships_late: str = ""
    extra_needed: int | None = None
    searched: bool = False
    search_limit: int = 0  # the most extra FCAs worth trying (training seats)
    cost_needed: float = 0.0
    funded: bool = False
    proposed_day: float | None = None
    p_proposed: float = math.nan
    check_runs: int = 0
    check_days: list[float] = field(default_factory=list)
    status: AreaStatus | None = None  # the readiness verdict at the planned go-live (`readiness_view`)
    diluted: list[str] = field(default_factory=list)  # failing criteria extra FCAs would only dilute
    not_keeping_up: int = 0  # replications live on the planned day whose queue then grows (readiness run)

    @property
    def name(self) -> str:
        return self.config.name


def with_policy(config: ScenarioConfig, policy: str) -> ScenarioConfig:
    """The scenario with `readiness.policy` set (what `--set readiness.policy=...` does to a file)."""
    return config_variant(config, {"readiness.policy": policy})


def quantile_day(days: Sequence[float], p: float) -> float | None:
    """The smallest day by which a share >= p of replications went live (None: not within the horizon)."""
    ordered = sorted(math.inf if d != d else d for d in days)
    k = max(1, math.ceil(p * len(ordered) - 1e-9))
    value = ordered[k - 1]
    return None if math.isinf(value) else value


def share_on(days: Sequence[float], day: float) -> float:
    """Share of replications that went live on `day` (or earlier)."""
    return sum(d == d and d <= day + 0.5 for d in days) / len(days) if days else math.nan


def risk_of(probability: float, confidence: float, runs: int | None = None) -> str:
    """high below the confidence, medium below halfway from it to certainty, low otherwise; with
    `runs`, low only when that many runs show the confidence (the one-sided 95% exact lower bound of
    the probability is at least it): 'ready in 2/2 runs' is not low risk."""
    if probability != probability or probability < confidence - 1e-12:
        return "high"
    if probability < (1 + confidence) / 2 - 1e-12:
        return "medium"
    if runs and share_lower_bound(round(probability * runs), runs) < confidence - 1e-12:
        return "medium"
    return "low"


def too_few_runs_note(runs: int, confidence: float) -> str | None:
    """A plan-level note when `runs` replications cannot show the claimed confidence, else None."""
    needed = replications_for_confidence(confidence)
    if needed is not None and runs >= needed:
        return None
    shown = share_lower_bound(runs, runs)
    need = (f"at least {needed} replications (--reps {needed})" if needed is not None
            else "certainty, which no number of runs shows")
    return (f"{runs} replications are too few for {confidence:.0%} confidence: even 'ready in {runs}/{runs} runs' "
            f"shows a chance of only {shown:.0%} or more (95% confidence); showing {confidence:.0%} needs {need}. "
            "No area is rated low risk on fewer.")


def first_review_on_or_after(calendar: SimCalendar, planned_day: float, day: float) -> float | None:
    """The first readiness review (the planned day, then month starts) on or after `day`."""
    if day <= planned_day:
        return planned_day
    for start in calendar.month_start_days[1:-1]:
        if start >= day:
            return start
    return None


def trainable_extra(area: AreaConfig, calendar: SimCalendar, planned_day: float, min_share: float,
                    max_extra: int) -> int:
    """The most extra FCAs (up to `max_extra`) whose area could still reach `min_share` CFC-trained on
    the planned day with its training seats: beyond it more FCAs only delay readiness. Approximate:
    it ignores leavers and new starters, which roughly offset each other."""
    training = area.workforce.training
    if training.trained_share_at_start >= 1:
        return max_extra
    rounds = sum(1 for d in calendar.month_start_days[:-1] if d + training.days < planned_day)
    seats = training.seats_per_month * rounds
    best = -1
    for n in range(max_extra + 1):
        staff = area.workforce.fcas + n
        trained = min(staff, round(staff * training.trained_share_at_start) + seats)
        if staff and trained / staff < min_share - 1e-9:
            break
        best = n
    return max(best, 0)


class Runner:
    """Go-live days per area and replication for a scenario, cached on disk by its resolved hash."""

    def __init__(self, cache: Path | None, workers: int, scheduler: str | None) -> None:
        self.cache = Cache(cache)
        self.workers = workers
        self.scheduler = scheduler
        self.runs = 0

    def outputs(self, config: ScenarioConfig) -> list[ReplicationOutput]:
        self.runs += 1
        return run_replications(config, range(config.replications), workers=self.workers, scheduler=self.scheduler)

    def go_live_days(self, config: ScenarioConfig) -> dict[str, list[float]]:
        key = run_key(config, "rollout-keep")
        stored = self.cache.get(key, lambda v: lists_by_name(v) and set(v) == {a.name for a in config.areas})
        if stored is not None:
            return {a: [math.nan if v is None else v for v in values] for a, values in stored.items()}
        days = go_live_days(self.outputs(config), [a.name for a in config.areas], make_calendar(config))
        self.cache.put(key, {a: [None if v != v else v for v in values] for a, values in days.items()})
        return days


def go_live_days(outputs: Sequence[ReplicationOutput], names: Sequence[str],
                 calendar: SimCalendar | None = None) -> dict[str, list[float]]:
    """Per area the `go_live_day` of each replication; NaN when not live within the horizon. With
    the run's `calendar`, also NaN where the area goes live but does not keep up with its demand
    afterwards (`keeping_up`: its allocation queue grows; the rule plan and need use): such a
    go-live does not count as ready."""
    out: dict[str, list[float]] = {name: [] for name in names}
    for output in outputs:
        found = {a: v for a, p, m, v in output.metrics if p == "all" and m == "go_live_day"}
        growing = _queue_grows_after_go_live(output, found, calendar) if calendar is not None else set()
        for name in names:
            out[name].append(math.nan if name in growing else float(found.get(name, math.nan)))
    return out


def _queue_grows_after_go_live(output: ReplicationOutput, days: dict[str, float], calendar: SimCalendar) -> set[str]:
    """The areas of one replication whose allocation queue grows after their go-live (`keeping_up`)."""
    queues: dict[str, dict[int, float]] = {}
    demand: dict[str, list[float]] = {}
    for area, month, metric, value in output.monthly:
        if metric == QUEUE_METRIC:
            queues.setdefault(area, {})[month] = value
        elif metric == "applications":
            demand.setdefault(area, []).append(value)
    growing = set()
    for area, day in days.items():
        if day != day or area not in queues or not demand.get(area):
            continue
        first, last = queue_means(queues[area], calendar.month_index(day), calendar.horizon_months)
        if queue_grows(first, last, sum(demand[area]) / len(demand[area]), QUEUE_TOLERANCE):
            growing.add(area)
    return growing


def readiness_verdicts(config: ScenarioConfig, calendar: SimCalendar, outputs: Sequence[ReplicationOutput],
                       names: Sequence[str], confidence: float | None = None) -> tuple[ScenarioConfig, pd.DataFrame]:
    """The readiness table (`readiness_view.readiness_frame`) of the named areas from a run's outputs,
    judged with `confidence` (default the scenario's): the very verdicts `readiness` and `report`
    show for that run, so rollout's reasons are theirs."""
    sub = variant(config, list(names))
    if confidence is not None and confidence != sub.header.readiness.performance_confidence:
        sub = config_variant(sub, {"readiness.performance_confidence": confidence})
    series = timeseries_frame(outputs, calendar.month_labels)
    return sub, readiness_frame(sub, calendar, series[series["area"].isin(list(names))])


def _blockers(area: _Area) -> tuple[list[str], str]:
    """The workforce criteria failing at the area's planned month, in `readiness`'s words."""
    verdict = area.status
    if verdict is None:
        return [], ""
    workforce = [(c, w) for c, w in zip(verdict.failing_criteria, verdict.failing, strict=True)
                 if c in GATING and c != "partnerships"]
    seats = area.config.workforce.training.seats_per_month
    texts = [w + (f" with {seats} training seats a month" if c == "training" else "") for c, w in workforce]
    return [c for c, _ in workforce], "; ".join(texts[:2]) + ("; ..." if len(texts) > 2 else "")


def _late_partnerships(area: AreaConfig) -> str:
    late = [(getattr(area.partnerships, key), label) for key, label in PARTNERSHIPS
            if getattr(area.partnerships, key) > area.go_live]
    return "; ".join(f"{label} from {date.isoformat()}" for date, label in sorted(late))


def _fcas(n: int | None) -> str:
    return f"+{n} FCA" if n == 1 else f"+{n} FCAs"


def _reason(area: _Area, confidence: float, max_extra: int, reps: int) -> str:
    if area.proposed_day is not None and area.proposed_day <= area.planned_day + 0.5:
        if area.funded:
            what = ", ".join(area.blocker_names) or "readiness"
            without = f"; without them {area.blockers}" if area.blockers else ""
            return f"{what}: {_fcas(area.extra_needed)} funded{without}"
        shown = round(area.p_planned * reps)
        text = f"ready at the planned date in {shown}/{reps} runs"
        if share_lower_bound(shown, reps) < confidence - 1e-12:
            needed = replications_for_confidence(confidence)
            text += (f" (too few runs to show {confidence:.0%}" + (f": needs {needed}" if needed else "") + ")")
        return text + _performance_words(area)
    causes = []
    if area.partnerships_late:
        causes.append(f"partnerships: {area.partnerships_late}")
    if area.blockers:
        causes.append(area.blockers)
    if area.not_keeping_up:
        causes.append(f"live on the planned date in {area.not_keeping_up}/{reps} more runs, but its allocation queue "
                      "then grows (not keeping up with demand)")
    if not causes:
        causes.append(f"ready at the planned date in only {round(area.p_planned * reps)}/{reps} runs "
                      f"(needs {confidence:.0%})")
    if area.funded:
        causes.append(f"{_fcas(area.extra_needed)} funded but the check found it late")
    elif area.extra_needed is not None:
        price = f"£{area.cost_needed:,.0f} a year" if area.cost_needed > 0 else "unpriced"
        causes.append(f"{_fcas(area.extra_needed)} ({price}) would make it on time; not within the budget")
    elif area.searched:
        causes.append(f"not on time even with {_fcas(area.search_limit)}" + (
            "" if area.search_limit >= max_extra else " (more could not be trained by the planned date with "
            f"{area.config.workforce.training.seats_per_month} training seats a month)"))
    elif area.diluted:
        rates = " and ".join("vacancy rate" if c == "vacancy" else "turnover rate" for c in area.diluted)
        short = [c for c in area.blocker_names if c not in DILUTED]
        causes.append("extra FCAs not tried: they would only dilute the " + rates
                      + " (the vacancies and leavers stay); fill the posts or keep the staff"
                      + (f" first; it also lacks {' and '.join(SHORT_OF.get(c, c) for c in short)}, which rerunning "
                         "cfc-sim rollout prices once the posts are filled" if short else ""))
    elif not area.partnerships_late and max_extra == 0:
        causes.append("extra FCAs not tried (--max-extra 0)")
    elif not area.partnerships_late:
        causes.append(f"extra FCAs could not be trained by the planned date with "
                      f"{area.config.workforce.training.seats_per_month} training seats a month")
    if area.proposed_day is None:
        live = sum(d == d for d in area.check_days or area.baseline) / max(len(area.check_days or area.baseline), 1)
        causes.append(f"not ready within the horizon with probability {confidence:.0%} "
                      f"(live by the end in {live:.0%} of runs)")
    return "; ".join(causes) + _performance_words(area)


def _performance_words(area: _Area) -> str:
    """The readiness check's criterion 6 (the CIR target in the first months live), which the
    go-live gate does not wait for, when it fails at the planned go-live."""
    status = area.status
    if status is None or "performance" not in status.failing_criteria:
        return ""
    words = status.failing[status.failing_criteria.index("performance")]
    return "" if words == NO_CIRS_YET else "; but " + words


def plan_rollout(config: ScenarioConfig, *, confidence: float, budget: float | None = None, max_extra: int = 200,
                 cache: Path | None = None, workers: int = 1, scheduler: str | None = None,
                 on_step: Callable[[str], None] = lambda message: None,
                 progress: PlanProgress | None = None) -> RolloutPlan:
    """Propose go-live dates for the areas not yet live (see the module docstring for the method);
    `progress` counts the searches for the FCAs that would bring late areas in on time."""
    if not 0 < confidence <= 1:
        raise UserError(f"must be in (0, 1], got {confidence}", key="--confidence")
    if budget is not None and (budget < 0 or budget != budget):
        raise UserError(f"must be a non-negative amount a year, got {budget}", key="--budget")
    if max_extra < 0:
        raise UserError(f"must be >= 0, got {max_extra}", key="--max-extra")
    calendar = make_calendar(config)
    ready = with_policy(config, "readiness")
    runner = Runner(cache, workers, scheduler)
    already_live = [a.name for a in config.areas if calendar.day_of(a.go_live) <= 0]
    pending = [_Area(a, calendar.day_of(a.go_live)) for a in config.areas if calendar.day_of(a.go_live) > 0]
    if not pending:
        raise UserError("every area is live at the scenario start: nothing to roll out", file=config.source or None)
    inside = [a for a in pending if a.planned_day < calendar.horizon_days]
    notes: list[str] = []
    beyond = [a.name for a in pending if a.planned_day >= calendar.horizon_days]
    if beyond:
        end = calendar.start + dt.timedelta(days=int(calendar.horizon_days))
        notes.append(f"{len(beyond)} area(s) planned after the horizon ({end}) are not assessed: "
                     "raise horizon_months to plan them")
    late, judged, frame = readiness_run(ready, calendar, runner, inside, confidence, on_step)
    cost_of_on_time(ready, calendar, runner, late, confidence, max_extra, on_step, progress)
    notes += fund_within_budget(late, budget)
    propose_dates(calendar, inside, confidence)
    extras = {a.name: a.extra_needed or 0 for a in inside if a.funded}
    check_proposed(ready, calendar, runner, inside, extras, confidence, on_step)
    few = too_few_runs_note(config.replications, confidence)
    notes += [few] if few else []
    notes += _live_area_notes(frame, judged, already_live)
    plan = _assemble(config, calendar, pending, inside, already_live, extras, notes, confidence, budget, max_extra,
                     runner.runs)
    plan.readiness, plan.readiness_config = frame, judged
    return plan


def _live_area_notes(frame: pd.DataFrame, judged: ScenarioConfig, already_live: Sequence[str]) -> list[str]:
    """The areas live at the start are not planned, but they are judged: each not green in the run's
    last month, with why (how they perform), so the plan does not read as if all were well."""
    if not already_live or frame.empty:
        return []
    last = str(frame["month"].max())
    notes = []
    for name in already_live:
        view = status_at(frame, judged, judged.area(name), last)
        if view.status in ("red", "amber"):
            notes.append(f"{name} (already live) is {view.status} in {last}: {view.reason}")
    return notes


def readiness_run(ready: ScenarioConfig, calendar: SimCalendar, runner: Runner, inside: Sequence[_Area],
                  confidence: float,
                  on_step: Callable[[str], None]) -> tuple[list[_Area], ScenarioConfig, pd.DataFrame]:
    """Steps 1-2: every area under the readiness policy at its planned date; returns the late ones
    (on time in fewer than a share `confidence` of replications), with why they are late, and the
    readiness table of the run (every area, every month: the verdicts `readiness` shows)."""
    names = [a.name for a in ready.areas]
    on_step(f"readiness run: {len(names)} areas, {ready.replications} replications")
    outputs = runner.outputs(variant(ready, names))
    sub, frame = readiness_verdicts(ready, calendar, outputs, names, confidence)
    statuses = {v.area: v for v in area_statuses(frame, sub)}
    live = go_live_days(outputs, [a.name for a in inside])
    days = go_live_days(outputs, [a.name for a in inside], calendar)
    for area in inside:
        area.baseline = days[area.name]
        area.not_keeping_up = sum(d == d and d <= area.planned_day + 0.5 and k != k
                                  for d, k in zip(live[area.name], area.baseline, strict=True))
        area.p_planned = share_on(area.baseline, area.planned_day)
        area.partnerships_late = _late_partnerships(area.config)
        area.status = statuses.get(area.name)
    late = [a for a in inside if a.p_planned < confidence - 1e-12]
    for area in late:
        area.blocker_names, area.blockers = _blockers(area)
        area.diluted = [c for c in area.blocker_names if c in DILUTED]
    return late, sub, frame


def cost_of_on_time(ready: ScenarioConfig, calendar: SimCalendar, runner: Runner, late: Sequence[_Area],
                    confidence: float, max_extra: int, on_step: Callable[[str], None],
                    progress: PlanProgress | None = None) -> None:
    """Step 3: for each late area whose partnerships allow it, the smallest extra FCAs for on time."""
    if progress is not None:
        progress.expect(sum(1 for a in late if not a.partnerships_late and max_extra > 0 and not a.diluted))
    for area in late:
        if area.partnerships_late or max_extra == 0 or area.diluted:
            continue
        area.search_limit = trainable_extra(area.config, calendar, area.planned_day,
                                            ready.header.readiness.min_training_share, max_extra)
        if area.search_limit == 0:
            if progress is not None:
                progress.start(0, skipped=1)
            continue
        check_addition(ready, area.name, area.search_limit)
        if progress is not None:
            progress.start(1)
        on_step(f"  {area.name}: searching up to {_fcas(area.search_limit)} for {area.config.go_live}")
        memo: dict[int, float] = {0: area.p_planned}

        def evaluate(extra: int, area: _Area = area, memo: dict[int, float] = memo) -> float:
            if extra not in memo:
                trial = variant(ready, [area.name], extra={area.name: extra})
                runs = runner.runs
                memo[extra] = share_on(runner.go_live_days(trial)[area.name], area.planned_day)
                if progress is not None:
                    progress.simulated += runner.runs - runs  # 0 when the cache had it
                    progress.round(1, 0)
            return memo[extra]

        area.searched = True
        area.extra_needed = smallest_extra(evaluate, confidence, area.search_limit)
        if progress is not None:
            progress.round(0, 1)
        if area.extra_needed is not None:
            area.cost_needed = area.extra_needed * area.config.workforce.cost_per_fte_day * DAYS_PER_YEAR


def fund_within_budget(late: Sequence[_Area], budget: float | None) -> list[str]:
    """Step 4: fund the cheapest additions first (exact for unit values) within the budget; returns notes."""
    fixable = sorted((a for a in late if a.extra_needed is not None),
                     key=lambda a: (a.cost_needed, a.planned_day, a.name))
    spent = 0.0
    for area in fixable:  # a budget of 0 means no extra FCAs at all, priced or not
        if budget is None or (budget > 0 and spent + area.cost_needed <= budget + 1e-6):
            area.funded = True
            spent += area.cost_needed
    free = [a.name for a in fixable if a.cost_needed == 0 and a.extra_needed]
    if free and budget != 0:
        return [f"workforce.cost_per_fte_day is 0 in {', '.join(free)}: their extra FCAs are unpriced"
                + (" and the budget does not limit them" if budget is not None else "")]
    return []


def propose_dates(calendar: SimCalendar, inside: Sequence[_Area], confidence: float) -> None:
    """The planned date for areas on time or funded, else the P-quantile of the go-live day, never
    before the partnerships exist."""
    for area in inside:
        if area.p_planned >= confidence - 1e-12 or area.funded:
            area.proposed_day = area.planned_day
        else:
            area.proposed_day = quantile_day(area.baseline, confidence)
        if area.proposed_day is not None:  # never before the partnerships exist (the gate already ensures it)
            p = area.config.partnerships
            area.proposed_day = max(area.proposed_day, first_review_on_or_after(
                calendar, area.planned_day, calendar.day_of(max(p.idva, p.local_authority, p.police))) or math.inf)
            if math.isinf(area.proposed_day):
                area.proposed_day = None


def check_proposed(ready: ScenarioConfig, calendar: SimCalendar, runner: Runner, inside: Sequence[_Area],
                   extras: dict[str, int], confidence: float, on_step: Callable[[str], None]) -> None:
    """Step 5: re-run the proposed dates; an area failing moves to its check-run quantile and is checked again."""
    to_check = [a for a in inside if a.proposed_day is not None]
    for _ in range(calendar.horizon_months + 1):
        if not to_check:
            break
        on_step(f"check run: {len(to_check)} areas at their proposed dates")
        dates = {a.name: calendar.date_of(a.proposed_day) for a in to_check if a.proposed_day is not None}
        trial = variant(ready, [a.name for a in to_check], go_live=dates, extra=extras)
        checked = runner.go_live_days(trial)
        again = []
        for area in to_check:
            assert area.proposed_day is not None
            area.check_runs += 1
            area.check_days = checked[area.name]
            area.p_proposed = share_on(area.check_days, area.proposed_day)
            if area.p_proposed >= confidence - 1e-12:
                continue
            later = quantile_day(area.check_days, confidence)
            if later is None:
                area.proposed_day, area.p_proposed = None, math.nan
            else:
                area.proposed_day = max(later, area.proposed_day + 1)
                again.append(area)
        to_check = again


def _assemble(config: ScenarioConfig, calendar: SimCalendar, pending: Sequence[_Area], inside: Sequence[_Area],
              already_live: list[str], extras: dict[str, int], notes: list[str], confidence: float,
              budget: float | None, max_extra: int, runs: int) -> RolloutPlan:
    """The per-area table, the proposed scenario and the totals."""
    reps = config.replications
    rows = [_row(a, calendar, confidence, max_extra, reps) for a in inside]
    rows += [_beyond_row(a) for a in pending if a.planned_day >= calendar.horizon_days]
    order = {a.name: i for i, a in enumerate(config.areas)}
    table = pd.DataFrame(rows, columns=COLUMNS).sort_values("area", key=lambda s: s.map(order), kind="stable")
    table = table.reset_index(drop=True)

    proposed_dates = {a.name: calendar.date_of(a.proposed_day) if a.proposed_day is not None
                      else calendar.start + dt.timedelta(days=int(calendar.horizon_days)) for a in inside}
    keep = [a.name for a in config.areas]
    proposed = variant(config, keep, go_live=proposed_dates, extra=extras)
    assessed = table[table["risk"].isin(RISKS)]
    totals = {
        "areas_already_live": len(already_live),
        "areas_to_roll_out": len(pending),
        "areas_assessed": int(len(assessed)),
        "on_time_planned": int(sum(a.p_planned >= confidence - 1e-12 for a in inside)),
        "on_time_proposed": int(assessed["on_time"].astype(bool).sum()),
        "extra_fte": int(assessed["extra_fte"].sum()),
        "annual_cost": float(assessed["annual_cost"].sum()),
        "budget": budget,
        "confidence": confidence,
        "replications": reps,
        "simulation_runs": runs,
        "risk": {r: int((assessed["risk"] == r).sum()) for r in RISKS},
    }
    return RolloutPlan(table, proposed, totals, notes, already_live)


def _row(area: _Area, calendar: SimCalendar, confidence: float, max_extra: int, reps: int) -> dict[str, Any]:
    planned = area.config.go_live
    proposed = calendar.date_of(area.proposed_day) if area.proposed_day is not None else None
    on_time = proposed is not None and proposed <= planned
    extra = (area.extra_needed or 0) if area.funded else 0
    delay = "" if proposed is None else max(0, (proposed.year - planned.year) * 12 + proposed.month - planned.month)
    probability = area.p_proposed if on_time else area.p_planned
    return {
        "area": area.name, "region": area.config.region or "", "planned_go_live": planned.isoformat(),
        "proposed_go_live": proposed.isoformat() if proposed else "", "on_time": on_time, "extra_fte": extra,
        "annual_cost": extra * area.config.workforce.cost_per_fte_day * DAYS_PER_YEAR,
        "ready_probability_at_proposed": area.p_proposed,
        # the chance of being ready on the planned date under the plan: a late area misses it
        "risk": risk_of(probability, confidence, reps),
        "reason": _reason(area, confidence, max_extra, reps), "delay_months": delay,
        "ready_probability_at_planned": area.p_planned,
        "extra_fte_for_on_time": area.extra_needed if area.extra_needed is not None else (
            0 if area.p_planned >= confidence - 1e-12 else math.nan),
        "annual_cost_for_on_time": area.cost_needed if area.extra_needed is not None else (
            0.0 if area.p_planned >= confidence - 1e-12 else math.nan),
        "check_passed": bool(proposed is not None and area.p_proposed >= confidence - 1e-12),
        "check_runs": area.check_runs,
        **_readiness_cells(area.status),
        "ready_probability_low": share_lower_bound(round(probability * reps), reps) if probability == probability
        else math.nan,
    }


def _readiness_cells(status: AreaStatus | None) -> dict[str, Any]:
    """The readiness check's verdict at the planned go-live, its reason and the ready month (the
    readiness run's table, `readiness_view`: the words `readiness` and the report show)."""
    if status is None:
        return {"status_at_planned": "n/a", "readiness_reason": "", "ready_month": ""}
    return {"status_at_planned": status.status, "readiness_reason": status.reason, "ready_month": status.ready_text}


def _beyond_row(area: _Area) -> dict[str, Any]:
    return {
        "area": area.name, "region": area.config.region or "", "planned_go_live": area.config.go_live.isoformat(),
        "proposed_go_live": "", "on_time": None, "extra_fte": 0, "annual_cost": 0.0,
        "ready_probability_at_proposed": math.nan, "risk": "not assessed",
        "reason": "planned after the horizon: raise horizon_months to plan it", "delay_months": "",
        "ready_probability_at_planned": math.nan, "extra_fte_for_on_time": math.nan,
        "annual_cost_for_on_time": math.nan, "check_passed": False, "check_runs": 0,
        **_readiness_cells(None), "ready_probability_low": math.nan,
    }


def summary_line(plan: RolloutPlan) -> str:
    """Areas on time with the planned dates vs the proposed plan, extra FTE and cost vs the budget."""
    t = plan.totals
    n = t["areas_assessed"]
    budget = "no budget limit" if t["budget"] is None else f"budget £{t['budget']:,.0f} a year"
    return (f"on time (ready at go-live with probability >= {t['confidence']:.0%}): "
            f"planned dates {t['on_time_planned']} of {n} areas, proposed plan {t['on_time_proposed']} of {n}; "
            f"extra FCAs +{t['extra_fte']}, "
            f"£{t['annual_cost']:,.0f} a year ({budget}); risk low {t['risk']['low']}, medium {t['risk']['medium']},"
            f" high {t['risk']['high']}")


def rollout_manifest(config: ScenarioConfig, scenario: str, folder: Path, *, confidence: float,
                     budget: float | None, max_extra: int, started: dt.datetime, wall_seconds: float) -> dict[str, Any]:
    """manifest.json of a rollout folder: inputs, versions, times and the command that reproduces it."""
    command = (f"cfc-sim rollout {scenario} --reps {config.replications} --seed {config.seed} "
               f"--confidence {confidence:g} --max-extra {max_extra}"
               + ("" if budget is None else f" --budget {budget:g}") + f" --out {folder}")
    return build_manifest(config, source=scenario, started=started, wall_seconds=wall_seconds, command=command,
                          confidence=confidence, budget=budget, max_extra=max_extra)


def write_rollout(plan: RolloutPlan, out: Path, manifest: dict[str, Any],
                  draw_chart: Callable[[pd.DataFrame, Path, str, dt.date, dt.date], None]) -> Path:
    """The rollout folder, written atomically: rollout.csv, rollout.png, scenario.proposed.yaml, manifest.json."""
    header = plan.proposed.header
    calendar = make_calendar(plan.proposed)
    end = header.start + dt.timedelta(days=int(calendar.horizon_days))

    def fill(tmp: Path) -> None:
        csv_safe(plan.table).to_csv(tmp / "rollout.csv", index=False)
        draw_chart(plan.table, tmp / "rollout.png", f"Rollout plan: {header.name}", header.start, end)
        comment = (f"# cfc-sim rollout: the scenario with the proposed go-live dates and funded extra FCAs.\n"
                   f"# Areas not ready within the horizon are set to its end ({end.isoformat()}).\n")
        (tmp / "scenario.proposed.yaml").write_text(comment + resolved_yaml(plan.proposed), encoding="utf-8")
        body = {**manifest, "totals": plan.totals, "notes": plan.notes, "already_live": plan.already_live}
        write_manifest(tmp, body)

    return write_folder(Path(out), "rollout", fill)


def _dates(*days: dt.date) -> np.ndarray:
    """Dates as matplotlib plots them on a date axis (numpy days: what its type stubs accept)."""
    return np.array(days, dtype="datetime64[D]")


def rollout_chart(table: pd.DataFrame, path: Path, title: str, start: dt.date, end: dt.date) -> None:
    """Gantt-style plan: per area the planned go-live (open diamond) and the proposed one (filled,
    colour and shape by risk, colour-blind safe), joined by a bar when the proposed date is later."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    from cfc_sim.charts import GREY, RAG, plt

    colours = {"low": RAG["green"], "medium": RAG["amber"], "high": RAG["red"]}
    shapes = {"low": "o", "medium": "s", "high": "^"}
    names = list(table["area"])
    x_end = mdates.date2num(end)
    fig, ax = plt.subplots(figsize=(10, max(2.5, 0.38 * len(names) + 1.6)))
    for y, row in enumerate(table.itertuples()):
        planned = dt.date.fromisoformat(str(row.planned_go_live))
        if row.risk not in colours:  # planned after the horizon: not assessed
            ax.text(x_end, y, "  planned after the horizon", va="center", fontsize=8, color=GREY)
            continue
        colour = colours[str(row.risk)]
        text = str(row.proposed_go_live) if isinstance(row.proposed_go_live, str) else ""
        proposed = dt.date.fromisoformat(text) if text else end
        if proposed > planned:
            ax.plot(_dates(planned, proposed), [y, y], color=colour, linewidth=5, alpha=0.45, solid_capstyle="butt")
        ax.plot(_dates(proposed), [y], marker=shapes[str(row.risk)] if text else ">", markersize=8, color=colour,
                markeredgecolor="black", linestyle="")
        ax.plot(_dates(planned), [y], marker="D", markersize=12, markerfacecolor="none", markeredgecolor="black",
                markeredgewidth=1.3, linestyle="")
        label = [_fcas(int(row.extra_fte))] if float(row.extra_fte) > 0 else []
        if not text:
            label.append("not ready within the horizon")
        if label:
            ax.annotate(", ".join(label), (mdates.date2num(proposed), y), xytext=(10, 0), textcoords="offset points",
                        va="center", fontsize=8)
    ax.axvline(x_end, color=GREY, linestyle=":")
    x_start = mdates.date2num(start)
    ax.set_xlim(x_start - 15, x_end + 0.3 * (x_end - x_start) + 60)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_xlabel("go-live date (dotted line: end of the horizon)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title)
    handles = [Line2D([], [], marker="D", markerfacecolor="none", markeredgecolor="black", linestyle="",
                      label="planned go-live")]
    handles += [Line2D([], [], marker=shapes[r], color=colours[r], markeredgecolor="black", linestyle="",
                       label=f"proposed, {r} risk") for r in RISKS]
    handles.append(Line2D([], [], marker=">", color=colours["high"], markeredgecolor="black", linestyle="",
                          label="not ready within the horizon"))
    for tick in ax.get_xticklabels():
        tick.set_rotation(30)
        tick.set_horizontalalignment("right")
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.05 if len(names) > 6 else 0.1, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
