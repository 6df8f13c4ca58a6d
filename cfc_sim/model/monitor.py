"""Reads the model's accumulators into metric values: monthly series and end-of-run metrics.

The model only counts; this module turns counts into the named metrics of DESIGN 5.1 per area,
per pathway and nationally (`ALL`), and into the monthly series behind the charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from cfc_sim.calendar import DAYS_PER_YEAR
from cfc_sim.metrics import NAN, CaseStats, ChangeLog, Histogram
from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, CFC

# Cumulative quantities differenced month by month, and instantaneous ones read at month end.
_CUMULATIVE = ("applications", "cirs", "cirs_on_time", "closed", "wait_sum", "wait_n", "queue_int",
               "occupied_int", "capacity_int", "in_post_int", "vacancy_int", "establishment_int",
               "leavers", "prioritisation_days", "flexible_fte_days", "absent_days",
               "caseload_fca_days", "caseload_case_days", "hours_delivered", "hours_available")


def snapshot(area: Area, now: float) -> dict[str, float]:
    """Running totals of one area at `now` (monthly series are differences of these)."""
    area.flush(now)  # credit every FCA's caseload days up to now
    stats = area.stats
    staff = area.staff()
    delivered, available = area.hours_totals(now, flush=False)
    return {
        "hours_delivered": delivered,
        "hours_available": available,
        "applications": stats[CAP].applications + stats[CFC].applications,
        "cirs": stats[CFC].cir_working_days.weight,
        "cirs_on_time": stats[CFC].cir_on_time,
        "closed": stats[CAP].closed + stats[CFC].closed,
        "wait_sum": stats[CAP].wait_days.total + stats[CFC].wait_days.total,
        "wait_n": stats[CAP].wait_days.weight + stats[CFC].wait_days.weight,
        "queue_int": area.queue_length.integral_to(now),
        "occupied_int": area.occupied_slots.integral_to(now),
        "caseload_fca_days": area.caseload_days.weight,
        "caseload_case_days": area.caseload_days.total,
        "capacity_int": area.capacity_slots.integral_to(now),
        "in_post_int": area.in_post.integral_to(now),
        "vacancy_int": area.vacancies.integral_to(now),
        "establishment_int": area.establishment.integral_to(now),
        "leavers": area.leavers,
        "prioritisation_days": area.protocol.integral_to(now),
        "flexible_fte_days": area.flexible_in_post.integral_to(now),
        "absent_days": area.absent.integral_to(now),
        "open_cases": area.open_cases[CAP] + area.open_cases[CFC],
        "open_cap": area.open_cases[CAP],
        "in_post": area.in_post.value,
        "live": 1.0 if area.go_live_day <= now else 0.0,
        "trained": sum(f.trained for f in staff),
        "staff": len(staff),
        "queue_now": area.queued(),
    }


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else NAN


def month_values(before: dict[str, float], after: dict[str, float], days: float) -> dict[str, float]:
    """The monthly series for one month from the snapshots at its start and end."""
    d = {k: after[k] - before[k] for k in _CUMULATIVE}
    return {
        "applications": d["applications"],
        "closed_cases": d["closed"],
        "open_cases": after["open_cases"],
        "open_cap_cases": after["open_cap"],
        "cirs_filed": d["cirs"],
        "cir_on_time_share": _ratio(d["cirs_on_time"], d["cirs"]),
        "wait_to_allocation_days_mean": _ratio(d["wait_sum"], d["wait_n"]),
        "unallocated_queue_mean": d["queue_int"] / days,
        "unallocated_queue_end": after["queue_now"],
        "caseload_mean": _ratio(d["caseload_case_days"], d["caseload_fca_days"]),
        # casework hours in use where FCAs work in hours (as the run's summary), caseload places otherwise
        "fca_utilisation": (_ratio(d["hours_delivered"], d["hours_available"]) if d["hours_available"] > 0
                            else _ratio(d["occupied_int"], d["capacity_int"])),
        "fte_in_post": d["in_post_int"] / days,
        "vacancies": d["vacancy_int"] / days,
        "vacancy_rate": _ratio(d["vacancy_int"], d["establishment_int"]),
        "establishment": d["establishment_int"] / days,
        "leavers": d["leavers"],
        "trained_share": _ratio(after["trained"], after["staff"]),
        "trained_fte": after["trained"],
        "live_areas": after["live"],
        "sickness_days_share": _ratio(d["absent_days"], d["in_post_int"]),
        "prioritisation_days": d["prioritisation_days"],
        "flexible_fte_days": d["flexible_fte_days"],
    }


def add_snapshots(snaps: Sequence[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for snap in snaps:
        for key, value in snap.items():
            total[key] = total.get(key, 0.0) + value
    return total


def _workforce_values(*, queue_mean: float, queue_max: float, caseload: Histogram, occupied: float,
                      capacity: float, in_post_int: float, vacancy_int: float, establishment_int: float,
                      leavers: float, absent_days: float, span_days: float) -> dict[str, float]:
    fte_mean = in_post_int / span_days if span_days > 0 else NAN
    years = span_days / DAYS_PER_YEAR
    return {
        "unallocated_queue_mean": queue_mean,
        "unallocated_queue_max": queue_max,
        "caseload_mean": caseload.mean(),
        "caseload_p90": caseload.quantile(0.9),
        "fca_utilisation": _ratio(occupied, capacity),
        "fte_in_post_mean": fte_mean,
        "vacancy_rate_mean": _ratio(vacancy_int, establishment_int),
        "leavers": leavers,
        "turnover_rate": _ratio(leavers, years * fte_mean) if fte_mean == fte_mean else NAN,
        "sickness_days_share": _ratio(absent_days, in_post_int),
    }


@dataclass
class AreaReadout:
    """One area's counts at the end of a run: what its metrics and its part of the national ones need.

    Each area runs in its own environment and is dropped after its run; the national metrics are
    computed from these readouts (case statistics and histograms merge, integrals add)."""

    name: str
    stats: dict[str, CaseStats]  # by pathway
    open_cases: dict[str, int]  # by pathway, at the end
    caseload: Histogram  # FCA-days at each caseload
    queue_mean: float
    queue_max: float
    queue_log: ChangeLog  # the unallocated queue's changes (the national maximum sums them)
    occupied_int: float
    capacity_int: float
    in_post_int: float
    vacancy_int: float
    establishment_int: float
    absent_int: float
    protocol_days: float
    flexible_fte_days: float
    leavers: float
    hours_delivered: float
    hours_available: float
    court_hours_heard: float
    court_hours_sitting: float
    training_share_at_go_live: float
    fcas: int  # the scenario's FCAs (weights the national training share at go-live)
    cost_per_fte_day: float
    flexible_cost_per_fte_day: float
    go_live_day: float
    open_cap_at_go_live: float
    open_at_go_live: float
    open_18m_after_go_live: float

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent back from a worker process: a compiled class is rebuilt from its fields, in order."""
        return (AreaReadout, tuple(getattr(self, f.name) for f in fields(AreaReadout)))


def readout(area: Area, now: float) -> AreaReadout:
    """Read an area's counts at `now` (the end of the run)."""
    delivered, available = area.hours_totals(now)
    heard, sitting = area.listing.sitting_hours(now)
    workforce = area.config.workforce
    return AreaReadout(
        name=area.name, stats=dict(area.stats), open_cases=dict(area.open_cases), caseload=area.caseload_days,
        queue_mean=area.queue_length.mean(now), queue_max=area.queue_length.maximum, queue_log=area.queue_log,
        occupied_int=area.occupied_slots.integral_to(now), capacity_int=area.capacity_slots.integral_to(now),
        in_post_int=area.in_post.integral_to(now), vacancy_int=area.vacancies.integral_to(now),
        establishment_int=area.establishment.integral_to(now), absent_int=area.absent.integral_to(now),
        protocol_days=area.protocol.integral_to(now), flexible_fte_days=area.flexible_in_post.integral_to(now),
        leavers=area.leavers, hours_delivered=delivered, hours_available=available,
        court_hours_heard=heard, court_hours_sitting=sitting,
        training_share_at_go_live=area.training_share_at_go_live, fcas=workforce.fcas,
        cost_per_fte_day=workforce.cost_per_fte_day, flexible_cost_per_fte_day=workforce.flexible.cost_per_fte_day,
        go_live_day=area.go_live_day, open_cap_at_go_live=area.open_cap_at_go_live,
        open_at_go_live=area.open_at_go_live, open_18m_after_go_live=area.open_18m_after_go_live,
    )


def _hours_and_court(areas: Sequence[AreaReadout]) -> dict[str, float]:
    """FCA hours used / available and court hours heard / sitting hours, where modelled."""
    delivered = available = heard = sitting = 0.0
    for area in areas:
        delivered += area.hours_delivered
        available += area.hours_available
        heard += area.court_hours_heard
        sitting += area.court_hours_sitting
    return {"fca_hours_utilisation": _ratio(delivered, available),
            "sitting_day_utilisation": _ratio(heard, sitting)}


def _utilisation_as_hours(values: dict[str, float]) -> None:
    """Where FCAs work in hours, their capacity in use is their casework hours in use: caseload places
    do not bind there, and a planner reading 28% of places in use would think FCAs idle while CIRs
    wait for hours."""
    hours = values.get("fca_hours_utilisation", NAN)
    if hours == hours:
        values["fca_utilisation"] = hours


def _workforce_cost(area: AreaReadout) -> float:
    return area.in_post_int * area.cost_per_fte_day + area.flexible_fte_days * area.flexible_cost_per_fte_day


def _pooled(areas: Sequence[AreaReadout], queue_mean: float, queue_max: float,
            span_days: float) -> dict[str, dict[str, float]]:
    """Case metrics by pathway and the workforce, hours and court rows of `areas` taken as one (an
    area's own, or England's): case statistics and histograms merge, integrals add."""
    out: dict[str, dict[str, float]] = {}
    combined = CaseStats()
    for pathway in (CAP, CFC):
        merged = CaseStats()
        for area in areas:
            merged.merge(area.stats[pathway])
        combined.merge(merged)
        out[pathway] = merged.values(sum(a.open_cases[pathway] for a in areas))
    everything = combined.values(sum(a.open_cases[CAP] + a.open_cases[CFC] for a in areas))
    caseload = Histogram(1, integer=True)
    for area in areas:
        caseload.merge(area.caseload)
    everything.update(_workforce_values(
        queue_mean=queue_mean, queue_max=queue_max, caseload=caseload,
        occupied=sum(a.occupied_int for a in areas), capacity=sum(a.capacity_int for a in areas),
        in_post_int=sum(a.in_post_int for a in areas), vacancy_int=sum(a.vacancy_int for a in areas),
        establishment_int=sum(a.establishment_int for a in areas), leavers=sum(a.leavers for a in areas),
        absent_days=sum(a.absent_int for a in areas), span_days=span_days,
    ))
    everything.update(_hours_and_court(areas))
    _utilisation_as_hours(everything)
    out["all"] = everything
    return out


def area_metrics(area: AreaReadout, now: float, span_days: float) -> dict[str, dict[str, float]]:
    """Metrics of one area by pathway ('all', 'cap', 'cfc') at the end of the run."""
    out = _pooled([area], area.queue_mean, area.queue_max, span_days)
    out["all"].update({
        "training_share_at_go_live": area.training_share_at_go_live,
        "prioritisation_days": area.protocol_days,
        "flexible_fte_days": area.flexible_fte_days,
        "flexible_cost": area.flexible_fte_days * area.flexible_cost_per_fte_day,
        "workforce_cost": _workforce_cost(area),
        "go_live_day": area.go_live_day if math.isfinite(area.go_live_day) else NAN,
        "live_at_end": 1.0 if area.go_live_day <= now else 0.0,
        "open_cap_cases_at_go_live": area.open_cap_at_go_live,
        "open_cases_fall_18m_after_go_live": 1.0 - area.open_18m_after_go_live / area.open_at_go_live
        if area.open_at_go_live > 0 else NAN,
    })
    return out


def national_metrics(areas: Sequence[AreaReadout], queue_mean: float, queue_max: float, now: float,
                     span_days: float) -> dict[str, dict[str, float]]:
    """National metrics: `_pooled` over every area, with the area-level rows summed or weighted; the
    unallocated queue's mean and maximum are those of the summed queue (`cfc_sim.metrics.summed`)."""
    out = _pooled(areas, queue_mean, queue_max, span_days)
    all_live = all(math.isfinite(a.go_live_day) for a in areas)
    weights = [(a.training_share_at_go_live, max(1, a.fcas)) for a in areas
               if a.training_share_at_go_live == a.training_share_at_go_live]
    out["all"].update({
        "training_share_at_go_live": (
            sum(s * w for s, w in weights) / sum(w for _, w in weights) if weights else NAN
        ),
        "prioritisation_days": sum(a.protocol_days for a in areas),
        "flexible_fte_days": sum(a.flexible_fte_days for a in areas),
        "flexible_cost": sum(a.flexible_fte_days * a.flexible_cost_per_fte_day for a in areas),
        "workforce_cost": sum(_workforce_cost(a) for a in areas),
        "go_live_day": max(a.go_live_day for a in areas) if all_live else NAN,
        "live_at_end": sum(a.go_live_day <= now for a in areas) / len(areas),
        "open_cap_cases_at_go_live": sum(a.open_cap_at_go_live for a in areas if math.isfinite(a.open_cap_at_go_live)),
    })
    return out
