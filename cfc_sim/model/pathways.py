"""The case flow: CAP and CFC pathways as chains of scheduled callbacks (no process per case).

CAP: first hearing -> (further report share) FCA report -> final hearing wait -> close;
     the rest close at the first hearing.
CFC: intake/screening -> triage: Cafcass CIR (FCA sees the children) | local-authority CIR |
     no report -> decision hearing -> (second report share, Cafcass CIR cases) addendum by an
     FCA -> further hearing -> close.
The pathway is fixed at arrival by the area's go-live day; open CAP cases stay on CAP.
"""

from __future__ import annotations

from collections.abc import Callable

from simpy.events import Timeout

from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, CFC, CIR, SECOND, SECTION7, Case


class CaseFlow:
    """Moves one area's cases through their pathway and records case facts in the area's stats."""

    def __init__(self, area: Area, cir_working_days: int, on_close: Callable[[Case], None] | None = None) -> None:
        self.area = area
        self.env = area.env
        self.cir_working_days = cir_working_days
        self._next_case_id = 0
        self._on_close = on_close
        area.on_report_done = self._report_done

    def _after(self, delay_days: float, callback: Callable[[Timeout], None], case: Case) -> None:
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
        if pathway == CAP:
            self._after(area.draw("cap", "first_hearing_days"), self._cap_first_hearing, case)
        else:
            self._after(area.draw("cfc", "intake_days"), self._cfc_triage, case)
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

    def seed(self, pathway: str, stage: str, *, age_days: float, remaining_days: float) -> Case:
        """A case open at day 0 that applied `age_days` ago, `remaining_days` from leaving its stage."""
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
            case.work, case.had_report = SECTION7, True
            self._after(remaining, self._close_event, case)
        else:  # CFC decision hearing: a Cafcass CIR case (children seen) or an LA / no-report case
            cfc = area.config.cfc
            if area.uniform("initial.triage") < cfc.cafcass_cir_share:
                case.work, case.had_report, case.children_seen = CIR, True, True
            self._after(remaining, self._cfc_decision_hearing, case)
        return case

    # ---- CAP --------------------------------------------------------------------------------
    def _cap_first_hearing(self, event: Timeout) -> None:
        case = event.value
        area = self.area
        if area.trace is not None:
            area.log(self.env.now, case, "first hearing")
        if area.uniform("cap.further_report") < area.config.cap.further_report_share:
            case.work = SECTION7
            area.request_allocation(case, self.env.now, area.draw("cap", "report_work_days"))
        else:
            self._close(case)

    # ---- CFC --------------------------------------------------------------------------------
    def _cfc_triage(self, event: Timeout) -> None:
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
            self._after(delay, self._cfc_decision_hearing, case)
        else:
            self._after(area.draw("cfc", "decision_hearing_wait_days"), self._cfc_decision_hearing, case)

    def _cfc_decision_hearing(self, event: Timeout) -> None:
        case = event.value
        area = self.area
        if area.trace is not None:
            area.log(self.env.now, case, "decision hearing")
        if case.work == CIR and area.uniform("cfc.second_report") < area.config.cfc.second_report_share:
            case.work = SECOND
            area.request_allocation(case, self.env.now, area.draw("cfc", "second_report_work_days"))
        else:
            self._close(case)

    # ---- report filed (called by the area when FCA work ends) -----------------------------
    def _report_done(self, case: Case, now: float) -> None:
        area = self.area
        case.had_report = True
        if area.trace is not None:
            area.log(now, case, f"report filed {case.work}", f"FCA-{case.last_fca.id}" if case.last_fca else "")
        if case.work == SECTION7:
            self._after(area.draw("cap", "final_hearing_wait_days"), self._close_event, case)
        elif case.work == CIR:
            case.children_seen = True
            stats = area.stats[CFC]
            working_days = area.calendar.working_days_between(case.arrival_day, now)
            stats.cir_working_days.add(working_days)
            if working_days <= self.cir_working_days:
                stats.cir_on_time += 1
            self._after(area.draw("cfc", "decision_hearing_wait_days"), self._cfc_decision_hearing, case)
        else:  # second report: a further hearing, then the final decision
            self._after(area.draw("cfc", "decision_hearing_wait_days"), self._close_event, case)

    # ---- closure ----------------------------------------------------------------------------
    def _close_event(self, event: Timeout) -> None:
        self._close(event.value)

    def _close(self, case: Case) -> None:
        area = self.area
        now = self.env.now
        stats = area.stats[case.pathway]
        area.open_cases[case.pathway] -= 1
        stats.closed += 1
        weeks = (now - case.arrival_day) / 7.0
        stats.decision_weeks.add(weeks)
        if case.had_report:
            stats.reported_weeks.add(weeks)
            if case.pathway == CAP:
                after = now >= area.go_live_day
                (stats.reported_weeks_after_go_live if after else stats.reported_weeks_before_go_live).add(weeks)
        if case.allocated:
            stats.closed_allocated += 1
            if case.fcas_seen == 1:
                stats.closed_single_fca += 1
        if case.pathway == CFC:
            stats.closed_children += case.children
            if case.children_seen:
                stats.closed_children_seen += case.children
        if area.trace is not None:
            area.log(now, case, "closed")
        if self._on_close is not None:
            self._on_close(case)
