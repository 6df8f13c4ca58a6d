"""The FCA need of Child Focused Courts: per area and for England, the FCAs needed to meet the
targets under the scenario as given (CFC from each area's go-live) against the FCAs needed to keep
today's CAP performance if no area went live, so that the difference is the rollout's cost in FCAs.

Both numbers are "the fewest FCAs in post and funded from the start with which the replications
meet a rule with the plan's confidence", and both rules include keeping up with demand
(`keeping_up`: a starved area that files few CIRs, but those on time, meets nothing):
- CFC: every plan target the area can be judged on (an area that never goes live within the
  horizon has no CFC metric and is judged by the CAP rule instead, so its difference is zero);
- CAP: the same scenario with every go-live moved beyond the horizon (open CFC work at the start
  counted as CAP work at the matching stage), where replication r meets the rule when its CAP
  wait (`weeks_to_decision_reported_mean@cap` by default) is no more than `tolerance` above that
  replication's own value with today's FCAs: the FCAs that keep CAP's waits at today's level.

For each replication the search finds the fewest FCAs with which it meets the rule (from a start,
doubling its step up and then down until every replication is bracketed, then bisecting every
replication's bracket at once, since one evaluation runs all replications; more FCAs are assumed
never to break a rule a replication meets, as under common random numbers). Each search starts
where the hours say: the CFC search at the FCAs the area's CFC demand needs at go-live in hours
(`estimated_need`), the CAP search at the FCAs the same demand needs in CAP hours
(`estimated_cap_need`), both with the readiness headroom, so that neither doubles its way from today's
FCAs. Where more FCAs do not always keep a rule under common random numbers (noise near the answer),
the count found can depend on the start. Every area's search runs in step, each round's candidates
evaluated in one run (`Evaluator.prefetch`). The need with confidence c is then the ceil(c x R)-th smallest of the R
per-replication needs, exactly the smallest count whose share of replications meeting the rule is
at least c. England sums the areas. The 95% interval of each difference is a percentile bootstrap
over replications: the same resampled replication numbers for every area and both variants, so
the common random numbers that pair the two variants are kept.

The CFC search is the plan's own (`plan.cfc_searches`): `plan_and_need` runs it once for both
tables, so plan and need never disagree. Each row's difference is split into hours, timeliness and
transition parts and phased and priced by financial year (`need_parts`); across accepted
assumption sets, see `need_assumptions`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.errors import UserError
from cfc_sim.metric_catalogue import NATIONAL, is_bounded
from cfc_sim.need_parts import PART_COLUMNS, need_parts, with_years
from cfc_sim.plan import (
    Evaluator,
    PlanProgress,
    Target,
    cfc_searches,
    check_areas,
    check_targets,
    estimated_cap_need,
    goes_live_within,
    joined,
    lowest_count,
    need_at,
    needs_steps,
    plan_areas,
    run_searches,
)
from cfc_sim.results_files import NEED_COLUMNS as NEED_CSV_COLUMNS
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.scenario.variants import config_variant
from cfc_sim.stats import percentile_interval

CAP_METRIC = "weeks_to_decision_reported_mean"
CAP_TOLERANCE = 0.01
CAP_DECIDED = "cap/closed_cases"  # CAP cases decided within the horizon (CapRule)
BOOTSTRAP_SAMPLES = 2000
NEED_COLUMNS = list(NEED_CSV_COLUMNS)
NEED_EXTRA_COLUMNS = ["transition_months", "annual_cost", "confidence", "cfc_rule", "cap_rule", "keep_up_rule",
                      "note"]
# Open CFC work at the start, counted as CAP work at the stage that plays the same part.
CAP_STAGE_OF = {"intake": "first_hearing", "awaiting_allocation": "awaiting_allocation", "cir": "report",
                "decision_hearing": "final_hearing", "second_report": "report"}


def cap_only(config: ScenarioConfig) -> ScenarioConfig:
    """The scenario with no area going live: every go_live moved 20 years beyond the horizon (so no
    CFC case, nor CFC training before go-live, falls inside it), validated as a scenario file."""
    start = config.header.start
    after = dt.date(start.year + config.header.horizon_months // 12 + 21, 1, 1)
    settings: dict[str, Any] = {"areas.*.go_live": after}
    for area in config.areas:
        groups = [g.model_dump() for g in area.initial_state.open_cases]
        if any(g["pathway"] == "cfc" for g in groups):
            for group in groups:
                if group["pathway"] == "cfc":
                    group["pathway"], group["stage"] = "cap", CAP_STAGE_OF.get(group["stage"], group["stage"])
            settings[f"areas.{area.name}.initial_state.open_cases"] = groups
    return config_variant(config, settings, label=f"{config.source or config.name} (CAP only)")


def replication_needs(met: Callable[[int], list[bool]], now: int, low: int, high: int,
                      start: int | None = None) -> list[float]:
    """Per replication, the fewest FCAs in [low, high] with which it meets its rule (inf if none),
    searching from `start` (default `now`): see `needs_steps`."""
    return run_searches({0: needs_steps(now if start is None else start, low, high)},
                        lambda asked: {k: met(n) for k, n in asked.items()})[0]


@dataclass(frozen=True)
class CapRule:
    """Replication r keeps CAP performance when its metric (lower is better) is at most
    (1 + tolerance) x its own value with today's FCAs, and it decides at least (1 - tolerance) x as
    many CAP cases. The second half matters where the first can be gamed: with too few FCAs, the
    cases decided within the horizon are only those that got through (the open work at the start,
    cases without a report), so their mean wait can stay at today's while the backlog grows."""

    metric: str = CAP_METRIC
    tolerance: float = CAP_TOLERANCE

    def __post_init__(self) -> None:
        if is_bounded(self.metric):
            raise UserError(f"{self.metric!r} is a share (higher is better); the CAP rule keeps a wait or a "
                            "duration (lower is better), e.g. weeks_to_decision_reported_mean", key="--cap-metric")

    @property
    def series(self) -> str:
        return f"cap/{self.metric}"

    def __str__(self) -> str:
        return (f"{self.metric}@cap within {self.tolerance * 100:g}% of today's, deciding at least "
                f"{(1 - self.tolerance) * 100:g}% as many CAP cases")

    def met(self, evaluator: Evaluator, area: str, extra: int) -> list[bool]:
        """Per replication: CAP performance kept, and keeping up with demand (`keeping_up`)."""
        today = evaluator.series(area, 0, self.series)
        now = evaluator.series(area, extra, self.series)
        decided_today = evaluator.series(area, 0, CAP_DECIDED)
        decided_now = evaluator.series(area, extra, CAP_DECIDED)
        return [(b != b or (v == v and v <= b * (1 + self.tolerance) + 1e-9))
                and (d != d or (n == n and n >= d * (1 - self.tolerance) - 1e-9)) and keeps
                for v, b, n, d, keeps in zip(now, today, decided_now, decided_today,
                                             evaluator.keeps_up(area, extra), strict=True)]


@dataclass
class Searched:
    """What the one search found: per area the per-replication CFC and CAP needs (FCA counts), the
    targets each area is judged on, evaluations asked for, and each area's row so far."""

    judged: dict[str, list[Target]]
    cfc: dict[str, list[float]]
    cap: dict[str, list[float]]
    evaluations: dict[str, int]
    rows: list[dict[str, Any]]


def search_needs(config: ScenarioConfig, targets: Sequence[Target], rule: CapRule, names: list[str],
                 max_extra: int, cfc: Evaluator, cap: Evaluator,
                 progress: PlanProgress | None = None) -> Searched:
    """Every area's CFC search (`plan.cfc_searches`, the plan's own) and CAP search, in step."""
    cfc.start(names)
    cap.start(names)
    # an area not live within the run has no CFC metric: it takes its CAP number (below), so a need of
    # only such areas is not refused for want of a CFC value, as a plan would be
    judged = (check_targets(cfc, names, targets) if any(goes_live_within(config, n) for n in names)
              else {name: [] for name in names})
    if not any(v == v for name in names for v in cap.series(name, 0, rule.series)):
        raise UserError(f"metric {rule.metric!r} has no CAP value in the CAP-only scenario (unknown metric, or "
                        "no CAP case closes before the horizon)", key="--cap-metric")
    rows: list[dict[str, Any]] = []
    nows = {name: config.area(name).workforce.fcas for name in names}
    searches: dict[tuple[str, str], Generator[int, list[bool], list[float]]] = {
        ("cfc", name): steps for name, steps in cfc_searches(config, names, judged, max_extra).items()}
    for name in names:
        now = nows[name]
        if not any(v == v for v in cap.series(name, 0, rule.series)):
            searches.pop(("cfc", name), None)
            rows.append({"area": name, "fte_now": now, "note": f"no {rule.metric}@cap value to keep in this area"})
            continue
        searches[("cap", name)] = needs_steps(estimated_cap_need(config, name), lowest_count(config, name),
                                              now + max_extra)
        if judged[name]:
            note = "" if len(judged[name]) == len(targets) else (
                "ignored here (metric not produced): " + joined([t for t in targets if t not in judged[name]]))
        else:
            note = "no CFC target can be judged (not live within the horizon): CAP rule used"
        rows.append({"area": name, "fte_now": now, "note": note})
    asked: dict[str, set[int]] = {name: set() for name in names}

    def answer(wanted: dict[tuple[str, str], int]) -> dict[tuple[str, str], list[bool]]:
        cfc.prefetch([(name, n - nows[name]) for (kind, name), n in wanted.items() if kind == "cfc"])
        cap.prefetch([(name, n - nows[name]) for (kind, name), n in wanted.items() if kind == "cap"])
        for (kind, name), n in wanted.items():
            if kind == "cfc":
                asked[name].add(n)
        return {(kind, name): (cfc.met(name, n - nows[name], judged[name]) if kind == "cfc"
                               else rule.met(cap, name, n - nows[name]))
                for (kind, name), n in wanted.items()}

    if progress is not None:
        progress.start(len(searches), 2 * len(names) - len(searches))
    found = run_searches(searches, answer, progress.round if progress is not None else lambda a, f: None)
    cfc_needs = {name: found[("cfc", name)] for (kind, name) in found if kind == "cfc"}
    cap_needs = {name: found[("cap", name)] for (kind, name) in found if kind == "cap"}
    return Searched(judged, cfc_needs, cap_needs, {n: len(a) for n, a in asked.items()}, rows)


def plan_and_need(config: ScenarioConfig, targets: Sequence[Target], confidence: float, *, rule: CapRule,
                  areas: list[str] | None = None, max_extra: int = 200, cache: Path | None = None,
                  workers: int = 1, scheduler: str | None = None, cfc: Evaluator | None = None,
                  on_area: Callable[[list[dict]], None] = lambda rows: None,
                  progress: PlanProgress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`plan.csv` and `need.csv` from one search: the plan's addition is the need's CFC count less
    today's FCAs (at least 0), so the two never disagree for an area."""
    names = areas or [a.name for a in config.areas]
    check_areas(config, names, max_extra)
    cfc = cfc or Evaluator(config, cache, workers, scheduler)
    cap = Evaluator(cap_only(config), cache, workers, scheduler, horizons=cfc.horizons, pool=cfc.pool,
                    on_run=cfc.on_run, keep_up=cfc.keep_up)  # paired runs: same months
    searched = search_needs(config, targets, rule, names, max_extra, cfc, cap, progress)
    plan = plan_areas(config, targets, confidence, areas=names, max_extra=max_extra, evaluator=cfc,
                      on_area=on_area, needs=searched.cfc, evaluations=searched.evaluations, judged=searched.judged)
    return plan, need_table(config, targets, confidence, rule, searched, cfc)


def fca_need(config: ScenarioConfig, targets: Sequence[Target], confidence: float, *, rule: CapRule,
             areas: list[str] | None = None, max_extra: int = 200, cache: Path | None = None, workers: int = 1,
             scheduler: str | None = None, cfc: Evaluator | None = None,
             progress: PlanProgress | None = None) -> pd.DataFrame:
    """`need.csv` alone (see `plan_and_need`)."""
    return plan_and_need(config, targets, confidence, rule=rule, areas=areas, max_extra=max_extra, cache=cache,
                         workers=workers, scheduler=scheduler, cfc=cfc, progress=progress)[1]


def need_table(config: ScenarioConfig, targets: Sequence[Target], confidence: float, rule: CapRule,
               searched: Searched, cfc: Evaluator) -> pd.DataFrame:
    """`need.csv`: ALL (England) first, then per area the FCAs needed under CFC and to keep today's
    CAP performance, their difference, its 95% bootstrap interval and its three parts (`need_parts`)."""
    rows = searched.rows
    needs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for row in rows:
        name = row["area"]
        if name not in searched.cap:
            needs[name] = (np.full(config.replications, math.nan),) * 2
            continue
        cap_needs = np.array(searched.cap[name], dtype=float)
        needs[name] = (np.array(searched.cfc.get(name, cap_needs), dtype=float), cap_needs)
    draws = np.random.default_rng(config.seed).integers(0, config.replications,
                                                        size=(BOOTSTRAP_SAMPLES, config.replications))
    total: dict[str, Any] = {"area": NATIONAL, "fte_now": sum(r["fte_now"] for r in rows), "note": ""}
    cfc_sum, cap_sum, boot_sum = 0.0, 0.0, np.zeros(BOOTSTRAP_SAMPLES)
    boots: dict[str, np.ndarray] = {}
    for row in rows:
        cfc_needs, cap_needs = needs[row["area"]]
        point = (float(need_at(cfc_needs, confidence)), float(need_at(cap_needs, confidence)))
        boot = need_at(cfc_needs[draws], confidence) - need_at(cap_needs[draws], confidence)
        boots[row["area"]] = boot
        _fill(row, point, boot, "" if np.isnan(cap_needs).all() else "need not found within --max-extra")
        row.update(need_parts(config, row, cfc, bool(searched.judged.get(row["area"]))))
        if row["difference"] == row["difference"]:
            cfc_sum, cap_sum, boot_sum = cfc_sum + point[0], cap_sum + point[1], boot_sum + boot
    without = [r["area"] for r in rows if r["difference"] != r["difference"]]
    if len(without) == len(rows):
        cfc_sum = cap_sum = math.nan
    elif without:
        total["note"] = f"sum of {len(rows) - len(without)} of {len(rows)} areas; without a need: {', '.join(without)}"
    _fill(total, (cfc_sum, cap_sum), boot_sum, "no area has a need (see their rows)")
    counted = [r for r in rows if r["difference"] == r["difference"]]
    for column in (*PART_COLUMNS, "annual_cost"):
        total[column] = sum(r[column] for r in counted) if counted else math.nan
    total["transition_months"] = max((r["transition_months"] for r in counted), default=0)
    frame = pd.DataFrame([total, *rows])
    frame["confidence"], frame["cfc_rule"], frame["cap_rule"] = confidence, joined(targets), str(rule)
    frame["keep_up_rule"] = str(cfc.keep_up)
    out = with_years(config, frame[[*NEED_COLUMNS, *PART_COLUMNS, *NEED_EXTRA_COLUMNS]])
    out.attrs["boot"] = {**boots, NATIONAL: boot_sum}  # each difference's bootstrap draws (need_assumptions)
    return out


def _fill(row: dict[str, Any], point: tuple[float, float], boot: np.ndarray, missing: str) -> None:
    """Needs, difference and its percentile interval; NaN (and the `missing` note) where a need was
    not found within the search (--max-extra) or there was nothing to judge. An interval end is
    infinite where too many resampled replications need more than the search allowed."""
    found = all(math.isfinite(p) for p in point)
    row["fcas_needed_cfc"], row["fcas_needed_cap"] = (p if math.isfinite(p) else math.nan for p in point)
    row["difference"] = point[0] - point[1] if found else math.nan
    if not found:
        row["ci_low"] = row["ci_high"] = math.nan
        if missing:
            row["note"] = (row["note"] + "; " if row["note"] else "") + missing
    elif np.isfinite(boot).all():
        row["ci_low"], row["ci_high"] = percentile_interval(boot)
    else:
        ends = np.percentile(np.nan_to_num(boot, nan=math.inf, posinf=math.inf, neginf=-math.inf),
                             [2.5, 97.5], method="inverted_cdf")
        row["ci_low"], row["ci_high"] = float(ends[0]), float(ends[1])
        row["note"] = (row["note"] + "; " if row["note"] else "") + "interval reaches beyond --max-extra"
