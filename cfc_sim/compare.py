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

from cfc_sim.at_risk import CFC_TARGETS
from cfc_sim.metric_catalogue import (
    BY_NAME,
    COMPARED,
    NATIONAL,
    NUMBER,
    SHARE,
    Metric,
    label_of,
    scenario_targets,
    whole_run_name,
)
from cfc_sim.results import RunResult
from cfc_sim.stats import paired_difference, welch_interval


def judged_pathway(run: RunResult, area: str, metric: str) -> str:
    """The pathway a figure is judged on, as every view judges it (`at_risk.judged_rows`): children
    seen on CFC cases where the area has any, everything else on all cases."""
    s = run.summary
    if metric in CFC_TARGETS and ((s["area"] == area) & (s["pathway"] == "cfc") & (s["metric"] == metric)).any():
        return "cfc"
    return "all"


def _summary_interval(run: RunResult, area: str, metric: str) -> tuple[float, float, float]:
    """The run's own summary row (its interval already kept inside the metric's range)."""
    s = run.summary
    row = s[(s["area"] == area) & (s["pathway"] == judged_pathway(run, area, metric)) & (s["metric"] == metric)]
    if row.empty:
        return math.nan, math.nan, math.nan
    return float(row["mean"].iloc[0]), float(row["ci_low"].iloc[0]), float(row["ci_high"].iloc[0])


def unique_labels(names: Sequence[str], folders: Sequence[str]) -> list[str]:
    """The runs' scenario names, with the folder's name (then its path, then the run's number) added
    when two runs would share a label."""
    candidates = [list(names),
                  [f"{name} ({Path(folder).name})" for name, folder in zip(names, folders, strict=True)],
                  [f"{name} ({folder})" for name, folder in zip(names, folders, strict=True)]]
    for labels in candidates:
        if len(set(labels)) == len(labels):
            return labels
    return [f"{name} (run {i + 1})" for i, name in enumerate(names)]


def whole_of(runs: Sequence[RunResult]) -> str:
    """What the runs' ALL rows are (`metric_catalogue.whole_run_name`), when they all say the same;
    else "the ALL rows" (runs over different areas)."""
    wholes = {whole_run_name(a.name for a in run.config.areas) for run in runs}
    return wholes.pop() if len(wholes) == 1 else "the ALL rows"


def same_areas(first: RunResult, other: RunResult) -> bool:
    """The runs model the same areas (in any order: each area runs on its own, its streams keyed by its
    name), so England's figures are of the same population."""
    return {a.name for a in first.config.areas} == {a.name for a in other.config.areas}


def same_span(first: RunResult, other: RunResult) -> bool:
    """The runs cover the same months (start, horizon and warm-up): otherwise counts and averages are
    over different periods, whatever the scenarios."""
    a, b = first.config.header, other.config.header
    return (a.start, a.horizon_months, a.warmup_months) == (b.start, b.horizon_months, b.warmup_months)


def replications_of(run: RunResult) -> int:
    return int(run.replications["replication"].nunique())


def calibration_of(run: RunResult) -> str | None:
    """The calibration version a run's assumptions come from (None: not from a calibration)."""
    calibration = run.config.header.calibration
    return calibration.version if calibration else None


def paired(first: RunResult, other: RunResult, area: str = NATIONAL) -> bool:
    """Common random numbers apply: same seed, and replication numbers to pair on. Streams are keyed
    by area name, so one area pairs whatever else is modelled; England's figures pair only over the
    same areas (otherwise they sum different populations)."""
    return first.manifest.get("seed") == other.manifest.get("seed") and (area != NATIONAL
                                                                        or same_areas(first, other))


def compare_frame(runs: Sequence[RunResult], labels: Sequence[str], area: str = NATIONAL,
                  metrics: Sequence[str] = COMPARED) -> pd.DataFrame:
    """One row per (metric, run): mean and interval, and the difference from the first run; each
    figure on the pathway every view judges it on (`judged_pathway`: children seen on CFC cases)."""
    rows = []
    base = runs[0]
    for metric in metrics:
        values = []
        for run in runs:
            reps = run.replications
            pathway = judged_pathway(run, area, metric)
            sel = reps[(reps["area"] == area) & (reps["pathway"] == pathway) & (reps["metric"] == metric)]
            values.append(sel.set_index("replication")["value"].sort_index())
        if all(v.empty for v in values):
            continue
        for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
            mean, low, high = _summary_interval(run, area, metric)
            row = {"metric": metric, "run": label, "mean": mean, "ci_low": low, "ci_high": high,
                   "n_reps": len(values[i]), "diff": math.nan, "diff_low": math.nan, "diff_high": math.nan,
                   "method": "", "pathway": judged_pathway(run, area, metric)}
            if i > 0 and len(values[0]) and len(values[i]):
                if paired(base, run, area):
                    common = values[0].index.intersection(values[i].index)
                    row["diff"], row["diff_low"], row["diff_high"] = paired_difference(
                        values[0].loc[common].to_numpy(), values[i].loc[common].to_numpy())
                    subset = len(common) < max(len(values[0]), len(values[i]))  # the means are over more
                    row["method"] = (f"paired (common random numbers, {len(common)} replications"
                                     + (" both runs have; each mean is over its run's own" if subset else "") + ")")
                else:
                    row["diff"], row["diff_low"], row["diff_high"] = welch_interval(values[0].to_numpy(),
                                                                                      values[i].to_numpy())
                    row["method"] = ("unpaired (Welch): different areas" if base.manifest.get("seed") ==
                                     run.manifest.get("seed") else "unpaired (Welch): different seeds")
            rows.append(row)
    return pd.DataFrame(rows, columns=["metric", "run", "mean", "ci_low", "ci_high", "n_reps", "diff", "diff_low",
                                       "diff_high", "method", "pathway"])


def metric_of(name: str) -> Metric:
    """The catalogue's metric, or a plain number for a name it lacks."""
    return BY_NAME.get(name) or Metric(name, label_of(name), label_of(name), "")


def measure_label(metric: str, pathway: str, long: bool = False) -> str:
    """A measure's name as every view prints it, saying when it is judged on CFC cases."""
    m = metric_of(metric)
    name = m.label if long else m.short
    return f"{name} (CFC cases)" if pathway == "cfc" else name


def estimate_texts(metric: str, values: Sequence[tuple[float, float, float]]) -> list[str]:
    """'88.3% (85.2% to 91.4%)' for each (mean, low, high): runs' values and 95% intervals written for
    people, with one number of digits for all (a number whose interval would read 'x to x' gets the
    digits that tell its ends apart, up to three)."""
    m = metric_of(metric)
    digits = 1
    if m.kind == NUMBER:
        for low, high in ((lo, hi) for _, lo, hi in values if lo == lo and hi == hi and lo != hi):
            while digits < 3 and f"{low:.{digits}f}" == f"{high:.{digits}f}" and abs(high) < 1000:
                digits += 1

    def one(mean: float, low: float, high: float) -> str:
        if mean != mean:
            return "n/a"
        if digits > 1:
            number = f"{{:,.{digits}f}}".format
            return f"{number(mean)} ({number(low)} to {number(high)})"
        if low != low or high != high:
            return m.format(mean)
        return f"{m.format(mean)} ({m.format(low)} to {m.format(high)})"

    return [one(*v) for v in values]


def estimate_text(metric: str, mean: float, low: float, high: float) -> str:
    """One run's value and 95% interval (`estimate_texts`)."""
    return estimate_texts(metric, [(mean, low, high)])[0]


def difference_text(metric: str, diff: float, low: float, high: float) -> str:
    """'-0.4 pts (-1.5 to +0.7)': a difference from the first run with its 95% interval."""
    m = metric_of(metric)
    if diff != diff:
        return "n/a"
    unit = " pts" if m.kind == SHARE else ""
    alike = (diff, low, high)  # one number of digits for the difference and its interval
    ends = [m.format_difference(v, alike).removesuffix(unit) for v in (low, high)]
    return f"{m.format_difference(diff, alike)} ({ends[0]} to {ends[1]})"


def difference_verdict(metric: str, diff: float, low: float, high: float) -> str:
    """In words: whether the interval of the difference excludes zero, and whether that is better."""
    if diff != diff:
        return ""
    if diff == 0 and low == 0 and high == 0:
        return "no difference"
    if low <= 0 <= high:
        return "no clear difference (interval spans zero)"
    direction = "higher" if low > 0 else "lower"
    better = metric_of(metric).better
    if not better:
        return direction
    return f"{direction}: {'better' if direction == better else 'worse'}"


def targets_of(run: RunResult) -> dict[str, tuple[float, str]]:
    """The run's targets by metric: (value, words) for the metrics a target applies to."""
    return {metric: (t.threshold, t.words) for metric, t in scenario_targets(run.config.header.targets).items()}


def shown_metrics(table: pd.DataFrame) -> list[str]:
    """The compared metrics worth a chart panel: not zero in every run (an all-zero panel says nothing)."""
    out = []
    for metric, group in table.groupby("metric", sort=False):
        values = group[["mean", "ci_low", "ci_high"]].to_numpy(dtype=float)
        if not ((values == 0) | (values != values)).all():
            out.append(str(metric))
    return out
