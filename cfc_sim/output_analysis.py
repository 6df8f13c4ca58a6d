"""Output analysis: how many replications a precision needs, and whether statistics still hold a
start-up transient (MSER-5). Usable on any run's outputs, without the model."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from cfc_sim.metric_catalogue import BY_NAME, NATIONAL, PRECISION
from cfc_sim.model import ReplicationOutput
from cfc_sim.stats import half_width

# `--reps auto` drives the intervals of the national KPIs with a catalogue `precision_tolerance`
# (PRECISION): the absolute half-width that counts as precise enough near zero (relative
# precision of a near-zero wait is unattainable and meaningless).
# Monthly national series checked for a start-up transient, and how far (relative to the settled
# level) the truncated start must differ from the rest to be worth a warning.
AREA_KPI = "cir_on_time_share"  # `--reps auto` also drives this metric's interval in every area
TRANSIENT_SERIES = ("open_cases", "caseload_mean", "unallocated_queue_mean")
MATERIAL_SHIFT = 0.05


def headline_values(outputs: Sequence[ReplicationOutput]) -> dict[str, np.ndarray]:
    """Per-replication values of the national headline KPIs."""
    return {kpi: np.array([v for o in outputs for a, p, m, v in o.metrics if a == NATIONAL and p == "all" and m == kpi])
            for kpi in PRECISION}


def headline_values_of(replications) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    """The same from a run's `replications` frame."""
    national = replications[(replications["area"] == NATIONAL) & (replications["pathway"] == "all")]
    return {kpi: national[national["metric"] == kpi]["value"].to_numpy() for kpi in PRECISION}


def kpi_values(rows: Iterable[tuple[str, str, str, float]]) -> dict[str, np.ndarray]:
    """Per-replication values of every KPI `--reps auto` drives, from (area, pathway, metric, value)
    rows in replication order: the national headline KPIs (keyed by metric) and each area's CIR
    on-time share (keyed `cir_on_time_share@AREA`; only replications in which the area filed CIRs)."""
    found: dict[str, list[float]] = {kpi: [] for kpi in PRECISION}
    for area, pathway, metric, value in rows:
        if pathway != "all":
            continue
        if area == NATIONAL and metric in PRECISION:
            found[metric].append(value)
        elif area != NATIONAL and metric == AREA_KPI:
            found.setdefault(f"{AREA_KPI}@{area}", []).append(value)
    return {kpi: np.array(values, dtype=float) for kpi, values in found.items()}


def kpi_label(kpi: str, whole: str = "all areas") -> str:
    """A KPI key in words: 'CIRs within 8 working weeks (East London)', or with `whole` (what the ALL rows
    are: `metric_catalogue.whole_run_name`) for a national KPI."""
    metric, _, area = kpi.partition("@")
    label = BY_NAME[metric].short if metric in BY_NAME else metric
    return f"{label} ({area})" if area else f"{label} ({whole})"


def _tolerance(kpi: str) -> float:
    return PRECISION.get(kpi.partition("@")[0], 0.0)


def relative_half_widths(values_by_kpi: dict[str, np.ndarray]) -> dict[str, float]:
    """95% t half-width / |mean| of each KPI across the replications. A KPI whose half-width is
    already within its small absolute tolerance (`PRECISION`, for values near zero) or
    whose mean is zero counts as precise (0)."""
    out = {}
    for kpi, values in values_by_kpi.items():
        if len(values) < 2:
            continue
        half = half_width(values)
        if half <= _tolerance(kpi) or (abs(values.mean()) < 1e-12 and not _is_area(kpi)):
            out[kpi] = 0.0
        else:
            out[kpi] = half / _scale(kpi, values)
    return out


def _is_area(kpi: str) -> bool:
    return "@" in kpi


def _scale(kpi: str, values: np.ndarray) -> float:
    """What a KPI's half-width is measured against: its mean for the national KPIs; the whole
    0-100% scale for an area's CIR on-time share, so `--precision 0.05` asks for +-5 points there
    (5% of a small area's mean would need hundreds of national replications)."""
    return 1.0 if _is_area(kpi) else abs(values.mean())


def precision_note(replications, precision: float, whole: str = "all areas") -> str:  # type: ignore[no-untyped-def]
    """What `--reps auto` achieved, in one line: replications used, which KPIs it drove and the
    widest relative half-width (naming its KPI; `whole`: what the ALL rows are)."""
    rows = replications[["area", "pathway", "metric", "value"]].itertuples(index=False, name=None)
    widths = relative_half_widths(kpi_values(rows))
    met = all(w <= precision for w in widths.values())
    used = replications["replication"].nunique()
    areas = sum("@" in k for k in widths)
    worst = max(widths, key=lambda k: widths[k], default="")
    unit = "points" if _is_area(worst) else "of its mean"
    widest = (f"{kpi_label(worst, whole)} {widths[worst] * 100:.1f} points" if _is_area(worst)
              else f"{kpi_label(worst, whole)} {widths[worst]:.1%} {unit}") if worst else "none"
    return (f"--reps auto: used {used} replications for {len(widths) - areas} national KPIs and the CIR on-time "
            f"share of {areas} area(s); widest 95% half-width: {widest} ({'within' if met else 'NOT within'} "
            f"{_precision_text(precision, worst)}{'' if met else ', stopped at --max-reps'})")


def _precision_text(precision: float, kpi: str) -> str:
    """The precision asked, in the unit the widest KPI is held to: points for an area's share, else a
    share of the KPI's mean."""
    return f"{precision * 100:.1f} points" if _is_area(kpi) else f"{precision:.1%} of its mean"


def replications_needed(outputs: Sequence[ReplicationOutput], precision: float) -> int:
    """Replications estimated to bring every KPI's half-width (`kpi_values`: national headline and
    each area's CIR on-time share) within `precision` of its mean (or within its absolute
    tolerance): half-widths shrink as 1 / sqrt(n)."""
    n = len(outputs)
    worst = 0.0
    for kpi, values in kpi_values(row for o in outputs for row in o.metrics).items():
        if len(values) < 2:
            continue
        half = half_width(values)
        allowed = max(precision * _scale(kpi, values), _tolerance(kpi))
        worst = max(worst, half / allowed if allowed > 0 else (math.inf if half > 0 else 0.0))
    if worst <= 1:
        return n
    return math.ceil(n * worst**2) if math.isfinite(worst) else 10**9


def mser5(series: Sequence[float]) -> int:
    """MSER-5 truncation point, in observations: batch means of 5, then the batch count d (up to
    half the batches) minimising the marginal standard error of what remains (White 1997)."""
    y = np.asarray(series, dtype=float)
    batches = len(y) // 5
    if batches < 4:
        return 0
    means = y[: batches * 5].reshape(batches, 5).mean(axis=1)
    best_d, best = 0, math.inf
    for d in range(batches // 2 + 1):
        tail = means[d:]
        score = ((tail - tail.mean()) ** 2).sum() / len(tail) ** 2
        if score < best - 1e-15:
            best_d, best = d, score
    return best_d * 5


def starts_from_open_work(config) -> bool:  # type: ignore[no-untyped-def]
    """Every area starts from today's open work (`initial_state`), so there is no empty start to warm up."""
    return bool(config.areas) and all(
        a.initial_state.open_cases_per_weekly_application > 0 or a.initial_state.open_cases
        or a.initial_state.snapshot_csv for a in config.areas)


def sustained_trend(series: np.ndarray) -> bool:
    """The series moves materially along its least-squares line: the change over it exceeds
    MATERIAL_SHIFT of its mean level and the slope is clearly not noise (|t| >= 2)."""
    n = len(series)
    if n < 4:
        return False
    x = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(x, series, 1)
    residual = series - (slope * x + intercept)
    spread = math.sqrt(float((residual**2).sum()) / (n - 2)) / math.sqrt(float(((x - x.mean()) ** 2).sum()))
    material = abs(slope * (n - 1)) > MATERIAL_SHIFT * max(abs(float(series.mean())), 1e-9)
    return material and (spread == 0 or abs(slope) / spread >= 2)


def transient_warnings(timeseries, config=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Warnings for national monthly series whose MSER-5 truncation point is after the first month
    with statistics. A series that settles (the months after the cut have no material trend) holds a
    start-up transient: warm up or start from today's open work. One still moving after the cut is
    a sustained trend of the scenario (a backlog building up as areas go live), which no warm-up
    removes: said as such. When every area starts from `initial_state` (`config` given) there is no
    empty start: the areas' own series are checked for drift instead (`drift_warnings`)."""
    if config is not None and starts_from_open_work(config):
        return drift_warnings(timeseries, config)
    first = config.header.warmup_months if config is not None else 0
    national = timeseries[timeseries["area"] == NATIONAL]
    warnings = []
    for metric in TRANSIENT_SERIES:
        rows = national[national["metric"] == metric]
        if rows.empty:
            continue
        series = rows.groupby("month", sort=True)["value"].mean().to_numpy()[first:]
        cut = mser5(series)
        if cut == 0:
            continue
        label = metric.replace("_", " ")
        settled = float(series[cut:].mean())
        shift = abs(float(series[:cut].mean()) - settled) / max(abs(settled), 1e-9)
        if sustained_trend(series[cut:]):
            warnings.append(f"warm-up check (MSER-5): {label} keeps changing after month {cut} "
                            f"({series[cut]:,.1f} then, {series[-1]:,.1f} in the last month): a sustained trend of "
                            "the scenario (areas going live, a backlog building or clearing) that no warm-up removes; "
                            "the run also starts with no open work, so start from today's with initial_state")
        elif shift > MATERIAL_SHIFT:
            warnings.append(f"warm-up check (MSER-5): {label} settles only after about {cut} "
                            f"months; statistics include a start-up transient (set warmup_months >= "
                            f"{first + cut} or start from today's open work with initial_state)")
    return warnings


DRIFT_SHIFT = 0.10  # a CAP area's open cases in its last year against its first: the stationarity condition
COLLAPSE_SHARE = 0.5  # a live area's CIRs on time in its last 3 months against its first 3


def _area_series(timeseries, metric: str, first: int) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    rows = timeseries[(timeseries["metric"] == metric) & (timeseries["area"] != NATIONAL)]
    return {str(area): group.groupby("month", sort=True)["value"].mean().to_numpy()[first:]
            for area, group in rows.groupby("area", sort=True)}


def drift_warnings(timeseries, config) -> list[str]:  # type: ignore[no-untyped-def]
    """For a run that starts from today's open work: the areas whose series drift where nothing in
    the scenario changes them. Under CAP (the months before go-live, at least two years of them) open
    cases should hold steady: a last year more than DRIFT_SHIFT off the first, moving along a clear
    trend, means the area's demand and capacity do not balance (a backlog building or draining) and its
    outputs depend on how long the run has gone on. An area live from the start should keep its CIR
    on-time share: a fall to under COLLAPSE_SHARE of its first three months is a collapse."""
    header = config.header
    first = header.warmup_months
    start = header.start
    open_cases = _area_series(timeseries, "open_cases", first)
    on_time = _area_series(timeseries, "cir_on_time_share", first)
    drifting, collapsing = [], []
    for area in config.areas:
        live_month = (area.go_live.year - start.year) * 12 + area.go_live.month - start.month - first
        series = open_cases.get(area.name)
        if series is not None and live_month >= 24:
            cap = series[:min(live_month, len(series))]
            change = float(cap[-12:].mean()) / max(float(cap[:12].mean()), 1e-9) - 1
            if abs(change) > DRIFT_SHIFT and sustained_trend(cap):
                drifting.append(f"{area.name} ({change:+.0%})")
        shares = on_time.get(area.name)
        if shares is not None and live_month <= 0 and len(shares) >= 6:
            head, tail = shares[:3][np.isfinite(shares[:3])], shares[-3:][np.isfinite(shares[-3:])]
            before, after = (float(head.mean()), float(tail.mean())) if len(head) and len(tail) else (0.0, 0.0)
            if after < COLLAPSE_SHARE * before:
                collapsing.append(f"{area.name} ({before:.0%} -> {after:.0%})")
    warnings = []
    if drifting:
        warnings.append(f"drift check: open cases under CAP keep moving in {len(drifting)} area(s), last year "
                        f"against first: {', '.join(drifting[:5])}{' ...' if len(drifting) > 5 else ''}; "
                        "demand and capacity do not balance there, so its outputs depend on the horizon")
    if collapsing:
        warnings.append(f"drift check: CIRs on time collapse in {len(collapsing)} area(s) live from the start, "
                        f"first three months against last: {', '.join(collapsing[:5])}"
                        f"{' ...' if len(collapsing) > 5 else ''}")
    return warnings
