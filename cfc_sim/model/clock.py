"""When FCA work and hearings are recognised: at the end of the day they fall in.

A case record, like Cafcass's and the court's systems, moves on once a day: an FCA's hours that
run out at 14:00, a wait on others that ends on Tuesday, a hearing listed for Tuesday afternoon
are all acted on at the end of that day. Durations are therefore counted in whole days (on
average half a day longer than the instant the work ended), which is the resolution of every
published figure (weeks, working days).

It is also what makes the hours and court mechanisms cheap. Thousands of FCAs and a national
backlog of listed hearings each want "wake me at t"; one SimPy event a day (for the whole
replication) serves them all from one heap, instead of one SimPy event per FCA change, piece of
work and listed hearing, most of which would be superseded before they fire.

The clock's step is one day; `step_days=0` makes it exact (one SimPy event per request), which the
queueing-theory checks use to test the mechanisms on their own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import Timeout

EPS_DAYS = 1e-9
DAY_STEP_DAYS = 1.0


Callback = Callable[[Any, float], None]  # callback(arg, now): told the day it runs


class WorkClock:
    """Runs `callback(arg, now)` at the end of the step (day) in which `day` falls.

    Requests wait in one list per day (in request order) and the days in a heap: asking costs a
    dictionary look-up and an append, and a day's requests run in the order they were made. Each
    callback is told the day (`now`): SimPy's clock is a Python property, dear to read from the
    compiled model, and every callback wants it."""

    __slots__ = ("env", "step_days", "_days", "_by_day", "_tick_day", "_token")

    def __init__(self, env: simpy.Environment, step_days: float = DAY_STEP_DAYS) -> None:
        self.env = env
        self.step_days = step_days
        self._days: list[float] = []  # the days with requests waiting (a heap)
        self._by_day: dict[float, list[tuple[Callback, Any]]] = {}  # in request order
        self._tick_day = math.inf  # when the pending SimPy event fires (inf: none)
        self._token = 0

    def at(self, day: float, callback: Callback, arg: Any) -> None:
        """Ask for `callback(arg, now)` at the end of the day `day` falls in (never before now)."""
        self.at_now(day, callback, arg, self.env.now)

    def at_now(self, day: float, callback: Callback, arg: Any, now: float) -> None:
        """`at`, for a caller that already knows the day it is (`now`: SimPy's clock is a Python
        property, and an FCA's hours ask the clock at almost every change). `now` may be the caller's
        own day, a rounding away from SimPy's (an application's drawn day): the day's end it asks for
        is the same, and the exact clock (step 0) times its event from SimPy's own clock."""
        step = self.step_days
        if step <= 0:
            event = Timeout(self.env, max(0.0, day - self.env.now), (callback, arg))
            event.callbacks.append(_run_exact)
            return
        slot = max(math.ceil(day / step - EPS_DAYS), math.ceil(now / step - EPS_DAYS)) * step
        waiting = self._by_day.get(slot)
        if waiting is not None:
            waiting.append((callback, arg))
            return
        self._by_day[slot] = [(callback, arg)]
        heappush(self._days, slot)
        if slot < self._tick_day:
            self._schedule(slot, now)

    def _schedule(self, slot: float, now: float) -> None:
        self._tick_day = slot
        self._token += 1
        event = Timeout(self.env, max(0.0, slot - now), self._token)
        event.callbacks.append(self._tick)

    def _tick(self, event: Timeout) -> None:
        if event.value != self._token:
            return  # an earlier tick was asked for since this one was set
        now = self.env.now
        days = self._days
        while days and days[0] <= now + EPS_DAYS:
            waiting = self._by_day[days[0]]
            i = 0
            while i < len(waiting):  # requests made here for today join the list and run today
                callback, arg = waiting[i]
                i += 1
                callback(arg, now)
            del self._by_day[heappop(days)]
        self._tick_day = math.inf
        if days:
            self._schedule(days[0], now)

    def pending(self) -> int:
        """Requests waiting (stale ones included): for tests and diagnostics."""
        return sum(len(waiting) for waiting in self._by_day.values())


def _run_exact(event: Timeout) -> None:
    callback, arg = event.value
    callback(arg, event.env.now)
