"""Capacity planning: the smallest whole-FCA addition per area that meets every target at once
with a stated probability across replications.

Areas do not interact in the model and their random streams are keyed by area name, so each
area is planned on its own (one-area runs, the same draws as in the full scenario). Under common
random numbers the met-target probability rises with FCAs, so the search doubles the addition
until the target is met and then bisects: O(log n) evaluations, not a grid. Evaluations are
cached on disk by the resolved scenario's hash, seed and replications, so a rerun resumes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.cache import Cache, lists_by_name, run_key
from cfc_sim.calendar import DAYS_PER_YEAR
from cfc_sim.demand import daily_rate
from cfc_sim.errors import ScenarioError, UserError
from cfc_sim.executor import run_tasks, splits_to_fill
from cfc_sim.keeping_up import (
    DEMAND,
    QUEUE_FIRST,
    QUEUE_LAST,
    QUEUE_METRIC,
    KeepUp,
    first_queue_month,
    queue_means,
    reference_extra,
)
from cfc_sim.metric_catalogue import BY_NAME, NATIONAL, SHARE, value_range
from cfc_sim.model import simulate
from cfc_sim.model.simulation import make_calendar
from cfc_sim.progress import PlanProgress, duration  # noqa: F401 - moved; kept importable from here
from cfc_sim.readiness import cap_hours_per_application, go_live_month, hours_fte, required_fte
from cfc_sim.scenario.schema import AreaConfig, Intervention, ScenarioConfig, WorkforceConfig, freeze, thaw
from cfc_sim.scenario.variants import config_variant
from cfc_sim.suggest import check_area
from cfc_sim.workload import area_parts

PLAN_COLUMNS = ["area", "fte_now", "extra_fte", "target", "confidence", "achieved_mean", "achieved_probability"]
PLAN_EXTRA_COLUMNS = ["annual_cost", "evaluations", "note"]


PATHWAYS = ("all", "cap", "cfc")


@dataclass(frozen=True)
class Target:
    """`metric>=value` or `metric<=value` (optionally `metric@cap` or `metric@cfc` for one pathway;
    default both), judged per replication on an area's summary metric."""

    metric: str
    op: str
    value: float
    pathway: str = "all"

    @classmethod
    def parse(cls, text: str) -> Target:
        match = re.fullmatch(r"\s*([a-z0-9_]+)(?:@(all|cap|cfc))?\s*(>=|<=)\s*([-+0-9.eE]+)\s*", text)
        if not match:
            percent = re.fullmatch(r"(.*?(?:>=|<=)\s*)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*%\s*", text)
            metric = BY_NAME.get(re.sub(r"[@<>=\s].*", "", text.strip()))
            hint = (f" (a share is written as a fraction: {percent.group(1).strip()}{float(percent.group(2)) / 100:g})"
                    if percent and metric is not None and metric.kind == SHARE else "")
            raise UserError(f"expected METRIC>=X or METRIC<=X (METRIC@cap or METRIC@cfc for one pathway), "
                            f"got {text!r}{hint}", key="--target")
        try:
            value = float(match.group(4))
        except ValueError:
            raise UserError(f"{match.group(4)!r} is not a number", key="--target") from None
        return cls(match.group(1), match.group(3), value, match.group(2) or "all")

    @property
    def series(self) -> str:
        """The key of this target's values in `Evaluator.values`."""
        return f"{self.pathway}/{self.metric}"

    def met(self, value: float) -> bool:
        if value != value:
            return False  # undefined in that replication (e.g. no CIRs): not met
        if self.op == ">=":
            return value >= self.value - 1e-12
        return value <= self.value + 1e-12

    def __str__(self) -> str:
        where = "" if self.pathway == "all" else f"@{self.pathway}"
        return f"{self.metric}{where}{self.op}{self.value:g}"


def check_reachable(targets: Sequence[Target]) -> None:
    """Refuse, before any simulation, targets no number of FCAs can meet: a value outside the
    metric's range (a share above 1, weeks below 0, not a finite number) or two targets on one
    metric that contradict each other (at least 0.9 and at most 0.1)."""
    for target in targets:
        low, high = value_range(target.metric)
        if not math.isfinite(target.value):
            raise UserError(f"{target}: {target.value} is not a finite number", key="--target")
        if (target.op == ">=" and target.value > high) or (target.op == "<=" and target.value < low):
            span = f"between {low:g} and {high:g}" if math.isfinite(high) else f"at least {low:g}"
            share = high == 1 and 1 < target.value <= 100  # a percentage typed for a share
            hint = f" (a share is written as a fraction: {target.value / 100:g} for {target.value:g}%)" if share else ""
            raise UserError(f"{target} cannot be met: {target.metric} is always {span}{hint}", key="--target")
    for first, second in itertools.combinations(targets, 2):
        if (first.metric, first.pathway) != (second.metric, second.pathway) or first.op == second.op:
            continue
        at_least, at_most = (first, second) if first.op == ">=" else (second, first)
        if at_least.value > at_most.value:
            raise UserError(f"{at_least} and {at_most} contradict each other: no value meets both", key="--target")


def joined(targets: Sequence[Target]) -> str:
    """How several targets are named together (plan.csv's row for all of them at once)."""
    return " and ".join(str(t) for t in targets)


HEADCOUNT_KEYS = ("workforce.fcas", "workforce.establishment")


def _shift_headcount(intervention: Intervention, extra: int) -> Intervention:
    settings = thaw(intervention.set)
    if not any(k in settings for k in HEADCOUNT_KEYS):
        return intervention
    for key in HEADCOUNT_KEYS:
        if key in settings:
            settings[key] = settings[key] + extra
    return intervention.model_copy(update={"set": freeze(settings)})


def variant(config: ScenarioConfig, names: Sequence[str], go_live: dict[str, dt.date] | None = None,
            extra: dict[str, int] | None = None, train_extra: bool = False,
            horizon_months: int | None = None) -> ScenarioConfig:
    """The scenario reduced to `names`, with changed go-live dates and extra FCAs in post and funded
    from the start (an intervention setting the area's FCAs or establishment keeps the extra),
    validated as a scenario file (more FCAs than the schema allows is an error naming the area).
    With `train_extra`, extra FCAs come with training seats (`extra_seats`); `horizon_months` runs it
    longer (see `judged_horizon`)."""
    go_live, extra = go_live or {}, extra or {}
    settings: dict[str, Any] = {}
    if horizon_months is not None and horizon_months != config.header.horizon_months:
        settings["horizon_months"] = horizon_months
    for area in config.areas:
        if area.name not in names:
            continue
        if area.name in go_live:
            settings[f"areas.{area.name}.go_live"] = go_live[area.name]
        n = extra.get(area.name, 0)
        if n:
            workforce = area.workforce
            settings[f"areas.{area.name}.workforce.fcas"] = workforce.fcas + n
            settings[f"areas.{area.name}.workforce.establishment"] = workforce.establishment + n
            if n > 0 and train_extra:
                settings[f"areas.{area.name}.workforce.training.seats_per_month"] = extra_seats(workforce, n)
    interventions = [_shift_headcount(i, extra[i.area]) if extra.get(i.area) else i
                     for i in config.interventions if i.area in names]
    return config_variant(config, settings, areas=names, interventions=interventions)


# A plan judges an area's CFC targets on at least this many months live (judged_horizon).
MONTHS_LIVE = 12


def extra_seats(workforce: WorkforceConfig, extra: int) -> int:
    """Training seats a month for a team `extra` FCAs larger: the area's seats per funded post,
    rounded up, so that extra FCAs are trained as the area's own are (CFC work goes only to
    trained FCAs: extra FCAs without seats could never take it). No more seats than posts are
    added: seats beyond the team only say "train everyone at once"."""
    seats, posts = workforce.training.seats_per_month, workforce.establishment
    if seats == 0 or posts == 0:
        return seats
    return max(seats, min(math.ceil(seats * (posts + extra) / posts), posts + extra))


def judged_horizon(config: ScenarioConfig, area: str, months_live: int = MONTHS_LIVE) -> int:
    """Months a plan runs `area` for: the scenario's horizon, or longer where the area goes live
    within it less than `months_live` months before its end, so that its CFC targets are judged on
    that many months of CFC. Judged on a few weeks, CFC metrics count only the cases decided first
    (those without a Cafcass CIR, whose children are seen least), and no number of FCAs meets them."""
    start, go_live = config.header.start, config.area(area).go_live
    horizon = config.header.horizon_months
    month = (go_live.year - start.year) * 12 + go_live.month - start.month + (go_live.day > start.day)
    return max(horizon, month + months_live) if 0 < month <= horizon else horizon


def with_extra_fcas(config: ScenarioConfig, area: str, extra: int, horizon_months: int | None = None) -> ScenarioConfig:
    """The scenario reduced to one area, with `extra` FCAs in post and funded from the start, and
    trained as the area's own are (a plan that adds FCAs plans their CFC training too), run for
    `horizon_months` (default: the scenario's)."""
    return variant(config, [area], extra={area: extra}, train_extra=True, horizon_months=horizon_months)


def check_addition(config: ScenarioConfig, area: str, extra: int) -> None:
    """Fail before any simulation if `extra` more FCAs in `area` would not be a valid scenario."""
    try:
        with_extra_fcas(config, area, extra)
    except ScenarioError as exc:
        key, message = exc.problems[0]
        raise UserError(f"{extra} extra FCAs in {area} would not be a valid scenario ({key}: {message}); "
                        "try a smaller --max-extra", key="--max-extra") from None


class Evaluator:
    """Per-replication values of every metric of one area under one addition (negative: fewer FCAs),
    cached in memory and on disk under the one-area variant's hash, seed and replications.

    `prefetch` evaluates many (area, addition) pairs at once: areas never interact in the model and
    their random streams are keyed by area name, so one run of a variant holding several areas, each
    at its own addition, gives every area the numbers of its one-area run (tests check this). One
    run is made per horizon (`judged_horizon`) and per addition of an area asked for twice, and
    each area's values are stored under its own one-area key, so cached entries stay valid."""

    def __init__(self, config: ScenarioConfig, cache: Path | None, workers: int, scheduler: str | None,
                 horizons: dict[str, int] | None = None, pool: Any = None,
                 on_run: Callable[[int, float], None] = lambda areas, seconds: None,
                 keep_up: KeepUp | None = None) -> None:
        self.config = config
        self.keep_up = keep_up or KeepUp()  # every target is judged with it (cfc_sim.keeping_up)
        self.references = {a.name: reference_extra(a.workforce.fcas, estimated_need(config, a.name),
                                                   a.workforce.establishment)
                           for a in config.areas}  # each area's addition with 'unlimited' FCAs
        # months each area is run for (judged_horizon; the need's CAP runs take the CFC runs' own)
        self.horizons = horizons if horizons is not None else {a.name: judged_horizon(config, a.name)
                                                               for a in config.areas}
        self.cache = Cache(cache)
        self.workers = workers
        self.scheduler = scheduler
        self.pool = pool  # a WorkerPool serving every run (None: one per run, as run_tasks does)
        self.on_run = on_run  # called after each simulation with the areas it held and its seconds
        self.runs = 0
        self._memo: dict[tuple[str, int], dict[str, list[float]]] = {}

    @property
    def run_longer(self) -> dict[str, int]:
        """The areas run longer than the scenario's horizon, and for how many months (plan notes them)."""
        return {a: m for a, m in self.horizons.items() if m != self.config.header.horizon_months}

    def _key(self, area: str, extra: int) -> str:
        return run_key(with_extra_fcas(self.config, area, extra, self.horizons.get(area)), "plan-keep")

    def _stored(self, key: str) -> dict[str, list[float]] | None:
        reps = self.config.replications
        stored = self.cache.get(key, lambda v: lists_by_name(v) and all(len(x) == reps for x in v.values()))
        if stored is None:
            return None
        return {k: [math.nan if v is None else v for v in vs] for k, vs in stored.items()}

    def known(self, area: str, extra: int) -> bool:
        """Already evaluated (in memory or on disk): asking for it runs nothing."""
        if (area, extra) in self._memo:
            return True
        stored = self._stored(self._key(area, extra))
        if stored is not None:
            self._memo[(area, extra)] = stored
        return stored is not None

    def prefetch(self, wanted: Sequence[tuple[str, int]]) -> None:
        """Evaluate every (area, addition) not yet known, as few runs as the horizons allow: each run
        holds every area still wanted (at one addition each), all of one horizon."""
        todo: dict[str, list[int]] = {}
        for area, extra in dict.fromkeys(wanted):
            if not self.known(area, extra):
                todo.setdefault(area, []).append(extra)
        while todo:
            by_horizon: dict[int | None, dict[str, int]] = {}
            for area, extras in todo.items():
                by_horizon.setdefault(self.horizons.get(area), {})[area] = extras.pop(0)
            todo = {a: e for a, e in todo.items() if e}
            # Split a horizon's areas into as many runs as make the tasks (runs x replications) fill
            # every worker at the end too: 5 replications on 2 workers leave one idle in a third round.
            workers = self.pool.workers if self.pool is not None else (1 if self.scheduler else self.workers)
            split = splits_to_fill(workers, self.config.replications)
            batches = []
            for horizon, group in by_horizon.items():
                members = [a for a in self.config.areas if a.name in group]
                for names in area_parts(members, split, horizon or self.config.header.horizon_months):
                    batches.append((horizon, {a: group[a] for a in names}))
            self._run(batches)

    def _run(self, batches: list[tuple[int | None, dict[str, int]]]) -> None:
        """Every replication of every batch (a horizon and each area's addition) as one set of tasks."""
        variants = [variant(self.config, list(extra), extra=extra, train_extra=True, horizon_months=horizon)
                    for horizon, extra in batches]
        reps = self.config.replications
        clock = time.perf_counter()
        outputs = run_tasks(simulate, [(v, r, False) for v in variants for r in range(reps)],
                            workers=self.workers, scheduler=self.scheduler, pool=self.pool)
        self.runs += len(batches)
        for b, (_, extra) in enumerate(batches):
            found: dict[str, dict[str, list[float]]] = {a: {} for a in extra}
            months = batches[b][0] or self.config.header.horizon_months
            for r, output in enumerate(sorted(outputs[b * reps:(b + 1) * reps], key=lambda o: o.replication)):
                for a, pathway, metric, value in output.metrics:
                    if a in found:
                        found[a].setdefault(f"{pathway}/{metric}", [math.nan] * reps)[r] = value
                self._keep_up_series(output.monthly, found, r, months)
            for area, values in found.items():
                self.cache.put(self._key(area, extra[area]),
                               {k: [None if v != v else v for v in vs] for k, vs in values.items()})
                self._memo[(area, extra[area])] = values
        self.on_run(sum(len(extra) for _, extra in batches), time.perf_counter() - clock)

    def _keep_up_series(self, monthly: Sequence[tuple[str, int, str, float]],
                        found: dict[str, dict[str, list[float]]], r: int, months: int) -> None:
        """Replication r's allocation queue at the start and end, and its demand (`keeping_up`)."""
        reps = self.config.replications
        queues: dict[str, dict[int, float]] = {a: {} for a in found}
        demand: dict[str, list[float]] = {a: [] for a in found}
        for a, month, metric, value in monthly:
            if a in queues and metric == QUEUE_METRIC:
                queues[a][month] = value
            elif a in demand and metric == "applications":
                demand[a].append(value)
        for a, queue in queues.items():
            first, last = queue_means(queue, first_queue_month(self.config, a, months), months)
            found[a].setdefault(QUEUE_FIRST, [math.nan] * reps)[r] = first
            found[a].setdefault(QUEUE_LAST, [math.nan] * reps)[r] = last
            found[a].setdefault(DEMAND, [math.nan] * reps)[r] = (sum(demand[a]) / len(demand[a]) if demand[a]
                                                                 else math.nan)

    def values(self, area: str, extra: int) -> dict[str, list[float]]:
        """`pathway/metric` -> one value per replication (NaN where the replication has none)."""
        if (area, extra) not in self._memo:
            self.prefetch([(area, extra)])
        return self._memo[(area, extra)]

    def evaluated(self, area: str) -> list[int]:
        """The additions evaluated so far for the area, in order."""
        return sorted(extra for name, extra in self._memo if name == area)

    def series(self, area: str, extra: int, key: str) -> list[float]:
        """One `pathway/metric` series (all NaN if no replication produced it)."""
        return self.values(area, extra).get(key, [math.nan] * self.config.replications)

    def reference(self, area: str) -> dict[str, list[float]]:
        """The area's values with 'unlimited' FCAs (`keeping_up.reference_extra`): what keeping up is judged against."""
        return self.values(area, self.references[area])

    def keeps_up(self, area: str, extra: int) -> list[bool]:
        """Per replication: does the area keep up with its demand (`keeping_up.KeepUp`) with this addition?"""
        return self.keep_up.met(self.values(area, extra), self.reference(area), self.config.replications)

    def start(self, names: Sequence[str]) -> None:
        """Evaluate every area with today's FCAs and with unlimited ones (the reference), batched."""
        self.prefetch([(name, 0) for name in names] + [(name, self.references[name]) for name in names])

    def met(self, area: str, extra: int, targets: Sequence[Target]) -> list[bool]:
        """Per replication: does it meet every one of `targets`, keeping up with its demand?"""
        flags = self.keeps_up(area, extra)
        for target in targets:
            values = self.series(area, extra, target.series)
            flags = [f and target.met(v) for f, v in zip(flags, values, strict=True)]
        return flags


def lowest_count(config: ScenarioConfig, area: str) -> int:
    """The fewest FCAs the search may try: one, and no funded posts or scheduled headcount below zero."""
    workforce = config.area(area).workforce
    floor = max(1, workforce.fcas - workforce.establishment)
    for intervention in config.interventions:
        if intervention.area == area:
            settings = thaw(intervention.set)
            for key in HEADCOUNT_KEYS:
                if key in settings:
                    floor = max(floor, workforce.fcas - settings[key])
    return floor


def needs_steps(start: int, low: int, high: int) -> Generator[int, list[bool], list[float]]:
    """`replication_needs` as steps: yields each count to try, is sent its per-replication flags, and
    returns the per-replication needs. From `start` (clamped to [low, high]) it doubles its step up
    until every replication is met (or `high` is reached), then down until every replication met
    so far also fails somewhere below (or `low` is reached), then bisects the widest bracket."""
    start = min(max(start, low), high)
    flags = yield start
    reps = len(flags)
    below = [low - 1] * reps  # most FCAs known (or assumed) not to meet the rule
    above: list[float] = [math.inf] * reps  # fewest FCAs known to meet it

    def record(count: int, found: list[bool]) -> None:
        for r, ok in enumerate(found):
            if ok:
                above[r] = min(above[r], count)
            else:
                below[r] = max(below[r], count)

    record(start, flags)
    step, count = 1, start
    while any(a == math.inf for a in above) and count < high:
        count = min(start + step, high)
        record(count, (yield count))
        step *= 2
    step, count = 1, start
    while count > low and any(below[r] < low < above[r] for r in range(reps)):
        count = max(start - step, low)
        record(count, (yield count))
        step *= 2
    while True:
        widths = [(above[r] - below[r], r) for r in range(reps) if 1 < above[r] - below[r] < math.inf]
        if not widths:
            return above
        _, r = max(widths)
        middle = int(below[r] + above[r]) // 2
        record(middle, (yield middle))


def need_at(needs: np.ndarray, confidence: float) -> np.ndarray:
    """The need with `confidence` along the last axis: the ceil(c x R)-th smallest replication need."""
    k = max(1, math.ceil(confidence * needs.shape[-1] - 1e-9))
    return np.sort(needs, axis=-1)[..., k - 1]


def applicable(evaluator: Evaluator, area: str, targets: Sequence[Target]) -> list[Target]:
    """The targets whose metric the area produces (in some replication with today's FCAs): a CFC
    metric in an area that never goes live, say, cannot be judged there."""
    return [t for t in targets if any(v == v for v in evaluator.series(area, 0, t.series))]


def smallest_extra_steps(confidence: float, max_extra: int,
                         start: int | None = None) -> Generator[int, float, int | None]:
    """`smallest_extra` as steps: yields each addition to try, is sent its met probability, and
    returns the smallest addition meeting the confidence (None if none within max_extra). After 0,
    from `start` if given (an estimate, `estimated_need`): doubling the step away from it, down
    while it is met or up while it is not, until the answer is bracketed; then bisecting."""
    if (yield 0) >= confidence:
        return 0
    if start is None or start <= 1:
        low, high = 0, 1  # low fails
        while (yield high) < confidence:
            low = high
            if high >= max_extra:
                return None
            high = min(high * 2, max_extra)
    else:
        start = min(start, max_extra)
        step = 1
        if (yield start) >= confidence:
            low, high = 0, start
            while (count := start - step) > low:
                if (yield count) < confidence:
                    low = count
                    break
                high, step = count, step * 2
        else:
            low = start
            while True:
                if low >= max_extra:
                    return None
                count = min(start + step, max_extra)
                if (yield count) >= confidence:
                    high = count
                    break
                low, step = count, step * 2
    while high - low > 1:
        middle = (low + high) // 2
        if (yield middle) >= confidence:
            high = middle
        else:
            low = middle
    return high


def smallest_extra(evaluate: Callable[[int], float], confidence: float, max_extra: int,
                   start: int | None = None) -> int | None:
    """Smallest n in [0, max_extra] with evaluate(n) >= confidence, assuming it rises with n."""
    return run_searches({0: smallest_extra_steps(confidence, max_extra, start)},
                        lambda asked: {k: evaluate(n) for k, n in asked.items()})[0]


def run_searches(searches: dict[Any, Generator[int, Any, Any]],
                 answer: Callable[[dict[Any, int]], dict[Any, Any]],
                 on_round: Callable[[int, int], None] = lambda asked, finished: None) -> dict[Any, Any]:
    """Run several searches in step: each round, every search still running asks for one count, and
    `answer` is given all of them at once (so it can evaluate them together) and returns each one's
    reply. Returns each search's result; `on_round(asked, finished)` is called after each round with
    the evaluations it asked for and the searches it finished (those finishing at once too)."""
    done: dict[Any, Any] = {}
    asked: dict[Any, int] = {}
    for key, search in searches.items():
        try:
            asked[key] = next(search)
        except StopIteration as stop:
            done[key] = stop.value
    if done:
        on_round(0, len(done))
    while asked:
        replies = answer(asked)
        following: dict[Any, int] = {}
        for key in asked:
            try:
                following[key] = searches[key].send(replies[key])
            except StopIteration as stop:
                done[key] = stop.value
        on_round(len(asked), len(asked) - len(following))
        asked = following
    return done


def goes_live_within(config: ScenarioConfig, area: str) -> bool:
    """Whether the area's planned go-live is within the run (else it has no CFC metric to judge)."""
    return config.area(area).go_live < config.end


def estimated_need(config: ScenarioConfig, area: str) -> int:
    """Where the CFC search starts: readiness criterion 1's capacity at go-live, the FCAs the area's
    CFC demand needs in hours or slots (`readiness.required_fte`) with the `capacity_headroom`
    (meeting a target on most replications takes headroom over the mean need), or today's FCAs
    where the area does not go live within the horizon or that arithmetic gives nothing."""
    now = config.area(area).workforce.fcas
    needed = _required_at_go_live(config, area)
    if needed is None:
        return now
    needed *= config.header.readiness.capacity_headroom or 1.0
    return round(needed) if math.isfinite(needed) and needed > 0 else now


def readiness_capacity(config: ScenarioConfig, area: str) -> float | None:
    """The CFC-trained FCAs in post readiness criterion 1 asks for in the area's go-live month (its CFC
    demand's need in hours or slots, `readiness.required_fte`, x `capacity_headroom`, as `assess`
    judges it); None where the area is live at the start (no go-live to judge) or does not go live
    within the horizon."""
    if config.area(area).go_live <= config.header.start:
        return None
    needed = _required_at_go_live(config, area)
    return None if needed is None else needed * config.header.readiness.capacity_headroom


def readiness_shortfall(config: ScenarioConfig, table: pd.DataFrame, target: str) -> tuple[int, int]:
    """(FCAs, areas): how many more FCAs than a plan's readiness criterion 1 asks for at go-live, summed
    over the areas where the plan's FCAs (today's plus the addition for `target`) fall short of it. A
    plan meets its targets with the fewest FCAs; the criterion asks for headroom on top, so an area
    planned to the letter can still show red on capacity at go-live."""
    short_fte = areas = 0
    rows = table[(table["area"] != NATIONAL) & (table["target"] == target) & table["extra_fte"].notna()]
    for name, now, extra in zip(rows["area"], rows["fte_now"], rows["extra_fte"], strict=True):
        capacity = readiness_capacity(config, str(name))
        if capacity is None:
            continue
        gap = math.ceil(capacity - 1e-9) - (int(now) + int(extra))
        if gap > 0:
            short_fte += gap
            areas += 1
    return short_fte, areas


def _required_at_go_live(config: ScenarioConfig, area: str) -> float | None:
    """`readiness.required_fte` in the area's go-live month (the first for an area live at the start);
    None where it does not go live within the horizon."""
    month = go_live_month(config, area)
    if month >= config.header.horizon_months:
        return None
    return required_fte(config.area(area), make_calendar(config), month)


def estimated_cap_need(config: ScenarioConfig, area: str) -> int:
    """Where the need's CAP search starts: the FCAs the same month's demand needs in CAP hours
    (`readiness.cap_hours_per_application`), with the same headroom, plus the fixed other-work load:
    the CAP counterpart of `estimated_need`, so that both searches start near their answers instead of
    one doubling down from today's FCAs (the last month's demand where the area does not go live
    within the horizon). Today's FCAs in slot work."""
    header, config_area = config.header, config.area(area)
    per_application = cap_hours_per_application(config_area)
    if per_application <= 0:
        return config_area.workforce.fcas
    calendar = make_calendar(config)
    month = min(go_live_month(config, area), header.horizon_months - 1)
    per_day = daily_rate(config_area.demand, calendar, calendar.month_start_days[month],
                         calendar.month_start_days[month + 1])
    needed = (hours_fte(config_area, per_day, per_application) * (header.readiness.capacity_headroom or 1.0)
              + (config_area.workforce.other_work_fte or 0.0))
    return round(needed) if math.isfinite(needed) and needed > 0 else config_area.workforce.fcas


def fte_day_cost(area: AreaConfig) -> float:
    """The cost of one FCA FTE-day in the area: `cost_per_fte_day` x its `cost_weighting` (London weighting)."""
    return area.workforce.cost_per_fte_day * area.workforce.cost_weighting


def check_targets(evaluator: Evaluator, names: Sequence[str], targets: Sequence[Target]) -> dict[str, list[Target]]:
    """Per area, the targets it can be judged on; an error naming the metric if no area produces it."""
    judged = {name: applicable(evaluator, name, targets) for name in names}
    for target in targets:
        if not any(target in found for found in judged.values()):
            raise UserError(f"metric {target.metric!r} (pathway {target.pathway}) has no value in "
                            f"{'any planned area' if len(names) > 1 else repr(names[0])} (unknown metric, or nothing "
                            "to measure, e.g. no CIRs before the horizon)", key="--target")
    return judged


def _mean(values: Sequence[float]) -> float:
    defined = [v for v in values if v == v]
    return sum(defined) / len(defined) if defined else math.nan


def _flat_hint(target: Target, before: float, most: float, fewer: int, extra: int) -> str:
    """When going from +`fewer` to +`extra` FCAs closed less than a tenth of the gap to the target:
    more FCAs will not meet it (a raised --max-extra would only run longer), something else limits it."""
    gap = target.value - before
    if before != before or most != most or gap == 0 or (gap > 0) != (target.op == ">="):
        return ""
    if (most - before) / gap >= 0.1:
        return ""
    return (f"; more FCAs barely move it (mean {before:.3g} at +{fewer}, {most:.3g} at +{extra}): "
            "something other than FCAs limits it")


def _rows(evaluator: Evaluator, area: AreaConfig, extra: int | None, chosen: int, targets: Sequence[Target],
          judged: Sequence[Target], confidence: float, evaluations: int) -> list[dict[str, Any]]:
    """plan.csv rows of one area: one per target, then (for several) one for all of them at once."""
    base = {"area": area.name, "fte_now": area.workforce.fcas,
            "extra_fte": extra if extra is not None else math.nan, "confidence": confidence,
            "annual_cost": (extra or 0) * fte_day_cost(area) * DAYS_PER_YEAR,
            "evaluations": evaluations}
    found = "" if extra is not None or not judged else f"not met within +{chosen} FCAs"
    rows = []
    for target in targets:
        if target not in judged:
            rows.append({**base, "target": str(target), "achieved_mean": math.nan, "achieved_probability": math.nan,
                         "note": "metric not produced in this area: target ignored"})
            continue
        values = evaluator.series(area.name, chosen, target.series)
        mean = _mean(values)
        probability = sum(target.met(v) for v in values) / len(values)
        note = found if probability < confidence else ""
        if note and chosen > 0:  # against the last addition evaluated at half of it or less (today's at worst)
            half = max([e for e in evaluator.evaluated(area.name) if 0 <= e <= chosen // 2], default=0)
            note += _flat_hint(target, _mean(evaluator.series(area.name, half, target.series)), mean, half, chosen)
        rows.append({**base, "target": str(target), "achieved_mean": mean, "achieved_probability": probability,
                     "note": note})
    if len(targets) > 1:
        flags = evaluator.met(area.name, chosen, judged) if judged else []
        rows.append({**base, "target": joined(targets), "achieved_mean": math.nan,
                     "achieved_probability": sum(flags) / len(flags) if flags else math.nan,
                     "note": found if judged else "no target can be judged in this area"})
    capacity = readiness_capacity(evaluator.config, area.name)
    planned = area.workforce.fcas + (extra or 0)
    if extra is not None and judged and capacity is not None and planned < math.ceil(capacity - 1e-9):
        short = (f"readiness criterion 1 asks for at least {math.ceil(capacity - 1e-9)} CFC-trained FCAs in post at "
                 f"go-live ({capacity:.1f}), {planned} planned: with fewer the area shows red on capacity, and "
                 "vacancies and training can leave fewer in post than planned; check a run with cfc-sim readiness")
        for row in rows:
            row["note"] = f"{row['note']}; {short}" if row["note"] else short
    months = evaluator.run_longer.get(area.name)
    if months is not None:
        longer = (f"run {months} months, not {evaluator.config.header.horizon_months}: judged on {MONTHS_LIVE} "
                  "months live")
        for row in rows:
            row["note"] = f"{row['note']}; {longer}" if row["note"] else longer
    return rows


def cfc_searches(config: ScenarioConfig, names: Sequence[str], judged: dict[str, list[Target]],
                 max_extra: int) -> dict[str, Generator[int, list[bool], list[float]]]:
    """The one CFC search per area that plan and need share: per replication the fewest FCAs (from
    `lowest_count` to today's plus `max_extra`) meeting every target the area can be judged on while
    keeping up, starting at the hours estimate (`estimated_need`). Areas with no target: none."""
    return {name: needs_steps(estimated_need(config, name), lowest_count(config, name),
                              config.area(name).workforce.fcas + max_extra)
            for name in names if judged[name]}


def check_areas(config: ScenarioConfig, names: Sequence[str], max_extra: int) -> None:
    """Every named area exists (a misspelt one is named with the closest names) and can take
    `max_extra` more FCAs, before any simulation."""
    for name in names:
        check_area(name, [a.name for a in config.areas], "--area")
        check_addition(config, name, max_extra)


def plan_areas(config: ScenarioConfig, targets: Sequence[Target], confidence: float, *,
               areas: list[str] | None = None, max_extra: int = 200, cache: Path | None = None, workers: int = 1,
               scheduler: str | None = None, on_area: Callable[[list[dict]], None] = lambda rows: None,
               evaluator: Evaluator | None = None, progress: PlanProgress | None = None,
               needs: dict[str, list[float]] | None = None,
               evaluations: dict[str, int] | None = None,
               judged: dict[str, list[Target]] | None = None) -> pd.DataFrame:
    """`plan.csv`: per area the smallest extra FCAs (none fewer than today's) with which the
    replications meet every target at once, keeping up, with the confidence; one row per area and
    target (and one for all of them), plus ALL rows. The addition is the need's CFC count
    (`cfc_searches`, given as `needs` when the need ran it) less today's FCAs, at least 0: plan and
    need come from one search and never disagree.

    A target on a metric an area never produces is ignored there (with a note); an area where no
    target can be judged gets no addition (NaN)."""
    names = areas or [a.name for a in config.areas]
    check_areas(config, names, max_extra)
    evaluator = evaluator or Evaluator(config, cache, workers, scheduler)
    evaluator.start(names)
    judged = judged if judged is not None else check_targets(evaluator, names, targets)  # the need's, given
    if needs is None:
        asked: dict[str, set[int]] = {name: set() for name in names}

        def answer(wanted: dict[str, int]) -> dict[str, list[bool]]:
            now = {name: config.area(name).workforce.fcas for name in wanted}
            evaluator.prefetch([(name, n - now[name]) for name, n in wanted.items()])
            for name, n in wanted.items():
                asked[name].add(n)
            return {name: evaluator.met(name, n - now[name], judged[name]) for name, n in wanted.items()}

        searches = cfc_searches(config, names, judged, max_extra)
        if progress is not None:
            progress.start(len(searches), len(names) - len(searches))
        needs = run_searches(searches, answer, progress.round if progress is not None else lambda a, f: None)
        evaluations = {name: len(found) for name, found in asked.items()}
    rows = []
    for name in names:
        now = config.area(name).workforce.fcas
        need = float(need_at(np.array(needs[name], dtype=float), confidence)) if name in needs else math.nan
        extra = max(int(need) - now, 0) if math.isfinite(need) else None
        chosen = extra if extra is not None else (max_extra if judged[name] else 0)
        area_rows = _rows(evaluator, config.area(name), extra, chosen, targets, judged[name], confidence,
                          (evaluations or {}).get(name, 0))
        rows += area_rows
        on_area(area_rows)
    frame = pd.DataFrame(rows)
    national = []
    for label, group in frame.groupby("target", sort=False):
        national.append({"area": NATIONAL, "fte_now": group["fte_now"].sum(),
                         "extra_fte": group["extra_fte"].sum(min_count=1), "target": label,
                         "confidence": confidence, "achieved_mean": math.nan,
                         "achieved_probability": group["achieved_probability"].min(),
                         "annual_cost": group["annual_cost"].sum(), "evaluations": group["evaluations"].sum(),
                         "note": ""})
    return pd.concat([frame, pd.DataFrame(national)], ignore_index=True)[[*PLAN_COLUMNS, *PLAN_EXTRA_COLUMNS]]
