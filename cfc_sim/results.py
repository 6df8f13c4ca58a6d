"""Replication outputs -> tidy frames -> summary with intervals -> the results folder.

The folder is built in a hidden sibling and renamed into place only when complete, so a run
that fails or is interrupted never leaves a half-written results folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.errors import UserError
from cfc_sim.metric_catalogue import NATIONAL, ORDER, is_bounded, is_signed
from cfc_sim.model import ReplicationOutput
from cfc_sim.scenario.loading import resolved_yaml
from cfc_sim.scenario.schema import ScenarioConfig

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
    frame = pd.DataFrame(rows, columns=["replication", "area", "pathway", "metric", "value"])
    return _order(frame, areas, extra=["replication"])


def timeseries_frame(outputs: Sequence[ReplicationOutput], month_labels: Sequence[str]) -> pd.DataFrame:
    rows = [(o.replication, a, month_labels[k], m, float(v)) for o in outputs for (a, k, m, v) in o.monthly]
    return pd.DataFrame(rows, columns=["replication", "area", "month", "metric", "value"])


def summary_frame(replications: pd.DataFrame, areas: Sequence[str], confidence: float = 0.95,
                  inner_replications: int | None = None) -> pd.DataFrame:
    """`area,pathway,metric,mean,ci_low,ci_high,n_reps` with t-intervals (zero width for one value).

    With parameter uncertainty (`inner_replications` per draw) the interval is taken across the
    parameter draws' means (replications sharing a draw are not independent), and two columns say
    which share of each metric's variance comes from the parameters and which from run-to-run
    randomness.
    """
    from cfc_sim.stats import t_intervals, variance_shares

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
    frame = frame[["area", "pathway", "metric", "mean", "ci_low", "ci_high", "n_reps"]]
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


def check_output_folder(out: Path) -> None:
    """Refuse up front (before any work) to overwrite something that is not a cfc-sim output folder."""
    ours = ("manifest.json", "compare.csv", "sweep.csv", "plan.csv", "sensitivity.csv")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not any((out / n).is_file() for n in ours))):
        raise UserError("exists and is not a cfc-sim results folder; choose another --out", file=str(out))


def write_folder(out: Path, fill: Callable[[Path], None]) -> Path:
    """Create the folder `out` atomically: `fill` writes into a hidden sibling, renamed when done.

    An earlier results folder at `out` is replaced; anything else there is refused (exit 2).
    """
    out = Path(out)
    check_output_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        fill(tmp)
        if out.exists():
            trash = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, trash)
            os.replace(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def write_results(result: RunResult, out: Path, draw_charts: Callable[[RunResult, Path], None]) -> Path:
    """Write the results folder of a run atomically (see `write_folder`)."""

    def fill(tmp: Path) -> None:
        (tmp / "scenario.resolved.yaml").write_text(resolved_yaml(result.config), encoding="utf-8")
        result.replications.to_csv(tmp / "replications.csv", index=False)
        result.summary.to_csv(tmp / "summary.csv", index=False)
        result.timeseries.to_csv(tmp / "timeseries.csv", index=False)
        result.readiness.to_csv(tmp / "readiness.csv", index=False)
        if result.events is not None:
            result.events.to_csv(tmp / "events.csv.gz", index=False, compression="gzip")
        (tmp / "charts").mkdir()
        draw_charts(result, tmp / "charts")
        manifest = dict(result.manifest)
        manifest["command"] = manifest.get("command", "").replace("{out}", str(out))
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")

    return write_folder(Path(out), fill)


def load_results(folder: Path) -> RunResult:
    """Read a results folder back (for readiness, compare, report)."""
    from cfc_sim.scenario.loading import build_config, read_yaml

    folder = Path(folder)
    needed = ["manifest.json", "scenario.resolved.yaml", "replications.csv", "summary.csv",
              "timeseries.csv", "readiness.csv"]
    missing = [n for n in needed if not (folder / n).is_file()]
    if missing:
        raise UserError(f"not a results folder (missing {', '.join(missing)})", file=str(folder))
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        config = build_config(read_yaml(folder / "scenario.resolved.yaml"), str(folder / "scenario.resolved.yaml"))
        frames = {n: pd.read_csv(folder / f"{n}.csv") for n in ("replications", "summary", "timeseries", "readiness")}
    except (ValueError, OSError) as exc:
        raise UserError(f"unreadable results folder ({exc})", file=str(folder)) from None
    return RunResult(config, frames["replications"], frames["summary"], frames["timeseries"],
                     frames["readiness"], manifest)
