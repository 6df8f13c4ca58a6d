"""Readiness of an area to go live (DESIGN 2.4): six criteria, each with value, threshold,
pass and margin, and a green / amber / red status.

`assess` is the one judge of a state: the model calls it at its reviews (per replication, on that
replication's own state, to gate go-live under the `readiness` policy) and
`cfc_sim.readiness_view.readiness_frame` calls it per month on the mean state across replications
to write `readiness.csv`, where vacancy and stability (`POOLED`) are then judged on 12-month rates
pooled across the replications with their interval (`interval_status`): inside one replication
there is nothing to pool. Criterion 6 (`performance`) is
the share of replications in which the area files at least the target share of CIRs on time in
its first months live, so it exists only across replications. The model imports this module, so
it stays pure (no pandas): tables and wording live in `cfc_sim.readiness_view`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from cfc_sim.calendar import SimCalendar
from cfc_sim.demand import daily_rate
from cfc_sim.scenario.schema import AreaConfig, ReadinessConfig, ScenarioConfig

CRITERIA = ("capacity", "vacancy", "training", "stability", "partnerships", "performance")
GATING = CRITERIA[:5]  # the criteria a `readiness` go-live policy waits for
SOFT = ("vacancy", "training", "stability")
# Judged on a rate over the last ROLLING_MONTHS, pooled across replications, with its 95% interval:
# on a team of 7-19 FCAs one leaver or one vacancy moves a monthly share by 5-14 points, a pooled
# rate by a fraction of that, and the interval says how well the runs know it.
POOLED = ("vacancy", "stability")
ROLLING_MONTHS = 12


@dataclass(frozen=True)
class AreaState:
    """What readiness looks at, for one area at one review."""

    trained_fte: float
    vacancy_rate: float
    trained_share: float
    turnover_12m: float
    performance: float = math.nan  # probability across replications; NaN inside one replication


def cfc_slot_days_per_application(area: AreaConfig) -> float:
    """Expected FCA slot-days one CFC application needs (Cafcass CIR plus any second report)."""
    cfc = area.cfc
    per_cir = cfc.cir_work_days.mean_value() + cfc.second_report_share * cfc.second_report_work_days.mean_value()
    return cfc.cafcass_cir_share * per_cir


def _times_held(area: AreaConfig, kind: str) -> float:
    """How often a hearing of `kind` is held on average, adjournments included: 1 / (1 - its
    adjourned share), its own share where the court gives the kind one, else the court's; 1 with
    drawn waits (an adjournment is inside the wait)."""
    court = area.court
    if court is None:
        return 1.0
    own = getattr(court.hearings, kind).adjourned_share
    return 1.0 / (1.0 - (court.adjourned_share if own is None else own))


def cfc_hours_per_application(area: AreaConfig) -> float:
    """Expected FCA hours one CFC application needs where FCAs work in hours (`cfc.hours`): intake and
    screening, the CIR with its visits, a second report, visits without a CIR, and the hearings an
    FCA attends once it has reported (adjourned ones again). 0 in slot work."""
    cfc, hours = area.cfc, area.cfc.hours
    if hours is None:
        return 0.0
    demand = area.demand
    children = demand.children_per_case.mean_value()
    da = demand.domestic_abuse_share
    visits = children * hours.child_visit.mean_value()
    # each hearing held again while adjourned, at its own share (CFC hearings have their own, not CAP's)
    hearings = (_times_held(area, "decision") + cfc.second_report_share * _times_held(area, "further")
                + (1.0 - cfc.second_report_share) * cfc.review_hearing_share * _times_held(area, "review"))
    per_cir = (visits + hours.cir.mean_value() + da * hours.da_extra.mean_value()
               + cfc.second_report_share * hours.second_report.mean_value() + hearings * hours.hearing.mean_value())
    no_report = 1.0 - cfc.cafcass_cir_share - cfc.la_cir_share
    return (hours.intake.mean_value() + da * hours.idva_referral.mean_value() + cfc.cafcass_cir_share * per_cir
            + no_report * hours.see_children_without_cir_share * visits)


def cap_hours_per_application(area: AreaConfig) -> float:
    """Expected FCA hours one CAP application needs where FCAs work in hours: the safeguarding
    enquiries, a section 7 report (visits, report, domestic abuse extra) for the share that gets one,
    and the hearings an FCA attends (the first, and one after a report). 0 in slot work."""
    cap, hours = area.cap, area.cap.hours
    if hours is None:
        return 0.0
    children = area.demand.children_per_case.mean_value()
    report = (children * hours.child_visit.mean_value() + hours.report.mean_value()
              + area.demand.domestic_abuse_share * hours.da_extra.mean_value())
    hearings = 1.0 + cap.further_report_share
    return hours.safeguarding.mean_value() + cap.further_report_share * report + hearings * hours.hearing.mean_value()


def go_live_month(config: ScenarioConfig, area: str) -> int:
    """The month (0-based from the start) an area goes live in; 0 when live at the start."""
    start, go_live = config.header.start, config.area(area).go_live
    return max((go_live.year - start.year) * 12 + go_live.month - start.month, 0)


def required_fte(area: AreaConfig, calendar: SimCalendar, month: int) -> float:
    """FCAs needed for the month's forecast CFC demand, on the area's own way of working: the
    private-law slots of a full cap and, where FCAs work in hours, the casework hours too (the larger
    need); with a fixed other-work load, those FCAs plus the load."""
    start, end = calendar.month_start_days[month], calendar.month_start_days[month + 1]
    per_day = daily_rate(area.demand, calendar, start, end)
    workforce = area.workforce
    fixed = workforce.other_work_fte is not None  # a fixed load: FCAs for the CFC work, plus the load itself
    slots = workforce.caseload_cap if fixed else workforce.caseload_cap - round(
        workforce.other_work_share * workforce.caseload_cap)
    need = per_day * cfc_slot_days_per_application(area) / max(slots, 1)
    if workforce.casework_hours_per_day > 0:
        need = max(need, hours_fte(area, per_day, cfc_hours_per_application(area)))
    return need + (workforce.other_work_fte or 0.0)


def hours_fte(area: AreaConfig, applications_per_day: float, hours_per_application: float) -> float:
    """FCAs whose private-law casework hours cover `applications_per_day` x `hours_per_application`
    (0 in slot work): the fixed other-work load (`other_work_fte`) is not in it, a share of each
    FCA's time (`other_work_share`) is taken off."""
    workforce = area.workforce
    private_share = 1.0 if workforce.other_work_fte is not None else 1.0 - workforce.other_work_share
    hours_per_fte = workforce.casework_hours_per_day * private_share
    return applications_per_day * hours_per_application / hours_per_fte if hours_per_fte > 0 else 0.0


def partnerships_share(area: AreaConfig, review_date: dt.date) -> float:
    """Share of the three partnerships (IDVA, local authority, police) established by the date."""
    p = area.partnerships
    return sum(d <= review_date for d in (p.idva, p.local_authority, p.police)) / 3


# Which way each criterion passes: at least the threshold (True) or at most it (False).
HIGHER_IS_BETTER = {"capacity": True, "vacancy": False, "training": True, "stability": False, "partnerships": True,
                    "performance": True}


def passes(criterion: str, value: float, threshold: float) -> bool:
    """The one pass rule of a criterion's value against its threshold (no data never passes)."""
    if value != value:
        return False
    margin = value - threshold if HIGHER_IS_BETTER[criterion] else threshold - value
    return margin >= -1e-9


def _criterion(name: str, value: float, threshold: float, higher_is_better: bool,
               tolerance: float) -> dict[str, object]:
    if value != value:  # not evaluable (no data): fails
        return {"criterion": name, "value": value, "threshold": threshold, "passed": False,
                "status": "red", "margin": math.nan}
    margin = value - threshold if higher_is_better else threshold - value
    passed = passes(name, value, threshold)
    return {"criterion": name, "value": value, "threshold": threshold, "passed": passed,
            "status": criterion_status(name, passed, margin, tolerance), "margin": margin}


def criterion_status(name: str, passed: bool, margin: float, tolerance: float) -> str:
    """The one amber rule for a criterion: green when it passes; amber when it fails but is a soft
    criterion missing by at most `tolerance` (its margin, value minus threshold the way that is
    better, is at least -tolerance); else red (also when the margin is not known)."""
    if passed:
        return "green"
    if name in SOFT and margin == margin and margin >= -tolerance:
        return "amber"
    return "red"


def assess(area: AreaConfig, calendar: SimCalendar, month: int, review_date: dt.date, state: AreaState,
           rules: ReadinessConfig) -> list[dict[str, object]]:
    """The six criteria for one area at one review (performance last)."""
    tol = rules.amber_tolerance
    return [
        _criterion("capacity", state.trained_fte, required_fte(area, calendar, month) * rules.capacity_headroom,
                   True, tol),
        _criterion("vacancy", state.vacancy_rate, rules.max_vacancy_rate, False, tol),
        _criterion("training", state.trained_share, rules.min_training_share, True, tol),
        _criterion("stability", state.turnover_12m, rules.max_turnover_12m, False, tol),
        _criterion("partnerships", partnerships_share(area, review_date), 1.0, True, 0.0),
        _criterion("performance", state.performance, rules.performance_confidence, True, 0.0),
    ]


def gate_passes(rows: Sequence[dict[str, object]]) -> bool:
    """Criteria 1-5 all pass: the `readiness` policy lets the area go live."""
    return all(bool(r["passed"]) for r in rows if r["criterion"] in GATING)


def interval_status(criterion: str, low: float, high: float, threshold: float) -> str:
    """The status of a criterion judged with an interval: green when the whole interval is on the
    passing side of the threshold, red when it is wholly on the failing side, amber when it straddles
    the threshold (the runs cannot tell; amber too when there is no interval)."""
    if low != low or high != high:
        return "amber"
    if HIGHER_IS_BETTER[criterion]:
        good, bad = low >= threshold - 1e-12, high < threshold - 1e-12
    else:
        good, bad = high <= threshold + 1e-12, low > threshold + 1e-12
    return "green" if good else "red" if bad else "amber"


def overall_status(rows: Sequence[dict[str, object]], live: bool = False) -> str:
    """A month's status. Live: how the area performs (its `performance` row's status). Not yet live:
    red when a failing criterion is red (performance, the forecast of its first months, only ever
    makes it amber) or more than one fails; amber when one fails or a passing one is not certain
    (amber); green when all pass with certainty."""
    if live:
        return next((str(r["status"]) for r in rows if r["criterion"] == "performance"), "amber")
    failing = [r for r in rows if not r["passed"]]
    if len(failing) > 1 or any(r["status"] == "red" and r["criterion"] != "performance" for r in failing):
        return "red"
    if failing or any(r["status"] == "amber" for r in rows):
        return "amber"
    return "green"


def trailing_turnover(leavers: list[float], fte: list[float]) -> float:
    """Leavers over the last (up to) 12 months, annualised, per mean FCA in post."""
    window_leavers, window_fte = leavers[-12:], fte[-12:]
    mean_fte = sum(window_fte) / len(window_fte) if window_fte else 0.0
    if mean_fte <= 0:
        return math.nan
    return sum(window_leavers) * 12 / len(window_leavers) / mean_fte


def review_date_of(calendar: SimCalendar, month: int) -> dt.date:
    """The date of the monthly review for run month `month` (the run start for month 0)."""
    if month == 0:
        return calendar.start
    label = calendar.month_labels[month]
    return dt.date(int(label[:4]), int(label[5:7]), 1)
