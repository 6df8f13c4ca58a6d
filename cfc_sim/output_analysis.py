"""Output analysis: how many replications a precision needs, and whether statistics still hold a
start-up transient (MSER-5). Usable on any run's outputs, without the model."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cfc_sim.metric_catalogue import NATIONAL, PRECISION
from cfc_sim.model import ReplicationOutput
from cfc_sim.stats import half_width

# `--reps auto` drives the intervals of the national KPIs with a catalogue `precision_tolerance`
# (PRECISION): the absolute half-width that counts as precise enough near zero (relative
# precision of a near-zero wait is unattainable and meaningless).
# Monthly national series checked for a start-up transient, and how far (relative to the settled
# level) the truncated start must differ from the rest to be worth a warning.
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


def relative_half_widths(values_by_kpi: dict[str, np.ndarray]) -> dict[str, float]:
    """95% t half-width / |mean| of each KPI across the replications. A KPI whose half-width is
    already within its small absolute tolerance (`PRECISION`, for values near zero) or
    whose mean is zero counts as precise (0)."""
    out = {}
    for kpi, values in values_by_kpi.items():
        if len(values) < 2:
            continue
        half = half_width(values)
        if abs(values.mean()) < 1e-12 or half <= PRECISION.get(kpi, 0.0):
            out[kpi] = 0.0
        else:
            out[kpi] = half / abs(values.mean())
    return out


def precision_note(replications, precision: float) -> str:  # type: ignore[no-untyped-def]
    """What `--reps auto` achieved, in one line: replications used and the widest relative half-width."""
    widths = relative_half_widths(headline_values_of(replications))
    met = all(w <= precision for w in widths.values())
    used = replications["replication"].nunique()
    return (f"--reps auto: used {used} replications; widest headline half-width "
            f"{max(widths.values(), default=0):.1%} of its mean ({'within' if met else 'NOT within'} "
            f"{precision:.1%}{'' if met else ', stopped at --max-reps'})")


def replications_needed(outputs: Sequence[ReplicationOutput], precision: float) -> int:
    """Replications estimated to bring every headline half-width within `precision` of its mean
    (or within its absolute tolerance): half-widths shrink as 1 / sqrt(n)."""
    n = len(outputs)
    worst = 0.0
    for kpi, values in headline_values(outputs).items():
        if len(values) < 2:
            continue
        half = half_width(values)
        allowed = max(precision * abs(values.mean()), PRECISION.get(kpi, 0.0))
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


def transient_warnings(timeseries, months: int | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """Warnings for national monthly series whose MSER-5 truncation point is after the first month."""
    national = timeseries[timeseries["area"] == NATIONAL]
    warnings = []
    for metric in TRANSIENT_SERIES:
        rows = national[national["metric"] == metric]
        if rows.empty:
            continue
        series = rows.groupby("month", sort=True)["value"].mean().to_numpy()
        cut = mser5(series)
        settled = float(series[cut:].mean()) if cut else 0.0
        shift = abs(float(series[:cut].mean()) - settled) / max(abs(settled), 1e-9) if cut else 0.0
        if cut > 0 and shift > MATERIAL_SHIFT:
            warnings.append(f"warm-up check (MSER-5): {metric.replace('_', ' ')} settles only after about {cut} "
                            f"months; statistics include a start-up transient (set warmup_months >= {cut} or "
                            "start from today's open work with initial_state)")
    return warnings
