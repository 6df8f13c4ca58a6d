"""How an area's hearings are listed, chosen once when its case flow is built.

Two mechanisms, one interface (`hearing`, `open_at_start`): the case flow asks for a hearing of a
kind once the case is ready for it and is called back when it has been held, never asking which
mechanism it has.
- *Drawn waits* (no `court` block): the hearing is held after a wait drawn from the scenario's
  `*_wait_days` (`cap.first_hearing_days` for the first hearing, `cap.final_hearing_wait_days` for
  later CAP hearings, `cfc.decision_hearing_wait_days` for CFC ones). A drawn wait stands for the
  listing and any adjournment: court capacity is not modelled.
- *Court* (`court` block): the hearing is listed at the court's first free sitting time after its
  notice (`cfc_sim/model/court.py`), and a share is adjourned and listed again.

Either way a hearing held is reported to the flow's `on_held` (it counts the hearing, and the FCA
attends) before `then` carries the case on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from math import log1p
from typing import Protocol

import simpy
from simpy.events import Timeout

from cfc_sim.calendar import DAYS_PER_YEAR
from cfc_sim.metrics import CaseStats
from cfc_sim.model.case import Case
from cfc_sim.model.clock import WorkClock
from cfc_sim.model.court import Court
from cfc_sim.scenario.schema import AreaConfig, CourtConfig

Then = Callable[[Case, float], None]  # what happens once a hearing has been held


class ListingArea(Protocol):
    """What listing draws on and records to: the area's parameters, streams, clock and statistics."""

    env: simpy.Environment
    clock: WorkClock
    config: AreaConfig
    stats: dict[str, CaseStats]

    def draw(self, block: str, key: str, purpose: str | None = None) -> float: ...
    def draw_path(self, path: str) -> float: ...
    def uniform(self, purpose: str) -> float: ...
    def uniform_source(self, purpose: str) -> Callable[[], float]: ...


def _no_record(case: Case, kind: str) -> None:
    """Until a case flow takes over `on_held`."""


def _record_wait(area: ListingArea, case: Case, wait_days: float) -> None:
    """A hearing's wait after its notice, on the case and in its pathway's statistics."""
    case.listing_wait_days += wait_days
    area.stats[case.pathway].listing_wait_days.add(wait_days)


def _no_settling(case: Case, now: float) -> None:
    """Until a case flow takes over `on_settled`."""


def _settle_per_day(court: CourtConfig) -> float:
    """The daily chance of settling while waiting, from the share settled within a year's wait."""
    return -math.log1p(-court.settled_share_per_year_waiting) / DAYS_PER_YEAR


class DrawnWaits:
    """Hearings after drawn waits: no court capacity, no adjournment beyond what the wait includes."""

    WAITS = {
        "first_hearing": ("cap", "first_hearing_days"),
        "fact_finding": ("cap", "final_hearing_wait_days"),
        "dra": ("cap", "final_hearing_wait_days"),
        "final": ("cap", "final_hearing_wait_days"),
        "decision": ("cfc", "decision_hearing_wait_days"),
        "review": ("cfc", "decision_hearing_wait_days"),
        "further": ("cfc", "decision_hearing_wait_days"),
    }

    def __init__(self, area: ListingArea) -> None:
        self.area = area
        self.on_held: Callable[[Case, str], None] = _no_record
        self.on_settled: Then = _no_settling  # never called: a drawn wait includes any settling

    def hearing(self, case: Case, kind: str, ready_day: float, then: Then) -> None:
        wait = self.area.draw(*self.WAITS[kind])
        _record_wait(self.area, case, wait)
        self._at(ready_day + wait, case, kind, then)

    def open_at_start(self, case: Case, kind: str, remaining_days: float, remaining_share: float,
                      then: Then) -> None:
        """A case waiting for its hearing at day 0: held when the rest of its wait has run."""
        self._at(remaining_days, case, kind, then)

    def _at(self, day: float, case: Case, kind: str, then: Then) -> None:
        env = self.area.env
        event = Timeout(env, max(0.0, day - env.now), (case, kind, then))
        event.callbacks.append(self._held)

    def _held(self, event: Timeout) -> None:
        case, kind, then = event.value
        self.on_held(case, kind)
        then(case, self.area.env.now)

    def set_config(self, config: AreaConfig, now: float) -> None:
        """New waits take effect through the area's samplers."""

    def reset_stats(self, now: float) -> None:
        """No sitting-time statistics."""

    def sitting_hours(self, now: float) -> tuple[float, float]:
        """(court hours heard, sitting hours available): none without a court."""
        return 0.0, 0.0


class CourtListing:
    """Hearings listed at the court's first free time (see `Court`); a share adjourned and relisted.

    The hearings listed wait in the court's heap by day; one request on the end-of-day work clock
    (for the next listed day) serves them all."""

    def __init__(self, area: ListingArea, court: CourtConfig) -> None:
        self.area = area
        self.court = Court(court.sitting_days_per_week, court.hours_per_sitting_day)
        self.on_held: Callable[[Case, str], None] = _no_record
        self._kinds: dict[str, tuple[float, str, float]] = {}  # kind -> (notice days, hours path, adjourned share)
        self._adjourned_share = court.adjourned_share
        self._adjourned_draw = area.uniform_source("court.adjourned")  # bound once: a draw a hearing
        self.on_settled: Then = _no_settling
        self._settle_per_day = _settle_per_day(court)
        self._settle_draw = area.uniform_source("court.settled")  # one draw a hearing, while settling is on
        self._pending_day = math.inf  # the day of the clock request pending (inf: none)
        self._token = 0  # the pending request's; an older one is stale
        self._clock = area.clock  # the area's clock and these callbacks, looked up once, not per hearing
        self._sits_cb: Callable[[int, float], None] = self._sits
        self._settled_cb: Callable[[Case, float], None] = self._settled

    def _kind(self, kind: str) -> tuple[float, str, float]:
        """A hearing type's notice, the path its length is drawn from and its share adjourned (its own,
        else the court's), looked up once."""
        found = self._kinds.get(kind)
        if found is None:
            hearing = getattr(self.area.config.court.hearings, kind)  # type: ignore[union-attr]
            adjourned = self._adjourned_share if hearing.adjourned_share is None else hearing.adjourned_share
            found = self._kinds[kind] = (hearing.notice_days, f"court.hearings.{kind}.hours", adjourned)
        return found

    def hearing(self, case: Case, kind: str, ready_day: float, then: Then) -> None:
        """List a hearing at the court's first free time after its notice, unless the parties would
        settle before it (then it is never listed, and its court time goes to the next hearing)."""
        area = self.area
        notice_days, hours_path, _ = self._kind(kind)
        earliest = ready_day + notice_days
        court = self.court
        hours = area.draw_path(hours_path)
        if self._settle_per_day > 0 and hours > 0 and self._settles(case, earliest, court.first_free_day(earliest)):
            return
        day = court.list_hearing(earliest, hours)
        _record_wait(area, case, day - earliest)
        court.add_listed(day, (case, kind, then))
        if day < self._pending_day:  # the court's next listed day is earlier now
            self._ask(day, area.env.now)

    def open_at_start(self, case: Case, kind: str, remaining_days: float, remaining_share: float,
                      then: Then) -> None:
        """A case waiting for its hearing at day 0 joins the court's list (today's backlog) with the
        `remaining_share` of its notice still to run: it has been waiting for part of it already, so
        the court's first weeks hear hearings, as in steady state (with the whole notice from day 0
        no placed case could be heard before it, and open cases would pile up for months)."""
        notice_days = self._kind(kind)[0]
        self.hearing(case, kind, -notice_days * (1.0 - remaining_share), then)

    def _settles(self, case: Case, earliest_day: float, start_day: float) -> bool:
        """Whether the parties settle while waiting for court time (from the end of the notice to the
        day the hearing would start): the time they would wait is drawn once, as in a queue with
        abandonment (Erlang-A), and the case ends by consent when it runs out first."""
        wait_days = start_day - earliest_day
        if wait_days <= 0:
            return False
        settle_after_days = -log1p(-self._settle_draw()) / self._settle_per_day  # exponential
        if settle_after_days >= wait_days:
            return False
        _record_wait(self.area, case, settle_after_days)
        self._clock.at(earliest_day + settle_after_days, self._settled_cb, case)
        return True

    def _settled(self, case: Case, now: float) -> None:
        self.area.stats[case.pathway].settled_waiting += 1
        self.on_settled(case, now)

    def _sits(self, token: int, now: float) -> None:
        """The end of a sitting day: hold the hearings listed for today, then wait for the next."""
        if token != self._token:
            return  # superseded by a request for an earlier day, which asked for the next one
        court = self.court
        court.sits(now)
        end_of_day = now + 1e-9  # the clock's time may be a rounding short of the day
        listed = court.listed
        day = listed.first_day()
        while day is not None and day <= end_of_day:
            case, kind, then = listed.pop_first()
            self._held(case, kind, then, now)  # an adjourned hearing relisted today is held today too
            day = listed.first_day()
        self._pending_day = math.inf
        day = court.next_day()
        if day is not None:
            self._ask(day, now)

    def _ask(self, day: float, now: float) -> None:
        """One clock request, for the court's next listed day (earlier if a hearing takes a free stretch)."""
        self._token += 1
        self._pending_day = day
        self._clock.at_now(day, self._sits_cb, self._token, now)

    def _held(self, case: Case, kind: str, then: Then, now: float) -> None:
        self.on_held(case, kind)
        if self._adjourned_draw() < self._kind(kind)[2]:
            self.hearing(case, kind, now, then)
        else:
            then(case, now)

    def set_config(self, config: AreaConfig, now: float) -> None:
        """An intervention changes sitting days: hearings already listed keep their dates."""
        court = config.court  # an area listed by a court keeps its court block (interventions only change it)
        self.court.set_capacity(now, court.sitting_days_per_week, court.hours_per_sitting_day)  # type: ignore[union-attr]
        self._adjourned_share = court.adjourned_share  # type: ignore[union-attr]
        self._settle_per_day = _settle_per_day(court)  # type: ignore[arg-type]
        self._kinds.clear()

    def reset_stats(self, now: float) -> None:
        self.court.reset_stats(now)

    def sitting_hours(self, now: float) -> tuple[float, float]:
        """(court hours used hearing, sitting hours available) since statistics started."""
        return self.court.sitting_hours(now)


Listing = DrawnWaits | CourtListing


def listing_for(area: ListingArea, config: AreaConfig) -> Listing:
    """The one place that looks at which listing a scenario asks for (its `court` block)."""
    court = config.court
    return DrawnWaits(area) if court is None else CourtListing(area, court)
