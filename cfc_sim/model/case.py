"""A case (one application) as a slotted record: cheap to create, no process of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cfc_sim.model.fca import FCA

CAP = "cap"
CFC = "cfc"

# What FCA work a case is waiting for or doing.
SECTION7 = "section7"  # CAP further report (section 7 or Rule 16.4)
CIR = "cir"  # CFC Child Impact Report by Cafcass
SECOND = "second"  # CFC second report / addendum


class Case:
    """One application: its fixed attributes, its timestamps and its FCA history."""

    __slots__ = (
        "id", "pathway", "arrival_day", "children", "domestic_abuse", "high_risk",
        "work", "ready_day", "work_left_days", "work_end_day", "token", "fca", "last_fca",
        "fcas_seen", "had_report", "children_seen", "allocated",
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
        self.fca: FCA | None = None
        self.last_fca: FCA | None = None
        self.fcas_seen = 0
        self.had_report = False
        self.children_seen = False
        self.allocated = False

    def queue_key(self) -> tuple[int, float, int]:
        """Allocation order: high risk first, then oldest application, then case id."""
        return (0 if self.high_risk else 1, self.arrival_day, self.id)
