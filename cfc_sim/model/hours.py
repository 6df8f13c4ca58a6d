"""An FCA's casework hours shared by its open pieces of work (processor sharing), or given to
them earliest deadline first (`DeadlineHours`, `workforce.hours.discipline: deadline`).

Each FCA delivers `rate` casework hours a calendar day; its n active jobs each receive rate/n
(egalitarian processor sharing, as Ciw's processor-sharing nodes). So an overloaded FCA is
slower on every case, and the elapsed time of a report is an outcome of hours, not a draw.

Kept in virtual time: `virtual` is the hours each active job has received since the FCA started.
A job that needs h hours finishes when `virtual` reaches its start value + h, so adding, removing
or re-rating costs O(log n) (a heap of finish points) and one pending request on the work clock
per FCA (stale ones are ignored by token), rather than a recomputation of every job.

The work clock (cfc_sim/model/clock.py) acts at the end of the day; the hours themselves are
exact: a job that finishes mid-day stops sharing the FCA's hours at that instant, and the FCA's
other jobs get them for the rest of the day. Only the recognition of the finish waits for the
day's end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heapify, heappop, heappush

from cfc_sim.model.case import Case
from cfc_sim.model.clock import EPS_DAYS, WorkClock

_EPS_HOURS = 1e-9


class _FcaHours:
    """What both disciplines share: the clock's end-of-day call, taking a job away, re-rating and
    statistics. A subclass keeps its jobs and gives out the hours (`_advance`, `_reschedule`)."""

    __slots__ = ("env", "clock", "rate", "last_day", "active", "_heap", "_token", "_due", "_seq", "_on_done",
                 "_fire_cb", "_finished", "delivered_hours", "available_hours")

    def __init__(self, clock: WorkClock, rate_hours_per_day: float,
                 on_done: Callable[[Case, float], None]) -> None:
        self.clock = clock
        self.env = clock.env
        self.rate = rate_hours_per_day
        self.last_day = clock.env.now
        self.active = 0
        self._heap: list[tuple[float, int, int, Case]] = []
        self._token = 0
        self._due = math.inf  # when the pending clock call is for (inf: none pending)
        self._seq = 0  # tie-break in start order, so equal keys stay deterministic
        self._on_done = on_done
        self._fire_cb: Callable[[int, float], None] = self._fire  # bound once: the clock is asked at most changes
        self._finished: list[tuple[Case, int]] = []  # (job, version): hours done, awaiting the day's end
        self.delivered_hours = 0.0  # casework hours spent on jobs and hearings (for hours utilisation)
        self.available_hours = 0.0  # casework hours the FCA had

    def _advance(self, now: float) -> None:
        raise NotImplementedError

    def _reschedule(self, now: float) -> None:
        raise NotImplementedError

    def remaining(self, job: Case, now: float) -> float:
        raise NotImplementedError

    def _ask_by(self, due: float, now: float) -> None:
        """Make sure the clock calls no later than `due` (a pending earlier call is kept)."""
        if self._due <= due:
            return
        self._token += 1
        self._due = due
        self.clock.at_now(due, self._fire_cb, self._token, now)

    def _fire(self, token: int, now: float) -> None:
        """The clock's call at the end of a day: hand over the jobs finished today, ask for the next."""
        if token != self._token:
            return  # the schedule changed since this was set
        self._due = math.inf
        self._advance(now)
        finished, self._finished = self._finished, []
        self._reschedule(now)
        for job, version in finished:
            if job.ps_version == version:  # not taken away since
                self._on_done(job, now)

    def remove(self, job: Case, now: float) -> float:
        """Take a job away (reallocation); returns the hours it still needs. A job whose hours were
        done today is taken away too: it is not handed over at the day's end."""
        left = self.remaining(job, now)
        job.ps_version += 1
        if job.ps_on:
            job.ps_on = False
            self.active -= 1
            self._reschedule(now)
        return left

    def set_rate(self, rate_hours_per_day: float, now: float) -> None:
        """Absence, training, induction or leaving change the hours the FCA can give."""
        if rate_hours_per_day == self.rate:
            return
        self._advance(now)
        self.rate = rate_hours_per_day
        self._reschedule(now)

    def flush(self, now: float) -> None:
        self._advance(now)

    def reset_stats(self, now: float) -> None:
        self._advance(now)
        self.delivered_hours = 0.0
        self.available_hours = 0.0


class SharedHours(_FcaHours):
    """One FCA's casework hours. Jobs are cases (a case's current piece of work), read through their
    `ps_finish`, `ps_version` and `ps_on` slots (`ps_on` is true while the job is receiving hours here).
    Typed as `Case`, not any object with those slots: the compiled model then reads the slots directly
    instead of looking each one up by name (about 5% of a replication's instructions)."""

    __slots__ = ("virtual", "_idle_debt")

    def __init__(self, clock: WorkClock, rate_hours_per_day: float,
                 on_done: Callable[[Case, float], None]) -> None:
        super().__init__(clock, rate_hours_per_day, on_done)
        self.virtual = 0.0
        self._idle_debt = 0.0  # hearing hours an FCA with no open job is still spending

    # ---- time -------------------------------------------------------------------------------
    def _advance(self, now: float) -> None:
        """Give out the hours up to `now`; a job whose hours run out stops sharing at that instant."""
        heap = self._heap
        while heap and self.active and self.rate > 0:
            finish, _, version, job = heap[0]
            if version != job.ps_version:
                heappop(heap)
                continue
            at = self.last_day + max(0.0, finish - self.virtual) * self.active / self.rate
            if at > now:
                if at > now + EPS_DAYS:
                    break
                at = now  # within the clock's rounding of now: its hours are done (else the clock would spin)
            self._run(at)
            heappop(heap)
            self.virtual = max(self.virtual, finish)
            job.ps_version += 1
            job.ps_on = False
            self.active -= 1
            self._finished.append((job, job.ps_version))
        self._run(now)

    def _run(self, day: float) -> None:
        dt = day - self.last_day
        if dt > 0:
            hours = self.rate * dt
            self.available_hours += hours
            if self.active:
                self.delivered_hours += hours
                self.virtual += hours / self.active
            elif self._idle_debt > 0:
                worked = min(hours, self._idle_debt)
                self.delivered_hours += worked
                self._idle_debt -= worked
            self.last_day = day

    def _reschedule(self, now: float) -> None:
        """Make sure the clock calls no later than the next finish. A pending call that is due
        earlier is kept (it finds nothing finished and asks again), so adding a job, which only
        delays every finish, costs no new request."""
        heap = self._heap
        while heap and heap[0][2] != heap[0][3].ps_version:
            heappop(heap)
        if self._finished:
            due = now  # finished today: recognised at the day's end
        elif not heap or self.rate <= 0 or not self.active:
            self._token += 1
            self._due = math.inf
            return
        else:
            due = now + max(0.0, (heap[0][0] - self.virtual) * self.active / self.rate)
        self._ask_by(due, now)

    # ---- jobs -------------------------------------------------------------------------------
    def add(self, job: Case, hours: float, now: float) -> None:
        """Start a job needing `hours` casework hours."""
        self._advance(now)
        job.ps_version += 1
        job.ps_finish = self.virtual + max(0.0, hours)
        job.ps_on = True
        self.active += 1
        if self._idle_debt > 0:  # still at a hearing: the job waits for the rest of it
            self.virtual -= self._idle_debt
            self._idle_debt = 0.0
        self._push(job)
        self._reschedule(now)

    def spend(self, hours: float, now: float) -> None:
        """Hours the FCA spends away from its casework today (attending a hearing): taken from
        every open job alike, so each finishes later; an FCA with no open job spends its next hours
        at the hearing (a job that comes meanwhile waits for the rest)."""
        self._advance(now)
        if hours <= 0:
            return
        if self.active:
            self.virtual -= hours / self.active  # finishes move later: the pending call finds none and asks again
        else:
            self._idle_debt += hours

    def remaining(self, job: Case, now: float) -> float:
        """Hours the job still needs here (0 once its hours are done)."""
        self._advance(now)
        return max(0.0, job.ps_finish - self.virtual) if job.ps_on else 0.0

    def cut(self, job: Case, hours: float, now: float) -> None:
        """The job needs `hours` fewer hours from now (e.g. visits dropped at a deadline)."""
        left = self.remaining(job, now)
        if not job.ps_on:
            return
        job.ps_version += 1
        job.ps_finish = self.virtual + max(0.0, left - hours)
        self._push(job)
        self._reschedule(now)

    def _push(self, job: Case) -> None:
        self._seq += 1
        heappush(self._heap, (job.ps_finish, self._seq, job.ps_version, job))
        if len(self._heap) > 64 and len(self._heap) > 4 * self.active:
            self._heap = [e for e in self._heap if e[2] == e[3].ps_version]
            heapify(self._heap)

class DeadlineHours(_FcaHours):
    """One FCA's casework hours given to its open jobs earliest deadline first (preemptive EDF).

    How FCAs are told to work: the CIR due first is written first. The job with the earliest
    `ps_due` gets all the FCA's hours; a job with an earlier deadline arriving takes them over,
    and the job it displaced keeps the hours it has had. Same interface as `SharedHours`; jobs also
    carry `ps_due` (the day the piece is due) and `ps_left` (hours still needed)."""

    __slots__ = ("_debt",)

    def __init__(self, clock: WorkClock, rate_hours_per_day: float,
                 on_done: Callable[[Case, float], None]) -> None:
        super().__init__(clock, rate_hours_per_day, on_done)
        self._debt = 0.0  # hours spent away from casework (hearings) not yet worked off

    def _head(self) -> Case | None:
        heap = self._heap
        while heap:
            entry = heap[0]
            if entry[2] == entry[3].ps_version:
                return entry[3]
            heappop(heap)
        return None

    def _head_done(self) -> bool:
        """A job whose hours ran out exactly now (none left, or added with none)."""
        if not self.active or self._debt > 0:
            return False
        job = self._head()
        return job is not None and job.ps_left <= _EPS_HOURS

    # ---- time -------------------------------------------------------------------------------
    def _advance(self, now: float) -> None:
        """Work off any debt, then give the hours to the earliest-due job until `now`.

        The hot loop of the hours model: the FCA's clock and hour counts are kept in locals and
        written back once: every step spends `rate x span` hours and moves the clock by `span`."""
        rate = self.rate
        last = self.last_day
        if rate > 0 and (now > last or self._head_done()):
            debt = self._debt
            available = self.available_hours
            delivered = self.delivered_hours
            heap = self._heap
            while True:
                if debt > 0:
                    span = min(now - last, debt / rate)
                    debt -= span * rate
                    if debt <= _EPS_HOURS:
                        debt = 0.0
                else:
                    job = None
                    if self.active:
                        while heap:  # the earliest-due job still here (`_head`, inlined)
                            entry = heap[0]
                            if entry[2] == entry[3].ps_version:
                                job = entry[3]
                                break
                            heappop(heap)
                    if job is None:
                        break
                    span = job.ps_left / rate
                    if last + span > now + EPS_DAYS:  # still working on it at `now`
                        span = now - last
                        job.ps_left -= span * rate
                        hours = rate * span
                        available += hours
                        delivered += hours
                        last += span
                        break
                    span = min(span, now - last)  # within the clock's rounding: done
                    heappop(heap)
                    job.ps_left = 0.0
                    job.ps_version += 1
                    job.ps_on = False
                    self.active -= 1
                    self._finished.append((job, job.ps_version))
                hours = rate * span
                available += hours
                delivered += hours
                last += span
                if now > last:
                    continue
                self._debt = debt  # `_head_done` reads it
                if not self._head_done():
                    break
            self._debt = debt
            self.available_hours = available
            self.delivered_hours = delivered
        if now > last:
            self.available_hours += rate * (now - last)
            last += now - last
        self.last_day = last

    def _reschedule(self, now: float) -> None:
        if self._finished:
            self._ask_by(now, now)
            return
        job = self._head() if self.active else None
        if job is None or self.rate <= 0:  # nothing to finish (debt is worked off as time passes)
            self._token += 1
            self._due = math.inf
            return
        self._ask_by(now + (self._debt + job.ps_left) / self.rate, now)

    # ---- jobs -------------------------------------------------------------------------------
    def add(self, job: Case, hours: float, now: float) -> None:
        self._advance(now)
        job.ps_version += 1
        job.ps_left = max(0.0, hours)
        job.ps_on = True
        self.active += 1
        self._seq += 1
        heappush(self._heap, (job.ps_due, self._seq, job.ps_version, job))
        if len(self._heap) > 64 and len(self._heap) > 4 * self.active:
            self._heap = [e for e in self._heap if e[2] == e[3].ps_version]
            heapify(self._heap)
        if self._head() is job:  # it takes the hours over: the next finish may come sooner
            self._reschedule(now)

    def spend(self, hours: float, now: float) -> None:
        """Hearing hours are worked off first, whether or not the FCA has open jobs (their finishes
        move later: the pending call finds none and asks again)."""
        self._advance(now)
        if hours > 0:
            self._debt += hours

    def remaining(self, job: Case, now: float) -> float:
        self._advance(now)
        return job.ps_left if job.ps_on else 0.0

    def cut(self, job: Case, hours: float, now: float) -> None:
        left = self.remaining(job, now)
        if not job.ps_on:
            return
        job.ps_left = max(0.0, left - hours)
        self._reschedule(now)
