"""A grid of scenario variants, each run with the same seed (common random numbers).

Each variant is a results folder under the sweep folder; `sweep.csv` stacks their summaries with
one column per swept key. A variant whose folder already holds a finished run of the same
resolved scenario, seed and replications is reused, so an interrupted sweep resumes.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cfc_sim.cache import RUN_KEY, run_key
from cfc_sim.errors import UserError
from cfc_sim.experiment import run_scenario
from cfc_sim.kept import note as note_kept
from cfc_sim.output_folder import (
    check_folder,
    check_in_folder,
    folder_kind,
    open_folder,
    read_marker,
    retire,
    write_file,
)
from cfc_sim.results import RunResult, slug, write_results
from cfc_sim.results_files import MANIFEST_JSON, SUMMARY_COLUMNS
from cfc_sim.results_reader import read_results
from cfc_sim.safe_text import csv_safe
from cfc_sim.scenario.resolved import scenario_sha256
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.scenario.variants import load_variant
from cfc_sim.seal import FolderWarning, verify_folder

MAX_VARIANTS = 1_000  # a grid above this is refused before any variant is built (split it into several sweeps)


def check_grid_size(settings: Sequence[tuple[str, list[Any]]]) -> int:
    """The number of variants, refused above `MAX_VARIANTS` before any is validated."""
    count = math.prod(len(values) for _, values in settings)
    if count > MAX_VARIANTS:
        sizes = " x ".join(f"{len(values)} ({key})" for key, values in settings)
        raise UserError(f"the grid has {count:,} variants ({sizes}); at most {MAX_VARIANTS:,} in one sweep: "
                        "sweep fewer values, or split the grid into several sweeps", key="--set")
    return count


def grid(settings: Sequence[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """Every combination of the swept values, first key varying slowest."""
    keys = [k for k, _ in settings]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(v for _, v in settings))]


def variant_name(index: int, values: dict[str, Any]) -> str:
    label = "_".join(f"{k.split('.')[-1]}={v}" for k, v in values.items())
    return f"v{index:02d}_{slug(label)}"[:100]


def finished(folder: Path, config: ScenarioConfig) -> bool:
    """The folder holds a complete run of exactly this variant: its manifest's `cache_key` is the
    variant's `cfc_sim.cache.run_key` (same resolved scenario, seed, replications and code version)
    and its seal holds (every file as cfc-sim wrote it). Anything else is run again."""
    manifest = folder / MANIFEST_JSON
    if folder_kind(folder) != "run" or not manifest.is_file():
        return False
    try:
        done = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(done, dict) or done.get("cache_key") != run_key(config, RUN_KEY):
        return False
    try:
        return verify_folder(folder, warn=False)  # False: written before sealing, so run again
    except UserError as exc:
        warnings.warn(f"{exc} (so this variant is run again)", FolderWarning, stacklevel=2)
        return False


def identical_variants(configs: Sequence[ScenarioConfig], combos: Sequence[dict[str, Any]]) -> list[str]:
    """Warnings for variants that are the same scenario (same resolved sha256), naming a swept key
    that changes nothing: typically a `defaults.` key that every area overrides with its own value."""
    shas = [scenario_sha256(c) for c in configs]
    if len(set(shas)) == len(shas):
        return []
    keys = list(combos[0]) if combos else []
    warnings = []
    for key in keys:
        # the variants that differ from the first only in this key
        alike = [sha for sha, combo in zip(shas, combos, strict=True)
                 if all(combo[k] == combos[0][k] for k in keys if k != key)]
        if len(alike) > 1 and len(set(alike)) == 1:
            hint = ""
            if key.startswith("defaults."):
                hint = (f" (an area's own value overrides defaults: sweep areas.*.{key[len('defaults.'):]} or an "
                        "area by name)")
            warnings.append(f"--set {key}: every value gives the same scenario, so these variants are identical"
                            + hint)
    groups: dict[str, list[int]] = {}
    for index, sha in enumerate(shas, start=1):
        groups.setdefault(sha, []).append(index)
    same = [g for g in groups.values() if len(g) > 1]
    if same and not warnings:
        shown = "; ".join(", ".join(f"v{i:02d}" for i in g) for g in same)
        warnings.append(f"identical variants (the same scenario): {shown}")
    return warnings


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
    on_warning: Callable[[str], None] = lambda message: None,
    on_validated: Callable[[int, int], None] = lambda done, total: None,
    extra_files: Sequence[str] = (),
) -> pd.DataFrame:
    """Run (or reuse) every variant of the grid and return the stacked summary (sweep.csv).
    Identical variants are reported through `on_warning` before anything runs; `extra_files` are
    further files the caller will write into the sweep folder (checked before any run)."""
    total = check_grid_size(settings)
    combos = grid(settings)
    configs = []
    for values in combos:  # every variant validated before any runs; progress said as it goes
        configs.append(load_variant(scenario, values).with_run_options(replications=reps, seed=seed))
        on_validated(len(configs), total)
    names = [variant_name(index, values) for index, values in enumerate(combos, start=1)]
    for warning in identical_variants(configs, combos):
        on_warning(warning)
    out = open_folder(out, "sweep")
    for name in names:  # before any run: every variant folder is free or an earlier run of ours
        check_folder(out / name, "run")
    for table_file in ("sweep.csv", "sweep.png", *extra_files):
        check_in_folder(out, out / table_file)
    frames: list[pd.DataFrame] = []
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
        done = len(frames) + 1
        note_kept("sweep", f"{done} variant{'s' if done != 1 else ''} finished and kept in {out}; a rerun with the "
                           "same --out reuses them")
        frame = summary[SUMMARY_COLUMNS].copy()
        for key, value in reversed(list(values.items())):
            frame.insert(0, key, str(value))
        frame.insert(0, "variant", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    write_file(out / "sweep.csv", lambda tmp: csv_safe(table).to_csv(tmp, index=False), owner=out)
    return table


def tidy_earlier_grids(out: Path, names: Sequence[str], files: Sequence[str],
                        on_warning: Callable[[str], None]) -> None:
    """After a sweep has written all its files (`files`; its variants: `names`), in a folder rerun with
    another grid: the tables and charts of the earlier grid (written by cfc-sim, listed in the folder's
    marker) go, since they no longer match sweep.csv; its variants' folders stay as the cache a later
    sweep reuses, and the warning names them."""
    marker = read_marker(out) or {"files": []}
    retire(out, [f for f in marker["files"] if f not in files and f.endswith((".png", ".csv"))])
    earlier = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name not in names and folder_kind(p) == "run")
    if earlier:
        on_warning(f"{len(earlier)} variant folder(s) of an earlier grid kept in {out} as a cache, not in sweep.csv: "
                   + ", ".join(earlier[:6]) + (", ..." if len(earlier) > 6 else ""))
