"""Replication outputs -> tidy frames -> summary with intervals -> the results folder.

The folder is written by `cfc_sim.output_folder` (built in a hidden sibling, renamed into place
when complete, marked as a run's output); `cfc_sim.results_reader` reads it back. The monthly
series go to Parquet (`timeseries.parquet`, one row per replication, area, month and metric: a
national run of 30 replications has millions of rows, past Excel's limit) with a small CSV beside
it for spreadsheets (`monthly_summary.csv`: mean and percentiles across replications).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.manifest import write_manifest
from cfc_sim.metric_catalogue import NATIONAL, ORDER, is_bounded, is_signed
from cfc_sim.model import ReplicationOutput
from cfc_sim.output_folder import write_folder
from cfc_sim.results_files import (
    CHARTS,
    EVENTS_CSV_GZ,
    MONTHLY_COLUMNS,
    MONTHLY_SUMMARY_CSV,
    REPLICATIONS_COLUMNS,
    SCENARIO_RESOLVED_YAML,
    SUMMARY_COLUMNS,
    TIMESERIES_COLUMNS,
    TIMESERIES_PARQUET,
    csv_name,
)
from cfc_sim.safe_text import csv_safe
from cfc_sim.scenario.resolved import resolved_yaml
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.stats import t_intervals, variance_shares

PATHWAY_ORDER = ["all", "cap", "cfc"]


@dataclass
class RunResult:
    """Everything a run produced, as pandas frames (what `cfc_sim.run` returns)."""

    config: ScenarioConfig
    replications: pd.DataFrame
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    readiness: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    events: pd.DataFrame | None = None
    monthly: pd.DataFrame | None = None  # monthly_summary.csv; None: computed from `timeseries` when asked

    def monthly_summary(self) -> pd.DataFrame:
        """`area, month, metric, mean, p05, p50, p95` across replications (computed once)."""
        if self.monthly is None:
            self.monthly = monthly_summary_frame(self.timeseries, [a.name for a in self.config.areas])
        return self.monthly


def _order(frame: pd.DataFrame, areas: Sequence[str], extra: Sequence[str] = ()) -> pd.DataFrame:
    """Stable row order: (extra columns), ALL then areas in scenario order, pathway, metric."""
    area_rank = {name: i for i, name in enumerate([NATIONAL, *areas])}
    keyed = frame.assign(
        _a=frame["area"].map(area_rank),
        _p=frame["pathway"].map({p: i for i, p in enumerate(PATHWAY_ORDER)}),
        _m=frame["metric"].map(lambda m: ORDER.get(m, len(ORDER))),
    )
    keyed = keyed.sort_values([*extra, "_a", "_p", "_m", "metric"], kind="stable")
    return keyed.drop(columns=["_a", "_p", "_m"]).reset_index(drop=True)


def replications_frame(outputs: Sequence[ReplicationOutput], areas: Sequence[str]) -> pd.DataFrame:
    rows = [(o.replication, a, p, m, float(v)) for o in outputs for (a, p, m, v) in o.metrics]
    frame = pd.DataFrame(rows, columns=REPLICATIONS_COLUMNS)
    return _order(frame, areas, extra=["replication"])


def timeseries_frame(outputs: Sequence[ReplicationOutput], month_labels: Sequence[str]) -> pd.DataFrame:
    rows = [(o.replication, a, month_labels[k], m, float(v)) for o in outputs for (a, k, m, v) in o.monthly]
    return pd.DataFrame(rows, columns=TIMESERIES_COLUMNS)


def monthly_summary_frame(timeseries: pd.DataFrame, areas: Sequence[str] = ()) -> pd.DataFrame:
    """`monthly_summary.csv`: per area, month and metric the mean and the 5th, 50th and 95th
    percentiles across replications (linear interpolation, as numpy and pandas default); England
    first, then the areas in scenario order, months in order, metrics in the model's order."""
    if timeseries.empty:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    grouped = timeseries.groupby(["area", "month", "metric"], sort=False)["value"]
    quantiles = grouped.quantile([0.05, 0.5, 0.95]).unstack()
    frame = pd.DataFrame({"mean": grouped.mean(), "p05": quantiles[0.05], "p50": quantiles[0.5],
                          "p95": quantiles[0.95]}).reset_index()
    area_rank = {name: i for i, name in enumerate([NATIONAL, *areas])}
    metric_rank = {name: i for i, name in enumerate(timeseries["metric"].drop_duplicates())}
    keyed = frame.assign(_a=frame["area"].map(lambda a: area_rank.get(a, len(area_rank))),
                         _m=frame["metric"].map(metric_rank))
    keyed = keyed.sort_values(["_a", "area", "month", "_m"], kind="stable")
    return keyed[MONTHLY_COLUMNS].reset_index(drop=True)


def write_timeseries_parquet(timeseries: pd.DataFrame, path: Path) -> None:
    """The per-replication monthly series as Parquet (zstd; text columns dictionary-encoded), exact in
    value: float64 is stored as is."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("replication", pa.int64()), ("area", pa.string()), ("month", pa.string()),
                        ("metric", pa.string()), ("value", pa.float64())])
    table = pa.Table.from_pandas(timeseries[TIMESERIES_COLUMNS], schema=schema, preserve_index=False)
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd")


def summary_frame(replications: pd.DataFrame, areas: Sequence[str], confidence: float = 0.95,
                  inner_replications: int | None = None) -> pd.DataFrame:
    """`area,pathway,metric,mean,ci_low,ci_high,n_reps` with t-intervals (zero width for one value).

    With parameter uncertainty (`inner_replications` per draw) the interval is taken across the
    parameter draws' means (replications sharing a draw are not independent), and two columns say
    which share of each metric's variance comes from the parameters and which from run-to-run
    randomness.
    """
    keys = ["area", "pathway", "metric"]
    counts = replications.groupby(keys, sort=False)["value"].count().to_numpy()
    units = replications
    if inner_replications:
        units = (replications.assign(replication=replications["replication"] // inner_replications)
                 .groupby([*keys, "replication"], sort=False)["value"].mean().reset_index())
    frame = units.groupby(keys, sort=False)["value"].agg(["mean", "std", "count"]).reset_index()
    low, high = t_intervals(frame["mean"].to_numpy(), frame["std"].to_numpy(), frame["count"].to_numpy(), confidence)
    # Intervals stay inside what the metric can be: counts, days and rates >= 0, shares <= 1.
    metric = frame["metric"]
    non_negative = ~metric.map(is_signed).to_numpy(dtype=bool)
    bounded = metric.map(is_bounded).to_numpy(dtype=bool)
    low = np.where(non_negative, np.maximum(low, 0.0), low)
    high = np.where(bounded, np.minimum(high, 1.0), high)
    frame = frame.assign(ci_low=low, ci_high=high, n_reps=counts)
    frame = frame[SUMMARY_COLUMNS]
    if inner_replications:
        shares = [variance_shares(g["value"], g["replication"], inner_replications)
                  for _, g in replications.groupby(["area", "pathway", "metric"], sort=False)]
        frame = frame.assign(parameter_variance_share=[s[0] for s in shares],
                             randomness_variance_share=[s[1] for s in shares])
    return _order(frame, areas)


def events_frame(outputs: Sequence[ReplicationOutput], start: Any) -> pd.DataFrame | None:
    """The event log (only with --trace): one row per case event, in time order per replication."""
    if all(o.events is None for o in outputs):
        return None
    rows = [(o.replication, f"{o.replication}-{area}-{case_id}", activity,
             (pd.Timestamp(start) + pd.to_timedelta(day, unit="D")).isoformat(), day, resource, area)
            for o in outputs for (day, area, case_id, activity, resource) in (o.events or [])]
    frame = pd.DataFrame(rows, columns=["replication", "case_id", "activity", "timestamp", "day", "resource",
                                        "area"])
    return frame.sort_values(["replication", "day"], kind="stable").reset_index(drop=True)


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "scenario"


ChartDrawer = Callable[[RunResult, Path], None]  # draws a run's charts into a folder


def write_results(result: RunResult, out: Path, draw_charts: ChartDrawer) -> Path:
    """Write the results folder of a run atomically (see `cfc_sim.output_folder.write_folder`)."""
    def fill(tmp: Path) -> None:
        (tmp / CHARTS).mkdir()
        draw_charts(result, tmp / CHARTS)
        write_files(tmp)
        manifest = dict(result.manifest)
        manifest["command"] = manifest.get("command", "").replace("{out}", str(out))
        write_manifest(tmp, manifest)

    def write_files(tmp: Path) -> None:
        (tmp / SCENARIO_RESOLVED_YAML).write_text(resolved_yaml(result.config), encoding="utf-8")
        csv_safe(result.replications).to_csv(tmp / csv_name("replications"), index=False)
        csv_safe(result.summary).to_csv(tmp / csv_name("summary"), index=False)
        write_timeseries_parquet(result.timeseries, tmp / TIMESERIES_PARQUET)
        csv_safe(result.monthly_summary()).to_csv(tmp / MONTHLY_SUMMARY_CSV, index=False)
        csv_safe(result.readiness).to_csv(tmp / csv_name("readiness"), index=False)
        if result.events is not None:
            csv_safe(result.events).to_csv(tmp / EVENTS_CSV_GZ, index=False, compression="gzip")

    return write_folder(Path(out), "run", fill)
