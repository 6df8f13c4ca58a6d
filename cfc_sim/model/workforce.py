"""The FCA workforce over time: starting headcount, CFC training and headcount changes.

Training: from the start, each month up to `seats_per_month` untrained, available FCAs of an
area go on CFC training for `days` (no new allocations meanwhile, open cases carry on) and come
back trained. Areas already live at the start begin fully trained (they have run CFC).
"""

from __future__ import annotations

from simpy.events import Timeout

from cfc_sim.model.area import Area
from cfc_sim.model.fca import FCA


def staff_at_start(area: Area) -> None:
    """Create the starting FCAs: trained if the area is already live, else the scenario's share."""
    workforce = area.config.workforce
    live = area.go_live_day <= 0
    trained_n = workforce.fcas if live else round(workforce.fcas * workforce.training.trained_share_at_start)
    for i in range(workforce.fcas):
        area.add_fca(0.0, trained=i < trained_n)


def change_headcount(area: Area, now: float, target: int) -> None:
    """An intervention sets `workforce.fcas`: add FCAs, or the newest leave with their cases reallocated."""
    staff = [f for f in area.fcas if not f.flexible]
    if target > len(staff):
        for _ in range(target - len(staff)):
            area.add_fca(now, trained=area.go_live_day <= now and area.config.workforce.training.days == 0)
    else:
        for fca in sorted(staff, key=lambda f: -f.id)[: len(staff) - target]:
            area.leavers += 1
            area.remove_fca(fca, now)


def start_training(area: Area, now: float) -> None:
    """Monthly: send up to the month's seats of untrained, available FCAs on CFC training."""
    training = area.config.workforce.training
    seats = training.seats_per_month
    if seats <= 0:
        return
    waiting = [f for f in area.fcas if not f.trained and f.available and not f.flexible]
    for fca in waiting[:seats]:
        if training.days <= 0:
            area.mark_trained(fca, now)
            continue
        fca.in_training = True
        event = Timeout(area.env, training.days, fca)
        event.callbacks.append(lambda ev, area=area: _training_done(area, ev.value))


def _training_done(area: Area, fca: FCA) -> None:
    fca.in_training = False
    if fca.in_post:
        area.mark_trained(fca, area.env.now)
