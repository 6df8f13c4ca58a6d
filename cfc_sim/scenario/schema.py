"""Typed, immutable configuration: what a valid scenario file means once loaded.

Field names are the scenario-file contract (DESIGN section 3). Every model forbids unknown keys
so a typo fails loudly. Numbers are strict (no `"40"` or `true` for a count). Optional keys
beyond the contract carry documented defaults (README, scenario reference).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cfc_sim.errors import UserError
from cfc_sim.scenario.distributions import Distribution, Fixed

# Dates a plan can mean: far enough either side of today, and inside what the calendar handles.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)


def _iso_date(value: Any) -> Any:
    """Accept a YAML date or an ISO 'YYYY-MM-DD' string between 1900 and 2200; refuse numbers and
    datetimes."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"expected a real date as YYYY-MM-DD ({exc})") from None
    if not isinstance(value, dt.date):
        raise ValueError("expected a date as YYYY-MM-DD")
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{value} is outside the dates a scenario may use ({FIRST_DATE} to {LAST_DATE})")
    return value


def _place_name(value: str) -> str:
    """Area and region names reach CSV, Excel, HTML and the terminal: plain, printable text that
    no spreadsheet reads as a formula, and never `ALL` (the name of England's rows)."""
    if not value.strip():
        raise ValueError("must not be empty")
    if value != value.strip():
        raise ValueError("must not start or end with spaces")
    if not value.isprintable():
        raise ValueError("must be printable text (no control characters such as tab, escape or bell)")
    if value.casefold() == "all":
        raise ValueError("'ALL' is reserved for England's totals; choose another name")
    if value[0] in "=+-@":
        raise ValueError("must not start with =, +, - or @ (spreadsheets would read it as a formula)")
    return value


def _note_text(value: str) -> str:
    """A line of free text that reaches the terminal, the manifest and HTML: printable, short, and never
    read by a spreadsheet as a formula."""
    if not value.isprintable():
        raise ValueError("must be printable text on one line (no control characters)")
    if value[:1] in ("=", "+", "-", "@"):
        raise ValueError("must not start with =, +, - or @ (spreadsheets would read it as a formula)")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
SafeText = Annotated[str, Strict(), Field(max_length=300), AfterValidator(_note_text)]
Share = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
NonNegInt = Annotated[int, Strict(), Field(ge=0)]
PosInt = Annotated[int, Strict(), Field(ge=1)]
Text = Annotated[str, Strict(), Field(min_length=1, max_length=200)]
PlaceName = Annotated[str, Strict(), Field(min_length=1, max_length=100), AfterValidator(_place_name)]

# Per-area maxima: England has about 1,500 FCAs and 1,000 applications a week in all, so these
# leave ample headroom for any one area while keeping every valid run within memory.
MAX_APPLICATIONS_PER_WEEK = 5_000
MAX_FCAS = 5_000
MAX_OPEN_CASES = 500_000


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DemandConfig(Frozen):
    """Applications arriving in one area: weekly base x month-of-year multiplier x annual growth."""

    applications_per_week: Annotated[float, Strict(), Field(ge=0, le=MAX_APPLICATIONS_PER_WEEK, allow_inf_nan=False)]
    seasonality: Annotated[tuple[Annotated[float, Strict(), Field(ge=0, le=10, allow_inf_nan=False)], ...],
                           Field(min_length=12, max_length=12)]
    annual_growth: Annotated[float, Strict(), Field(gt=-1, le=1, allow_inf_nan=False)]
    children_per_case: Distribution
    domestic_abuse_share: Share
    high_risk_share: Share


def _shares_fit(block: BaseModel, first: str, second: str) -> None:
    """Two shares of the same cases cannot add up to more than all of them."""
    a, b = getattr(block, first), getattr(block, second)
    if a + b > 1 + 1e-12:
        raise ValueError(f"{first} + {second} must be <= 1, got {a} + {b}")


class CapConfig(Frozen):
    """Child Arrangements Programme: work to first hearing, then a further report for a share."""

    first_hearing_days: Distribution
    further_report_share: Share
    report_work_days: Distribution
    final_hearing_wait_days: Distribution
    # optional, used with FCA hours (workforce.hours): work content of each piece of CAP work
    hours: CapHoursConfig | None = None
    # optional: the hearing structure after the first hearing (shares of all cases). Cases without a
    # report that continue go to a dispute resolution appointment (DRA). By default the hearing after
    # the report settles the case (the structure of a scenario whose drawn waits stand for the rest).
    continue_without_report_share: Share = 0.0
    fact_finding_share_of_da: Share = 0.0
    resolved_at_dra_share: Share = 1.0
    repeat_dra_share: Share = 0.0  # at a DRA, neither resolved nor ready for a final hearing: another DRA

    @model_validator(mode="after")
    def _continuing_shares_fit(self) -> CapConfig:
        _shares_fit(self, "resolved_at_dra_share", "repeat_dra_share")
        _shares_fit(self, "further_report_share", "continue_without_report_share")
        return self


class CapHoursConfig(Frozen):
    """FCA hours per piece of CAP work (not published: scenario comments state each assumption).

    `safeguarding_days` is the least elapsed time of the safeguarding enquiries (police and local
    authority checks): the letter cannot be filed sooner however free the FCA is.
    """

    safeguarding: Distribution
    safeguarding_days: Distribution
    report: Distribution
    child_visit: Distribution
    hearing: Distribution
    da_extra: Distribution = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0))


class CfcHoursConfig(Frozen):
    """FCA hours per piece of CFC work. Visits must be done within `visit_by_working_days` of the
    application: visits not done by then are dropped (the CIR is written without them), so the
    share of children seen responds to FCA hours."""

    intake: Distribution
    idva_referral: Distribution
    child_visit: Distribution
    cir: Distribution
    da_extra: Distribution = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0))
    second_report: Distribution
    hearing: Distribution
    see_children_without_cir_share: Share = 0.0
    visit_by_working_days: Annotated[int, Strict(), Field(ge=1, le=1_000)] = 30


class CfcConfig(Frozen):
    """Child Focused Courts: intake, triage to a Cafcass CIR / LA CIR / no report, decision hearing."""

    intake_days: Distribution
    cafcass_cir_share: Share
    la_cir_share: Share
    cir_work_days: Distribution
    decision_hearing_wait_days: Distribution
    second_report_share: Share
    second_report_work_days: Distribution
    # optional, used with FCA hours (workforce.hours)
    hours: CfcHoursConfig | None = None
    # optional, used with a court block: share of cases with a review hearing after the decision
    review_hearing_share: Share = 0.0

    @model_validator(mode="after")
    def _triage_shares_fit(self) -> CfcConfig:
        _shares_fit(self, "cafcass_cir_share", "la_cir_share")
        return self


class SicknessConfig(Frozen):
    episodes_per_year: Annotated[float, Strict(), Field(ge=0, le=365, allow_inf_nan=False)]
    episode_days: Distribution
    reallocate_after_days: NonNegFloat


class TrainingConfig(Frozen):
    days: NonNegFloat
    seats_per_month: Annotated[int, Strict(), Field(ge=0, le=MAX_FCAS)]
    trained_share_at_start: Share
    # optional: train in a window before the area's planned go-live (months ahead); absent means
    # from the run start, as before
    months_before_go_live: Annotated[int, Strict(), Field(ge=0, le=120)] | None = None


MIN_CONTRACTED_HOURS_PER_WEEK = 1.0  # floors of an FCA's hours (degenerate capacities are refused)
MIN_CASEWORK_SHARE = 0.05


class HoursConfig(Frozen):
    """FCA casework hours (optional). With it each FCA's open cases share its casework hours
    (processor sharing) and every piece of work has a content in hours; without it, the slot model
    (a report occupies a slot for a drawn number of days)."""

    # floors: an FCA of a few minutes a week is no capacity, only a run that never ends
    contracted_per_week: Annotated[float, Strict(), Field(ge=MIN_CONTRACTED_HOURS_PER_WEEK, le=80,
                                                          allow_inf_nan=False)]
    casework_share: Annotated[float, Strict(), Field(ge=MIN_CASEWORK_SHARE, le=1, allow_inf_nan=False)]
    # How an FCA divides its hours among its open cases: equally (processor sharing), or all to the
    # piece due first (the CIR's eight-week date; other pieces when their least elapsed time ends).
    discipline: Literal["shared", "deadline"] = "shared"


class FlexibleConfig(Frozen):
    max_fte: Annotated[int, Strict(), Field(ge=0, le=MAX_FCAS)]
    trigger_queue: NonNegInt
    cost_per_fte_day: NonNegFloat = 0.0


class WorkforceConfig(Frozen):
    """FCAs in one area. `fcas` is the headcount at the start; `establishment` the funded posts."""

    fcas: Annotated[int, Strict(), Field(ge=0, le=MAX_FCAS)]
    establishment: Annotated[int, Strict(), Field(ge=0, le=MAX_FCAS)]
    caseload_cap: Annotated[int, Strict(), Field(ge=1, le=1_000)]
    annual_turnover: Annotated[float, Strict(), Field(ge=0, le=5, allow_inf_nan=False)]
    notice_days: NonNegFloat
    time_to_hire_days: Distribution
    hire_success: Share
    induction_days: NonNegFloat
    induction_start_cap_share: Share
    sickness: SicknessConfig
    training: TrainingConfig
    flexible: FlexibleConfig
    # optional: share of each FCA's caseload cap held by public-law and other work (counted in
    # caseloads, not available for private-law reports)
    other_work_share: Annotated[float, Strict(), Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    # optional, instead of other_work_share: the area's public-law and other work as a fixed load in
    # FTE, shared equally by the FCAs in post. It does not grow when FCAs are added (public-law
    # demand does not), so an extra FCA adds a whole FTE of private-law time.
    other_work_fte: Annotated[float, Strict(), Field(ge=0, le=MAX_FCAS, allow_inf_nan=False)] | None = None
    # optional: cost of one FCA FTE-day, for costing plans
    cost_per_fte_day: NonNegFloat = 0.0
    # optional: the area's pay weighting on cost_per_fte_day in plans and the FCA need (e.g. 1.1 for
    # London weighting); the model's workforce_cost is unweighted
    cost_weighting: Annotated[float, Strict(), Field(gt=0, le=5, allow_inf_nan=False)] = 1.0
    # optional: FCA casework hours (absent: the slot model)
    hours: HoursConfig | None = None
    # optional: which queued case a free FCA takes first: the oldest across pathways (high risk
    # first), or CFC work first (ring-fenced for the new pathway; CAP cases wait)
    allocation_policy: Literal["oldest_first", "cfc_first"] = "oldest_first"

    @property
    def casework_hours_per_day(self) -> float:
        """Casework hours a calendar day of a full-time FCA with no other work (0: slot work)."""
        hours = self.hours
        return 0.0 if hours is None else hours.contracted_per_week * hours.casework_share / 7.0

    @model_validator(mode="after")
    def _one_kind_of_other_work(self) -> WorkforceConfig:
        if self.other_work_fte is not None and self.other_work_share > 0:
            raise ValueError("set other_work_share (a share of each FCA) or other_work_fte (a fixed load "
                             "shared by the FCAs in post), not both")
        return self


class PrioritisationConfig(Frozen):
    """Above `activate_queue` waiting cases only high-risk cases are allocated on arrival; the rest
    wait in the allocation hub, allocated at reviews every `hub_review_days`, until the queue
    falls below `deactivate_queue`."""

    activate_queue: NonNegInt
    deactivate_queue: NonNegInt
    hub_review_days: Annotated[float, Strict(), Field(ge=1, le=365, allow_inf_nan=False)] = 7.0

    @model_validator(mode="after")
    def _hysteresis(self) -> PrioritisationConfig:
        if self.deactivate_queue > self.activate_queue:
            raise ValueError(
                f"deactivate_queue ({self.deactivate_queue}) must not exceed activate_queue "
                f"({self.activate_queue})"
            )
        return self


class PartnershipsConfig(Frozen):
    """Dates each multi-agency partnership is established (a readiness criterion)."""

    idva: IsoDate
    local_authority: IsoDate
    police: IsoDate


CAP_STAGES = ("first_hearing", "awaiting_allocation", "report", "final_hearing")
CFC_STAGES = ("intake", "awaiting_allocation", "cir", "decision_hearing", "second_report")


class OpenCases(Frozen):
    """Cases open at the start in one pathway and stage. `age_days` is days since the application
    (default: the mean time to reach the stage plus a random share of the stage's own duration)."""

    pathway: Literal["cap", "cfc"]
    stage: Literal["first_hearing", "awaiting_allocation", "report", "final_hearing", "intake", "cir",
                   "decision_hearing", "second_report"]
    count: Annotated[int, Strict(), Field(ge=0, le=MAX_OPEN_CASES)]
    age_days: Distribution | None = None

    @model_validator(mode="after")
    def _stage_fits_pathway(self) -> OpenCases:
        stages = CAP_STAGES if self.pathway == "cap" else CFC_STAGES
        if self.stage not in stages:
            raise ValueError(f"stage {self.stage!r} is not a {self.pathway.upper()} stage (one of {', '.join(stages)})")
        return self


class InitialStateConfig(Frozen):
    """Open work at the start, so a run needs no warm-up: explicit counts by pathway and stage
    (`open_cases`, or a CSV `snapshot_csv` read at load time), and/or a total of
    `open_cases_per_weekly_application` x the area's weekly applications spread over the stages in
    their steady-state proportions. Report-stage cases are allocated to FCAs at the start."""

    open_cases_per_weekly_application: Annotated[float, Strict(), Field(ge=0, le=100, allow_inf_nan=False)] = 0.0
    open_cases: tuple[OpenCases, ...] = ()
    snapshot_csv: Annotated[str, Strict()] | None = None
    # true: snapshot_csv may lie outside the scenario's folder (refused otherwise, so a scenario
    # from elsewhere cannot make cfc-sim read any file on the machine)
    snapshot_outside_folder: Annotated[bool, Strict()] | None = None

    @field_validator("open_cases")
    @classmethod
    def _open_cases_bounded(cls, cases: tuple[OpenCases, ...]) -> tuple[OpenCases, ...]:
        total = sum(c.count for c in cases)
        if total > MAX_OPEN_CASES:
            raise ValueError(f"{total:,} open cases in one area; at most {MAX_OPEN_CASES:,}")
        return cases


# Per-area blocks that `defaults` supplies and an area or an intervention may override.
class HearingConfig(Frozen):
    """One hearing type: its length in court hours, the least notice before it can be listed and,
    optionally, its own share adjourned (else the court's `adjourned_share`): a CFC decision hearing
    after a CIR need not be adjourned as often as a CAP hearing."""

    hours: Distribution
    notice_days: NonNegFloat
    adjourned_share: Annotated[float, Strict(), Field(ge=0, le=0.9, allow_inf_nan=False)] | None = None


class CourtHearingsConfig(Frozen):
    first_hearing: HearingConfig     # CAP: FHDRA
    fact_finding: HearingConfig      # CAP: domestic-abuse fact-finding
    dra: HearingConfig               # CAP: dispute resolution appointment
    final: HearingConfig             # CAP: final hearing
    decision: HearingConfig          # CFC: the decision hearing after the CIR
    review: HearingConfig            # CFC: a review hearing
    further: HearingConfig           # CFC: further hearing after a second report


MIN_SITTING_DAYS_PER_WEEK = 0.1  # a sitting day a fortnight: below it a listing wait runs to centuries
MIN_HOURS_PER_SITTING_DAY = 0.5


class CourtConfig(Frozen):
    """Private-law children's listing capacity of one area (optional: absent means unlimited, and
    hearing waits are the pathway's given distributions)."""

    sitting_days_per_week: Annotated[float, Strict(),
                                     Field(ge=MIN_SITTING_DAYS_PER_WEEK, le=1_000, allow_inf_nan=False)]
    hours_per_sitting_day: Annotated[float, Strict(),
                                     Field(ge=MIN_HOURS_PER_SITTING_DAY, le=24, allow_inf_nan=False)] = 5.0
    adjourned_share: Annotated[float, Strict(), Field(ge=0, le=0.9, allow_inf_nan=False)] = 0.0
    # the share of cases still waiting for court time after a year that settle or withdraw meanwhile
    # (parents agree and a consent order is made, or the application is withdrawn): a constant
    # chance per day of waiting beyond the notice, so a court short of sitting time keeps a long but
    # steady wait instead of a queue that grows without end (0: nobody settles while waiting)
    settled_share_per_year_waiting: Annotated[float, Strict(), Field(ge=0, le=0.95, allow_inf_nan=False)] = 0.0
    hearings: CourtHearingsConfig


AREA_BLOCKS = ("demand", "cap", "cfc", "workforce", "prioritisation", "partnerships", "initial_state", "court")


class AreaConfig(Frozen):
    """One court (DFJ) area after its overrides are merged over `defaults`."""

    name: PlaceName
    region: PlaceName | None = None
    go_live: IsoDate
    demand: DemandConfig
    cap: CapConfig
    cfc: CfcConfig
    workforce: WorkforceConfig
    prioritisation: PrioritisationConfig
    partnerships: PartnershipsConfig
    initial_state: InitialStateConfig = InitialStateConfig()
    court: CourtConfig | None = None

    @property
    def mechanisms(self) -> str:
        """How the area's FCAs work and its hearings are listed, in words (manifest, headline)."""
        hours = self.workforce.hours
        work = "slot work" if hours is None else f"FCA hours ({hours.discipline})"
        return f"{work}, {'drawn hearing waits' if self.court is None else 'court listing'}"

    @model_validator(mode="after")
    def _hours_have_work_content(self) -> AreaConfig:
        if self.workforce.hours is not None:
            missing = [f"{block}.hours" for block in ("cap", "cfc") if getattr(self, block).hours is None]
            if missing:
                raise ValueError(f"workforce.hours is set, so {' and '.join(missing)} (work content in hours) "
                                 "must be set too")
        return self


class CalendarConfig(Frozen):
    bank_holidays: tuple[IsoDate, ...] = ()


class CalibrationNote(Frozen):
    """What a scenario's unpublished assumptions rest on (optional): the calibration that set them, so a
    run can say so in its manifest and headline. Free text, checked like a name for spreadsheets."""

    version: SafeText
    procedure: SafeText = ""  # the space file that reruns it, e.g. calibration/national.yaml
    fit: SafeText = ""  # in a line: how many published figures are in band, and where the gaps are


class TargetsConfig(Frozen):
    cir_working_days: PosInt
    cir_on_time_share: Share
    children_seen_share: Share


class ReadinessConfig(Frozen):
    policy: Literal["planned", "readiness"]
    capacity_headroom: Annotated[float, Strict(), Field(ge=0, le=10, allow_inf_nan=False)]
    max_vacancy_rate: Share
    min_training_share: Share
    max_turnover_12m: NonNegFloat
    performance_months: PosInt
    performance_confidence: Share
    amber_tolerance: Share = 0.05  # optional: how far a soft criterion may miss and still be amber
    # optional: reviews in a row a criterion must hold before the readiness table counts it (flicker)
    hold_months: Annotated[int, Strict(), Field(ge=1, le=24)] = 1


def freeze(value: Any) -> Any:
    """Mappings and lists as nested tuples, so a config holds no mutable containers."""
    if isinstance(value, dict):
        return tuple((k, freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return ("__list__", tuple(freeze(v) for v in value))
    return value


def thaw(value: Any) -> Any:
    """The inverse of `freeze`: plain dicts and lists again (for merging and YAML)."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__list__":
        return [thaw(v) for v in value[1]]
    if isinstance(value, tuple):
        return {k: thaw(v) for k, v in value}
    return value


def _frozen_mapping(value: Any) -> Any:
    if isinstance(value, tuple):
        return value
    if not isinstance(value, dict) or not value:
        raise ValueError("expected a mapping of dotted parameter keys to new values, e.g. "
                         "{workforce.establishment: 60}")
    if not all(isinstance(k, str) for k in value):
        raise ValueError("keys must be dotted parameter names")
    return freeze(value)


class Intervention(Frozen):
    """A scheduled change to one area's parameters, applied in the model on day `at`.

    `set` is stored frozen (nested tuples); `thaw(intervention.set)` gives the mapping.
    """

    at: IsoDate
    area: Text
    set: Annotated[tuple[Any, ...], BeforeValidator(_frozen_mapping)]


class ScenarioHeader(Frozen):
    """The top-level keys other than `defaults`, `areas` and `interventions`."""

    schema_version: Literal[1] = Field(alias="schema")
    name: Annotated[str, Strict(), Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.\-]*$")]
    description: Annotated[str, Strict()] = ""
    extends: Annotated[str, Strict()] | None = None
    start: IsoDate
    horizon_months: Annotated[int, Strict(), Field(ge=1, le=600)]

    @field_validator("horizon_months")
    @classmethod
    def _horizon_inside_dates(cls, months: int, info: ValidationInfo) -> int:
        start = info.data.get("start")
        if start is not None and start.year * 12 + start.month - 1 + months > LAST_DATE.year * 12 + 11:
            raise ValueError(f"{months} months from {start} runs past {LAST_DATE}, the last date a scenario may use")
        return months

    warmup_months: NonNegInt = 0
    replications: Annotated[int, Strict(), Field(ge=1, le=100_000)]
    seed: Annotated[int, Strict(), Field(ge=0, lt=2**63)]
    calendar: CalendarConfig = CalendarConfig()
    targets: TargetsConfig
    readiness: ReadinessConfig
    calibration: CalibrationNote | None = None  # optional: what the assumptions rest on

    @field_validator("warmup_months")
    @classmethod
    def _warmup_inside_horizon(cls, warmup: int, info: ValidationInfo) -> int:
        # a field validator (not a model validator) so the error's key path is `warmup_months`
        horizon = info.data.get("horizon_months")
        if horizon is not None and warmup >= horizon:
            raise ValueError(f"warmup_months ({warmup}) must be less than horizon_months ({horizon})")
        return warmup


def _range_or_distribution(value: Any) -> Any:
    """`[low, high]` means uniform; a mapping may add `relative: true` (a factor on each area's value)."""
    if isinstance(value, list):
        if len(value) != 2:
            raise ValueError("a range is [low, high]")
        return {"dist": {"dist": "uniform", "low": value[0], "high": value[1]}}
    if isinstance(value, dict):
        rest = {k: v for k, v in value.items() if k != "relative"}
        return {"dist": rest, "relative": value.get("relative", False)}
    return {"dist": value}


class UncertainParameter(Frozen):
    dist: Distribution
    relative: Annotated[bool, Strict()] = False


class UncertaintyConfig(Frozen):
    """Parameters re-sampled once per parameter draw (two-layer Monte Carlo). Keys are per-area
    parameters as dotted paths, `workforce.annual_turnover` for every area or
    `areas.<name>.workforce.annual_turnover` for one; each value is `[low, high]` (uniform) or a
    distribution, with `relative: true` to multiply each area's own value instead of replacing it.
    `inner_replications` replications share each draw, which separates the variance due to the
    parameters from run-to-run randomness."""

    inner_replications: Annotated[int, Strict(), Field(ge=2, le=1000)] = 2
    parameters: dict[str, Annotated[UncertainParameter, BeforeValidator(_range_or_distribution)]]


class ScenarioConfig(Frozen):
    """A whole validated scenario: header, fully merged areas and interventions."""

    header: ScenarioHeader
    areas: tuple[AreaConfig, ...]
    interventions: tuple[Intervention, ...] = ()
    uncertainty: UncertaintyConfig | None = None
    source: str = ""

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def seed(self) -> int:
        return self.header.seed

    @property
    def replications(self) -> int:
        return self.header.replications

    def mechanisms(self) -> dict[str, list[str]]:
        """The areas by their mechanisms (`AreaConfig.mechanisms`), in scenario order."""
        found: dict[str, list[str]] = {}
        for area in self.areas:
            found.setdefault(area.mechanisms, []).append(area.name)
        return found

    def area(self, name: str) -> AreaConfig:
        for area in self.areas:
            if area.name == name:
                return area
        raise KeyError(name)

    def live_at_start(self) -> list[str]:
        """The areas live when the run starts (planned go-live on or before it): no go-live to judge,
        so no ready month, slip or go-live star, whatever the month shown."""
        return [a.name for a in self.areas if a.go_live <= self.header.start]

    @property
    def end(self) -> dt.date:
        """The first day after the run: its start plus `horizon_months` months, on the first of the month."""
        total = self.header.start.year * 12 + self.header.start.month - 1 + self.header.horizon_months
        return dt.date(total // 12, total % 12 + 1, 1)

    def with_run_options(self, *, replications: int | None = None, seed: int | None = None) -> ScenarioConfig:
        """A copy with the CLI's --reps / --seed applied (the caller's config is never mutated)."""
        changes: dict[str, Any] = {}
        if replications is not None:
            changes["replications"] = replications
        if seed is not None:
            changes["seed"] = seed
        if not changes:
            return self
        try:
            header = ScenarioHeader.model_validate({**self.header.model_dump(by_alias=True), **changes})
        except ValidationError as exc:
            error = exc.errors()[0]
            raise UserError(error["msg"], key=".".join(str(p) for p in error["loc"])) from None
        return self.model_copy(update={"header": header})
