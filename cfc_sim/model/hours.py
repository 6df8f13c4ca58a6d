"""An FCA's casework hours shared by its open pieces of work (processor sharing).

Each FCA delivers `rate` casework hours a calendar day; its n active jobs each receive rate/n
(egalitarian processor sharing, as Ciw's processor-sharing nodes). So an overloaded FCA is
slower on every case, and the elapsed time of a report is an outcome of hours, not a draw.

Kept in virtual time: `virtual` is the hours each active job has received since the FCA started.
A job that needs h hours finishes when `virtual` reaches its start value + h, so adding, removing
or re-rating costs O(log n) (a heap of finish points) and one pending SimPy event per FCA (stale
ones are ignored by token), rather than a recomputation of every job.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import Timeout

_EPS_HOURS = 1e-9


class SharedHours:
    """One FCA's casework hours. Jobs are any objects with `ps_finish`, `ps_version` and `ps_on`
    slots (`ps_on` is true while the job is receiving hours here)."""

    __slots__ = ("env", "rate", "virtual", "last_day", "active", "_heap", "_token", "_due", "_seq", "_on_done",
                 "delivered_hours", "available_hours")

    def __init__(self, env: simpy.Environment, rate_hours_per_day: float,
                 on_done: Callable[[Any, float], None]) -> None:
        self.env = env
        self.rate = rate_hours_per_day
        self.virtual = 0.0
        self.last_day = env.now
        self.active = 0
        self._heap: list[tuple[float, int, int, Any]] = []
        self._token = 0
        self._due = math.inf  # when the pending event fires (inf: none pending)
        self._seq = 0  # tie-break in start order, so equal finish points stay deterministic
        self._on_done = on_done
        self.delivered_hours = 0.0  # casework hours spent on jobs (for hours utilisation)
        self.available_hours = 0.0  # casework hours the FCA had

    # ---- time -------------------------------------------------------------------------------
    def _advance(self, now: float) -> None:
        dt = now - self.last_day
        if dt > 0:
            hours = self.rate * dt
            self.available_hours += hours
            if self.active:
                self.delivered_hours += hours
                self.virtual += hours / self.active
        self.last_day = now

    def _reschedule(self) -> None:
        """Make sure an event fires no later than the next finish. A pending event that is due
        earlier is kept (it fires, finds nothing finished and reschedules), so adding a job, which
        only delays every finish, costs no new event."""
        heap = self._heap
        while heap and heap[0][2] != heap[0][3].ps_version:
            heapq.heappop(heap)
        if not heap or self.rate <= 0:
            self._token += 1
            self._due = math.inf
            return
        due = self.env.now + max(0.0, (heap[0][0] - self.virtual) * self.active / self.rate)
        if self._due <= due:
            return
        self._token += 1
        self._due = due
        event = Timeout(self.env, due - self.env.now, self._token)
        event.callbacks.append(self._fire)

    def _fire(self, event: Timeout) -> None:
        if event.value != self._token:
            return  # the schedule changed since this was set
        self._due = math.inf
        now = self.env.now
        self._advance(now)
        heap = self._heap
        finished = []
        while heap and heap[0][0] <= self.virtual + _EPS_HOURS:
            _, _, version, job = heapq.heappop(heap)
            if version == job.ps_version:
                job.ps_version += 1
                job.ps_on = False
                self.active -= 1
                finished.append(job)
        self._reschedule()
        for job in finished:
            self._on_done(job, now)

    # ---- jobs -------------------------------------------------------------------------------
    def add(self, job: Any, hours: float, now: float) -> None:
        """Start a job needing `hours` casework hours."""
        self._advance(now)
        job.ps_version += 1
        job.ps_finish = self.virtual + max(0.0, hours)
        job.ps_on = True
        self.active += 1
        self._push(job)
        self._reschedule()

    def remaining(self, job: Any, now: float) -> float:
        self._advance(now)
        return max(0.0, job.ps_finish - self.virtual)

    def remove(self, job: Any, now: float) -> float:
        """Take a job away unfinished (reallocation); returns the hours it still needs."""
        left = self.remaining(job, now)
        job.ps_version += 1
        job.ps_on = False
        self.active -= 1
        self._reschedule()
        return left

    def cut(self, job: Any, hours: float, now: float) -> None:
        """The job needs `hours` fewer hours from now (e.g. visits dropped at a deadline)."""
        left = self.remaining(job, now)
        job.ps_version += 1
        job.ps_finish = self.virtual + max(0.0, left - hours)
        self._push(job)
        self._reschedule()

    def _push(self, job: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (job.ps_finish, self._seq, job.ps_version, job))
        if len(self._heap) > 64 and len(self._heap) > 4 * self.active:
            self._heap = [e for e in self._heap if e[2] == e[3].ps_version]
            heapq.heapify(self._heap)

    def set_rate(self, rate_hours_per_day: float, now: float) -> None:
        """Absence, training, induction or leaving change the hours the FCA can give."""
        if rate_hours_per_day == self.rate:
            return
        self._advance(now)
        self.rate = rate_hours_per_day
        self._reschedule()

    def flush(self, now: float) -> None:
        self._advance(now)

    def reset_stats(self, now: float) -> None:
        self._advance(now)
        self.delivered_hours = 0.0
        self.available_hours = 0.0
