"""The one metric catalogue: every summary metric's name, plain-English label, unit, whether it is a
share bounded in [0, 1], whether it is a headline figure, and how to write it for people.

The CLI's headline lines, the report's KPI table, `compare`'s default metrics, the `--reps auto`
precision rule, the summary's row order and the bounds of its intervals all read this table,
so a metric is described once. It also holds the one name of England's rows (`NATIONAL`, the
contract's `ALL`). Pure Python: cheap to import anywhere (the model included).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

NATIONAL = "ALL"  # the area name of England's rows in every results file

# England's 40 court (DFJ) areas, as the national scenarios name them: a run of all of them is
# England's, and only then are its `ALL` rows called England on a screen (`whole_run_name`).
ENGLAND_AREAS = frozenset({
    "Dorset", "Birmingham & Solihull", "West Yorkshire", "Black Country & Shropshire",
    "Worcestershire & Herefordshire", "Stoke-on-Trent & Staffordshire", "Hampshire & Isle of Wight",
    "Coventry & Warwickshire", "North Yorkshire", "South Yorkshire", "Wiltshire & Swindon", "Cumbria", "Sussex",
    "Derbyshire", "Lancashire", "Cheshire", "Somerset", "Humberside", "Northamptonshire", "Lincolnshire", "Surrey",
    "Nottinghamshire", "Cleveland & South Durham", "Leicestershire & Rutland", "Devon & Cornwall",
    "Northumbria & North Durham", "Suffolk", "Merseyside", "Bedfordshire & Luton", "Norfolk",
    "Avon, North Somerset & Gloucestershire", "Cambridgeshire & Peterborough", "Hertfordshire", "Kent", "Essex",
    "Greater Manchester", "Thames Valley", "West London", "East London", "Central London"})


def whole_run_name(areas: Iterable[str], capital: bool = False) -> str:
    """What a run's `ALL` rows are, in words for a screen: "England" when the English court areas are
    modelled, all and only them, else the area's name for one, "both areas" or "all N areas" (a run of two
    pilots is not England); `capital` for the start of a sentence or a cell."""
    names = set(areas)
    if names == ENGLAND_AREAS:  # with a Welsh area too, the ALL rows are more than England
        return "England"
    if len(names) == 1:
        return next(iter(names))
    words = "both areas" if len(names) == 2 else f"all {len(names)} areas"
    return words[:1].upper() + words[1:] if capital else words

COUNT, SHARE, NUMBER = "count", "share", "number"  # how a value is written: 1,234 / 12.3% / 1,234.5


@dataclass(frozen=True)
class Metric:
    """One summary metric as people see it."""

    name: str
    label: str  # plain English, for the report
    short: str  # a terminal table's label
    unit: str
    kind: str = NUMBER
    bounded: bool = False  # a share in [0, 1]: intervals are clipped at 1
    headline: bool = False  # printed by `run` and in the report's headline table
    compared: bool = False  # in `compare`'s default metrics
    precision_tolerance: float | None = None  # `--reps auto` drives this metric's interval (absolute tolerance)
    signed: bool = False  # may be negative (intervals are otherwise clipped at 0)
    better: str = ""  # "higher" or "lower" when one direction is better for children and the service

    def format(self, value: float) -> str:
        """The value written for people ("n/a" when undefined)."""
        if value != value:
            return "n/a"
        if self.kind == SHARE:
            return f"{value:.1%}"
        if self.kind == COUNT:
            return f"{value:,.0f}"
        return _number(value)

    def format_difference(self, value: float, like: tuple[float, ...] = ()) -> str:
        """A difference between runs written for people, signed: shares in percentage points
        ("+2.5 pts"), counts rounded ("-1,993"), other numbers to the digits that show the change;
        with `like` (an interval's ends), to as many digits as the finest of them all needs, so a
        difference and its interval read alike ("-0.10 (-0.14 to +0.04)", not "-0.1 (-0.1 to +0.036)")."""
        if value != value:
            return "n/a"
        values = [v for v in (value, *like) if v == v]
        if self.kind == SHARE:
            fine = any(0 < abs(v * 100) < 0.095 for v in values)
            return f"{value * 100:+.{2 if fine else 1}f} pts"
        if self.kind == COUNT:
            return f"{value:+,.0f}"
        if not like:
            return _number(value, signed=True)
        finest = max(_decimals(v) for v in values)
        return _number(value, signed=True, decimals=min(finest, 1) if max(abs(v) for v in values) >= 100 else finest)


def _decimals(value: float) -> int:
    """One decimal (none from 1,000), or the few more a small non-zero value needs to show at all
    (0.013, not 0.0)."""
    size = abs(value)
    if size >= 1000:
        return 0
    if size == 0 or size >= 0.05 or size != size:
        return 1
    return min(5, 1 - math.floor(math.log10(size)))


def _number(value: float, signed: bool = False, decimals: int | None = None) -> str:
    """`value` to its `_decimals` (or to `decimals`, to write several values alike)."""
    sign = "+" if signed else ""
    return f"{value:{sign},.{_decimals(value) if decimals is None else decimals}f}"


def _m(name: str, label: str, short: str, unit: str, kind: str = NUMBER, **flags: object) -> Metric:
    bounded = bool(flags.pop("bounded", kind == SHARE))  # a rate written as a percentage need not be a share
    return Metric(name, label, short, unit, kind, bounded, **flags)  # type: ignore[arg-type]


# The contract's order (DESIGN 5.1) first; then the further metrics alphabetically.
CATALOGUE: tuple[Metric, ...] = (
    _m("applications", "Applications received", "applications", "cases", COUNT, headline=True, compared=True),
    _m("children", "Children in those applications", "children", "children", COUNT),
    _m("closed_cases", "Cases closed", "closed cases", "cases", COUNT),
    _m("open_cases_end", "Cases open at the end", "open cases at the end", "cases", COUNT),
    _m("cirs_filed", "Child Impact Reports (CIRs) filed by Cafcass", "Cafcass CIRs filed", "reports", COUNT,
       headline=True, compared=True),
    _m("cir_on_time_share", "CIRs filed within eight working weeks", "CIRs within 8 working weeks", "share of CIRs",
       SHARE, headline=True, compared=True, precision_tolerance=0.01, better="higher"),
    _m("cir_working_days_mean", "Time from application to CIR", "application to CIR, working days",
       "working days (average)", headline=True, compared=True, precision_tolerance=0.5, better="lower"),
    _m("cir_working_days_p90", "Time from application to CIR, 90th percentile", "application to CIR, p90",
       "working days", better="lower"),
    _m("children_seen_share", "Children seen by an FCA before the decision",
       "children seen", "share of children in closed cases", SHARE, headline=True, compared=True, better="higher"),
    _m("weeks_to_decision_mean", "Time from application to the court's decision", "weeks to decision",
       "weeks (average)", headline=True, compared=True, precision_tolerance=0.1, better="lower"),
    _m("weeks_to_decision_p90", "Time to decision, 90th percentile", "weeks to decision, p90", "weeks", better="lower"),
    _m("weeks_to_decision_reported_mean", "Time to decision, cases with an FCA report",
       "weeks to decision (with a report)", "weeks (average)", better="lower"),
    _m("wait_to_allocation_days_mean", "Wait for a case to be allocated to an FCA", "wait to allocation, days",
       "days (average)", headline=True, compared=True, precision_tolerance=0.5, better="lower"),
    _m("wait_to_allocation_days_p90", "Wait for allocation, 90th percentile", "wait to allocation, p90", "days",
       better="lower"),
    _m("unallocated_queue_mean", "Cases waiting for allocation", "cases awaiting allocation",
       "cases (average at any time)", headline=True, compared=True, better="lower"),
    _m("unallocated_queue_max", "Most cases waiting for allocation", "most cases awaiting allocation", "cases"),
    _m("caseload_mean", "Open cases per FCA", "open cases per FCA", "cases per FCA (average)", headline=True,
       compared=True, precision_tolerance=0.1, better="lower"),
    _m("caseload_p90", "Open cases per FCA, 90th percentile", "open cases per FCA, p90", "cases per FCA"),
    _m("fca_utilisation", "FCA capacity in use", "FCA utilisation",
       "share of casework hours", SHARE,  # under the slot parameterisation: of private-law places
       headline=True, compared=True, precision_tolerance=0.01),
    _m("reallocations_per_case", "Reallocations per case", "reallocations per case", "per piece of FCA work",
       compared=True, better="lower"),
    _m("single_practitioner_share", "Cases with one FCA throughout", "one FCA throughout", "share of cases", SHARE,
       better="higher"),
    _m("fte_in_post_mean", "FCAs in post (average over the run)", "FCAs in post, run average",
       "full-time equivalents (average)", headline=True,
       compared=True, precision_tolerance=0.5),
    _m("vacancy_rate_mean", "Vacancy rate", "vacancy rate", "share of establishment (average)", SHARE,
       headline=True, compared=True, better="lower"),
    _m("leavers", "FCAs leaving", "leavers", "FCAs", COUNT),
    _m("turnover_rate", "Staff turnover", "staff turnover", "leavers a year per FCA in post", SHARE,
       bounded=False, headline=True, compared=True, better="lower"),
    _m("sickness_days_share", "Time lost to sickness", "sickness absence", "share of FCA days", SHARE),
    _m("training_share_at_go_live", "FCAs CFC-trained at go-live", "trained at go-live", "share of FCAs", SHARE),
    _m("prioritisation_days", "Days under the prioritisation protocol (summed over areas)",
       "area-days under the prioritisation protocol", "area-days",
       compared=True, better="lower"),
    _m("flexible_fte_days", "Flexible-workforce FCA-days", "flexible FCA-days", "FCA-days", compared=True),
    _m("go_live_day", "Go-live day", "go-live day", "days from the start", signed=True),
    # further metrics, alphabetically
    _m("cir_allocation_wait_days_mean", "CIR cases: days waiting for an FCA (the transition queue)",
       "CIR: waiting for an FCA, days", "days (average)"),
    _m("cir_fca_hours_delay_days_mean", "CIR cases: days lost to FCA hours (work past its least elapsed time)",
       "CIR: days short of FCA hours", "days (average)"),
    _m("fca_hours_utilisation", "FCA casework hours in use", "FCA hours in use", "share of casework hours", SHARE),
    # not compared: under FCA hours it is `fca_utilisation` (a second row of the same numbers)
    _m("flexible_cost", "Cost of the flexible workforce", "flexible cost", "money", COUNT),
    _m("hearings_per_case", "Hearings per closed case", "hearings per closed case", "hearings (average)",
       compared=True),
    _m("hearings_per_case_cohort",
       "Hearings per case, applications of the run's first half (after warm-up) followed to its end",
       "hearings per case (cohort)", "hearings (average)", compared=True),
    _m("listing_wait_days_mean", "Wait for a court hearing after its notice", "court listing wait, days",
       "days (average)", compared=True, better="lower"),
    _m("live_at_end", "Live on Child Focused Courts at the end", "live at the end", "share of areas", SHARE),
    _m("open_cap_cases_at_go_live", "CAP cases open at go-live", "CAP cases open at go-live", "cases", COUNT),
    _m("open_cases_fall_18m_after_go_live", "Fall in open cases in the first 18 months live",
       "open cases fall, 18 months live", "fraction of open cases at go-live (negative: rose)", SHARE,
       signed=True, bounded=False),
    _m("open_cases_start", "Cases open when statistics start", "open cases at the start", "cases", COUNT),
    _m("pre_go_live_cap_weeks_to_decision_mean", "Time to decision, CAP cases closed before go-live",
       "weeks to decision (CAP, before go-live)", "weeks (average)"),
    _m("settled_waiting_share", "Cases settled or withdrawn while waiting for court time",
       "settled while waiting for court", "share of closed cases", SHARE),
    _m("sitting_day_utilisation", "Court sitting time in use", "court sitting time in use", "share of sitting hours",
       SHARE, compared=True),
    _m("transition_cap_cases_closed", "CAP cases closed after go-live", "CAP cases closed after go-live", "cases",
       COUNT),
    _m("transition_cap_weeks_to_decision_mean", "Time to decision, CAP cases closed after go-live",
       "weeks to decision (CAP, after go-live)", "weeks (average)"),
    _m("weeks_to_decision_after_go_live_mean", "Time to decision, cases closed after go-live",
       "weeks to decision (after go-live)", "weeks (average)"),
    _m("weeks_to_decision_before_go_live_mean", "Time to decision, cases closed before go-live",
       "weeks to decision (before go-live)", "weeks (average)"),
    _m("weeks_to_final_order_mean", "Weeks to final order, per child (as the family court statistics count it)",
       "weeks to final order, per child", "weeks (average per child)", compared=True, better="lower"),
    _m("weeks_to_final_order_quarter_before_go_live_mean",
       "Weeks to final order, per child, cases ending in the quarter before go-live",
       "weeks to final order, quarter before go-live", "weeks (average per child)", better="lower"),
    _m("weeks_to_final_order_year_live_mean",
       "Weeks to final order, per child, cases ending in the quarter a year after go-live",
       "weeks to final order, a year live", "weeks (average per child)", better="lower"),
    _m("workforce_cost", "Workforce cost", "workforce cost", "money", COUNT),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in CATALOGUE}
ORDER: dict[str, int] = {m.name: i for i, m in enumerate(CATALOGUE)}
HEADLINE: tuple[Metric, ...] = tuple(m for m in CATALOGUE if m.headline)
COMPARED: tuple[str, ...] = tuple(m.name for m in CATALOGUE if m.compared)
PRECISION: dict[str, float] = {m.name: m.precision_tolerance for m in CATALOGUE if m.precision_tolerance is not None}


@dataclass(frozen=True)
class Target:
    """A scenario target on a summary metric: the threshold, which side meets it, and its words."""

    threshold: float
    higher_is_better: bool
    words: str  # e.g. "at least 90%"


def scenario_targets(targets: object, decimals: int = 0) -> dict[str, Target]:
    """The summary metrics the scenario's `targets:` block sets a target on, one definition for the
    terminal, the report and compare. `cir_working_days` is not one of them: it says when a CIR is on
    time (each case within 40 working days), so the mean time to a CIR is not judged against it (a
    mean of 36 days with a quarter of CIRs late had read "target within 40: met")."""
    on_time = float(targets.cir_on_time_share)  # type: ignore[attr-defined]
    seen = float(targets.children_seen_share)  # type: ignore[attr-defined]
    return {"cir_on_time_share": Target(on_time, True, f"at least {on_time:.{decimals}%}"),
            "children_seen_share": Target(seen, True, f"at least {seen:.{decimals}%}")}


def label_of(name: str) -> str:
    """The plain-English label (the name with spaces for a metric the catalogue lacks)."""
    metric = BY_NAME.get(name)
    return metric.label if metric is not None else name.replace("_", " ")


# The outputs of `cfc-sim sensitivity` (sensitivity.csv's `output` column): England's CIR on-time
# share, each area's earliest ready month, and that month's mean over the areas.
CIR_OUTPUT = "cir_on_time_share"
READY_PREFIX = "earliest_ready_month:"
READY_MEAN = "earliest_ready_month:mean_over_areas"


# Monthly series (timeseries.csv) written as percentages; every other series is a count or number.
SERIES_SHARES = ("vacancy_rate", "trained_share")


def written_as_share(name: str) -> bool:
    """Shown as a percentage (a share, or a rate such as turnover), summary metric or monthly series."""
    metric = BY_NAME.get(name)
    if metric is not None:
        return metric.kind == SHARE
    return name in SERIES_SHARES or name.endswith("_share") or "_share_" in name


def is_bounded(name: str) -> bool:
    """A share in [0, 1] (a metric the catalogue lacks counts as one when named `*_share`)."""
    metric = BY_NAME.get(name)
    return metric.bounded if metric is not None else name.endswith("_share")


def value_range(name: str) -> tuple[float, float]:
    """The values a metric can take: [0, 1] for a share, any number for a signed one (a go-live day
    before the start, a fall that may be a rise), else [0, inf) (counts, days, weeks, rates)."""
    if is_bounded(name):
        return 0.0, 1.0
    if is_signed(name):
        return -math.inf, math.inf
    return 0.0, math.inf


def is_signed(name: str) -> bool:
    """May be negative (go-live days before the start); everything else is at least 0."""
    metric = BY_NAME.get(name)
    return metric.signed if metric is not None else False
