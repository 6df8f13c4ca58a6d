"""How FCAs work, chosen once for an area: what each piece of Cafcass work asks of an FCA, and how
an FCA's time is shared among its open pieces.

Three mechanisms, one interface (the case flow and the area never ask which they have):
- *slot work* (no `workforce.hours`): the slot model. A report piece holds one of the FCA's
  caseload slots for its drawn `*_work_days` and ends when they have run; intake and the CAP
  safeguarding letter are elapsed time with no FCA (`Piece.by_fca` false).
- *shared hours* (`workforce.hours.discipline: shared`) and *deadline hours* (`deadline`): every
  piece has a work content in hours (`cap.hours`, `cfc.hours`) given by the FCA's casework hours
  (`cfc_sim/model/hours.py`); the drawn `*_days` become its least elapsed time.

`WorkMechanism` is what the area holds: the content of each piece (`SlotContent` or
`HoursContent`) and a maker of each FCA's work (`SlotWork`, `SharedHours`, `DeadlineHours`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, Protocol

import simpy
from simpy.events import Timeout

from cfc_sim.calendar import SimCalendar
from cfc_sim.model.case import CIR, INTAKE, SECOND, SECTION7, Case
from cfc_sim.model.clock import WorkClock
from cfc_sim.model.hours import DeadlineHours, SharedHours
from cfc_sim.scenario.schema import AreaConfig, WorkforceConfig

NAN = math.nan


class Piece(NamedTuple):
    """One piece of work a case needs: at least `days` of elapsed time and `hours` of an FCA's time
    (none in slot work); the children it visits (visits come first, due by `visits_by_day`, nan for
    no deadline); `by_fca` false for elapsed time with no FCA (the slot model's intake)."""

    days: float
    hours: float = 0.0
    visit_children: int = 0
    visit_hours: float = 0.0
    visits_by_day: float = NAN
    by_fca: bool = True


class AreaDraws(Protocol):
    """What the content of a piece draws on: the area's parameters and random streams."""

    config: AreaConfig
    calendar: SimCalendar

    def draw(self, block: str, key: str, purpose: str | None = None) -> float: ...
    def draw_path(self, path: str) -> float: ...
    def uniform(self, purpose: str) -> float: ...


class FcaWork(Protocol):
    """One FCA's way of working through the pieces allocated to it (see the module note)."""

    delivered_hours: float
    available_hours: float

    def add(self, job: Case, hours: float, now: float) -> None: ...
    def remove(self, job: Case, now: float) -> float: ...
    def set_rate(self, rate_hours_per_day: float, now: float) -> None: ...
    def spend(self, hours: float, now: float) -> None: ...
    def remaining(self, job: Case, now: float) -> float: ...
    def cut(self, job: Case, hours: float, now: float) -> None: ...
    def flush(self, now: float) -> None: ...
    def reset_stats(self, now: float) -> None: ...


class SlotWork:
    """Slot work: a piece takes none of the FCA's hours and ends once its least elapsed time (the
    job's `work_left_days` at allocation) has run. Exact in time: one SimPy event per piece."""

    __slots__ = ("env", "_on_done", "delivered_hours", "available_hours")

    def __init__(self, env: simpy.Environment, on_done: Callable[[Case, float], None]) -> None:
        self.env = env
        self._on_done = on_done
        self.delivered_hours = 0.0
        self.available_hours = 0.0

    def add(self, job: Case, hours: float, now: float) -> None:
        job.ps_version += 1
        job.ps_on = True
        event = Timeout(self.env, job.work_left_days, (job, job.ps_version))
        event.callbacks.append(self._ended)

    def _ended(self, event: Timeout) -> None:
        job, version = event.value
        if version == job.ps_version:  # not taken away since
            job.ps_on = False
            self._on_done(job, self.env.now)

    def remove(self, job: Case, now: float) -> float:
        job.ps_version += 1
        job.ps_on = False
        return 0.0

    def set_rate(self, rate_hours_per_day: float, now: float) -> None:
        """Slot work has no hours: absence and training act through allocation alone."""

    def spend(self, hours: float, now: float) -> None:
        """No hours to spend: a hearing costs a slot-model FCA nothing."""

    def remaining(self, job: Case, now: float) -> float:
        return 0.0

    def cut(self, job: Case, hours: float, now: float) -> None:
        """Nothing to cut."""

    def flush(self, now: float) -> None:
        """No hours accrue."""

    def reset_stats(self, now: float) -> None:
        """No hours statistics."""


class SlotContent:
    """The slot model's pieces: reports hold a slot for their drawn days and include seeing the
    children; intake and safeguarding take no FCA; hearings take no FCA hours."""

    def __init__(self, area: AreaDraws) -> None:
        self.area = area

    def safeguarding(self, case: Case) -> Piece:
        return Piece(0.0, by_fca=False)

    def intake(self, case: Case, days: float) -> Piece:
        return Piece(days, by_fca=False)

    def section7(self, case: Case, days: float) -> Piece:
        return Piece(days, visit_children=case.children)

    def cir(self, case: Case, days: float) -> Piece:
        return Piece(days, visit_children=case.children)

    def second_report(self, case: Case, days: float) -> Piece:
        return Piece(days)

    def visits_without_cir(self, case: Case) -> Piece | None:
        return None

    def open_at_start(self, case: Case, work: str, days: float, share: float) -> Piece:
        return Piece(days, by_fca=work != INTAKE)

    def hearing_hours(self, case: Case) -> float:
        return 0.0


class HoursContent:
    """Pieces with a work content in FCA hours (`cap.hours`, `cfc.hours`)."""

    _OPEN_HOURS = {INTAKE: ("cfc.hours.intake",), SECTION7: ("cap.hours.report",), CIR: ("cfc.hours.cir",),
                   SECOND: ("cfc.hours.second_report",)}

    def __init__(self, area: AreaDraws) -> None:
        self.area = area

    _VISIT = {"cap": "cap.hours.child_visit", "cfc": "cfc.hours.child_visit"}

    def _visits(self, children: int, block: str) -> float:
        draw, path = self.area.draw_path, self._VISIT[block]
        hours = 0.0
        for _ in range(children):
            hours += draw(path)
        return hours

    def safeguarding(self, case: Case) -> Piece:
        draw = self.area.draw_path
        return Piece(draw("cap.hours.safeguarding_days"), draw("cap.hours.safeguarding"))

    def intake(self, case: Case, days: float) -> Piece:
        draw = self.area.draw_path
        hours = draw("cfc.hours.intake")
        if case.domestic_abuse:
            hours += draw("cfc.hours.idva_referral")
        return Piece(days, hours)

    def section7(self, case: Case, days: float) -> Piece:
        draw = self.area.draw_path
        visits = self._visits(case.children, "cap")
        report = draw("cap.hours.report")
        extra = draw("cap.hours.da_extra") if case.domestic_abuse else 0.0
        return Piece(days, visits + report + extra, case.children, visits)

    def _visits_by(self, case: Case) -> float:
        """The day a CFC case's visits are due (`cfc.hours.visit_by_working_days` after it applied)."""
        by = self.area.config.cfc.hours.visit_by_working_days  # type: ignore[union-attr]
        return self.area.calendar.day_after_working_days(case.arrival_day, by)

    def cir(self, case: Case, days: float) -> Piece:
        """The CIR: the children's visits first (due first), then the report."""
        draw = self.area.draw_path
        visits = self._visits(case.children, "cfc")
        extra = draw("cfc.hours.da_extra") if case.domestic_abuse else 0.0
        return Piece(days, visits + draw("cfc.hours.cir") + extra, case.children, visits, self._visits_by(case))

    def second_report(self, case: Case, days: float) -> Piece:
        return Piece(days, self.area.draw_path("cfc.hours.second_report"))

    def visits_without_cir(self, case: Case) -> Piece | None:
        """Children seen in a case with no Cafcass CIR, each with `see_children_without_cir_share`."""
        area = self.area
        share = area.config.cfc.hours.see_children_without_cir_share  # type: ignore[union-attr]
        aimed = sum(area.uniform("cfc.see_without_cir") < share for _ in range(case.children)) if share else 0
        if not aimed:
            return None
        visits = self._visits(aimed, "cfc")
        return Piece(0.0, visits, aimed, visits, self._visits_by(case))

    def open_at_start(self, case: Case, work: str, days: float, share: float) -> Piece:
        """A piece part-done at the start: `share` of its hours left (visits assumed done or on track)."""
        hours = 0.0
        if work == SECTION7:
            hours = self._visits(case.children, "cap")
        elif work == CIR:
            hours = self._visits(case.children, "cfc")
        hours += self.area.draw_path(self._OPEN_HOURS[work][0])
        return Piece(days, share * hours)

    _HEARING = {"cap": "cap.hours.hearing", "cfc": "cfc.hours.hearing"}

    def hearing_hours(self, case: Case) -> float:
        return self.area.draw_path(self._HEARING[case.pathway])


class WorkMechanism(NamedTuple):
    """An area's way of working, chosen once: the content of its pieces and each FCA's work."""

    content: SlotContent | HoursContent
    new_fca_work: Callable[[float], FcaWork]  # from the FCA's casework hours a day


def work_mechanism(area: AreaDraws, workforce: WorkforceConfig, clock: WorkClock,
                   hours_done: Callable[[Case, float], None], elapsed_done: Callable[[Case, float], None]
                   ) -> WorkMechanism:
    """The one place that looks at which mechanism a scenario asks for (`workforce.hours`)."""
    hours = workforce.hours
    if hours is None:
        return WorkMechanism(SlotContent(area), lambda rate: SlotWork(clock.env, elapsed_done))
    kind = DeadlineHours if hours.discipline == "deadline" else SharedHours
    return WorkMechanism(HoursContent(area), lambda rate: kind(clock, rate, hours_done))
