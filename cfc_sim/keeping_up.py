"""The keep-up rule: a staffing level meets a target only if the area also keeps up with its demand.

Judged on the cases that got through, a target can be gamed: with too few FCAs an area files few
CIRs, but those few on time, while its allocation queue grows without end (issue 25: Essex at 3 FCAs
filed 96% of its CIRs on time, but 171 of them against 921 at today's staffing). So plan, need,
rollout and the at-risk ranking judge every target together with this one rule. Replication r of
an area keeps up when, within the horizon,

1. it decides at least (1 - `tolerance`) of the CAP cases and of the CFC cases, and files at least
   that share of the Cafcass CIRs, that **the same replication** (common random numbers: the same
   seed streams) decides and files with unlimited FCAs: a reference run with a very large FCA count
   (`reference_extra`); a count the reference does not have (0 or undefined) is not judged; and
2. its allocation queue does not grow: the mean of the unallocated queue over the last
   `QUEUE_MONTHS` months of the run exceeds its mean over the first `QUEUE_MONTHS` months from
   go-live (from the end of the warm-up where the area is live from the start or never goes live
   within the run) by at most `queue_tolerance` x the area's mean applications a month. Measured in
   months of demand, a queue near saturation that wanders by a few cases keeps up, while a backlog
   that builds month after month does not (Essex at 3 FCAs: 1,045 cases, about a year of demand).
   Where the run has fewer than 2 x `QUEUE_MONTHS` months from there, the queue is not judged.

The at-risk ranking reads a finished run, which has no reference run: it judges part 2 only, on the
run's monthly mean queue (`queue_grows`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cfc_sim.scenario.schema import MAX_FCAS, ScenarioConfig

QUEUE_MONTHS = 6
KEEP_UP_TOLERANCE = 0.05
QUEUE_TOLERANCE = 0.25  # months of demand the queue may grow by
# what the reference's counts are compared on (pathway/metric, as the plan's Evaluator keys them)
COUNTS = (("cap/closed_cases", "CAP cases decided"), ("cfc/closed_cases", "CFC cases decided"),
          ("cfc/cirs_filed", "CIRs filed"))
QUEUE_FIRST, QUEUE_LAST = "keep/queue_first_mean", "keep/queue_last_mean"
DEMAND = "keep/applications_month_mean"  # the area's mean applications a month over the run
QUEUE_METRIC = "unallocated_queue_mean"  # the monthly series the queue part reads
REFERENCE_FACTOR = 3
REFERENCE_MIN_EXTRA = 20


def first_queue_month(config: ScenarioConfig, area: str, months: int) -> int:
    """The month (0-based) from which the queue's first months are read: the go-live month, or the
    end of the warm-up where the area is live from the start or does not go live within `months`."""
    start, go_live = config.header.start, config.area(area).go_live
    month = (go_live.year - start.year) * 12 + go_live.month - start.month + (go_live.day > start.day)
    warmup = config.header.warmup_months
    return month if warmup < month < months else warmup


def queue_means(monthly: Mapping[int, float], first_month: int, months: int) -> tuple[float, float]:
    """(mean queue over the first QUEUE_MONTHS months from `first_month`, mean over the last
    QUEUE_MONTHS of `months`); NaN, NaN where the run is too short to tell them apart."""
    if months - first_month < 2 * QUEUE_MONTHS:
        return math.nan, math.nan
    first = [monthly.get(m, math.nan) for m in range(first_month, first_month + QUEUE_MONTHS)]
    last = [monthly.get(m, math.nan) for m in range(months - QUEUE_MONTHS, months)]
    if any(v != v for v in first + last):
        return math.nan, math.nan
    return sum(first) / QUEUE_MONTHS, sum(last) / QUEUE_MONTHS


def queue_grows(first_mean: float, last_mean: float, applications_per_month: float,
                queue_tolerance: float = QUEUE_TOLERANCE) -> bool:
    """Part 2 of the rule: the last months' mean queue above the first months' by more than
    `queue_tolerance` months of demand. Not judged (False) where a value is undefined."""
    if any(v != v for v in (first_mean, last_mean, applications_per_month)):
        return False
    return last_mean - first_mean > queue_tolerance * applications_per_month + 1e-9


def reference_extra(fcas_now: int, estimate: int, establishment: int = 0) -> int:
    """The addition of the reference run with 'unlimited' FCAs: REFERENCE_FACTOR x the larger of
    today's FCAs and the hours estimate of the need, at least REFERENCE_MIN_EXTRA more, within the
    schema's limit for both FCAs and funded posts (which rise by the same number)."""
    target = max(REFERENCE_FACTOR * max(fcas_now, estimate), fcas_now + REFERENCE_MIN_EXTRA)
    return min(target, MAX_FCAS - max(establishment - fcas_now, 0)) - fcas_now


@dataclass(frozen=True)
class KeepUp:
    """The keep-up rule (see the module docstring) with its two tolerances."""

    tolerance: float = KEEP_UP_TOLERANCE
    queue_tolerance: float = QUEUE_TOLERANCE

    def __str__(self) -> str:
        share = f"{(1 - self.tolerance) * 100:g}%"
        return (f"keeping up: deciding at least {share} of the cases and filing {share} of the CIRs that unlimited "
                f"FCAs would, allocation queue growing by at most "
                f"{self.queue_tolerance:g} months of demand (mean of the last {QUEUE_MONTHS} months against the first "
                f"{QUEUE_MONTHS} from go-live)")

    def failures(self, values: Mapping[str, Sequence[float]],
                 reference: Mapping[str, Sequence[float]], replications: int) -> list[list[str]]:
        """Per replication, what it fails to keep up with (empty: it keeps up)."""
        out: list[list[str]] = [[] for _ in range(replications)]
        nan = [math.nan] * replications
        for key, words in COUNTS:
            for r, (v, ref) in enumerate(zip(values.get(key, nan), reference.get(key, nan), strict=True)):
                if ref == ref and ref > 0 and not (v == v and v >= ref * (1 - self.tolerance) - 1e-9):
                    out[r].append(f"{words} {0 if v != v else v:.0f} of {ref:.0f}")
        for r, (first, last, demand) in enumerate(zip(values.get(QUEUE_FIRST, nan), values.get(QUEUE_LAST, nan),
                                                      values.get(DEMAND, nan), strict=True)):
            if queue_grows(first, last, demand, self.queue_tolerance):
                out[r].append(f"allocation queue grew from {first:.1f} to {last:.1f}")
        return out

    def met(self, values: Mapping[str, Sequence[float]], reference: Mapping[str, Sequence[float]],
            replications: int) -> list[bool]:
        """Per replication: does it keep up?"""
        return [not f for f in self.failures(values, reference, replications)]
