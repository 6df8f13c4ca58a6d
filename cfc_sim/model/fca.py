"""A family court adviser as an agent: caseload, cap (with induction ramp), state flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cfc_sim.model.case import Case

if TYPE_CHECKING:
    from cfc_sim.model.work import FcaWork


class FCA:
    """One FCA. Holds at most `cap_now` open allocated cases; takes new ones only when available."""

    __slots__ = (
        "id", "trained", "in_post", "on_notice", "absent", "in_training", "flexible",
        "cap_full", "cap_now", "other", "held", "cases", "since_day", "absence_token",
        "version", "work",
    )

    def __init__(self, fca_id: int, cap_full: int, start_day: float, trained: bool, flexible: bool = False) -> None:
        self.id = fca_id
        self.trained = trained
        self.in_post = True
        self.on_notice = False
        self.absent = False
        self.in_training = False
        self.flexible = flexible
        self.cap_full = cap_full
        self.cap_now = cap_full
        self.other = 0  # slots held by public-law and other work (workforce.other_work_share)
        # cases whose report this FCA wrote (or took over from a leaver), kept on the caseload until they
        # close (as Cafcass counts a caseload): counted, but they take no slot and no hours beyond the
        # hearings attended; in the order they came (a dict as an ordered set)
        self.held: dict[Case, None] = {}
        self.cases: set[Case] = set()
        self.since_day = start_day  # when the caseload last changed (for FCA-day histograms)
        self.absence_token = 0
        self.version = 0  # bumped on every change that matters to allocation (stale heap entries)
        self.work: FcaWork  # how it works through its pieces (slot work, hours): set by the area

    @property
    def caseload(self) -> int:
        return len(self.cases)

    @property
    def private_cap(self) -> int:
        """Slots open to private-law report work: the current cap less other work."""
        return self.cap_now - self.other

    @property
    def available(self) -> bool:
        """Can take new allocations now (in post, not leaving, not absent, not in training)."""
        return self.in_post and not (self.on_notice or self.absent or self.in_training)

    def can_take(self, pathway_is_cfc: bool) -> bool:
        return self.available and len(self.cases) < self.cap_now - self.other and (self.trained or not pathway_is_cfc)
