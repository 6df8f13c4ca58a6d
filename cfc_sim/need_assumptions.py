"""The FCA need across plausible assumptions: `plan --need --assumptions FILE`.

FILE is an accepted-sets CSV (as `cfc-sim calibrate` writes it): a column `set` (a whole number),
then one column per assumption named by its dotted `--set` key (e.g.
`areas.*.workforce.hours.casework_share`), numeric values, one row per accepted set. Each row is
applied to the scenario (`scenario.variants.config_variant`) and the need is found under it, with
its replications (`need.plan_and_need`, the same search).

The interval a board reads then covers both the assumptions and the simulation's noise: the
2.5th and 97.5th percentiles of the bootstrap draws of every set pooled, each set weighted
equally (a mixture over sets of the per-set distribution over replications). Which assumptions
drive the need most: Spearman's rank correlation of England's need against each assumption
across the sets (needs at least three sets and a column that varies).

The file is untrusted input: anything wrong stops with one message naming the file, row and column
(exit 2), before any simulation.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.errors import ScenarioError, UserError
from cfc_sim.need_parts import PART_COLUMNS
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.scenario.variants import config_variant

SET_COLUMN = "set"
MAX_SETS = 10_000
DRIVERS_SHOWN = 3


@dataclass(frozen=True)
class AssumptionSet:
    """One accepted set: its number and its settings (dotted key -> value)."""

    number: int
    settings: dict[str, float]


def _number(text: str, path: Path, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"row {row}, column {column!r}: {text!r} is not a number", file=str(path)) from None
    if not math.isfinite(value):
        raise UserError(f"row {row}, column {column!r}: {text!r} is not a finite number", file=str(path))
    return value


def _other_areas(keys: list[str], config: ScenarioConfig) -> list[str]:
    """Columns that set an area the scenario does not model (`areas.<name>.<key>`): a national
    calibration's sets carry every area's sitting days, and a pilot or small scenario has few of them."""
    names = [a.name for a in config.areas]
    return [key for key in keys if key.startswith("areas.") and not key.startswith("areas.*.")
            and not any(key.startswith(f"areas.{name}.") for name in names)]


def read_sets(path: Path, config: ScenarioConfig,
              on_note: Callable[[str], None] = lambda message: None) -> list[AssumptionSet]:
    """The accepted sets of `path`, each checked by applying it to `config` (see the module docstring);
    columns for areas the scenario does not model are left out, and `on_note` is told which."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the accepted-sets file ({exc.__class__.__name__})", file=str(path)) from None
    except csv.Error as exc:
        raise UserError(f"not a CSV file ({exc})", file=str(path)) from None
    if not rows or not rows[0]:
        raise UserError("is empty: expected a header row with `set` and one column per assumption", file=str(path))
    header = [h.strip() for h in rows[0]]
    if header[0] != SET_COLUMN:
        raise UserError(f"row 1: the first column must be {SET_COLUMN!r}, got {header[0]!r}", file=str(path))
    keys = header[1:]
    if not keys:
        raise UserError("row 1: no assumption columns after 'set'", file=str(path))
    for column, key in enumerate(keys, start=2):
        if not key or key in header[:column - 1]:
            raise UserError(f"row 1, column {column}: {'empty' if not key else 'repeated'} column name {key!r}",
                            file=str(path))
    skipped = set(_other_areas(keys, config))
    if skipped and len(skipped) == len(keys):
        raise UserError("none of its columns applies to this scenario: they all set areas it does not model "
                        f"(e.g. {sorted(skipped)[0]!r})", file=str(path))
    if skipped:
        on_note(f"{len(skipped)} column(s) set areas this scenario does not model and are left out (e.g. "
                f"{sorted(skipped)[0]!r}); the other {len(keys) - len(skipped)} apply")
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if not body:
        raise UserError("has no accepted set (no row after the header)", file=str(path))
    if len(body) > MAX_SETS:
        raise UserError(f"has {len(body)} sets; at most {MAX_SETS}", file=str(path))
    sets, seen = [], set()
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise UserError(f"row {row_number}: {len(row)} values for {len(header)} columns", file=str(path))
        number = _number(row[0], path, row_number, SET_COLUMN)
        if number != int(number) or number in seen:
            raise UserError(f"row {row_number}, column 'set': {row[0]!r} is not a whole number used once",
                            file=str(path))
        seen.add(number)
        settings = {key: _number(cell, path, row_number, key) for key, cell in zip(keys, row[1:], strict=True)
                    if key not in skipped}
        _check_applies(config, settings, path, row_number)
        sets.append(AssumptionSet(int(number), settings))
    return sets


def _check_applies(config: ScenarioConfig, settings: dict[str, float], path: Path, row: int) -> None:
    """Apply the row to the scenario; a refusal names the column it comes from."""
    try:
        config_variant(config, settings)
    except UserError as whole:
        for key, value in settings.items():
            try:
                config_variant(config, {key: value})
            except UserError as exc:
                detail = exc.problems[0][1] if isinstance(exc, ScenarioError) else exc.detail
                raise UserError(f"row {row}, column {key!r}: {detail}", file=str(path)) from None
        raise UserError(f"row {row}: the scenario refuses these values together ({whole.detail})",
                        file=str(path)) from None


def pooled_interval(boots: list[np.ndarray]) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of the sets' bootstrap draws pooled (equal draws per set). A draw
    beyond the search (a need not found within --max-extra, or a rule no count meets) stays infinite:
    numpy's `nan_to_num` turns infinities into the largest float unless told not to, and the over-sets
    interval had printed
    England's lower end as -179,769,...,368 (a CAP need not found in a replication of 5 of 15 sets)."""
    pooled = np.concatenate([np.nan_to_num(b, nan=math.inf, posinf=math.inf, neginf=-math.inf) for b in boots])
    low, high = np.percentile(pooled, [2.5, 97.5], method="inverted_cdf")
    return float(low), float(high)


MIN_SETS_TO_RANK = 3  # fewer accepted sets cannot rank the assumptions by rank correlation


def drivers(per_set: pd.DataFrame, keys: list[str]) -> list[tuple[str, float]]:
    """(assumption, Spearman's rank correlation with England's need across sets), strongest first."""
    from scipy.stats import spearmanr

    need = per_set["difference"].to_numpy(dtype=float)
    found = []
    if len(per_set) < MIN_SETS_TO_RANK or not np.isfinite(need).all() or np.ptp(need) == 0:
        return []
    for key in keys:
        values = per_set[key].to_numpy(dtype=float)
        if np.ptp(values) == 0:
            continue
        rho = float(spearmanr(values, need).statistic)
        if rho == rho:
            found.append((key, rho))
    return sorted(found, key=lambda kv: -abs(kv[1]))


def need_over_sets(config: ScenarioConfig, sets: list[AssumptionSet],
                   need_of: Callable[[ScenarioConfig, int], pd.DataFrame],
                   on_set: Callable[[AssumptionSet, pd.DataFrame], None] = lambda s, t: None
                   ) -> tuple[pd.DataFrame, dict[str, tuple[float, float]], list[tuple[str, float]]]:
    """Per set England's need and its parts (need_assumptions.csv), per area the interval over sets
    and replications, and the drivers. `need_of(variant, set number)` is the need table of one variant, with
    each area's bootstrap draws in its `attrs["boot"]`."""
    rows: list[dict[str, Any]] = []
    boots: dict[str, list[np.ndarray]] = {}
    for one in sets:
        table = need_of(config_variant(config, one.settings), one.number)
        on_set(one, table)
        england = table.iloc[0]
        rows.append({SET_COLUMN: one.number, **one.settings,
                     **{c: england[c] for c in ("fcas_needed_cfc", "fcas_needed_cap", "difference", "ci_low",
                                                "ci_high", *PART_COLUMNS, "annual_cost")}})
        for area, boot in table.attrs.get("boot", {}).items():
            boots.setdefault(area, []).append(boot)
    per_set = pd.DataFrame(rows)
    intervals = {area: pooled_interval(found) for area, found in boots.items() if len(found) == len(sets)}
    return per_set, intervals, drivers(per_set, list(sets[0].settings))


def with_assumptions(need: pd.DataFrame, intervals: dict[str, tuple[float, float]], sets: int,
                     found: list[tuple[str, float]]) -> pd.DataFrame:
    """need.csv with the interval over assumption sets and replications, the number of sets and the
    drivers (the same text in every row)."""
    out = need.copy()
    out["assumption_low"] = out["area"].map(lambda a: intervals.get(a, (math.nan, math.nan))[0])
    out["assumption_high"] = out["area"].map(lambda a: intervals.get(a, (math.nan, math.nan))[1])
    out["assumption_sets"] = sets
    out["drivers"] = ", ".join(f"{key} ({rho:+.2f})" for key, rho in found[:DRIVERS_SHOWN])
    return out
