"""A grid of scenario variants, each run with the same seed (common random numbers).

Each variant is a results folder under the sweep folder; `sweep.csv` stacks their summaries with
one column per swept key. A variant whose folder already holds a finished run of the same
resolved scenario, seed and replications is reused, so an interrupted sweep resumes.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cfc_sim.cache import RUN_KEY, run_key
from cfc_sim.experiment import run_scenario
from cfc_sim.output_folder import check_folder, check_in_folder, folder_kind, open_folder, write_file
from cfc_sim.results import RunResult, slug, write_results
from cfc_sim.results_reader import read_results
from cfc_sim.safe_text import csv_safe
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.scenario.variants import load_variant

SUMMARY_COLUMNS = ["area", "pathway", "metric", "mean", "ci_low", "ci_high", "n_reps"]


def grid(settings: Sequence[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """Every combination of the swept values, first key varying slowest."""
    keys = [k for k, _ in settings]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(v for _, v in settings))]


def variant_name(index: int, values: dict[str, Any]) -> str:
    label = "_".join(f"{k.split('.')[-1]}={v}" for k, v in values.items())
    return f"v{index:02d}_{slug(label)}"[:100]


def finished(folder: Path, config: ScenarioConfig) -> bool:
    """The folder holds a complete run of exactly this variant: its manifest's `cache_key` is the
    variant's `cfc_sim.cache.run_key` (same resolved scenario, seed, replications and code version)."""
    manifest = folder / "manifest.json"
    if folder_kind(folder) != "run" or not manifest.is_file():
        return False
    try:
        done = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(done, dict) and done.get("cache_key") == run_key(config, RUN_KEY)


def run_sweep(
    scenario: str | Path,
    settings: Sequence[tuple[str, list[Any]]],
    out: Path,
    *,
    reps: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    draw_charts: Callable[[RunResult, Path], None],
    on_variant: Callable[[str, bool], None] = lambda name, reused: None,
) -> pd.DataFrame:
    """Run (or reuse) every variant of the grid and return the stacked summary (sweep.csv)."""
    combos = grid(settings)
    configs = [load_variant(scenario, values).with_run_options(replications=reps, seed=seed) for values in combos]
    names = [variant_name(index, values) for index, values in enumerate(combos, start=1)]
    out = open_folder(out, "sweep")
    for name in names:  # before any run: every variant folder is free or an earlier run of ours
        check_folder(out / name, "run")
    for table_file in ("sweep.csv", "sweep.png"):
        check_in_folder(out, out / table_file)
    frames = []
    for name, values, config in zip(names, combos, configs, strict=True):
        folder = out / name
        reused = finished(folder, config)
        if reused:
            summary = read_results(folder).summary
        else:
            result = run_scenario(config, workers=workers, scheduler=scheduler)
            result.manifest["command"] = f"cfc-sim run {{out}}/scenario.resolved.yaml --reps {config.replications} " \
                                         f"--seed {config.seed}"
            write_results(result, folder, draw_charts)
            summary = result.summary
        on_variant(name, reused)
        frame = summary[SUMMARY_COLUMNS].copy()
        for key, value in reversed(list(values.items())):
            frame.insert(0, key, str(value))
        frame.insert(0, "variant", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    write_file(out / "sweep.csv", lambda tmp: csv_safe(table).to_csv(tmp, index=False), owner=out)
    return table
