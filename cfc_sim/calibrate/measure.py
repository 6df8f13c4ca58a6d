"""Measuring figures in the worker processes: one assumption set on one scenario, all its
replications, reduced to a few numbers per figure. The executor's unit of work.

Kept light (numpy and the model only: no pandas, scipy, YAML or scikit-learn) because every
worker process imports it to unpickle its task.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.model import simulate
from cfc_sim.scenario.schema import ScenarioConfig

# A measure: (area, pathway, metric, ratio windows or None, each-area band or None)
Measure = tuple[Any, ...]


def _mean_over(series: dict[int, float], months: tuple[int, int]) -> float:
    """Mean of a monthly series over months `first..last` (NaN unless every month is in the run)."""
    first, last = months
    values = [series[m] for m in range(first, last + 1) if m in series]
    return float(np.mean(values)) if len(values) == last - first + 1 else math.nan


class _Readout:
    """One replication's output as the measures read it: summary rows and monthly series by area."""

    def __init__(self, output: Any, monthly_metrics: set[str]) -> None:
        self.summary = {(a, p, m): v for a, p, m, v in output.metrics}
        self.monthly: dict[tuple[str, str], dict[int, float]] = {}
        for area, month, metric, value in output.monthly:
            if metric in monthly_metrics:
                self.monthly.setdefault((area, metric), {})[month + 1] = value
        self.areas = sorted({a for a, _, _, _ in output.metrics if a != NATIONAL})

    def parts(self, area: str, pathway: str, metric: str, windows: Any) -> tuple[float, float]:
        """(numerator, denominator) of the measure: the window's mean and the one it is over, or the
        summary value and 1."""
        if windows is None:
            return float(self.summary.get((area, pathway, metric), math.nan)), 1.0
        series = self.monthly.get((area, metric), {})
        return _mean_over(series, windows[0]), _mean_over(series, windows[1])


def _ratio(num: float, den: float) -> float:
    return num / den if den != 0 and math.isfinite(den) else math.nan


def measured(outputs: Iterable[Any], measures: Sequence[Measure]) -> list[list[float]]:
    """Each measure in a point's replications: [measure][replication] values.

    A summary row or a monthly ratio is read in each replication. A share of areas (`each`) is read
    on each area's mean over the replications (the ratio of its pooled windows), the same value for
    every replication: it asks whether an area's *expected* series drifts, and one replication's path
    wanders by chance (a small area's year-6/year-2 ratio has a replication-to-replication standard
    deviation of 3-10% in a stationary run), which a share counted per replication would read as drift."""
    monthly_metrics = {m[2] for m in measures if m[3] is not None}
    readouts = [_Readout(output, monthly_metrics) for output in outputs]  # one output held at a time
    out = []
    for area, pathway, metric, windows, each in measures:
        if each is None:
            out.append([_ratio(*r.parts(area, pathway, metric, windows)) for r in readouts])
            continue
        areas = readouts[0].areas if readouts else []
        within = []
        for name in areas:
            parts = [r.parts(name, pathway, metric, windows) for r in readouts]
            value = _ratio(sum(p[0] for p in parts), sum(p[1] for p in parts))
            within.append(each[0] <= value <= each[1])
        share = float(np.mean(within)) if within else math.nan
        out.append([share] * len(readouts))
    return out


def run_point(config: ScenarioConfig, measures: Sequence[Measure]) -> list[list[float]]:
    """Every replication of one variant, in this process: [measure][replication] values.

    Top-level and pure, so worker processes and Dask give identical numbers."""
    return measured((simulate(config, r) for r in range(config.replications)), measures)
