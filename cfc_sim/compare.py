"""Side-by-side KPIs of several runs, with paired differences under common random numbers.

Runs made with the same seed draw the same random numbers replication by replication (streams
are keyed by replication, area and purpose), so the difference of two scenarios is estimated
from per-replication differences: a much tighter interval than comparing two independent means.
Runs with different seeds are compared with Welch's unpaired interval instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cfc_sim.metric_catalogue import COMPARED, NATIONAL
from cfc_sim.results import RunResult
from cfc_sim.stats import paired_difference, welch_interval


def _summary_interval(run: RunResult, area: str, metric: str) -> tuple[float, float, float]:
    """The run's own summary row (its interval already kept inside the metric's range)."""
    s = run.summary
    row = s[(s["area"] == area) & (s["pathway"] == "all") & (s["metric"] == metric)]
    if row.empty:
        return math.nan, math.nan, math.nan
    return float(row["mean"].iloc[0]), float(row["ci_low"].iloc[0]), float(row["ci_high"].iloc[0])


def unique_labels(names: Sequence[str], folders: Sequence[str]) -> list[str]:
    """The runs' scenario names, with the folder name added when two runs share a name."""
    if len(set(names)) == len(names):
        return list(names)
    return [f"{name} ({Path(folder).name})" for name, folder in zip(names, folders, strict=True)]


def paired(first: RunResult, other: RunResult) -> bool:
    """Common random numbers apply: same seed, and replication numbers to pair on."""
    return first.manifest.get("seed") == other.manifest.get("seed")


def compare_frame(runs: Sequence[RunResult], labels: Sequence[str], area: str = NATIONAL,
                  metrics: Sequence[str] = COMPARED) -> pd.DataFrame:
    """One row per (metric, run): mean and interval, and the difference from the first run."""
    rows = []
    base = runs[0]
    for metric in metrics:
        values = []
        for run in runs:
            reps = run.replications
            sel = reps[(reps["area"] == area) & (reps["pathway"] == "all") & (reps["metric"] == metric)]
            values.append(sel.set_index("replication")["value"].sort_index())
        if all(v.empty for v in values):
            continue
        for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
            mean, low, high = _summary_interval(run, area, metric)
            row = {"metric": metric, "run": label, "mean": mean, "ci_low": low, "ci_high": high,
                   "n_reps": len(values[i]), "diff": math.nan, "diff_low": math.nan, "diff_high": math.nan,
                   "method": ""}
            if i > 0 and len(values[0]) and len(values[i]):
                if paired(base, run):
                    common = values[0].index.intersection(values[i].index)
                    row["diff"], row["diff_low"], row["diff_high"] = paired_difference(
                        values[0].loc[common].to_numpy(), values[i].loc[common].to_numpy())
                    row["method"] = f"paired (common random numbers, {len(common)} replications)"
                else:
                    row["diff"], row["diff_low"], row["diff_high"] = welch_interval(values[0].to_numpy(),
                                                                                      values[i].to_numpy())
                    row["method"] = "unpaired (Welch): different seeds"
            rows.append(row)
    return pd.DataFrame(rows, columns=["metric", "run", "mean", "ci_low", "ci_high", "n_reps", "diff", "diff_low",
                                       "diff_high", "method"])
