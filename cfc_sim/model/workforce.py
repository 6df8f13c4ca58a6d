"""The FCA workforce over time: turnover, recruitment, induction, sickness and CFC training.

- Turnover: each FCA resigns after an exponential tenure with rate `annual_turnover` per year
  (so leavers per year / mean in post = annual_turnover), works `notice_days` of notice without
  new allocations, then leaves; open cases are reallocated.
- Recruitment: while FCAs in post plus recruitments under way are below the establishment, a
  recruitment opens; it ends after a `time_to_hire_days` draw and succeeds with probability
  `hire_success`, else starts again.
- Induction: a new starter's cap ramps in whole slots from `induction_start_cap_share` of the
  cap to the full cap over `induction_days`.
- Sickness: episodes arrive at `episodes_per_year` while at work and last `episode_days`; an
  absence that reaches `reallocate_after_days` reallocates the FCA's cases.
- Training: each month up to `seats_per_month` untrained, available FCAs go on CFC training for
  `days` (no new allocations, no casework hours meanwhile) and come back trained; with
  `months_before_go_live` only from that many months before the area's planned go-live. Areas already live at the start
  begin fully trained; elsewhere `trained_share_at_start` are.

Each FCA's turnover and sickness draws come from streams keyed by the FCA's number, so adding
staff does not reshuffle anyone else's draws (common random numbers).
"""

from __future__ import annotations

import math

from simpy.events import Timeout

from cfc_sim.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from cfc_sim.model.area import Area
from cfc_sim.model.fca import FCA


class Workforce:
    """Drives one area's staffing events."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self.env = area.env
        self.recruiting = 0
        self.training_started: list[tuple[float, int]] = []  # (day, FCAs sent) for checks
        area.on_staff_change = self.open_recruitments

    def _after(self, delay_days: float, callback, value=None) -> None:  # type: ignore[no-untyped-def]
        event = Timeout(self.env, max(0.0, delay_days), value)
        event.callbacks.append(callback)

    # ---- staffing ------------------------------------------------------------------------
    def staff_at_start(self) -> None:
        """The starting FCAs: experienced (no induction); trained if the area is already live."""
        area = self.area
        workforce = area.config.workforce
        live = area.go_live_day <= 0
        trained_n = workforce.fcas if live else round(workforce.fcas * workforce.training.trained_share_at_start)
        for i in range(workforce.fcas):
            self._start(area.add_fca(0.0, trained=i < trained_n))
        self.open_recruitments(0.0)

    def hire(self, now: float) -> FCA:
        """A new starter: untrained, on the induction ramp."""
        workforce = self.area.config.workforce
        cap = workforce.caseload_cap
        ramp = workforce.induction_days > 0 and workforce.induction_start_cap_share < 1
        first_cap = int(math.floor(cap * workforce.induction_start_cap_share)) if ramp else cap
        fca = self.area.add_fca(now, trained=False, cap_now=first_cap)
        if ramp:
            self._schedule_induction(fca, now, first_cap)
        self._start(fca)
        return fca

    def _start(self, fca: FCA) -> None:
        workforce = self.area.config.workforce
        if workforce.annual_turnover > 0:
            tenure_days = self.area.rng(f"fca/{fca.id}/turnover").exponential(DAYS_PER_YEAR / workforce.annual_turnover)
            self._after(tenure_days, self._resign, fca)
        if workforce.sickness.episodes_per_year > 0:
            self._next_sickness(fca)

    def change_headcount(self, now: float, target: int) -> None:
        """An intervention sets `workforce.fcas`: new starters join, or the newest leave now."""
        staff = [f for f in self.area.staff() if not f.on_notice]
        if target > len(staff):
            for _ in range(target - len(staff)):
                self.hire(now)
        else:
            for fca in sorted(staff, key=lambda f: -f.id)[: len(staff) - target]:
                self._leave_now(fca)

    # ---- turnover -------------------------------------------------------------------------
    def _resign(self, event: Timeout) -> None:
        fca = event.value
        if not fca.in_post:
            return
        self.area.set_flags(fca, self.env.now, on_notice=True)
        self._after(self.area.config.workforce.notice_days, lambda ev: self._leave_now(ev.value), fca)

    def _leave_now(self, fca: FCA) -> None:
        if not fca.in_post:
            return
        self.area.leavers += 1
        self.area.leavers_total += 1
        self.area.remove_fca(fca, self.env.now)

    # ---- recruitment ----------------------------------------------------------------------
    def open_recruitments(self, now: float) -> None:
        """Open recruitments for every post neither filled nor already being recruited to."""
        area = self.area
        if area.config.workforce.hire_success <= 0:
            return  # no round can ever fill: vacancies stay open
        gap = area.config.workforce.establishment - int(area.in_post.value) - self.recruiting
        for _ in range(max(0, gap)):
            self.recruiting += 1
            self._after(area.draw("workforce", "time_to_hire_days"), self._recruitment_ends)

    def _recruitment_ends(self, _: Timeout) -> None:
        area = self.area
        now = self.env.now
        self.recruiting -= 1
        if int(area.in_post.value) >= area.config.workforce.establishment:
            return  # the establishment fell meanwhile: the post is withdrawn
        if area.uniform("workforce.hire_success") < area.config.workforce.hire_success:
            self.hire(now)
        self.open_recruitments(now)  # a failed attempt starts again

    # ---- induction ------------------------------------------------------------------------
    def _schedule_induction(self, fca: FCA, now: float, first_cap: int) -> None:
        """One step per slot of the ramp; each step aims at the *current* full cap, so an
        intervention changing the cap mid-induction is followed."""
        workforce = self.area.config.workforce
        steps = workforce.caseload_cap - first_cap
        for k in range(1, steps + 1):
            self._after(workforce.induction_days * k / steps, self._induction_step, (fca, first_cap, k / steps))

    def _induction_step(self, event: Timeout) -> None:
        fca, first_cap, fraction = event.value
        if not fca.in_post:
            return
        target = fca.cap_full if fraction >= 1 else round(first_cap + fraction * (fca.cap_full - first_cap))
        cap = min(fca.cap_full, max(fca.cap_now, target))
        if cap != fca.cap_now:
            self.area.set_cap(fca, self.env.now, cap)

    # ---- sickness -------------------------------------------------------------------------
    def _next_sickness(self, fca: FCA) -> None:
        sickness = self.area.config.workforce.sickness
        rng = self.area.rng(f"fca/{fca.id}/sickness")
        if sickness.episodes_per_year > 0:
            self._after(rng.exponential(DAYS_PER_YEAR / sickness.episodes_per_year), self._fall_sick, fca)

    def _fall_sick(self, event: Timeout) -> None:
        fca = event.value
        if not fca.in_post:
            return
        area = self.area
        now = self.env.now
        sickness = area.config.workforce.sickness
        duration = sickness.episode_days.sample(area.rng(f"fca/{fca.id}/sickness"), 1)[0]
        fca.absence_token += 1
        area.set_absent(fca, now, True)
        if duration >= sickness.reallocate_after_days:
            self._after(sickness.reallocate_after_days, self._long_absence, (fca, fca.absence_token))
        self._after(duration, self._return_to_work, (fca, fca.absence_token))

    def _long_absence(self, event: Timeout) -> None:
        fca, token = event.value
        if fca.in_post and fca.absent and token == fca.absence_token:
            self.area.reallocate_all(fca, self.env.now)

    def _return_to_work(self, event: Timeout) -> None:
        fca, token = event.value
        if not fca.in_post or token != fca.absence_token:
            return
        self.area.set_absent(fca, self.env.now, False)
        self._next_sickness(fca)

    # ---- training -------------------------------------------------------------------------
    def start_training(self, now: float) -> None:
        """Monthly: send up to the month's seats of untrained, available FCAs on CFC training.

        With `months_before_go_live`, training waits for the window before the area's planned
        go-live (the run start otherwise)."""
        training = self.area.config.workforce.training
        if training.months_before_go_live is not None:
            window_opens = self.area.planned_go_live_day - training.months_before_go_live * DAYS_PER_MONTH
            if now < window_opens - 1.0:  # month starts fall on whole days: a day's slack
                return
        waiting = [f for f in self.area.staff() if not f.trained and f.available]
        sent = waiting[: training.seats_per_month]
        if sent:
            self.training_started.append((now, len(sent)))
        for fca in sent:
            if training.days <= 0:
                self.area.mark_trained(fca, now)
                continue
            self.area.set_flags(fca, now, in_training=True)
            self._after(training.days, self._training_done, fca)

    def _training_done(self, event: Timeout) -> None:
        fca = event.value
        fca.in_training = False
        if fca.in_post:
            fca.trained = True
            self.area.set_flags(fca, self.env.now, in_training=False)
