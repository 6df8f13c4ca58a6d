"""A case (one application) as a slotted record: cheap to create, no process of its own."""

from __future__ import annotations

import math
from typing import Any

CAP = "cap"
CFC = "cfc"

# What FCA work a case is waiting for or doing.
SECTION7 = "section7"  # CAP further report (section 7 or Rule 16.4)
CIR = "cir"  # CFC Child Impact Report by Cafcass
SECOND = "second"  # CFC second report / addendum
SAFEGUARDING = "safeguarding"  # CAP safeguarding enquiries and letter before the first hearing (hours mode)
INTAKE = "intake"  # CFC intake and screening (hours mode)
VISIT = "visit"  # CFC: seeing children in a case without a Cafcass CIR (hours mode)


class Case:
    """One application: its fixed attributes, its timestamps and its FCA history."""

    __slots__ = (
        "id", "pathway", "arrival_day", "children", "domestic_abuse", "high_risk",
        "work", "ready_day", "work_left_days", "work_end_day", "token", "fca", "last_fca", "held",
        "fcas_seen", "had_report", "seen_children", "allocated",
        # FCA hours (hours mode): the current piece of work and its visits
        "hours_left", "min_end_day", "ps_finish", "ps_version", "ps_on", "piece", "piece_hours",
        "visit_hours", "visit_children", "queue_days", "hours_delay_days",
        "due_day", "ps_due", "ps_left",
        # hearings (court mode)
        "hearings", "listing_wait_days", "letter_done", "hearing_due",
    )

    def __init__(self, case_id: int, pathway: str, arrival_day: float, children: int,
                 domestic_abuse: bool, high_risk: bool) -> None:
        self.id = case_id
        self.pathway = pathway
        self.arrival_day = arrival_day
        self.children = children
        self.domestic_abuse = domestic_abuse
        self.high_risk = high_risk
        self.work: str | None = None
        self.ready_day = 0.0
        self.work_left_days = 0.0
        self.work_end_day = 0.0
        self.token = 0  # bumped on every (re)allocation so stale work-end events are ignored
        self.fca: Any = None  # the FCA doing its current piece (cfc_sim.model.fca imports this module)
        self.last_fca: Any = None
        self.held = False  # kept on last_fca's caseload after its report, until it closes
        self.fcas_seen = 0
        self.had_report = False
        self.seen_children = 0  # children an FCA has seen (visited) so far
        self.allocated = False
        self.hours_left = 0.0  # hours the current piece still needs while not on an FCA
        self.min_end_day = 0.0  # the current piece cannot end before this (waiting on others)
        self.ps_finish = 0.0
        self.ps_version = 0
        self.ps_on = False
        self.piece = 0  # bumped for every new piece of work (stale visit deadlines are ignored)
        self.piece_hours = 0.0  # the current piece's total content, less any hours cut
        self.visit_hours = 0.0  # visit hours at the start of the current piece (visits come first)
        self.visit_children = 0  # children those visits are for
        self.queue_days = 0.0  # days waiting for allocation, all pieces
        self.hours_delay_days = 0.0  # days pieces ran past their minimum elapsed time (FCA hours)
        self.due_day = math.nan  # the current piece's due date (nan: when its least elapsed time ends)
        self.ps_due = 0.0  # deadline order (discipline: deadline): the due date the FCA works to
        self.ps_left = 0.0
        self.hearings = 0
        self.listing_wait_days = 0.0
        self.letter_done = False  # CAP (hours mode): safeguarding letter filed
        self.hearing_due = False  # CAP (hours mode): the first hearing date came before the letter

    def queue_key(self) -> tuple[int, float, int]:
        """Allocation order: high risk first, then oldest application, then case id."""
        return (0 if self.high_risk else 1, self.arrival_day, self.id)
