"""Cases that settle while they wait for court time (`court.settled_share_per_year_waiting`): the
court becomes a queue with abandonment (Erlang-A), checked against M/M/1+M theory, and the
mechanism's responses in the whole model."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st
from model_support import mean_metrics, two_areas

from cfc_sim.calendar import DAYS_PER_YEAR
from cfc_sim.metrics import CaseStats
from cfc_sim.model.case import Case
from cfc_sim.model.clock import WorkClock
from cfc_sim.model.court import Court
from cfc_sim.model.listing import CourtListing
from cfc_sim.scenario.schema import CourtConfig

KINDS = ("first_hearing", "fact_finding", "dra", "final", "decision", "review", "further")


class _Area:
    """Just what a court listing draws on: exponential hearing lengths, a stream per purpose."""

    def __init__(self, env: simpy.Environment, court: CourtConfig, seed: int, mean_hours: float) -> None:
        self.env, self.clock = env, WorkClock(env, step_days=0)  # exact times: the queue on its own
        self.config = SimpleNamespace(court=court)
        self.stats = {"cap": CaseStats()}
        self._rng = np.random.default_rng([seed, 5])
        self._mean_hours = mean_hours

    def draw_path(self, path: str) -> float:
        return float(self._rng.exponential(self._mean_hours))

    def uniform_source(self, purpose: str) -> Any:
        rng = np.random.default_rng([int.from_bytes(purpose.encode()[:4], "big"), 7])
        return lambda: float(rng.random())


def _erlang_a_abandoned_share(lam: float, mu: float, theta: float) -> float:
    """M/M/1+M: with n in the system, n - 1 wait and each leaves at rate theta; P(abandon) = theta E[Nq] / lam."""
    weights, weight = [1.0], 1.0
    for n in range(1, 4000):
        weight *= lam / (mu + (n - 1) * theta)
        weights.append(weight)
        if weight < 1e-300:
            break
    total = sum(weights)
    waiting = sum((n - 1) * w for n, w in enumerate(weights) if n >= 1) / total
    return theta * waiting / lam


def _simulate(seed: int, lam: float, mean_hours: float, sitting_days: float, settled_share: float,
              cases: int) -> tuple[int, int]:
    court = CourtConfig.model_validate({
        "sitting_days_per_week": sitting_days, "hours_per_sitting_day": 1.0,
        "settled_share_per_year_waiting": settled_share,
        "hearings": {kind: {"hours": 1.0, "notice_days": 0} for kind in KINDS},
    })
    env = simpy.Environment()
    area = _Area(env, court, seed, mean_hours)
    listing = CourtListing(area, court)  # type: ignore[arg-type]
    outcome = {"heard": 0, "settled": 0}
    listing.on_settled = lambda case, now: outcome.__setitem__("settled", outcome["settled"] + 1)
    heard = lambda case, now: outcome.__setitem__("heard", outcome["heard"] + 1)  # noqa: E731
    arrivals = np.cumsum(np.random.default_rng([seed, 3]).exponential(1 / lam, cases))
    for i, day in enumerate(arrivals):
        env.run(until=day)
        listing.hearing(Case(i, "cap", day, 1, False, False), "final", day, heard)
    env.run(until=arrivals[-1] + 2000)
    return outcome["settled"], outcome["heard"]


@pytest.mark.parametrize(("sitting_days", "low", "high"), [(2.333333, 0.3, 0.4), (3.5, 0.06, 0.1)])
def test_a_court_with_settling_is_an_mm1_with_abandonment(sitting_days: float, low: float, high: float) -> None:
    """Demand 1.5x the sitting time (the diary would grow without end without settling) and exactly
    the sitting time: the share settling while waiting matches Erlang-A's (M/M/1+M) to within the
    replications' interval; at rho 1 it is far from the fluid 1 - 1/rho, so the whole law is checked."""
    lam, mean_hours = 0.5, 1.0
    settled_share = 0.9  # 90% of those still waiting after a year have settled: theta = ln 10 / year
    mu = sitting_days / 7 / mean_hours
    theta = -math.log1p(-settled_share) / DAYS_PER_YEAR
    shares = []
    for seed in range(12):
        settled, heard = _simulate(seed, lam, mean_hours, sitting_days, settled_share, 20_000)
        shares.append(settled / (settled + heard))
    theory = _erlang_a_abandoned_share(lam, mu, theta)
    mean, half = float(np.mean(shares)), 2.2 * float(np.std(shares, ddof=1)) / math.sqrt(len(shares))
    assert low < theory < high
    assert abs(mean - theory) <= half, (mean, half, theory)


def test_nobody_settles_when_the_share_is_zero_and_the_numbers_do_not_move() -> None:
    settled, heard = _simulate(1, 0.5, 1.0, 4.2, 0.0, 3_000)
    assert settled == 0 and heard == 3_000


def test_settling_shortens_a_short_courts_waits_and_ends_cases_by_consent() -> None:
    thin = {"defaults__court__sitting_days_per_week": 4.0}
    none = mean_metrics(two_areas(hours=False, **thin))
    some = mean_metrics(two_areas(hours=False, defaults__court__settled_share_per_year_waiting=0.8, **thin))
    key = ("Capshire", "cap")
    assert none[(*key, "settled_waiting_share")] == 0.0
    assert some[(*key, "settled_waiting_share")] > 0.02
    assert some[(*key, "listing_wait_days_mean")] < none[(*key, "listing_wait_days_mean")]
    assert some[(*key, "weeks_to_final_order_mean")] < none[(*key, "weeks_to_final_order_mean")]
    assert some[(*key, "hearings_per_case")] < none[(*key, "hearings_per_case")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 30), st.floats(0.1, 8)), min_size=1, max_size=60))
def test_the_day_a_hearing_would_start_is_the_day_listing_gives_it(requests: list[tuple[float, float]]) -> None:
    """Deciding to settle compares the wait with the day the diary would give: `first_free_day` must be
    the start `list_hearing` then books, gaps before later hearings included."""
    court = Court(3.0, 5.0)
    day = 0.0
    for gap_days, hours in requests:
        earliest = day + gap_days * (1 if int(hours * 10) % 3 else -0.5)  # some short notices fill free stretches
        earliest = max(earliest, day)
        expected = court.first_free_day(earliest)
        assert court.list_hearing(earliest, hours) == expected
        day += gap_days / 4
        court.forget_before(day)
