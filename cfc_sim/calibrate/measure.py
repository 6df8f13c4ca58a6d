"""Measuring figures in the worker processes: one assumption set on one scenario, all its
replications, reduced to a few numbers per figure. The executor's unit of work.

Kept light (numpy and the model only: no pandas, scipy, YAML or scikit-learn) because every
worker process imports it to unpickle its task.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.model import simulate
from cfc_sim.scenario.schema import ScenarioConfig

# A measure: (area, pathway, metric, ratio windows or None, each-area band or None)
Measure = tuple[Any, ...]


def _ratio(series: dict[int, float], windows: tuple[tuple[int, int], tuple[int, int]]) -> float:
    """Mean over the first window / mean over the second (NaN if a window is not wholly in the run)."""
    (first, last), (over_first, over_last) = windows
    window = [series[m] for m in range(first, last + 1) if m in series]
    over = [series[m] for m in range(over_first, over_last + 1) if m in series]
    if len(window) != last - first + 1 or len(over) != over_last - over_first + 1 or np.mean(over) == 0:
        return math.nan
    return float(np.mean(window)) / float(np.mean(over))


def measured(output: Any, measures: Sequence[Measure]) -> list[float]:
    """Each measure in one replication's output: a summary row, a monthly ratio or a share of areas."""
    summary = {(a, p, m): v for a, p, m, v in output.metrics}
    monthly: dict[tuple[str, str], dict[int, float]] = {}
    for area, month, metric, value in output.monthly:
        monthly.setdefault((area, metric), {})[month + 1] = value
    areas = sorted({a for a, _, _, _ in output.metrics if a != NATIONAL})

    def value_of(area: str, pathway: str, metric: str, windows: Any) -> float:
        if windows is None:
            return float(summary.get((area, pathway, metric), math.nan))
        return _ratio(monthly.get((area, metric), {}), windows)

    out = []
    for area, pathway, metric, windows, each in measures:
        if each is None:
            out.append(value_of(area, pathway, metric, windows))
            continue
        values = [value_of(a, pathway, metric, windows) for a in areas]
        out.append(float(np.mean([each[0] <= v <= each[1] for v in values])) if values else math.nan)
    return out


def run_point(config: ScenarioConfig, measures: Sequence[Measure]) -> list[list[float]]:
    """Every replication of one variant, in this process: [measure][replication] values.

    Top-level and pure, so worker processes and Dask give identical numbers."""
    per_rep = [measured(simulate(config, r), measures) for r in range(config.replications)]
    return [[row[i] for row in per_rep] for i in range(len(measures))]
