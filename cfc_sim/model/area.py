"""One court area's state: its FCAs, its allocation queue and the statistics it feeds.

Allocation is the heart of the model. The invariant kept at every instant (outside the
prioritisation protocol): no FCA has a free slot while a case it may take waits in the queue.
Cases go high risk first, then oldest application first; CFC cases only to CFC-trained FCAs;
a case prefers the FCA it last had; otherwise the least-loaded eligible FCA takes it (lowest
number on a tie). FCAs with a free slot sit in two heaps (trained, untrained) keyed by load;
every change to an FCA bumps its version and re-offers it, and stale entries are dropped when
they surface, so a pick costs O(log FCAs) rather than a scan.

Queue rules act on every change of the queue: the flexible workforce is drawn on above its
trigger and released when the queue clears; the prioritisation protocol switches on above
`activate_queue` and off below `deactivate_queue` (hysteresis).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heapify, heappop, heappush
from typing import Any

import simpy

from cfc_sim.calendar import SimCalendar
from cfc_sim.metrics import CaseStats, ChangeLog, Histogram, TimeAverage
from cfc_sim.model.case import CAP, CFC, Case
from cfc_sim.model.clock import WorkClock
from cfc_sim.model.fca import FCA
from cfc_sim.model.listing import listing_for
from cfc_sim.model.sampling import Sampler, uniform_source
from cfc_sim.model.work import work_mechanism
from cfc_sim.scenario.schema import AreaConfig
from cfc_sim.streams import Streams

# A fixed other-work load (`other_work_fte`) never takes more than this share of an FCA: when an
# area is very short of FCAs, some of their time still goes to private-law work.
OTHER_SHARE_MAX = 0.95

TraceRow = tuple[float, str, int, str, str]


def _held_load(fca: FCA) -> tuple[int, int]:
    """A colleague's caseload for taking over a leaver's kept cases: the fewest first, then the lowest id."""
    return len(fca.cases) + len(fca.held), fca.id


class Area:
    """State and allocation rules for one area; the case flow and workforce act through it."""

    def __init__(self, env: simpy.Environment, config: AreaConfig, calendar: SimCalendar,
                 streams: Streams, clock: WorkClock | None = None) -> None:
        self.env = env
        self.clock = clock if clock is not None else WorkClock(env)  # FCA hours, waits on others, hearings
        self._waited_cb: Callable[[tuple[Case, int], float], None] = self._waited  # bound once: asked per piece
        self.config = config
        self.name = config.name
        self.calendar = calendar
        self.planned_go_live_day = calendar.day_of(config.go_live)
        self.go_live_day = self.planned_go_live_day  # the day it actually goes live (inf: not yet)
        self.open_cap_at_go_live = float("nan")
        self.open_at_go_live = float("nan")  # all open cases on the go-live day, and 18 months later
        self.open_18m_after_go_live = float("nan")
        self._seed_turn = 0  # the FCA next given a reported case open at the start (keep_open_case)
        self._streams = streams
        self._rngs: dict[str, Any] = {}
        # each distribution's sampler (a batch from its own stream), by where the distribution is
        self._samplers: dict[tuple[str, str, str | None], Sampler] = {}
        self._path_samplers: dict[str, Sampler] = {}  # by dotted path (draw_path), the hot lookups
        self._uniforms: dict[str, Sampler] = {}
        self.trace: list[TraceRow] | None = None

        self.fcas: list[FCA] = []  # in post, including on notice and absent, and flexible staff
        self.other_share = config.workforce.other_work_share  # of each FCA's cap and hours (see _reshare)
        self._free: dict[bool, list[tuple[float, int, int, FCA]]] = {True: [], False: []}  # by trained
        self._next_fca_id = 0
        self._queues: dict[str, list[tuple[tuple[int, float, int], Case]]] = {CAP: [], CFC: []}
        self.open_cases = {CAP: 0, CFC: 0}
        self.stats = {CAP: CaseStats(), CFC: CaseStats()}
        # applications from the first of these days to before the second are a cohort whose hearings are
        # all counted (`CaseStats.cohort_hearings`); none until the simulation sets them
        self.cohort_start_day = float("inf")
        self.cohort_end_day = float("inf")
        self.on_report_done: Callable[[Case, float], None] = lambda case, day: None
        self.on_staff_change: Callable[[float], None] = lambda day: None
        self.protocol_on = False
        self.cfc_first = config.workforce.allocation_policy == "cfc_first"

        self.queue_length = TimeAverage()
        self.queue_log = ChangeLog()  # the same changes, for the national queue (summed after the run)
        self.occupied_slots = TimeAverage()
        self.capacity_slots = TimeAverage()
        self.in_post = TimeAverage()  # FCAs in post (not flexible staff)
        self.vacancies = TimeAverage(float(config.workforce.establishment))
        self.establishment = TimeAverage(float(config.workforce.establishment))
        self.absent = TimeAverage()  # in-post FCAs off sick
        self.protocol = TimeAverage()  # 1 while the prioritisation protocol is active
        self.flexible_in_post = TimeAverage()
        self.caseload_days = Histogram(1, integer=True)  # FCA-days at each caseload (in-post FCAs)
        self.leavers = 0
        self.leavers_total = 0  # never reset: trailing turnover for readiness reviews
        self.training_share_at_go_live = float("nan")
        # casework hours a day of a full-time FCA with no other work (0 in slot work)
        self.hours_per_day = config.workforce.casework_hours_per_day
        self.hours_delivered_gone = 0.0  # hours of FCAs who have left (since statistics started)
        self.hours_available_gone = 0.0
        # the two mechanisms, chosen once: how FCAs work (cfc_sim/model/work.py) and how hearings are
        # listed (cfc_sim/model/listing.py); nothing else asks which they are
        self.work = work_mechanism(self, config.workforce, self.clock, self._hours_done, self._finish_work)
        self.listing = listing_for(self, config)

    # ---- random streams -------------------------------------------------------------
    def rng(self, purpose: str) -> Any:
        """The generator for one random purpose in this area (created once, keyed by name)."""
        gen = self._rngs.get(purpose)
        if gen is None:
            gen = self._rngs[purpose] = self._streams.generator(self.name, purpose)
        return gen

    def draw(self, block: str, key: str, purpose: str | None = None) -> float:
        """One draw from the distribution at `<block>.<key>` of the area's current parameters.

        `purpose` names a separate stream when the same distribution serves two uses.
        """
        sampler = self._samplers.get((block, key, purpose))
        if sampler is None:
            dist = getattr(getattr(self.config, block), key)
            sampler = self._samplers[(block, key, purpose)] = Sampler(dist, self.rng(purpose or f"{block}.{key}"))
        return sampler.next()

    def draw_path(self, path: str) -> float:
        """One draw from the distribution at a dotted path, e.g. `cfc.hours.child_visit`."""
        sampler = self._path_samplers.get(path)
        if sampler is None:
            node: Any = self.config
            for key in path.split("."):
                node = getattr(node, key)
            sampler = self._path_samplers[path] = Sampler(node, self.rng(path))
        return sampler.next()

    def uniform(self, purpose: str) -> float:
        """One U(0, 1) draw from the purpose's stream (for yes/no decisions against a share)."""
        return self._uniform_sampler(purpose).next()

    def uniform_source(self, purpose: str) -> Callable[[], float]:
        """The purpose's U(0, 1) draws, bound once (a hot caller keeps it: interventions never change it)."""
        return self._uniform_sampler(purpose).next

    def _uniform_sampler(self, purpose: str) -> Sampler:
        sampler = self._uniforms.get(purpose)
        if sampler is None:
            sampler = self._uniforms[purpose] = uniform_source(self.rng(purpose))
        return sampler

    def set_config(self, config: AreaConfig) -> None:
        """Apply an intervention: new parameters from now on (samplers rebuilt, streams kept)."""
        old = self.config
        self.config = config
        self.cfc_first = config.workforce.allocation_policy == "cfc_first"
        self._samplers.clear()
        self._path_samplers.clear()
        now = self.env.now
        if config.workforce.establishment != old.workforce.establishment:
            self.establishment.set(now, float(config.workforce.establishment))
            self._update_vacancies(now)
        self.other_share = self._other_share_now()
        if (config.workforce.caseload_cap != old.workforce.caseload_cap
                or config.workforce.other_work_share != old.workforce.other_work_share
                or config.workforce.other_work_fte != old.workforce.other_work_fte):
            for fca in list(self.fcas):
                inducting = fca.cap_now < fca.cap_full  # the induction ramp moves to the new cap itself
                fca.cap_full = config.workforce.caseload_cap
                self.set_cap(fca, now, min(fca.cap_now, fca.cap_full) if inducting else fca.cap_full)
        if config.court != old.court:
            self.listing.set_config(config, now)
        if config.workforce.casework_hours_per_day != self.hours_per_day:
            self.hours_per_day = config.workforce.casework_hours_per_day
            for fca in self.fcas:
                self._update_rate(fca, now)
        self.on_staff_change(now)
        self._queue_rules(now)

    def log(self, day: float, case: Case, activity: str, resource: str = "") -> None:
        """Record one case event (only with --trace; otherwise `trace` is None and this is skipped)."""
        if self.trace is not None:
            self.trace.append((day, self.name, case.id, activity, resource))

    # ---- workforce bookkeeping --------------------------------------------------------
    def _other_slots(self, cap: int, flexible: bool) -> int:
        return 0 if flexible else int(round(self.other_share * cap))

    def _other_share_now(self) -> float:
        """Each FCA's share of public-law and other work: `other_work_share`, or the fixed load
        `other_work_fte` over the FCAs in post (at most OTHER_SHARE_MAX of each)."""
        workforce = self.config.workforce
        if workforce.other_work_fte is None:
            return workforce.other_work_share
        staff = self.in_post.value
        return min(OTHER_SHARE_MAX, workforce.other_work_fte / staff) if staff > 0 else 0.0

    def _reshare(self, now: float) -> None:
        """Spread a fixed other-work load afresh when the FCAs in post change: fewer FCAs each
        carry more of it, more FCAs each carry less (and take queued cases into the slots freed)."""
        share = self._other_share_now()
        if share == self.other_share:
            return
        self.other_share = share
        for fca in list(self.fcas):
            if fca.flexible or not fca.in_post:
                continue
            other = self._other_slots(fca.cap_now, False)
            if other != fca.other:
                self._flush_caseload(fca, now)
                self.capacity_slots.add(now, fca.other - other)
                fca.other = other
            self._update_rate(fca, now)
            self.offer(fca)
            self.fill(fca, now)

    def add_fca(self, now: float, trained: bool, cap_now: int | None = None, flexible: bool = False) -> FCA:
        """A new FCA in post from `now` (a new starter may begin below the full cap)."""
        cap_full = self.config.workforce.caseload_cap
        fca = FCA(self._next_fca_id, cap_full, now, trained, flexible)
        self._next_fca_id += 1
        if cap_now is not None:
            fca.cap_now = cap_now
        if flexible:
            self.flexible_in_post.add(now, 1)
        else:
            self.in_post.add(now, 1)
            self._update_vacancies(now)
            self._reshare(now)
        fca.other = self._other_slots(fca.cap_now, flexible)
        fca.work = self.work.new_fca_work(self._rate(fca))
        self.fcas.append(fca)
        self.capacity_slots.add(now, fca.private_cap)
        self.offer(fca)
        self.fill(fca, now)
        return fca

    def remove_fca(self, fca: FCA, now: float) -> None:
        """The FCA leaves: their open cases go to colleagues or back to the queue (reallocations)."""
        self._flush_caseload(fca, now)
        fca.in_post = False
        fca.absence_token += 1
        fca.version += 1
        self.fcas.remove(fca)
        if fca.absent:
            fca.absent = False
            self.absent.add(now, -1)
        if fca.flexible:
            self.flexible_in_post.add(now, -1)
        else:
            self.in_post.add(now, -1)
            self._update_vacancies(now)
        self.capacity_slots.add(now, -fca.private_cap)
        if not fca.flexible:
            self._reshare(now)  # before the cases go to colleagues: they carry more of the other work
        self.reallocate_all(fca, now)
        if not fca.flexible:
            self.hand_over_held(fca, now)
        fca.work.set_rate(0.0, now)
        self.hours_delivered_gone += fca.work.delivered_hours
        self.hours_available_gone += fca.work.available_hours
        if not fca.flexible:
            self.on_staff_change(now)

    def set_cap(self, fca: FCA, now: float, cap: int) -> None:
        """Change an FCA's current cap (induction ramp, interventions); fills any new room."""
        self._flush_caseload(fca, now)
        before = fca.private_cap
        fca.cap_now = cap
        fca.other = self._other_slots(cap, fca.flexible)
        self.capacity_slots.add(now, fca.private_cap - before)
        self._update_rate(fca, now)
        self.offer(fca)
        self.fill(fca, now)

    def mark_trained(self, fca: FCA, now: float) -> None:
        fca.trained = True
        self.offer(fca)
        self.fill(fca, now)

    def set_flags(self, fca: FCA, now: float, *, on_notice: bool | None = None,
                  in_training: bool | None = None) -> None:
        """Change whether an FCA takes new cases (notice, training); fills any room it regains."""
        if on_notice is not None:
            fca.on_notice = on_notice
        if in_training is not None:
            fca.in_training = in_training
            self._update_rate(fca, now)
        self.offer(fca)
        self.fill(fca, now)

    def offer(self, fca: FCA) -> None:
        """Re-enter the FCA in the free-slot heap after any change (older entries become stale)."""
        fca.version += 1
        if not fca.in_post or fca.on_notice or fca.absent or fca.in_training:
            return
        load, private_cap = len(fca.cases), fca.cap_now - fca.other
        if load < private_cap:
            heap = self._free[fca.trained]
            heappush(heap, (load / private_cap, fca.id, fca.version, fca))
            if len(heap) > 64 and len(heap) > 4 * len(self.fcas):
                self._free[fca.trained] = [e for e in heap if e[2] == e[3].version]
                heapify(self._free[fca.trained])

    def set_absent(self, fca: FCA, now: float, absent: bool) -> None:
        """Sickness: no allocations while absent; on return the FCA takes queued cases again."""
        if fca.absent == absent or not fca.in_post:
            return
        fca.absent = absent
        self.absent.add(now, 1 if absent else -1)
        self._update_rate(fca, now)
        self.offer(fca)
        if not absent:
            self.fill(fca, now)

    # ---- FCA hours (none in slot work) ---------------------------------------------------------
    def _rate(self, fca: FCA) -> float:
        """Casework hours a day for private-law work: none while away (sick, training, gone); a
        new starter's hours ramp with the induction cap; public-law work takes its share."""
        if not fca.in_post or fca.absent or fca.in_training:
            return 0.0
        other = 0.0 if fca.flexible else self.other_share
        return self.hours_per_day * (1.0 - other) * fca.cap_now / fca.cap_full

    def _update_rate(self, fca: FCA, now: float) -> None:
        fca.work.set_rate(self._rate(fca), now)

    def attend_hearing(self, case: Case, now: float, hours: float) -> None:
        """The case's FCA attends a hearing on its day: hours of their time, no caseload slot. While
        they are off sick or on training a colleague covers it: the one at work with the fewest
        cases spends the hours (they once went uncounted, about one hearing in twenty)."""
        fca = case.fca or case.last_fca
        if fca is None or not fca.in_post or hours <= 0:
            return
        if fca.absent or fca.in_training:
            at_work = [f for f in self.fcas if f.in_post and not (f.absent or f.in_training)]
            if not at_work:
                return
            fca = min(at_work, key=_held_load)
        fca.work.spend(hours, now)

    def _hours_done(self, case: Case, now: float) -> None:
        """A piece's hours are done; it ends once its minimum elapsed time has passed."""
        case.hours_left = 0.0
        if now < case.min_end_day:
            self.clock.at_now(case.min_end_day, self._waited_cb, (case, case.token), now)
        else:
            self._finish_work(case, now)

    def visits_due(self, case: Case, now: float) -> None:
        """The visit deadline: visits not done by now are dropped, so those children are not seen."""
        if case.visit_hours <= 0:
            return
        fca = case.fca
        remaining = fca.work.remaining(case, now) if fca is not None else case.hours_left
        done = case.piece_hours - remaining
        if done >= case.visit_hours:
            self.resolve_visits(case)
            return
        per_child = case.visit_hours / case.visit_children
        seen = min(case.visit_children, int(done / per_child + 1e-9))
        dropped = case.visit_hours - done
        case.piece_hours -= dropped
        if case.ps_on and fca is not None:
            fca.work.cut(case, dropped, now)
        else:
            case.hours_left = max(0.0, case.hours_left - dropped)
        case.seen_children += seen
        case.visit_hours = 0.0
        case.visit_children = 0

    @staticmethod
    def resolve_visits(case: Case) -> None:
        """Every visit of the current piece happened."""
        case.seen_children += case.visit_children
        case.visit_hours = 0.0
        case.visit_children = 0

    def hours_totals(self, now: float, flush: bool = True) -> tuple[float, float]:
        """(hours delivered, hours available) since statistics started, all FCAs (0, 0 where FCAs work
        in slots). `flush=False` reads each FCA's account as it stands at the FCA's last event (the
        monthly series: advancing every FCA to the month's end would move the last bits of the run,
        so an idle FCA's hours may land a month late)."""
        delivered, available = self.hours_delivered_gone, self.hours_available_gone
        for fca in self.fcas:
            if flush:
                fca.work.flush(now)
            delivered += fca.work.delivered_hours
            available += fca.work.available_hours
        return delivered, available

    def staff(self) -> list[FCA]:
        return [f for f in self.fcas if not f.flexible]

    def trained_share(self) -> float:
        staff = self.staff()
        return sum(f.trained for f in staff) / len(staff) if staff else 0.0

    def _update_vacancies(self, now: float) -> None:
        self.vacancies.set(now, max(0.0, self.establishment.value - self.in_post.value))

    def _flush_caseload(self, fca: FCA, now: float) -> None:
        """Credit the FCA-days since the last change at the FCA's current caseload (incl. other work)."""
        if not fca.flexible and now > fca.since_day:
            self.caseload_days.add(len(fca.cases) + fca.other + len(fca.held), now - fca.since_day)
        fca.since_day = now

    def keep_on_caseload(self, case: Case, now: float) -> None:
        """A report is done: the case stays on its writer's caseload until it closes (Cafcass counts
        it there; it takes no slot). Nothing is kept for an FCA who has left or a flexible one."""
        fca = case.last_fca
        if fca is None or case.held or fca.flexible or not fca.in_post:
            return
        self._flush_caseload(fca, now)
        fca.held[case] = None
        case.held = True

    def keep_open_case(self, case: Case, now: float) -> None:
        """A case open at the start whose report is already written: on an FCA's caseload, as it would
        be had the run seen it through (FCAs in post in turn), so caseloads start where they settle."""
        staff = [f for f in self.fcas if not f.flexible and f.in_post]
        if not staff:
            return
        self._seed_turn += 1
        case.last_fca = staff[self._seed_turn % len(staff)]
        self.keep_on_caseload(case, now)

    def drop_from_caseload(self, case: Case, now: float) -> None:
        """The case closes (or needs its FCA's work again): off the caseload it was kept on."""
        if not case.held:
            return
        fca = case.last_fca
        case.held = False
        if fca.in_post:
            self._flush_caseload(fca, now)
        del fca.held[case]

    def hand_over_held(self, fca: FCA, now: float) -> None:
        """A leaver's cases kept on their caseload (reports written, hearings to come) go to the
        colleague in post with the fewest cases, who attends their hearings from now on."""
        staff = [f for f in self.fcas if not f.flexible and f.in_post]
        for case in list(fca.held):
            del fca.held[case]
            if not staff:
                case.held = False
                continue
            colleague = min(staff, key=_held_load)
            self._flush_caseload(colleague, now)
            colleague.held[case] = None
            case.last_fca = colleague
            case.fcas_seen += 1  # a second practitioner for the family

    # ---- allocation ---------------------------------------------------------------------
    def request_allocation(self, case: Case, now: float, work_days: float, work_hours: float = 0.0) -> None:
        """The case needs `work_days` of FCA work (hours mode: `work_hours` of the FCA's time, taking
        at least `work_days`): allocate now if an FCA can take it, else queue.

        Under the prioritisation protocol only high-risk cases are allocated on arrival.
        """
        case.ready_day = now
        case.work_left_days = work_days
        case.hours_left = work_hours
        case.piece_hours = work_hours
        case.allocated = False
        fca = None if (self.protocol_on and not case.high_risk) else self._pick_fca(case)
        if fca is None:
            self._enqueue(case, now)
        else:
            self._allocate(case, fca, now)

    def _pick_fca(self, case: Case) -> FCA | None:
        is_cfc = case.pathway == CFC
        last = case.last_fca
        if last is not None and last.in_post and last.can_take(is_cfc):
            return last
        trained = self._head(True)
        if is_cfc:
            return trained[3] if trained else None
        untrained = self._head(False)
        if trained and (not untrained or trained[:2] < untrained[:2]):
            return trained[3]
        return untrained[3] if untrained else None

    def _head(self, trained: bool) -> tuple[float, int, int, FCA] | None:
        """The least-loaded FCA with a free slot in one heap, dropping stale entries on the way."""
        heap = self._free[trained]
        while heap:
            entry = heap[0]
            if entry[2] == entry[3].version:
                return entry
            heappop(heap)
        return None

    def _enqueue(self, case: Case, now: float) -> None:
        heappush(self._queues[case.pathway], (case.queue_key(), case))
        self.queue_length.add(now, 1)
        self.queue_log.add(now, 1)
        self._queue_rules(now)

    def queued(self) -> int:
        return len(self._queues[CAP]) + len(self._queues[CFC])

    def _pop_for(self, fca: FCA, now: float, high_risk_only: bool) -> Case | None:
        cap_q = self._queues[CAP]
        cfc_q = self._queues[CFC] if fca.trained else None
        if cfc_q and (not cap_q or cfc_q[0][0] < cap_q[0][0] or self.cfc_first):
            queue = cfc_q
        elif cap_q:
            queue = cap_q
        else:
            return None
        if high_risk_only and queue[0][0][0] != 0:
            return None
        case = heappop(queue)[1]
        self.queue_length.add(now, -1)
        self.queue_log.add(now, -1)
        return case

    def fill(self, fca: FCA, now: float, hub_review: bool = False) -> None:
        """Give the FCA queued cases while it has free slots (called whenever capacity appears).

        While the protocol is active only high-risk cases are taken, except at a hub review.
        """
        if not fca.available:
            return
        high_risk_only = self.protocol_on and not hub_review
        room = fca.private_cap - len(fca.cases)
        took = False
        while room > 0:
            case = self._pop_for(fca, now, high_risk_only)
            if case is None:
                break
            self._allocate(case, fca, now)
            room -= 1
            took = True
        if took:
            self._queue_rules(now)

    def fill_all(self, now: float, hub_review: bool = False) -> None:
        """Offer the queue to every FCA with a free slot, in post order, until the queue is empty."""
        cap_queue, cfc_queue = self._queues[CAP], self._queues[CFC]
        for fca in list(self.fcas):
            if not (cap_queue or cfc_queue):
                return
            if len(fca.cases) < fca.cap_now - fca.other and (fca.trained or cap_queue):  # a free slot it may fill
                self.fill(fca, now, hub_review)

    def _allocate(self, case: Case, fca: FCA, now: float) -> None:
        stats = self.stats[case.pathway]
        if not case.allocated:
            case.allocated = True
            stats.allocations += 1
            stats.wait_days.add(now - case.ready_day)
            case.queue_days += now - case.ready_day
        if fca is not case.last_fca:
            case.fcas_seen += 1
        self._flush_caseload(fca, now)
        fca.cases.add(case)
        self.offer(fca)
        self.occupied_slots.add(now, 1)
        case.fca = fca
        case.token += 1
        case.work_end_day = case.min_end_day = now + case.work_left_days
        case.ps_due = case.due_day if case.due_day == case.due_day else case.min_end_day
        fca.work.add(case, case.hours_left, now)
        if self.trace is not None:
            self.log(now, case, f"allocated {case.work}", f"FCA-{fca.id}")

    def _release(self, case: Case, now: float) -> FCA:
        fca = case.fca
        assert fca is not None
        self._flush_caseload(fca, now)
        fca.cases.discard(case)
        self.offer(fca)
        self.occupied_slots.add(now, -1)
        case.fca = None
        case.last_fca = fca
        return fca

    def _waited(self, case_token: tuple[Case, int], now: float) -> None:
        """A piece's elapsed time has run (its hours, if any, being done)."""
        case, token = case_token
        if token != case.token:
            return  # reallocated since this was scheduled
        self._finish_work(case, now)

    def _finish_work(self, case: Case, now: float) -> None:
        """A piece ends and the case moves on before the FCA's freed slot goes to the queue: a piece
        that follows at once (the CIR after intake and screening) stays with the FCA who did the
        last one, as a family keeps its FCA. Steps after a wait (hearings) are events, so they never
        take a freed slot ahead of the queue."""
        case.hours_delay_days += max(0.0, now - case.min_end_day)
        fca = self._release(case, now)
        self.on_report_done(case, now)
        if fca.flexible and fca.on_notice and not fca.cases:
            self.remove_fca(fca, now)  # a released Associate leaves once their work is done
        else:
            self.fill(fca, now)

    def reallocate_all(self, fca: FCA, now: float) -> None:
        """Hand every open case of `fca` to a colleague with a free slot, else back to the queue."""
        for case in sorted(fca.cases, key=Case.queue_key):
            case.work_left_days = max(0.0, case.work_end_day - now)
            case.hours_left = fca.work.remove(case, now)  # 0 if its hours are done
            case.token += 1
            self._release(case, now)
            self.stats[case.pathway].reallocations += 1
            if self.trace is not None:
                self.log(now, case, "reallocated", f"FCA-{fca.id}")
            other = self._pick_fca(case)
            if other is None:
                self._enqueue(case, now)
            else:
                self._allocate(case, other, now)

    # ---- queue rules: flexible workforce and prioritisation protocol -------------------------
    def _queue_rules(self, now: float) -> None:
        queued = self.queued()
        rules = self.config.prioritisation
        if not self.protocol_on and queued > rules.activate_queue:
            self.protocol_on = True
            self.protocol.set(now, 1.0)
        elif self.protocol_on and queued < rules.deactivate_queue:
            self.protocol_on = False
            self.protocol.set(now, 0.0)
            self.fill_all(now)
        flexible = self.config.workforce.flexible
        if queued > flexible.trigger_queue and self.flexible_in_post.value < flexible.max_fte:
            self.add_fca(now, trained=True, flexible=True)
        elif queued == 0 and self.flexible_in_post.value > 0:
            for fca in [f for f in self.fcas if f.flexible and not f.on_notice]:
                fca.on_notice = True
                self.offer(fca)
                if not fca.cases:
                    self.remove_fca(fca, now)

    # ---- statistics -----------------------------------------------------------------------
    def reset_stats(self, now: float) -> None:
        """End of warm-up: statistics restart, state (cases, FCAs) carries on."""
        for pathway in (CAP, CFC):
            self.stats[pathway] = CaseStats(open_start=self.open_cases[pathway])
        for series in (self.queue_length, self.occupied_slots, self.capacity_slots, self.in_post,
                       self.vacancies, self.establishment, self.absent, self.protocol, self.flexible_in_post):
            series.reset(now)
        self.queue_log.start_here()
        for fca in self.fcas:
            self._flush_caseload(fca, now)
            fca.work.reset_stats(now)
        self.hours_delivered_gone = self.hours_available_gone = 0.0
        self.listing.reset_stats(now)
        self.caseload_days.clear()
        self.leavers = 0

    def flush(self, now: float) -> None:
        for fca in self.fcas:
            self._flush_caseload(fca, now)
