"""Capacity planning: the smallest whole-FCA addition per area that meets a target with a stated
probability across replications.

Areas do not interact in the model and their random streams are keyed by area name, so each
area is planned on its own (one-area runs, the same draws as in the full scenario). Under common
random numbers the met-target probability rises with FCAs, so the search doubles the addition
until the target is met and then bisects: O(log n) evaluations, not a grid. Evaluations are
cached on disk by the resolved scenario's hash, seed and replications, so a rerun resumes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cfc_sim.errors import UserError
from cfc_sim.experiment import run_replications
from cfc_sim.scenario.keys import config_variant
from cfc_sim.scenario.loading import scenario_sha256
from cfc_sim.scenario.schema import Intervention, ScenarioConfig, freeze, thaw

DAYS_PER_YEAR = 365.25
PLAN_COLUMNS = ["area", "fte_now", "extra_fte", "target", "confidence", "achieved_mean", "achieved_probability"]


@dataclass(frozen=True)
class Target:
    """`metric>=value` or `metric<=value`, judged per replication on an area's summary metric."""

    metric: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Target:
        match = re.fullmatch(r"\s*([a-z0-9_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*", text)
        if not match:
            raise UserError(f"expected METRIC>=X or METRIC<=X, got {text!r}", key="--target")
        return cls(match.group(1), match.group(2), float(match.group(3)))

    def met(self, value: float) -> bool:
        if value != value:
            return False  # undefined in that replication (e.g. no CIRs): not met
        if self.op == ">=":
            return value >= self.value - 1e-12
        return value <= self.value + 1e-12

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


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
            extra: dict[str, int] | None = None) -> ScenarioConfig:
    """The scenario reduced to `names`, with changed go-live dates and extra FCAs in post and funded
    from the start (an intervention setting the area's FCAs or establishment keeps the extra),
    validated as a scenario file (more FCAs than the schema allows is an error naming the area)."""
    go_live, extra = go_live or {}, extra or {}
    settings: dict[str, Any] = {}
    for area in config.areas:
        if area.name not in names:
            continue
        if area.name in go_live:
            settings[f"areas.{area.name}.go_live"] = go_live[area.name]
        n = extra.get(area.name, 0)
        if n:
            settings[f"areas.{area.name}.workforce.fcas"] = area.workforce.fcas + n
            settings[f"areas.{area.name}.workforce.establishment"] = area.workforce.establishment + n
    interventions = [_shift_headcount(i, extra[i.area]) if extra.get(i.area) else i
                     for i in config.interventions if i.area in names]
    return config_variant(config, settings, areas=names, interventions=interventions)


def with_extra_fcas(config: ScenarioConfig, area: str, extra: int) -> ScenarioConfig:
    """The scenario reduced to one area, with `extra` FCAs in post and funded from the start."""
    return variant(config, [area], extra={area: extra})


def check_addition(config: ScenarioConfig, area: str, extra: int) -> None:
    """Fail before any simulation if `extra` more FCAs in `area` would not be a valid scenario."""
    from cfc_sim.errors import ScenarioError

    try:
        with_extra_fcas(config, area, extra)
    except ScenarioError as exc:
        key, message = exc.problems[0]
        raise UserError(f"{extra} extra FCAs in {area} would not be a valid scenario ({key}: {message}); "
                        "try a smaller --max-extra", key="--max-extra") from None


class Evaluator:
    """Per-replication values of the target metric for one area and one addition, cached on disk."""

    def __init__(self, config: ScenarioConfig, target: Target, cache: Path | None, workers: int,
                 scheduler: str | None) -> None:
        self.config = config
        self.target = target
        self.cache = cache
        self.workers = workers
        self.scheduler = scheduler
        self.runs = 0

    def values(self, area: str, extra: int) -> list[float]:
        variant = with_extra_fcas(self.config, area, extra)
        key = f"{scenario_sha256(variant)[:20]}-{variant.seed}-{variant.replications}-{self.target.metric}"
        path = self.cache / f"{key}.json" if self.cache else None
        if path is not None and path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        outputs = run_replications(variant, range(variant.replications), workers=self.workers,
                                   scheduler=self.scheduler)
        self.runs += 1
        values = []
        for output in outputs:
            found = [v for a, p, m, v in output.metrics if a == area and p == "all" and m == self.target.metric]
            values.append(found[0] if found else math.nan)
        if not any(v == v for v in values):
            raise UserError(f"metric {self.target.metric!r} has no value for area {area!r} in this scenario "
                            "(unknown metric, or nothing to measure, e.g. no CIRs before the horizon)",
                            key="--target")
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp-{os.getpid()}")
            tmp.write_text(json.dumps([None if v != v else v for v in values]), encoding="utf-8")
            os.replace(tmp, path)
        return values

    def probability(self, area: str, extra: int) -> tuple[float, float]:
        values = [math.nan if v is None else v for v in self.values(area, extra)]
        defined = [v for v in values if v == v]
        mean = sum(defined) / len(defined) if defined else math.nan
        return sum(self.target.met(v) for v in values) / len(values), mean


def smallest_extra(evaluate: Callable[[int], float], confidence: float, max_extra: int) -> int | None:
    """Smallest n in [0, max_extra] with evaluate(n) >= confidence, assuming it rises with n."""
    if evaluate(0) >= confidence:
        return 0
    low, high = 0, 1  # evaluate(low) fails
    while evaluate(high) < confidence:
        low = high
        if high >= max_extra:
            return None
        high = min(high * 2, max_extra)
    while high - low > 1:
        middle = (low + high) // 2
        if evaluate(middle) >= confidence:
            high = middle
        else:
            low = middle
    return high


def plan_areas(config: ScenarioConfig, target: Target, confidence: float, *, areas: list[str] | None = None,
               max_extra: int = 200, cache: Path | None = None, workers: int = 1, scheduler: str | None = None,
               on_area: Callable[[dict], None] = lambda row: None) -> pd.DataFrame:
    """`plan.csv`: per area the smallest extra FCAs meeting the target with the confidence, plus an ALL row."""
    names = areas or [a.name for a in config.areas]
    unknown = [n for n in names if n not in {a.name for a in config.areas}]
    if unknown:
        raise UserError(f"no area named {unknown[0]!r} in the scenario", key="--area")
    for name in names:
        check_addition(config, name, max_extra)
    evaluator = Evaluator(config, target, cache, workers, scheduler)
    rows = []
    for name in names:
        memo: dict[int, tuple[float, float]] = {}

        def evaluate(extra: int, name: str = name, memo: dict = memo) -> float:
            if extra not in memo:
                memo[extra] = evaluator.probability(name, extra)
            return memo[extra][0]

        extra = smallest_extra(evaluate, confidence, max_extra)
        chosen = extra if extra is not None else max_extra
        probability, mean = memo[chosen] if chosen in memo else evaluator.probability(name, chosen)
        area = config.area(name)
        row = {"area": name, "fte_now": area.workforce.fcas, "extra_fte": extra if extra is not None else math.nan,
               "target": str(target), "confidence": confidence, "achieved_mean": mean,
               "achieved_probability": probability,
               "annual_cost": (extra or 0) * area.workforce.cost_per_fte_day * DAYS_PER_YEAR,
               "evaluations": len(memo)}
        rows.append(row)
        on_area(row)
    frame = pd.DataFrame(rows)
    national = {"area": "ALL", "fte_now": frame["fte_now"].sum(), "extra_fte": frame["extra_fte"].sum(min_count=1),
                "target": str(target), "confidence": confidence, "achieved_mean": math.nan,
                "achieved_probability": frame["achieved_probability"].min(),
                "annual_cost": frame["annual_cost"].sum(), "evaluations": frame["evaluations"].sum()}
    return pd.concat([frame, pd.DataFrame([national])], ignore_index=True)
