"""Progress with time left for the long commands: `plan` (and its need) and `rollout` count
searches and their evaluations (`PlanProgress`); `sweep` and `sensitivity` count variants or design
points (`CountProgress`). Each says one line on stderr at a time, so logs and terminals alike show
how far a run has gone and about how long is left."""

from __future__ import annotations

import time
from collections.abc import Callable


class PlanProgress:
    """One overall progress line for a plan and its need (every area, every search): searches done,
    evaluations asked for (and how many were simulated rather than found in the cache), the time so
    far and an estimate of the time left. A search is expected to take as many evaluations as the
    finished ones took on average (`PRIOR` before any has finished), and one still running past that
    average half as many again as it has taken; an evaluation as long as the
    evaluations so far took on average (cached ones are nearly free, so the estimate learns the
    share that is cached). Before the searches ask for anything, the runs that start them (every
    area with today's FCAs and with unlimited ones, `expect_starting`) are timed, so the time left
    is shown from the first of those runs, not only once the searches begin."""

    PRIOR = 8
    QUIET = 20.0

    def __init__(self, say: Callable[[str], None], clock: Callable[[], float] = time.perf_counter,
                 label: str = "plan") -> None:
        self.say, self.clock, self.label = say, clock, label
        self.started = clock()
        self.expected = 0  # searches expected in all
        self.finished = 0
        self.asked = 0  # evaluations asked for by the searches
        self.simulated = 0  # area evaluations simulated (not cached), including the starting ones
        self.stage_rounds = 0  # rounds of the searches running now
        self.finished_rounds = 0  # evaluations taken by the finished searches
        self.running = 0
        self.said = self.started  # when the last line was said
        self.starting = 0  # area evaluations the starting runs are expected to simulate
        self.searching_since: float | None = None  # when the first searches began (after the starting runs)
        self.round_at = self.started  # when the last round of the searches ended

    def expect(self, searches: int) -> None:
        """Searches still to come (a plan expects its need's too, so its estimate covers both)."""
        self.expected += searches

    def expect_starting(self, evaluations: int) -> None:
        """Area evaluations the runs before the searches will simulate (today's and unlimited FCAs)."""
        self.starting += evaluations

    def start(self, searches: int, skipped: int = 0) -> None:
        """A set of searches run in step begins; `skipped` of those expected need no search."""
        if self.searching_since is None:
            self.searching_since = self.clock()
        self.stage_rounds, self.running = 0, searches
        self.expected = max(self.expected - skipped, self.finished + searches)

    def ran(self, areas: int, seconds: float) -> None:
        """A run simulated `areas` area evaluations (a line too if none was said for QUIET seconds:
        the runs before the searches start, of every area with today's FCAs, are long)."""
        self.simulated += areas
        if self.clock() - self.said >= self.QUIET:
            self.say(self.line())
            self.said = self.clock()

    def round(self, asked: int, finished: int) -> None:
        if asked:
            self.stage_rounds += 1
        self.asked += asked
        self.finished += finished
        self.finished_rounds += finished * self.stage_rounds
        self.running -= finished
        self.round_at = self.clock()
        self.say(self.line())
        self.said = self.round_at

    def seconds_left(self) -> float | None:
        """The estimate of the time left (None before any evaluation was simulated or asked for).
        An evaluation asked for by a search takes as long as those of the rounds ended so far (since
        the searches began); before any, as long as an area evaluation of the starting runs took. A
        round under way counts down from the estimate at its start, never below the rounds after it
        (timed against the evaluations of the ended rounds only, lines said during a long round once
        rose and fell by minutes)."""
        per_search = self.finished_rounds / self.finished if self.finished else self.PRIOR
        waiting = max(self.expected - self.finished - self.running, 0)
        # the searches that finish first are the short ones, so a search still running past their
        # average is expected to take half as many rounds again as it has (its bracket is still open)
        running_left = max(per_search - self.stage_rounds, self.stage_rounds / 2, 1)
        evaluations = self.running * running_left + waiting * per_search
        if self.asked:
            since = self.started if self.searching_since is None else self.searching_since
            per_evaluation = (self.round_at - since) / self.asked
            into_round = self.clock() - self.round_at
            return max(evaluations * per_evaluation - into_round, (evaluations - self.running) * per_evaluation)
        if not (self.simulated and self.starting):
            return None
        starting_left = max(self.starting - self.simulated, 0)
        return (starting_left + evaluations) * (self.clock() - self.started) / self.simulated

    def line(self) -> str:
        left = self.seconds_left()
        searches = f"{self.finished}/{max(self.expected, self.finished)}"
        return (f"{self.label}: {searches} searches done, {self.asked} evaluations ({self.simulated} simulated) "
                f"in {duration(self.clock() - self.started)}"
                + (", time left not estimated yet" if left is None else f", about {duration(left)} left"))


def duration(seconds: float) -> str:
    """2h05m, 4m10s or 12s."""
    whole = round(seconds)
    if whole >= 3600:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


class CountProgress:
    """Progress over a known number of like items (sweep variants, sensitivity design points): a
    line per item at most every `QUIET` seconds (and for the last), with the time so far and an
    estimate of the time left: the items still to run at the average time of those simulated so
    far (reused items, found in the cache, are nearly free and do not count)."""

    QUIET = 20.0

    def __init__(self, total: int, noun: str, say: Callable[[str], None], label: str,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.total, self.noun, self.say, self.label, self.clock = total, noun, say, label, clock
        self.started = self.said = clock()
        self.done = self.reused = 0
        self.simulated_seconds = 0.0
        self.last = self.started

    def item(self, reused: bool = False, name: str | None = None) -> None:
        """One item finished (`reused`: found in the cache)."""
        now = self.clock()
        self.done += 1
        if reused:
            self.reused += 1
        else:
            self.simulated_seconds += now - self.last
        self.last = now
        if name is not None or self.done >= self.total or now - self.said >= self.QUIET:
            self.say(self.line(name, reused))
            self.said = now

    def seconds_left(self) -> float | None:
        """The estimate of the time left (None until an item has been simulated)."""
        simulated = self.done - self.reused
        if self.done >= self.total:
            return 0.0
        if not simulated:
            return None
        return (self.total - self.done) * self.simulated_seconds / simulated

    def line(self, name: str | None = None, reused: bool = False) -> str:
        left = self.seconds_left()
        what = f" ({name}: {'reused' if reused else 'done'})" if name is not None else ""
        tail = ("" if self.done >= self.total else ", time left not estimated yet" if left is None
                else f", about {duration(left)} left")
        return (f"{self.label}: {self.done}/{self.total} {self.noun} done{what}"
                + (f", {self.reused} reused" if self.reused and name is None else "")
                + f" in {duration(self.clock() - self.started)}{tail}")

