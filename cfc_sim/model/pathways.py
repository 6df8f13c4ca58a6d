"""The case flow: CAP and CFC pathways as chains of scheduled callbacks (no process per case).

CAP: safeguarding letter, beside the first hearing (FHDRA) -> a section 7 report, continuing
     without one, or resolved -> fact-finding for a share of domestic-abuse cases -> the report ->
     dispute resolution appointment (DRA: resolved, repeated, or a final hearing) -> close.
CFC: intake and screening -> triage: Cafcass CIR (the FCA sees the children) | local-authority CIR |
     no report (some children still seen) -> decision hearing -> second report (a share of Cafcass
     CIR cases) and a further hearing | a review hearing | close.
The pathway is fixed at arrival by the area's go-live day; open CAP cases stay on CAP.

One flow for every scenario. Two mechanisms, each chosen once when the area is built, change how
time passes, and the flow never asks which it has:
- the area's *work* (`cfc_sim/model/work.py`): what each piece asks of an FCA (slot work: a
  caseload slot for drawn days; FCA hours: a work content shared with the FCA's other cases);
- its *listing* (`cfc_sim/model/listing.py`): when a hearing is held (after a drawn wait, or at
  the court's first free sitting time, with adjournments).
"""

from __future__ import annotations

from collections.abc import Callable

from simpy.events import Timeout

from cfc_sim.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR, SimCalendar
from cfc_sim.metrics import CaseStats
from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, CFC, CIR, INTAKE, SAFEGUARDING, SECOND, SECTION7, VISIT, Case
from cfc_sim.model.clock import EPS_DAYS
from cfc_sim.model.work import Piece

Step = Callable[[Case, float], None]
DAYS_PER_QUARTER = 3 * DAYS_PER_MONTH


def cir_working_days(calendar: SimCalendar, arrival_day: float, filed_at_day: float) -> int:
    """Working days from the application to the CIR's filing date, as the eight-week target counts
    them: the application date counts, the filing date does not (`SimCalendar.working_days_between`).

    `filed_at_day` is when the flow learns of the filing. Under FCA hours that is the end of the day
    the CIR's hours ran out (the end-of-day work clock: the next midnight, a whole number); the filing
    date is the day before it, so the instant just before is counted to. Counting to the midnight
    itself would count the filing date too, and a CIR filed on the last day of its eight weeks would
    be late (41 of 40). Under the exact clock and the slot model the instant lies within the filing
    date, and the same rule gives that date. Never below 0 (a filing at the application's instant)."""
    return calendar.working_days_between(arrival_day, max(arrival_day, filed_at_day - EPS_DAYS))


class CaseFlow:
    """Moves one area's cases through their pathway and records case facts in the area's stats."""

    def __init__(self, area: Area, cir_working_days: int, on_close: Callable[[Case], None] | None = None) -> None:
        self.area = area
        self.env = area.env
        self.cir_working_days = cir_working_days
        self._next_case_id = 0
        self._on_close = on_close
        area.on_report_done = self._piece_done
        self.content = area.work.content
        self.listing = area.listing
        self.listing.on_held = self._hearing_held
        self.listing.on_settled = self._close  # settled while waiting: a consent order (or a withdrawal) ends it
        self._run_step_cb: Callable[[Timeout], None] = self._run_step  # bound once: a callback per step
        self._visits_due_cb: Callable[[tuple[Case, int], float], None] = self._visits_due

    # ---- time -------------------------------------------------------------------------------
    def _then(self, delay_days: float, step: Step, case: Case) -> None:
        """The case's next step in `delay_days`; a stage of no time (`intake_days: 0`, say) goes on at
        once, and a case costs fewer events. Only for steps that never ask for an FCA while another
        FCA's piece is ending (on arrival; the LA's CIR): hearings are listed through events or the
        court, so a case never takes a freed slot ahead of the queue (`Area._finish_work`)."""
        if delay_days == 0:
            step(case, self.env.now)
        else:
            self._after(delay_days, step, case)

    def _after(self, delay_days: float, step: Step, case: Case) -> None:
        """`step` in `delay_days` through an event, even at 0 (what `_then` must give the same numbers as)."""
        event = Timeout(self.env, delay_days, (step, case))
        event.callbacks.append(self._run_step_cb)

    def _run_step(self, event: Timeout) -> None:
        step, case = event.value
        step(case, self.env.now)

    # ---- arrival ---------------------------------------------------------------------------
    # The streams a new case's children and risks are drawn from: applications, and cases open at the
    # start (apart, so that seeding never shifts the applications' draws).
    _ARRIVAL_STREAMS = (None, "domestic_abuse", "high_risk")
    _OPEN_STREAMS = ("initial.children", "initial.domestic_abuse", "initial.high_risk")

    def _new_case(self, pathway: str, arrival_day: float, streams: tuple[str | None, str, str]) -> Case:
        """A case with its children and risks drawn from `streams`."""
        area = self.area
        demand = area.config.demand
        children = area.draw("demand", "children_per_case", streams[0])
        case = Case(self._next_case_id, pathway, arrival_day, max(1, int(round(children))),
                    area.uniform(streams[1]) < demand.domestic_abuse_share,
                    area.uniform(streams[2]) < demand.high_risk_share)
        self._next_case_id += 1
        area.open_cases[pathway] += 1
        return case

    def arrive(self, day: float) -> Case:
        area = self.area
        pathway = CFC if day >= area.go_live_day else CAP
        case = self._new_case(pathway, day, self._ARRIVAL_STREAMS)
        stats = area.stats[pathway]
        stats.applications += 1
        stats.children += case.children
        if area.cohort_start_day <= day < area.cohort_end_day:
            stats.cohort_applications += 1
        if area.trace is not None:  # at SimPy's time, as the steps of no time that follow it are traced
            area.log(self.env.now, case, f"application received ({pathway.upper()})")
        if pathway == CAP:
            self._work(case, SAFEGUARDING, day, self.content.safeguarding(case))
            self.listing.hearing(case, "first_hearing", day, self._cap_first_hearing)
        else:
            self._work(case, INTAKE, day, self.content.intake(case, area.draw("cfc", "intake_days")))
        return case

    # ---- pieces of work -----------------------------------------------------------------------
    def _work(self, case: Case, work: str, now: float, piece: Piece) -> None:
        """Start a piece of work: an FCA's (allocated now or queued), or elapsed time with no FCA.
        A piece with visits is due when they are (deadline hours); nan: when its least time ends."""
        case.work = work
        case.piece += 1
        case.due_day = piece.visits_by_day
        case.visit_children = piece.visit_children
        case.visit_hours = piece.visit_hours
        if not piece.by_fca:
            self._then(piece.days, self._piece_done, case)
            return
        self.area.drop_from_caseload(case, now)  # a second report is allocated afresh
        self.area.request_allocation(case, now, piece.days, piece.hours)
        if case.visit_hours > 0 and piece.visits_by_day == piece.visits_by_day:
            if piece.visits_by_day <= now:
                self.area.visits_due(case, now)
            else:
                self.area.clock.at(piece.visits_by_day, self._visits_due_cb, (case, case.piece))

    def _visits_due(self, case_piece: tuple[Case, int], now: float) -> None:
        case, piece = case_piece
        if piece == case.piece:
            self.area.visits_due(case, now)

    def _piece_done(self, case: Case, now: float) -> None:
        """A piece of work ended (the area calls this when an FCA releases the case)."""
        area = self.area
        if case.visit_children:
            area.resolve_visits(case)
        if area.trace is not None:
            area.log(now, case, f"{case.work} done", f"FCA-{case.last_fca.id}" if case.last_fca else "")
        work = case.work
        if work == SAFEGUARDING:
            case.letter_done = True
            if case.hearing_due:  # the first hearing came before the letter: listed again now
                case.hearing_due = False
                self.listing.hearing(case, "first_hearing", now, self._cap_first_hearing)
        elif work == SECTION7:
            case.had_report = True
            area.keep_on_caseload(case, now)
            self.listing.hearing(case, "dra", now, self._cap_dra)
        elif work == INTAKE:
            self._cfc_triage(case, now)
        elif work == VISIT:
            self.listing.hearing(case, "decision", now, self._cfc_decided)
        elif work == CIR:
            case.had_report = True
            area.keep_on_caseload(case, now)
            self._cir_filed(case, now)
            self.listing.hearing(case, "decision", now, self._cfc_decided)
        else:  # second report: a further hearing, then the final decision
            area.keep_on_caseload(case, now)
            self.listing.hearing(case, "further", now, self._close)

    def _cir_filed(self, case: Case, now: float) -> None:
        stats = self.area.stats[CFC]
        working_days = cir_working_days(self.area.calendar, case.arrival_day, now)
        stats.cir_working_days.add(working_days)
        stats.cir_queue_days.add(case.queue_days)
        stats.cir_hours_delay_days.add(case.hours_delay_days)
        if working_days <= self.cir_working_days:
            stats.cir_on_time += 1

    # ---- hearings ---------------------------------------------------------------------------
    def _hearing_held(self, case: Case, kind: str) -> None:
        """Every hearing held (adjourned ones too) counts; the case's FCA attends once it has reported."""
        area = self.area
        case.hearings += 1
        if area.cohort_start_day <= case.arrival_day < area.cohort_end_day:
            area.stats[case.pathway].cohort_hearings += 1
        if area.trace is not None:
            area.log(self.env.now, case, f"hearing {kind}")
        if case.had_report:
            area.attend_hearing(case, self.env.now, self.content.hearing_hours(case))

    # ---- CAP --------------------------------------------------------------------------------
    def _cap_first_hearing(self, case: Case, now: float) -> None:
        """The first hearing: without the safeguarding letter it cannot go ahead (listed again when
        the letter is filed); else a section 7 report, continuing without one, or resolved."""
        if not case.letter_done:
            case.hearing_due = True
            return
        area = self.area
        cap = area.config.cap
        u = area.uniform("cap.further_report")
        if u < cap.further_report_share:
            case.work = SECTION7
        elif u < cap.further_report_share + cap.continue_without_report_share:
            case.work = None
        else:
            self._close(case, now)
            return
        if case.domestic_abuse and area.uniform("cap.fact_finding") < cap.fact_finding_share_of_da:
            self.listing.hearing(case, "fact_finding", now, self._cap_after_fact_finding)
        else:
            self._cap_after_fact_finding(case, now)

    def _cap_after_fact_finding(self, case: Case, now: float) -> None:
        if case.work == SECTION7:
            days = self.area.draw("cap", "report_work_days")
            self._work(case, SECTION7, now, self.content.section7(case, days))
        else:
            self.listing.hearing(case, "dra", now, self._cap_dra)

    def _cap_dra(self, case: Case, now: float) -> None:
        cap = self.area.config.cap
        u = self.area.uniform("cap.dra")
        if u < cap.resolved_at_dra_share:
            self._close(case, now)
        elif u < cap.resolved_at_dra_share + cap.repeat_dra_share:
            self.listing.hearing(case, "dra", now, self._cap_dra)
        else:
            self.listing.hearing(case, "final", now, self._close)

    # ---- CFC --------------------------------------------------------------------------------
    def _cfc_triage(self, case: Case, now: float) -> None:
        area = self.area
        cfc = area.config.cfc
        u = area.uniform("cfc.triage")
        if area.trace is not None:
            area.log(now, case, "triage")
        if u < cfc.cafcass_cir_share:
            self._work(case, CIR, now, self.content.cir(case, area.draw("cfc", "cir_work_days")))
        elif u < cfc.cafcass_cir_share + cfc.la_cir_share:
            # The local authority writes the CIR: no FCA time, the same elapsed time, then the hearing.
            self._then(area.draw("cfc", "cir_work_days", "cfc.la_cir_work_days"), self._cfc_decision, case)
        else:
            piece = self.content.visits_without_cir(case)  # some children seen without a CIR
            if piece is None:
                self._cfc_decision(case, now)
            else:
                self._work(case, VISIT, now, piece)

    def _cfc_decision(self, case: Case, now: float) -> None:
        self.listing.hearing(case, "decision", now, self._cfc_decided)

    def _cfc_decided(self, case: Case, now: float) -> None:
        area = self.area
        cfc = area.config.cfc
        if case.work == CIR and area.uniform("cfc.second_report") < cfc.second_report_share:
            days = area.draw("cfc", "second_report_work_days")
            self._work(case, SECOND, now, self.content.second_report(case, days))
        elif area.uniform("cfc.review") < cfc.review_hearing_share:
            self.listing.hearing(case, "review", now, self._close)
        else:
            self._close(case, now)

    # ---- closure ----------------------------------------------------------------------------
    def _close(self, case: Case, now: float) -> None:
        area = self.area
        stats = area.stats[case.pathway]
        area.open_cases[case.pathway] -= 1
        area.drop_from_caseload(case, now)
        stats.closed += 1
        weeks = (now - case.arrival_day) / 7.0
        stats.decision_weeks.add(weeks)
        after = now >= area.go_live_day
        (stats.decision_weeks_after_go_live if after else stats.decision_weeks_before_go_live).add(weeks)
        if case.had_report:
            stats.reported_weeks.add(weeks)
            if case.pathway == CAP:
                (stats.reported_weeks_after_go_live if after else stats.reported_weeks_before_go_live).add(weeks)
        if case.allocated:
            stats.closed_allocated += 1
            if case.fcas_seen == 1:
                stats.closed_single_fca += 1
        stats.closed_children += case.children
        stats.closed_children_seen += case.seen_children
        self._final_order(stats, case.children, weeks, now - area.go_live_day)
        stats.hearings += case.hearings
        if area.trace is not None:
            area.log(now, case, "closed")
        if self._on_close is not None:
            self._on_close(case)

    @staticmethod
    def _final_order(stats: CaseStats, children: int, weeks: float, days_live: float) -> None:
        """Weeks to final order as the family court statistics count them: per child, by when the case
        ended; also for the quarter before go-live and the quarter a year after (the pilots' figures)."""
        stats.child_weeks += weeks * children
        if -DAYS_PER_QUARTER <= days_live < 0:
            stats.quarter_before_child_weeks += weeks * children
            stats.quarter_before_children += children
        elif DAYS_PER_YEAR <= days_live < DAYS_PER_YEAR + DAYS_PER_QUARTER:
            stats.year_live_child_weeks += weeks * children
            stats.year_live_children += children

    # ---- open work at the start ----------------------------------------------------------------
    _STAGE_DURATIONS = {
        (CAP, "first_hearing"): ("cap", "first_hearing_days"), (CAP, "awaiting_allocation"): None,
        (CAP, "report"): ("cap", "report_work_days"), (CAP, "final_hearing"): ("cap", "final_hearing_wait_days"),
        (CFC, "intake"): ("cfc", "intake_days"), (CFC, "awaiting_allocation"): None,
        (CFC, "cir"): ("cfc", "cir_work_days"), (CFC, "decision_hearing"): ("cfc", "decision_hearing_wait_days"),
        (CFC, "second_report"): ("cfc", "second_report_work_days"),
    }
    _OPEN_WORK = {(CAP, "awaiting_allocation"): SECTION7, (CAP, "report"): SECTION7, (CFC, "intake"): INTAKE,
                  (CFC, "awaiting_allocation"): CIR, (CFC, "cir"): CIR, (CFC, "second_report"): SECOND}

    def stage_duration(self, pathway: str, stage: str) -> float:
        """A fresh draw of a stage's full duration (0 for waiting to be allocated)."""
        source = self._STAGE_DURATIONS[(pathway, stage)]
        return 0.0 if source is None else self.area.draw(*source, purpose=f"initial.{source[0]}.{source[1]}")

    def seed(self, pathway: str, stage: str, *, age_days: float, remaining_days: float,
             remaining_share: float = 1.0) -> Case:
        """A case open at day 0 that applied `age_days` ago, `remaining_days` (a `remaining_share`
        of its stage) from leaving its stage. Report work already open has seen its children."""
        area = self.area
        case = self._new_case(pathway, -age_days, self._OPEN_STREAMS)
        case.letter_done = True
        if area.trace is not None:
            area.log(0.0, case, f"open at start ({pathway.upper()} {stage})")
        remaining = max(0.0, remaining_days)
        share = min(1.0, max(0.0, remaining_share))
        piece = self._OPEN_WORK.get((pathway, stage), "")
        if piece:
            if piece == SECOND:
                case.work, case.had_report = CIR, True
            if piece != INTAKE:
                case.seen_children = case.children
            if stage == "awaiting_allocation":
                remaining = area.draw(pathway, "report_work_days" if pathway == CAP else "cir_work_days")
            self._work(case, piece, 0.0, self.content.open_at_start(case, piece, remaining, share))
        elif stage == "first_hearing":
            self.listing.open_at_start(case, "first_hearing", remaining, share, self._cap_first_hearing)
        elif pathway == CAP:  # waiting for the final hearing, after a report or continuing without one
            cap = area.config.cap
            continuing = cap.further_report_share + cap.continue_without_report_share
            if area.uniform("initial.report") * continuing < cap.further_report_share:
                case.work, case.had_report, case.seen_children = SECTION7, True, case.children
                area.keep_open_case(case, 0.0)
            self.listing.open_at_start(case, "final", remaining, share, self._close)
        else:  # waiting for the decision hearing: a Cafcass CIR case (children seen) or an LA / no-report case
            if area.uniform("initial.triage") < area.config.cfc.cafcass_cir_share:
                case.work, case.had_report, case.seen_children = CIR, True, case.children
                area.keep_open_case(case, 0.0)
            self.listing.open_at_start(case, "decision", remaining, share, self._cfc_decided)
        return case
