"""One replication as a whole: each area's mechanisms are chosen once from its scenario blocks, the
outputs are the same set whatever the mechanisms, and each mechanism behaves as its rule says."""

from __future__ import annotations

import simpy
from scenario_factory import config

from cfc_sim.calendar import SimCalendar
from cfc_sim.model import simulate
from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, Case
from cfc_sim.model.hours import DeadlineHours, SharedHours
from cfc_sim.model.listing import CourtListing, DrawnWaits
from cfc_sim.model.simulation import Replication
from cfc_sim.model.work import HoursContent, SlotContent, SlotWork
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import config_from_dict
from cfc_sim.streams import Streams

# Defined only where the mechanism has hours or sitting time to use.
MECHANISM_ONLY = {"fca_hours_utilisation", "sitting_day_utilisation"}


def _mechanisms(data: dict) -> list[tuple[type, type, type]]:
    replication = Replication(config_from_dict(data), 0)
    return [(type(a.work.content), type(a.fcas[0].work), type(a.listing)) for a in replication.areas]


def test_each_area_takes_its_mechanisms_from_its_blocks() -> None:
    assert _mechanisms(modelled_dict(hours=False, court=False)) == [(SlotContent, SlotWork, DrawnWaits)]
    assert _mechanisms(modelled_dict(court=False)) == [(HoursContent, SharedHours, DrawnWaits)]
    deadline = modelled_dict()
    deadline["defaults"]["workforce"]["hours"]["discipline"] = "deadline"
    assert _mechanisms(deadline) == [(HoursContent, DeadlineHours, CourtListing)]


def test_outputs_are_the_same_set_whatever_the_mechanisms() -> None:
    def names(data: dict) -> set[tuple[str, str]]:
        return {(pathway, metric) for _, pathway, metric, _ in simulate(config_from_dict(data), 0).metrics}

    slot = names(modelled_dict(hours=False, court=False))
    both = names(modelled_dict())
    assert {m for _, m in both - slot} == MECHANISM_ONLY
    assert slot <= both
    assert ("all", "weeks_to_decision_after_go_live_mean") in slot  # pilot figures for every scenario
    assert ("cfc", "listing_wait_days_mean") in slot


def _slot_area() -> tuple[simpy.Environment, Area]:
    cfg = config(defaults__workforce__fcas=0)
    env = simpy.Environment()
    area = Area(env, cfg.areas[0], SimCalendar(cfg.header.start, 12), Streams(1, 0))
    return env, area


def test_slot_work_ends_a_piece_after_its_least_elapsed_time_and_a_removed_piece_never_ends() -> None:
    env = simpy.Environment()
    ended: list[tuple[int, float]] = []
    work = SlotWork(env, lambda case, now: ended.append((case.id, now)))
    kept, removed = Case(1, CAP, 0.0, 1, False, False), Case(2, CAP, 0.0, 1, False, False)
    kept.work_left_days, removed.work_left_days = 5.0, 3.0
    work.add(kept, 40.0, 0.0)  # hours are ignored
    work.add(removed, 0.0, 0.0)
    env.run(until=1.0)
    assert work.remove(removed, 1.0) == 0.0
    env.run(until=10.0)
    assert ended == [(1, 5.0)]
    assert (work.delivered_hours, work.available_hours) == (0.0, 0.0)


def test_drawn_waits_hold_a_hearing_after_its_drawn_wait_and_record_it_as_the_listing_wait() -> None:
    env, area = _slot_area()
    held: list[tuple[int, str, float]] = []
    then: list[tuple[int, float]] = []
    listing = area.listing
    assert isinstance(listing, DrawnWaits)
    listing.on_held = lambda case, kind: held.append((case.id, kind, env.now))
    case = Case(7, CAP, 0.0, 1, False, False)
    env.run(until=2.0)
    listing.hearing(case, "first_hearing", 2.0, lambda c, now: then.append((c.id, now)))
    env.run()
    wait = case.listing_wait_days
    assert wait > 0
    assert held == [(7, "first_hearing", 2.0 + wait)] and then == [(7, 2.0 + wait)]
    assert area.stats[CAP].listing_wait_days.mean() == wait
    assert listing.sitting_hours(env.now) == (0.0, 0.0)
