"""Cases kept on a caseload after their report (`held`) follow the FCA who holds them: when that FCA
leaves, a colleague in post takes them over and attends their hearings. (A leaver's kept cases once
dropped out of every caseload, and their hearings took no one's hours.)"""

from __future__ import annotations

from model_support import two_areas

from cfc_sim.model.simulation import Replication
from cfc_sim.scenario.loading import config_from_dict


def test_a_leavers_kept_cases_go_to_the_least_loaded_colleague_in_post() -> None:
    replication = Replication(config_from_dict(two_areas(horizon_months=12)), 0)
    replication.env.run(until=200)
    area = next(a for a in replication.areas if a.name == "Capshire")
    leaver = max((f for f in area.fcas if not f.flexible), key=lambda f: len(f.held))
    kept = list(leaver.held)
    assert kept  # reports written, cases waiting for their final hearing
    seen_before = [case.fcas_seen for case in kept]
    area.remove_fca(leaver, replication.env.now)  # their open work is reallocated, then the kept cases
    assert not leaver.held
    received: dict[int, int] = {}
    for case in kept:
        assert case.held and case.last_fca.in_post and case.last_fca is not leaver
        assert case in case.last_fca.held
        received[case.last_fca.id] = received.get(case.last_fca.id, 0) + 1
    assert [case.fcas_seen for case in kept] == [n + 1 for n in seen_before]  # not one practitioner now
    colleagues = [f for f in area.fcas if not f.flexible]
    at_hand_over = {f.id: len(f.cases) + len(f.held) - received.get(f.id, 0) for f in colleagues}
    first = kept[0].last_fca  # the first kept case went to a colleague with the fewest cases then
    assert at_hand_over[first.id] == min(at_hand_over.values())
    replication.run()  # the run goes on to its end with the cases handed over


def test_a_kept_case_closing_leaves_its_holders_caseload() -> None:
    replication = Replication(config_from_dict(two_areas(horizon_months=12)), 0)
    replication.run()
    for area in replication.areas:
        for fca in area.fcas:
            for case in fca.held:
                assert case.held and case.last_fca is fca


def test_a_hearing_of_an_fca_off_sick_or_on_training_takes_a_colleagues_hours() -> None:
    """The hours of a hearing are always someone's: while the case's FCA is off sick or on training,
    the colleague at work with the fewest cases spends them (they once went uncounted)."""
    data = two_areas(horizon_months=12)
    data["defaults"]["workforce"]["hours"]["discipline"] = "deadline"  # the shipped one: hearing hours as a debt
    replication = Replication(config_from_dict(data), 0)
    replication.env.run(until=200)
    area = next(a for a in replication.areas if a.name == "Capshire")
    now = replication.env.now
    for away in ("absent", "in_training"):
        fca = next(f for f in area.fcas if f.in_post and f.cases and not (f.absent or f.in_training))
        case = next(iter(fca.cases))
        at_work = [f for f in area.fcas if f.in_post and not (f.absent or f.in_training) and f is not fca]
        cover = min(at_work, key=lambda f: (len(f.cases) + len(f.held), f.id))
        debts = {f.id: f.work._debt for f in area.fcas}  # hearing hours still to work off (deadline discipline)
        setattr(fca, away, True)
        area.attend_hearing(case, now, 3.0)
        setattr(fca, away, False)
        moved = {f.id: f.work._debt - debts[f.id] for f in area.fcas if f.work._debt != debts[f.id]}
        assert moved == {cover.id: 3.0}
    area.attend_hearing(case, now, 2.0)  # at work: their own hours
    assert case.fca is not None and case.fca.work._debt == debts[case.fca.id] + 2.0
