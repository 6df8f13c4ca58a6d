"""The case flow: CAP and CFC pathways as chains of scheduled callbacks (no process per case).

CAP: first hearing -> (further report share) FCA report -> final hearing wait -> close;
     the rest close at the first hearing.
CFC: intake/screening -> triage: Cafcass CIR (FCA sees the children) | local-authority CIR |
     no report -> decision hearing -> (second report share, Cafcass CIR cases) addendum by an
     FCA -> further hearing -> close.
The pathway is fixed at arrival by the area's go-live day; open CAP cases stay on CAP.

Two optional mechanisms change how time passes (each on its own; without either the flow is
exactly as above):
- FCA hours (`workforce.hours`): every piece of Cafcass work (CAP safeguarding letter and section 7
  report; CFC intake and screening, visits, CIR, second report; attending hearings) has a work
  content in hours shared with the FCA's other cases, and the drawn `*_days` become the least
  elapsed time (waiting on others). Children count as seen when their visit happened.
- Court listing (`court`): hearings are listed at the court's first free time (cfc_sim/model/court.py)
  and the hearing structure is modelled: CAP first hearing (FHDRA), fact-finding for a share of
  domestic-abuse cases, dispute resolution appointment (DRA), final hearing; CFC decision hearing,
  review hearings, a further hearing after a second report; a share of hearings adjourned.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

from simpy.events import Timeout

from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, CFC, CIR, INTAKE, SAFEGUARDING, SECOND, SECTION7, VISIT, Case
from cfc_sim.model.court import Court


class Arrived(Protocol):
    """What a step's callback is given: the fired Timeout, or `_Now` for a step of no time."""

    @property
    def value(self) -> Case: ...


class _Now:
    """A step reached at once: holds the case as a fired Timeout's `value` would."""

    __slots__ = ("value",)

    def __init__(self, value: Case) -> None:
        self.value = value


class CaseFlow:
    """Moves one area's cases through their pathway and records case facts in the area's stats."""

    def __init__(self, area: Area, cir_working_days: int, on_close: Callable[[Case], None] | None = None) -> None:
        self.area = area
        self.env = area.env
        self.cir_working_days = cir_working_days
        self._next_case_id = 0
        self._on_close = on_close
        area.on_report_done = self._report_done
        self.hours = area.hours_per_day > 0  # FCA hours mode
        self.court = area.court  # None: unlimited listing (hearing waits are drawn)
        self.modelled = self.hours or self.court is not None

    def _after(self, delay_days: float, callback: Callable[[Arrived], None], case: Case) -> None:
        """`callback` in `delay_days`: an event, even at 0 (cases seeded at day 0, and steps that may ask
        for an FCA while another FCA's work is ending, see `_then`)."""
        event = Timeout(self.env, delay_days, case)
        event.callbacks.append(callback)

    def _then(self, delay_days: float, callback: Callable[[Arrived], None], case: Case) -> None:
        """The case's next step in `delay_days`; a stage of no time (a scenario's `intake_days: 0`, say)
        goes on at once, without an event, and a case costs fewer events.

        Only where that is what an event at the same instant would do: on arrival, and for steps that
        only close the case. A step that may ask for an FCA must not run while an FCA's work is ending
        (`Area._finish_work` offers the freed slot to the queue only after the report is filed), else
        the case would take that slot ahead of the queue: those steps use `_after`."""
        if delay_days == 0:
            callback(_Now(case))
        else:
            event = Timeout(self.env, delay_days, case)
            event.callbacks.append(callback)

    # ---- arrival ---------------------------------------------------------------------------
    def arrive(self, day: float) -> Case:
        area = self.area
        demand = area.config.demand
        pathway = CFC if day >= area.go_live_day else CAP
        children = max(1, int(round(area.draw("demand", "children_per_case"))))
        case = Case(
            self._next_case_id,
            pathway,
            day,
            children,
            area.uniform("domestic_abuse") < demand.domestic_abuse_share,
            area.uniform("high_risk") < demand.high_risk_share,
        )
        self._next_case_id += 1
        area.open_cases[pathway] += 1
        stats = area.stats[pathway]
        stats.applications += 1
        stats.children += children
        if area.trace is not None:
            area.log(day, case, f"application received ({pathway.upper()})")
        if not self.modelled:
            if pathway == CAP:
                self._then(area.draw("cap", "first_hearing_days"), self._cap_first_hearing, case)
            else:
                self._then(area.draw("cfc", "intake_days"), self._cfc_triage, case)
        elif pathway == CAP:
            self._cap_start(case, day)
        else:
            self._cfc_start(case, day)
        return case

    # ---- open work at the start ----------------------------------------------------------------
    _STAGE_DURATIONS = {
        (CAP, "first_hearing"): ("cap", "first_hearing_days"), (CAP, "awaiting_allocation"): None,
        (CAP, "report"): ("cap", "report_work_days"), (CAP, "final_hearing"): ("cap", "final_hearing_wait_days"),
        (CFC, "intake"): ("cfc", "intake_days"), (CFC, "awaiting_allocation"): None,
        (CFC, "cir"): ("cfc", "cir_work_days"), (CFC, "decision_hearing"): ("cfc", "decision_hearing_wait_days"),
        (CFC, "second_report"): ("cfc", "second_report_work_days"),
    }

    def stage_duration(self, pathway: str, stage: str) -> float:
        """A fresh draw of a stage's full duration (0 for waiting to be allocated)."""
        source = self._STAGE_DURATIONS[(pathway, stage)]
        return 0.0 if source is None else self.area.draw(*source, purpose=f"initial.{source[0]}.{source[1]}")

    def seed(self, pathway: str, stage: str, *, age_days: float, remaining_days: float,
             remaining_share: float = 1.0) -> Case:
        """A case open at day 0 that applied `age_days` ago, `remaining_days` (a `remaining_share`
        of its stage) from leaving its stage."""
        area = self.area
        demand = area.config.demand
        case = Case(self._next_case_id, pathway, -age_days,
                    max(1, int(round(area.draw("demand", "children_per_case", "initial.children")))),
                    area.uniform("initial.domestic_abuse") < demand.domestic_abuse_share,
                    area.uniform("initial.high_risk") < demand.high_risk_share)
        self._next_case_id += 1
        area.open_cases[pathway] += 1
        if area.trace is not None:
            area.log(0.0, case, f"open at start ({pathway.upper()} {stage})")
        remaining = max(0.0, remaining_days)
        if self.modelled:
            self._seed_modelled(case, stage, remaining, remaining_share)
            return case
        if stage == "first_hearing":
            self._after(remaining, self._cap_first_hearing, case)
        elif stage == "intake":
            self._after(remaining, self._cfc_triage, case)
        elif stage in ("awaiting_allocation", "report", "cir", "second_report"):
            case.work = {CAP: SECTION7, CFC: CIR}[pathway] if stage != "second_report" else SECOND
            case.had_report = stage == "second_report"
            work = remaining if stage != "awaiting_allocation" else self.stage_duration(
                pathway, "report" if pathway == CAP else "cir")
            area.request_allocation(case, 0.0, work)
        elif stage == "final_hearing":
            case.work, case.had_report, case.seen_children = SECTION7, True, case.children
            self._after(remaining, self._close_event, case)
        else:  # CFC decision hearing: a Cafcass CIR case (children seen) or an LA / no-report case
            cfc = area.config.cfc
            if area.uniform("initial.triage") < cfc.cafcass_cir_share:
                case.work, case.had_report, case.seen_children = CIR, True, case.children
            self._after(remaining, self._cfc_decision_hearing, case)
        return case

    # ---- CAP --------------------------------------------------------------------------------
    def _cap_first_hearing(self, event: Arrived) -> None:
        case = event.value
        area = self.area
        if area.trace is not None:
            area.log(self.env.now, case, "first hearing")
        case.hearings += 1
        if area.uniform("cap.further_report") < area.config.cap.further_report_share:
            case.work = SECTION7
            area.request_allocation(case, self.env.now, area.draw("cap", "report_work_days"))
        else:
            self._close(case)

    # ---- CFC --------------------------------------------------------------------------------
    def _cfc_triage(self, event: Arrived) -> None:
        case = event.value
        area = self.area
        cfc = area.config.cfc
        u = area.uniform("cfc.triage")
        if area.trace is not None:
            area.log(self.env.now, case, "triage")
        if u < cfc.cafcass_cir_share:
            case.work = CIR
            area.request_allocation(case, self.env.now, area.draw("cfc", "cir_work_days"))
        elif u < cfc.cafcass_cir_share + cfc.la_cir_share:
            # The local authority writes the CIR: no FCA capacity, same work time, then the hearing.
            la_cir_days = area.draw("cfc", "cir_work_days", "cfc.la_cir_work_days")
            delay = la_cir_days + area.draw("cfc", "decision_hearing_wait_days")
            self._then(delay, self._cfc_decision_hearing, case)
        else:
            self._then(area.draw("cfc", "decision_hearing_wait_days"), self._cfc_decision_hearing, case)

    def _cfc_decision_hearing(self, event: Arrived) -> None:
        case = event.value
        area = self.area
        if area.trace is not None:
            area.log(self.env.now, case, "decision hearing")
        case.hearings += 1
        if case.work == CIR and area.uniform("cfc.second_report") < area.config.cfc.second_report_share:
            case.work = SECOND
            area.request_allocation(case, self.env.now, area.draw("cfc", "second_report_work_days"))
        else:
            self._close(case)

    # ---- report filed (called by the area when FCA work ends) -----------------------------
    def _report_done(self, case: Case, now: float) -> None:
        if self.modelled:
            self._piece_done(case, now)
            return
        area = self.area
        case.had_report = True
        if area.trace is not None:
            area.log(now, case, f"report filed {case.work}", f"FCA-{case.last_fca.id}" if case.last_fca else "")
        if case.work == SECTION7:
            case.seen_children = case.children  # the section 7 report includes seeing the children
            case.hearings += 1  # the final hearing
            self._then(area.draw("cap", "final_hearing_wait_days"), self._close_event, case)
        elif case.work == CIR:
            case.seen_children = case.children
            stats = area.stats[CFC]
            working_days = area.calendar.working_days_between(case.arrival_day, now)
            stats.cir_working_days.add(working_days)
            stats.cir_queue_days.add(case.queue_days)
            stats.cir_hours_delay_days.add(0.0)
            if working_days <= self.cir_working_days:
                stats.cir_on_time += 1
            # The hearing may ask for an FCA (a second report): not while this FCA is being released,
            # before the slot it freed has gone to the queue. With no second reports it only closes.
            go_on = self._then if area.config.cfc.second_report_share == 0 else self._after
            go_on(area.draw("cfc", "decision_hearing_wait_days"), self._cfc_decision_hearing, case)
        else:  # second report: a further hearing, then the final decision
            case.hearings += 1
            self._then(area.draw("cfc", "decision_hearing_wait_days"), self._close_event, case)

    # ---- closure ----------------------------------------------------------------------------
    def _close_event(self, event: Arrived) -> None:
        self._close(event.value)

    def _close(self, case: Case) -> None:
        area = self.area
        now = self.env.now
        stats = area.stats[case.pathway]
        area.open_cases[case.pathway] -= 1
        stats.closed += 1
        weeks = (now - case.arrival_day) / 7.0
        stats.decision_weeks.add(weeks)
        if self.modelled:  # pilot before/after figures (court or hours mode only: old outputs unchanged)
            (stats.decision_weeks_after_go_live if now >= area.go_live_day
             else stats.decision_weeks_before_go_live).add(weeks)
        if case.had_report:
            stats.reported_weeks.add(weeks)
            if case.pathway == CAP:
                after = now >= area.go_live_day
                (stats.reported_weeks_after_go_live if after else stats.reported_weeks_before_go_live).add(weeks)
        if case.allocated:
            stats.closed_allocated += 1
            if case.fcas_seen == 1:
                stats.closed_single_fca += 1
        stats.closed_children += case.children
        stats.closed_children_seen += case.seen_children
        stats.hearings += case.hearings
        if area.trace is not None:
            area.log(now, case, "closed")
        if self._on_close is not None:
            self._on_close(case)

    # ==== modelled hours and hearings ===========================================================
    # ---- pieces of FCA work ---------------------------------------------------------------------
    def _piece(self, case: Case, work: str, now: float, days: float, hours: float = 0.0,
               visit_children: int = 0, visit_hours: float = 0.0, visits_by_day: float | None = None,
               due_day: float = math.nan) -> None:
        """Ask for a piece of FCA work: `days` of elapsed time in the slot model; with FCA hours,
        `hours` of the FCA's time (visits first) taking at least `days`, due by `due_day` (deadline
        order; nan: when its least elapsed time ends)."""
        area = self.area
        case.work = work
        case.piece += 1
        case.due_day = due_day
        case.visit_children = visit_children if self.hours else 0
        case.visit_hours = visit_hours if self.hours else 0.0
        area.request_allocation(case, now, days, hours if self.hours else 0.0)
        if case.visit_hours > 0 and visits_by_day is not None:
            if visits_by_day <= now:
                area.visits_due(case, now)
            else:
                area.clock.at(visits_by_day, self._visits_due, (case, case.piece))

    def _visits_due(self, case_piece: tuple[Case, int]) -> None:
        case, piece = case_piece
        if piece == case.piece:
            self.area.visits_due(case, self.env.now)

    def _visit_hours(self, children: int, block: str) -> float:
        return sum(self.area.draw_path(f"{block}.hours.child_visit") for _ in range(children))

    def _piece_done(self, case: Case, now: float) -> None:
        """A piece of FCA work ended (called by the area when the FCA releases the case)."""
        area = self.area
        if case.visit_hours > 0:
            area.resolve_visits(case)
        elif not self.hours and case.work in (CIR, SECTION7):
            case.seen_children = case.children  # slot model: the report includes seeing the children
        if area.trace is not None:
            area.log(now, case, f"{case.work} done", f"FCA-{case.last_fca.id}" if case.last_fca else "")
        work = case.work
        if work == SAFEGUARDING:
            case.letter_done = True
            if case.hearing_due:  # the first hearing came before the letter: held (or relisted) now
                case.hearing_due = False
                if self.court is not None:
                    self._hearing(case, "first_hearing", now, self._cap_first_hearing_held)
                else:
                    self._cap_first_hearing_outcome(case, now)
        elif work == SECTION7:
            case.had_report = True
            if self.court is not None:
                self._hearing(case, "dra", now, self._cap_dra)
            else:
                case.hearings += 1  # the final hearing, after the drawn wait
                self._then(area.draw("cap", "final_hearing_wait_days"), self._close_event, case)
        elif work == INTAKE:
            self._cfc_triaged(case, now)
        elif work == VISIT:
            self._cfc_decision(case, now)
        elif work == CIR:
            case.had_report = True
            stats = area.stats[CFC]
            working_days = area.calendar.working_days_between(case.arrival_day, now)
            stats.cir_working_days.add(working_days)
            stats.cir_queue_days.add(case.queue_days)
            stats.cir_hours_delay_days.add(case.hours_delay_days)
            if working_days <= self.cir_working_days:
                stats.cir_on_time += 1
            self._cfc_decision(case, now)
        else:  # second report: a further hearing, then the final decision
            if self.court is not None:
                self._hearing(case, "further", now, self._close_after_hearing)
            else:
                case.hearings += 1  # the further hearing, after the drawn wait
                self._then(area.draw("cfc", "decision_hearing_wait_days"), self._close_event, case)

    # ---- hearings ---------------------------------------------------------------------------------
    def _hearing(self, case: Case, kind: str, ready_day: float, then: Callable[[Case, float], None]) -> None:
        """List a hearing at the court's first free time after its notice; `then` runs when it is
        held (an adjourned hearing is listed again)."""
        court = self.court
        assert court is not None
        config = getattr(self.area.config.court.hearings, kind)  # type: ignore[union-attr]
        hours = self.area.draw_path(f"court.hearings.{kind}.hours")
        earliest = ready_day + config.notice_days
        day = court.list_hearing(earliest, hours)
        case.listing_wait_days += day - earliest
        self.area.stats[case.pathway].listing_wait_days.add(day - earliest)
        if court.add_listed(day, (case, kind, hours, then)):
            self.area.clock.at(day, self._court_sits, court)

    def _court_sits(self, court: Court) -> None:
        """The end of a sitting day: hold the hearings listed for today, then wait for the next."""
        listed = court.listed
        end_of_day = self.env.now + 1e-9  # the clock's time may be a rounding short of the day
        while listed and listed[0][0] <= end_of_day:
            self._hearing_held(*listed[0][1])  # still listed while held: a relisting queues behind it
            listed.popleft()
        if listed:
            self.area.clock.at(listed[0][0], self._court_sits, court)

    def _hearing_held(self, case: Case, kind: str, hours: float, then: Callable[[Case, float], None]) -> None:
        area = self.area
        now = self.env.now
        self.court.heard(hours)  # type: ignore[union-attr]
        case.hearings += 1
        if area.trace is not None:
            area.log(now, case, f"hearing {kind}")
        if case.had_report:
            area.attend_hearing(case, now, area.draw_path(f"{case.pathway}.hours.hearing") if self.hours else 0.0)
        if area.uniform("court.adjourned") < area.config.court.adjourned_share:  # type: ignore[union-attr]
            self._hearing(case, kind, now, then)
        else:
            then(case, now)

    def _close_after_hearing(self, case: Case, now: float) -> None:
        self._close(case)

    # ---- CAP ----------------------------------------------------------------------------------------
    def _cap_start(self, case: Case, now: float) -> None:
        area = self.area
        if self.hours:
            self._piece(case, SAFEGUARDING, now, area.draw_path("cap.hours.safeguarding_days"),
                        area.draw_path("cap.hours.safeguarding"))
        else:
            case.letter_done = True
        if self.court is not None:
            self._hearing(case, "first_hearing", now, self._cap_first_hearing_held)
        else:
            self._then(area.draw("cap", "first_hearing_days"), self._cap_first_hearing_due, case)

    def _cap_first_hearing_due(self, event: Arrived) -> None:
        """No court block: the first hearing's date has come; it needs the safeguarding letter."""
        case = event.value
        if case.letter_done:
            self._cap_first_hearing_outcome(case, self.env.now)
        else:
            case.hearing_due = True

    def _cap_first_hearing_held(self, case: Case, now: float) -> None:
        if not case.letter_done:  # no safeguarding letter: the hearing cannot go ahead; relisted later
            case.hearing_due = True
            return
        self._cap_first_hearing_outcome(case, now)

    def _cap_first_hearing_outcome(self, case: Case, now: float) -> None:
        """At an effective first hearing: a section 7 report, continuing without one, or resolved."""
        area = self.area
        cap = area.config.cap
        if self.court is None:
            case.hearings += 1
        u = area.uniform("cap.further_report")
        if u < cap.further_report_share:
            case.work = SECTION7
        elif self.court is not None and u < cap.further_report_share + cap.continue_without_report_share:
            case.work = None
        else:
            self._close(case)
            return
        if (self.court is not None and case.domestic_abuse
                and area.uniform("cap.fact_finding") < cap.fact_finding_share_of_da):
            self._hearing(case, "fact_finding", now, self._cap_after_fact_finding)
        else:
            self._cap_after_fact_finding(case, now)

    def _cap_after_fact_finding(self, case: Case, now: float) -> None:
        area = self.area
        if case.work != SECTION7:
            self._hearing(case, "dra", now, self._cap_dra)
            return
        days = area.draw("cap", "report_work_days")
        if not self.hours:
            self._piece(case, SECTION7, now, days)
            return
        visits = self._visit_hours(case.children, "cap")
        report = area.draw_path("cap.hours.report")
        extra = area.draw_path("cap.hours.da_extra") if case.domestic_abuse else 0.0
        self._piece(case, SECTION7, now, days, visits + report + extra, case.children, visits)

    def _cap_dra(self, case: Case, now: float) -> None:
        cap = self.area.config.cap
        u = self.area.uniform("cap.dra")
        if u < cap.resolved_at_dra_share:
            self._close(case)
        elif u < cap.resolved_at_dra_share + cap.repeat_dra_share:
            self._hearing(case, "dra", now, self._cap_dra)
        else:
            self._hearing(case, "final", now, self._close_after_hearing)

    # ---- CFC ----------------------------------------------------------------------------------------
    def _cfc_start(self, case: Case, now: float) -> None:
        area = self.area
        if not self.hours:
            self._then(area.draw("cfc", "intake_days"), lambda ev: self._cfc_triaged(ev.value, self.env.now), case)
            return
        hours = area.draw_path("cfc.hours.intake")
        if case.domestic_abuse:
            hours += area.draw_path("cfc.hours.idva_referral")
        self._piece(case, INTAKE, now, area.draw("cfc", "intake_days"), hours)

    def _visits_by(self, case: Case) -> float:
        hours = self.area.config.cfc.hours
        assert hours is not None
        return self.area.calendar.day_after_working_days(case.arrival_day, hours.visit_by_working_days)

    def _cfc_triaged(self, case: Case, now: float) -> None:
        area = self.area
        cfc = area.config.cfc
        u = area.uniform("cfc.triage")
        if area.trace is not None:
            area.log(now, case, "triage")
        if u < cfc.cafcass_cir_share:
            days = area.draw("cfc", "cir_work_days")
            if not self.hours:
                self._piece(case, CIR, now, days)
                return
            visits = self._visit_hours(case.children, "cfc")
            extra = area.draw_path("cfc.hours.da_extra") if case.domestic_abuse else 0.0
            visits_by = self._visits_by(case)  # the visits come first and are due first
            self._piece(case, CIR, now, days, visits + area.draw_path("cfc.hours.cir") + extra,
                        case.children, visits, visits_by, visits_by)
        elif u < cfc.cafcass_cir_share + cfc.la_cir_share:
            # The local authority writes the CIR: no FCA time, the same elapsed time, then the hearing.
            la_cir_days = area.draw("cfc", "cir_work_days", "cfc.la_cir_work_days")
            self._after(la_cir_days, lambda ev: self._cfc_decision(ev.value, self.env.now), case)
        else:
            share = cfc.hours.see_children_without_cir_share if (self.hours and cfc.hours) else 0.0
            aimed = sum(area.uniform("cfc.see_without_cir") < share for _ in range(case.children)) if share else 0
            if aimed:
                visits = self._visit_hours(aimed, "cfc")
                visits_by = self._visits_by(case)
                self._piece(case, VISIT, now, 0.0, visits, aimed, visits, visits_by, visits_by)
            else:
                self._cfc_decision(case, now)

    def _cfc_decision(self, case: Case, now: float) -> None:
        """Ready for the decision hearing: listed by the court, or after the drawn wait."""
        if self.court is not None:
            self._hearing(case, "decision", now, self._cfc_decided)
        else:
            # reached when an FCA's piece ends (the CIR, the visits): an event, as a step that may ask for
            # an FCA must not run while that FCA is being released (see `_then`)
            self._after(self.area.draw("cfc", "decision_hearing_wait_days"),
                        lambda ev: self._cfc_decided(ev.value, self.env.now), case)

    def _cfc_decided(self, case: Case, now: float) -> None:
        area = self.area
        cfc = area.config.cfc
        if self.court is None:
            case.hearings += 1
            if self.hours and case.had_report:
                area.attend_hearing(case, now, area.draw_path("cfc.hours.hearing"))
        if case.work == CIR and area.uniform("cfc.second_report") < cfc.second_report_share:
            days = area.draw("cfc", "second_report_work_days")
            self._piece(case, SECOND, now, days, area.draw_path("cfc.hours.second_report") if self.hours else 0.0)
        elif self.court is not None and area.uniform("cfc.review") < cfc.review_hearing_share:
            self._hearing(case, "review", now, self._close_after_hearing)
        else:
            self._close(case)

    # ---- open work at the start (modelled mode) ---------------------------------------------------
    def _seed_modelled(self, case: Case, stage: str, remaining_days: float, remaining_share: float) -> None:
        """Open work at day 0: waiting-for-hearing cases join the court's list (today's backlog)."""
        area = self.area
        share = min(1.0, max(0.0, remaining_share))
        court = self.court is not None
        case.letter_done = True
        if case.pathway == CAP:
            if stage == "first_hearing":
                if court:
                    self._hearing(case, "first_hearing", 0.0, self._cap_first_hearing_held)
                else:
                    self._after(remaining_days, self._cap_first_hearing_due, case)
            elif stage in ("awaiting_allocation", "report"):
                case.work = SECTION7
                days = remaining_days if stage == "report" else area.draw("cap", "report_work_days")
                hours = 0.0
                if self.hours:
                    hours = share * (self._visit_hours(case.children, "cap") + area.draw_path("cap.hours.report"))
                case.seen_children = case.children  # visits assumed done or on track for open work
                self._piece(case, SECTION7, 0.0, days, hours)
            else:  # waiting for the final hearing (with a court: after a report or continuing without)
                cap = area.config.cap
                continuing = cap.further_report_share + (cap.continue_without_report_share if court else 0.0)
                if not court or area.uniform("initial.report") * continuing < cap.further_report_share:
                    case.work, case.had_report, case.seen_children = SECTION7, True, case.children
                if court:
                    self._hearing(case, "final", 0.0, self._close_after_hearing)
                else:
                    self._after(remaining_days, self._close_event, case)
            return
        if stage == "intake":
            if self.hours:
                self._piece(case, INTAKE, 0.0, remaining_days, share * area.draw_path("cfc.hours.intake"))
            else:
                self._after(remaining_days, lambda ev: self._cfc_triaged(ev.value, self.env.now), case)
        elif stage in ("awaiting_allocation", "cir"):
            days = remaining_days if stage == "cir" else area.draw("cfc", "cir_work_days")
            hours = 0.0
            if self.hours:
                hours = share * (self._visit_hours(case.children, "cfc") + area.draw_path("cfc.hours.cir"))
            case.seen_children = case.children  # visits assumed done or on track for work already open
            self._piece(case, CIR, 0.0, days, hours)
        elif stage == "second_report":
            case.work, case.had_report, case.seen_children = CIR, True, case.children
            self._piece(case, SECOND, 0.0, remaining_days,
                        share * area.draw_path("cfc.hours.second_report") if self.hours else 0.0)
        else:  # waiting for the decision hearing
            if area.uniform("initial.triage") < area.config.cfc.cafcass_cir_share:
                case.work, case.had_report, case.seen_children = CIR, True, case.children
            if court:
                self._hearing(case, "decision", 0.0, self._cfc_decided)
            else:
                self._after(remaining_days, lambda ev: self._cfc_decided(ev.value, self.env.now), case)
