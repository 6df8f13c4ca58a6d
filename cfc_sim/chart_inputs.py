"""What a run's charts read, prepared once and cheap to import (pandas, no matplotlib).

`cfc_sim.charts` draws from these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# The monthly series the run charts draw; their bands are computed once, in one pass over the series.
CHART_METRICS = ("cir_on_time_share", "caseload_mean", "unallocated_queue_mean", "fte_in_post", "establishment",
                 "vacancies", "leavers", "trained_share", "open_cap_cases")
MAX_AREA_PANELS = 12  # more areas than this: England and the worst areas, and every area by region


class Bands:
    """Per (metric, area) the 5th, 25th, 50th, 75th and 95th percentiles across replications, by
    month: built once from the monthly series so no chart filters the long frame again."""

    def __init__(self, series: pd.DataFrame, metrics: Sequence[str] = CHART_METRICS) -> None:
        self._bands: dict[tuple[str, str], pd.DataFrame] = {}
        rows = series[series["metric"].isin(list(metrics))] if not series.empty else series
        if rows.empty:
            return
        grouped = rows.groupby(["metric", "area", "month"], sort=True)["value"].quantile(list(QUANTILES)).unstack()
        for (metric, area), frame in grouped.groupby(level=[0, 1], sort=False):
            self._bands[(str(metric), str(area))] = frame.droplevel([0, 1])

    def get(self, metric: str, area: str) -> pd.DataFrame:
        """Months x quantiles (empty when the series has no such metric for the area)."""
        return self._bands.get((metric, area), pd.DataFrame())


def run_chart_names(config: object) -> list[str]:
    """The chart files of a run's folder, in the order they are drawn in one process."""
    many = len(config.areas) > MAX_AREA_PANELS  # type: ignore[attr-defined]
    return ["readiness_heatmap.png", "cir_on_time_fan.png", *(["cir_on_time_regions.png"] if many else []),
            "caseload_queue.png", "workforce.png", "transition_cap_rundown.png"]


@dataclass(frozen=True)
class RunChartInputs:
    """What a run's charts read, prepared once (the bands, not the long monthly series)."""

    config: Any
    readiness: pd.DataFrame  # the overall status rows (all the heatmap reads)
    bands: Bands
    months: list[str]
    on_time: dict[str, float]  # each area's CIRs on time over the run (the summary's mean), for ranking areas


def run_chart_inputs(result: object) -> RunChartInputs:
    """The bands (one pass over the monthly series) and months every run chart reads."""
    series = result.timeseries  # type: ignore[attr-defined]
    months = sorted(series["month"].unique()) if not series.empty else []
    summary = result.summary  # type: ignore[attr-defined]
    rows = summary[(summary["pathway"] == "all") & (summary["metric"] == "cir_on_time_share")]
    on_time = dict(zip(rows["area"].astype(str), rows["mean"].astype(float), strict=True))
    return RunChartInputs(result.config, _overall(result.readiness), Bands(series), months,  # type: ignore[attr-defined]
                          on_time)


def _overall(readiness: pd.DataFrame) -> pd.DataFrame:
    return readiness[readiness["criterion"] == "overall"] if "criterion" in readiness else readiness
