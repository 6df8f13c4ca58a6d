"""The calibration folder and the terminal summary.

- `design.csv`: every simulated point: wave, stage, parameters, predicted implausibility, each
  figure's mean over replications, accepted yes/no;
- `fit.csv`: per figure and condition its definition, published value and band, the model's mean
  and 95% interval over the accepted sets and their replications, in band yes/no;
- `accepted_sets.csv`: the interface `plan --assumptions` reads: `set` (int), then one numeric
  column per parameter named by its dotted scenario key;
- `parameters.csv`: each parameter's range and its range over the accepted sets;
- `waves.csv`: points run and the non-implausible share of candidates per wave;
- `manifest.json` (space file sha256, seed, points, waves) and `space.yaml` (the space file as run).

Written atomically through `cfc_sim.output_folder` (kind `calibrate`).
"""

from __future__ import annotations

import json
import math
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.calibrate.procedure import Calibration
from cfc_sim.output_folder import write_folder
from cfc_sim.results_files import MANIFEST_JSON
from cfc_sim.safe_text import csv_safe
from cfc_sim.version import __version__

FIT_COLUMNS = ["figure", "kind", "scenario", "definition", "published", "source", "area", "pathway", "metric",
               "band_low", "band_high", "model_mean", "model_low", "model_high", "within", "basis", "known_gap"]


def design_frame(result: Calibration) -> pd.DataFrame:
    accepted = set(result.accepted)
    rows = []
    for i, run in enumerate(result.runs):
        row: dict[str, Any] = {"point": i, "wave": run.wave, "stage": run.stage}
        row.update({p.key: v for p, v in zip(result.space.parameters, run.values, strict=True)})
        row["implausibility"] = run.implausibility
        row.update({f.name: m for f, m in zip(result.space.figures, run.means, strict=True)})
        row["accepted"] = "yes" if i in accepted else "no"
        rows.append(row)
    return pd.DataFrame(rows)


def accepted_frame(result: Calibration) -> pd.DataFrame:
    """accepted_sets.csv: `set`, then each setting the set makes, its dotted scenario key as the
    column name, so each row applies as `--set` settings: a relative parameter appears as one
    column per area (`areas.<name>.<key>`, that area's value: the first scenario naming the area wins)."""
    runs = [result.runs[i] for i in result.accepted]
    keys = list(dict.fromkeys(k for run in (runs or result.runs[:1]) for k in run.settings))
    rows = [[n, *(run.settings.get(k) for k in keys)] for n, run in enumerate(runs)]
    frame = pd.DataFrame(rows, columns=["set", *keys])
    return frame.astype({"set": int}) if runs else frame.astype({"set": int, **{k: float for k in keys}})


def _basis(result: Calibration) -> tuple[list[int], str]:
    """The runs the fit table describes: the accepted sets, else the closest run (in half-bands)."""
    accepted = result.accepted
    if accepted:
        return accepted, f"{len(accepted)} accepted sets"
    distances = []
    for run in result.runs:
        scaled = [abs(m - f.value) / ((f.target.high - f.target.low) / 2) for f, m in
                  zip(result.space.figures, run.means, strict=True) if f.gates]
        distances.append(max(((s if math.isfinite(s) else math.inf) for s in scaled), default=0.0))
    best = int(np.argmin(distances)) if distances else 0
    return ([best] if result.runs else []), f"closest point {best} (no set accepted)"


def fit_frame(result: Calibration) -> pd.DataFrame:
    chosen, basis = _basis(result)
    rows = []
    for i, figure in enumerate(result.space.figures):
        pooled = np.concatenate([result.runs[r].figures[i] for r in chosen]) if chosen else np.array([])
        pooled = pooled[np.isfinite(pooled)]
        mean = float(np.mean(pooled)) if len(pooled) else math.nan
        low, high = (np.percentile(pooled, [2.5, 97.5]) if len(pooled) else (math.nan, math.nan))
        t = figure.target
        rows.append([figure.name, figure.kind, figure.scenario, figure.definition, t.published, t.source, t.area,
                     t.pathway, _measure_text(figure), t.low, t.high, mean,
                     float(low), float(high), "yes" if figure.within(mean) else "no", basis, figure.known_gap])
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def _measure_text(figure: Any) -> str:
    """The metric as measured: a summary metric, a monthly ratio, or the share of areas within a band."""
    text = figure.target.metric
    if figure.ratio is not None:
        (a, b), (c, d) = figure.ratio
        text = f"{text} months {a}-{b} / months {c}-{d}"
    if figure.each is not None:
        text = (f"share of areas with {text} within {figure.each[0]:g} to {figure.each[1]:g} "
                "(each area's mean over the replications)")
    return text


def parameters_frame(result: Calibration) -> pd.DataFrame:
    accepted = result.accepted
    rows = []
    for j, p in enumerate(result.space.parameters):
        values = np.array([result.runs[i].values[j] for i in accepted])
        rows.append({"key": p.key, "label": p.label, "low": p.low, "high": p.high,
                     "scale": "log" if p.log else "linear", "relative": "yes" if p.relative else "no",
                     "follows": p.follows or "", "factor": p.factor if p.follows else math.nan,
                     "accepted_min": values.min() if len(values) else math.nan,
                     "accepted_median": float(np.median(values)) if len(values) else math.nan,
                     "accepted_max": values.max() if len(values) else math.nan})
    return pd.DataFrame(rows)


def waves_frame(result: Calibration) -> pd.DataFrame:
    return pd.DataFrame([{"wave": w.wave, "stage": "design" if i < result.waves else "check",
                          "points_run": w.points_run, "candidates_screened": w.candidates,
                          "non_implausible": w.non_implausible, "non_implausible_share": w.non_implausible_share}
                         for i, w in enumerate(result.wave_log)])


def manifest(result: Calibration) -> dict[str, Any]:
    """manifest.json: what was run (the space file by its sha256, the seed) and with what; the
    workers are left out, as they change no number."""
    space = result.space
    return {"kind": "calibrate", "space_file": str(space.path.resolve()), "space_sha256": space.sha256,
            "space_name": space.name,
            "seed": result.seed, "points_per_wave": result.points, "waves": result.waves,
            "replications": space.replications, "cutoff": space.cutoff, "implausibility": space.rule,
            "candidates": space.candidates, "scenarios": {k: v.file for k, v in space.scenarios.items()},
            "points_run": len(result.runs), "accepted_sets": len(result.accepted),
            "cfc_sim_version": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "wall_seconds": round(result.wall_seconds, 3),
            "command": f"cfc-sim calibrate {_shown(space.path)} --out {{out}} --seed {result.seed} "
                       f"--points {result.points} --waves {result.waves}"}


def _shown(path: Path) -> str:
    """The space file as the user would type it: relative to the current folder where it lies inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def write_calibration(result: Calibration, out: Path) -> Path:
    """The folder, atomically (nothing is left half written)."""
    frames = {"design.csv": design_frame(result), "fit.csv": fit_frame(result),
              "accepted_sets.csv": accepted_frame(result), "parameters.csv": parameters_frame(result),
              "waves.csv": waves_frame(result)}

    def fill(tmp: Path) -> None:
        for name, frame in frames.items():
            csv_safe(frame).to_csv(tmp / name, index=False)
        (tmp / MANIFEST_JSON).write_text(json.dumps(manifest(result), indent=2, default=str) + "\n",
                                         encoding="utf-8")
        (tmp / "space.yaml").write_bytes(result.space.path.read_bytes())

    return write_folder(Path(out), "calibrate", fill)


def _number(value: float, share: bool) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:.1%}" if share else f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


# a first wave with fewer points than this per parameter cannot train its emulators (the shipped quick
# space runs 20 points for 21 parameters, the national one 60)
MIN_POINTS_PER_PARAMETER = 0.5


def summary_lines(result: Calibration) -> list[str]:
    """The terminal summary: waves, points run, non-implausible shares, accepted sets, the fit table."""
    lines = [f"calibrate {result.space.name}: {len(result.runs)} points run x {result.space.replications} "
             f"replications (seed {result.seed}, {result.wall_seconds:.0f} s)"]
    for w in waves_frame(result).itertuples():
        share = "" if not w.candidates_screened else (
            f"; then {w.non_implausible_share:.1%} of {w.candidates_screened} candidates non-implausible")
        stage = f"wave {w.wave}" if w.stage == "design" else "check"
        lines.append(f"  {stage}: {w.points_run} points run{share}")
    lines.append(f"accepted sets: {len(result.accepted)} of {len(result.runs)} points")
    first = next((w for w in waves_frame(result).itertuples() if w.stage == "design"), None)
    dims = len(result.space.parameters)
    least = math.ceil(dims * MIN_POINTS_PER_PARAMETER)
    if first is not None and first.points_run < least:
        lines.append(f"caution: wave 1 ran {first.points_run} points for {dims} parameters (fewer than {least}: "
                     "its emulators cannot learn the space), so its non-implausible share says little about "
                     "which assumptions fit; give more --points")
    fit = fit_frame(result)
    lines.append(f"fit ({fit['basis'].iloc[0] if len(fit) else '-'}):")
    for row in fit.itertuples():
        share = row.band_high <= 1
        mark = "[ok]" if row.within == "yes" else ("[gap]" if row.known_gap else "[NO]")
        lines.append(f"  {mark} {row.figure}: {_number(row.model_mean, share)} "
                     f"({_number(row.model_low, share)} to {_number(row.model_high, share)}), band "
                     f"{_number(row.band_low, share)} to {_number(row.band_high, share)}")
    return lines
