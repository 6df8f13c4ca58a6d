"""Closed-form queueing results: what the model must reproduce when configured as M/M/c.

Used by the theory tests, by `docs/make_validation.py`, and by planners who want a quick
Erlang C estimate before simulating (every FCA slot is a server: c = FCAs x private-law slots).
"""

from __future__ import annotations

import math


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in M/M/c (offered load a = lambda / mu < c)."""
    if offered_load >= servers:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    top = term * offered_load / servers * servers / (servers - offered_load)
    return top / (total + top)


def mmc_wait_mean(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean wait in queue W_q of M/M/c."""
    mu = 1.0 / service_mean
    return erlang_c(servers, arrival_rate / mu) / (servers * mu - arrival_rate)


def mmc_wait_cdf(t: float, arrival_rate: float, service_mean: float, servers: int) -> float:
    """P(W_q <= t) for M/M/c, FIFO (for c = 1: 1 - rho exp(-(mu - lambda) t))."""
    mu = 1.0 / service_mean
    return 1.0 - erlang_c(servers, arrival_rate / mu) * math.exp(-(servers * mu - arrival_rate) * t)
