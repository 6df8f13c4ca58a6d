"""Cross-checks of a scenario mapping, each returning its problems as (key path, message): every
area merged over `defaults` (with its open-case snapshot read in), values `defaults` writes even
where every area overrides them, peak demand, interventions applied in date order, and the
`uncertainty` ranges (every value they can draw must give valid areas).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import itertools
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cfc_sim.errors import UserError
from cfc_sim.scenario.error_paths import MISSING_HERE, describe, display_path, pydantic_problems
from cfc_sim.scenario.files import MAX_SNAPSHOT_BYTES, InputFileError, read_capped
from cfc_sim.scenario.keys import KeyProblem, area_variant, drawn_changes, get, parse, set_area_value
from cfc_sim.scenario.reading import deep_merge
from cfc_sim.scenario.regions import area_region
from cfc_sim.scenario.schema import (
    AREA_BLOCKS,
    MAX_APPLICATIONS_PER_WEEK,
    AreaConfig,
    Intervention,
    ScenarioConfig,
    UncertaintyConfig,
    thaw,
)
from cfc_sim.suggest import did_you_mean

MAX_AREAS = 500
MAX_INTERVENTIONS = 10_000
MAX_PEAK_APPLICATIONS_PER_WEEK = 4 * MAX_APPLICATIONS_PER_WEEK
UNBOUNDED_PROBE = 1e12  # stands for "no upper limit" when checking what a range can draw


class Snapshots:
    """Snapshot CSVs of open cases, each read once per scenario: columns pathway, stage, count and
    optional age_days and area. A row without an area applies to every area reading the file; a
    row naming an area the scenario lacks is an error (a misspelt area would lose its cases)."""

    def __init__(self, base: Path, names: set[str]) -> None:
        self.base = base
        self.names = names
        self.read: dict[Path, list[tuple[str, dict[str, Any]]] | str] = {}

    def rows(self, relative: str, area: str, outside_allowed: bool = False) -> list[dict[str, Any]]:
        """The open cases `relative` lists for `area`; ValueError with a readable message. A path
        outside the scenario's folder is refused unless `initial_state.snapshot_outside_folder`."""
        path = (self.base / relative).resolve()
        if not outside_allowed and not path.is_relative_to(self.base.resolve()):
            raise ValueError(f"{relative!r} lies outside the scenario's folder ({self.base}); move the file beside "
                             "the scenario, or set initial_state.snapshot_outside_folder: true to allow it")
        if path not in self.read:
            try:
                self.read[path] = self._parse(path)
            except ValueError as exc:
                self.read[path] = str(exc)
        parsed = self.read[path]
        if isinstance(parsed, str):
            raise ValueError(parsed)
        return [copy.deepcopy(entry) for name, entry in parsed if name in ("", area)]

    def _parse(self, path: Path) -> list[tuple[str, dict[str, Any]]]:
        try:
            text = read_capped(path, MAX_SNAPSHOT_BYTES).decode("utf-8")
        except InputFileError as exc:
            raise ValueError(f"snapshot {path}: {exc}") from None
        except UnicodeDecodeError:
            raise ValueError(f"snapshot {path}: not a UTF-8 text file") from None
        out = []
        for number, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
            name = (row.get("area") or "").strip()
            if name and name not in self.names:
                raise ValueError(f"{path} line {number}: no area named {name!r} in this scenario "
                                 "(its open cases would be lost)")
            try:
                entry: dict[str, Any] = {"pathway": row["pathway"].strip(), "stage": row["stage"].strip(),
                                         "count": int(row["count"])}
                if row.get("age_days") not in (None, ""):
                    entry["age_days"] = {"dist": "fixed", "value": float(row["age_days"])}
            except (KeyError, TypeError, ValueError, AttributeError):
                raise ValueError(f"{path} line {number}: expected columns pathway, stage, count "
                                 "[, age_days, area] with a whole-number count") from None
            out.append((name, entry))
        return out


def _inline_snapshot(merged: dict[str, Any], snapshots: Snapshots) -> str | None:
    """Replace `initial_state.snapshot_csv` by the open cases it lists (so the resolved scenario is
    self-contained); the path is relative to the scenario file. Returns an error message or None."""
    state = merged.get("initial_state")
    if not isinstance(state, dict) or not isinstance(state.get("snapshot_csv"), str):
        return None
    try:
        rows = snapshots.rows(state["snapshot_csv"], str(merged.get("name")),
                              state.get("snapshot_outside_folder") is True)
    except ValueError as exc:
        return str(exc)
    given = state.get("open_cases")
    cases = given if isinstance(given, list) else []
    state["open_cases"] = [*cases, *rows]
    state["snapshot_csv"] = None
    return None


def area_label(index: int, area_raw: Any) -> str:
    """`areas[33] (Kent)`: the index and, when it is plain text, the area's name."""
    name = area_raw.get("name") if isinstance(area_raw, dict) else None
    if isinstance(name, str) and name.strip() and name.isprintable() and len(name) <= 100:
        return f"areas[{index}] ({name})"
    return f"areas[{index}]"


def validate_area(
    index: int, area_raw: Any, defaults: dict[str, Any], snapshots: Snapshots,
    regions: dict[str, dict[str, Any]] | None = None,
) -> tuple[AreaConfig | None, dict[str, Any] | None, list[tuple[str, str]], list[str]]:
    """One area merged over `defaults` and then its region's settings (`regions`): (config, merged
    mapping, problems, keys it lacks that neither it, its region nor `defaults` sets). The lacking
    keys are reported by the caller, once for all areas."""
    prefix = area_label(index, area_raw)
    if not isinstance(area_raw, dict):
        kind = type(area_raw).__name__
        return None, None, [(prefix, f"expected a mapping with name, go_live and overrides, got {kind}")], []
    inherited = {k: v for k, v in defaults.items() if k in AREA_BLOCKS}
    fallbacks: list[tuple[str, Any]] = [("defaults", defaults)]
    if (region := area_region(area_raw, regions or {})) is not None:
        inherited = deep_merge(inherited, region[1])
        fallbacks.insert(0, region)
    merged = deep_merge(inherited, area_raw)
    snapshot_problem = _inline_snapshot(merged, snapshots)
    if snapshot_problem:
        written = isinstance(area_raw.get("initial_state"), dict) and "snapshot_csv" in area_raw["initial_state"]
        where = f"{prefix}.initial_state.snapshot_csv" if written else "defaults.initial_state.snapshot_csv"
        return None, merged, [(where, snapshot_problem)], []
    try:
        area = AreaConfig.model_validate(merged)
    except ValidationError as exc:
        problems, lacking = [], []
        for where, message in pydantic_problems(exc, prefix, area_raw, fallbacks):
            tail = where[len(prefix) + 1:] if where.startswith(f"{prefix}.") else ""
            parent = get(area_raw, tail.split(".")[:-1])
            in_a_distribution = isinstance(parent, dict) and "dist" in parent
            if message in (MISSING_HERE, "required key is missing") and tail and not in_a_distribution:
                lacking.append(tail)
            else:
                problems.append((where, message))
        return None, merged, problems, lacking
    return area, merged, [], []


def ignored_hours(areas_raw: list[Any], defaults: dict[str, Any], areas: list[AreaConfig]) -> list[tuple[str, str]]:
    """`cap.hours` / `cfc.hours` in a scenario where no area has `workforce.hours`: the slot model
    runs everywhere, so they would be ignored. (An area that opts out of FCA hours in a scenario
    where others use them may keep the blocks it inherits.)"""
    if not areas or any(a.workforce.hours is not None for a in areas):
        return []
    places = [("defaults", defaults)] + [(area_label(i, raw), raw) for i, raw in enumerate(areas_raw)]
    for where, block in places:
        written = [f"{name}.hours" for name in ("cap", "cfc")
                   if isinstance(block, dict) and isinstance(block.get(name), dict) and "hours" in block[name]]
        if written:
            return [(f"{where}.{written[0]}", f"{' and '.join(written)} would have no effect: no area sets "
                     "workforce.hours, so the slot model runs; set workforce.hours, or remove them")]
    return []


def check_defaults(defaults: dict[str, Any], probe: dict[str, Any]) -> list[tuple[str, str]]:
    """Values in `defaults` checked even where every area overrides them: `defaults` laid over a
    merged area, keeping only the errors at values `defaults` itself writes."""
    blocks = {k: v for k, v in defaults.items() if k in AREA_BLOCKS}
    try:
        AreaConfig.model_validate(deep_merge(probe, blocks))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            if not loc:
                continue  # a rule across an area's blocks (hours without workforce.hours): judged per area
            path, present = display_path(blocks, loc)
            value = get(blocks, path.split(".")) if present else None
            if error["type"] == "missing" or not present or (isinstance(value, dict) and "dist" not in value):
                continue  # missing keys and rules across a block's keys are judged per area
            problems.append((f"defaults.{path}", describe(error)))
        return problems
    return []


def peak_demand_problem(area: AreaConfig, horizon_months: int) -> str | None:
    """Demand at its peak (weekly base x the largest seasonal factor x growth to the horizon) is
    bounded like the base, so growth cannot make a run unbounded."""
    demand = area.demand
    growth = max(1.0, (1 + demand.annual_growth) ** (horizon_months / 12))
    peak = demand.applications_per_week * max(demand.seasonality) * growth
    if peak <= MAX_PEAK_APPLICATIONS_PER_WEEK:
        return None
    return (f"applications would reach {peak:,.0f} a week (applications_per_week x the largest seasonality x "
            f"annual_growth over the horizon); at most {MAX_PEAK_APPLICATIONS_PER_WEEK:,} a week per area")


def validate_interventions(
    raw: Any, merged_areas: dict[str, dict[str, Any]], declared: set[str], start: dt.date | None
) -> tuple[list[Intervention], list[tuple[str, str]]]:
    """Each intervention applied, in date order, on top of the ones before it in its area (as the
    model applies them), so every state an area passes through is a valid area. An intervention
    on an area that is itself invalid is not judged (the area's problems are reported)."""
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], [("interventions", "expected a list of interventions")]
    if len(raw) > MAX_INTERVENTIONS:
        return [], [("interventions", f"{len(raw)} interventions; at most {MAX_INTERVENTIONS}")]
    parsed: list[tuple[int, Intervention]] = []
    problems: list[tuple[str, str]] = []
    for i, item in enumerate(raw):
        prefix = f"interventions[{i}]"
        try:
            intervention = Intervention.model_validate(item)
        except ValidationError as exc:
            problems += pydantic_problems(exc, prefix, item, [])
            continue
        if intervention.area not in declared:
            problems.append((f"{prefix}.area", f"no area named {intervention.area!r} in this scenario"
                                               f"{did_you_mean(intervention.area, sorted(declared))}"))
            continue
        if intervention.area not in merged_areas:
            continue
        if start is not None and intervention.at < start:
            problems.append((f"{prefix}.at", f"{intervention.at} is before the scenario start {start}"))
        parsed.append((i, intervention))
    current = {name: copy.deepcopy(area) for name, area in merged_areas.items()}
    for i, intervention in sorted(parsed, key=lambda item: item[1].at):
        prefix = f"interventions[{i}]"
        changed = copy.deepcopy(current[intervention.area])
        bad_key = False
        for key, value in thaw(intervention.set).items():
            if key.split(".")[0] == "initial_state" or key.endswith("_at_start"):
                problems.append((f"{prefix}.set.{key}", "is the state at the start of the run: an intervention "
                                 "changes what happens from its date, so it cannot change this"))
                bad_key = True
                continue
            try:
                set_area_value(changed, key, value)
            except KeyProblem as exc:
                problems.append((f"{prefix}.set.{key}", str(exc)))
                bad_key = True
        if bad_key:
            continue
        try:
            AreaConfig.model_validate(changed)
        except ValidationError as exc:
            for path, message in pydantic_problems(exc, "", changed, []):
                problems.append((f"{prefix}.set.{path}", message))
            continue
        current[intervention.area] = changed
    return [intervention for _, intervention in parsed], problems


def _support(dist: Any) -> tuple[float, float]:
    """The smallest and largest value a distribution can draw (inf: no upper limit)."""
    kind = dist.dist
    if kind == "fixed":
        return dist.value, dist.value
    if kind in ("uniform", "triangular"):
        return dist.low, dist.high
    if kind == "empirical":
        return min(dist.values), max(dist.values)
    if kind == "shifted_poisson":
        return 1.0, math.inf
    return 0.0, math.inf


def _draw_corners(keys: list[str]) -> list[dict[str, int]]:
    """Which end (0 low, 1 high) of each range to try together: every corner for a few keys (the
    schema's rules are linear, so all corners valid means every draw is), else each key alone."""
    if len(keys) <= 4:
        return [dict(zip(keys, ends, strict=True)) for ends in itertools.product((0, 1), repeat=len(keys))]
    return [{k: end for k in keys} for end in (0, 1)] + [{key: end} for key in keys for end in (0, 1)]


def _check_draws(config: UncertaintyConfig, areas: list[AreaConfig]) -> list[tuple[str, str]]:
    """Every value the ranges can draw must give valid areas, so a run cannot fail mid-way."""
    supports = {k: _support(p.dist) for k, p in config.parameters.items()}
    names = [a.name for a in areas]
    problems: dict[str, str] = {}
    for corner in _draw_corners(sorted(config.parameters)):
        draws = {k: (UNBOUNDED_PROBE if math.isinf(supports[k][end]) else supports[k][end],
                     config.parameters[k].relative) for k, end in corner.items()}
        for area in areas:
            changes = drawn_changes(area, draws, names)
            try:
                area_variant(area, changes)
            except ValidationError as exc:
                error = exc.errors()[0]
                loc = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
                key = next((k for k in sorted(corner) if ".".join(parse(k, names).path).startswith(loc)),
                           min(corner))
                if key in problems:
                    continue
                end = corner[key]
                low, high = supports[key]
                rule = error["msg"].removeprefix("Value error, ")
                if math.isinf(high) and end == 1:
                    problems[key] = (f"{config.parameters[key].dist.dist} draws have no upper limit, so some would "
                                     f"make {area.name}'s {loc} invalid ({rule}); use a bounded range [low, high]")
                else:
                    problems[key] = (f"a draw at the {'low' if end == 0 else 'high'} end ({(low, high)[end]:g}) would "
                                     f"make {area.name}'s {loc} invalid ({rule}); narrow the range")
    return [(f"uncertainty.parameters.{key}", message) for key, message in problems.items()]


def validate_uncertainty(raw: Any, areas: list[AreaConfig], declared: set[str],
                          complete: bool) -> tuple[UncertaintyConfig | None, list[tuple[str, str]]]:
    """The `uncertainty` block: each key must name a numeric per-area parameter, and every value its
    range can draw must be valid there (judged only when every area is valid: `complete`)."""
    if raw is None:
        return None, []
    try:
        config = UncertaintyConfig.model_validate(raw)
    except ValidationError as exc:
        return None, pydantic_problems(exc, "uncertainty", raw, [])
    problems = []
    names = sorted(declared)
    for text in config.parameters:
        where = f"uncertainty.parameters.{text}"
        try:
            key = parse(text, names)
        except UserError as exc:
            problems.append((where, exc.detail))
            continue
        if key.area is not None and key.area not in declared:
            problems.append((where, "expected <block>.<parameter> or areas.<name>.<block>.<parameter> naming an "
                             "area of this scenario"))
            continue
        chosen = [a for a in areas if key.area in (None, a.name)]
        if not chosen:
            continue  # the named area is invalid: its own problems are reported
        value = get(chosen[0].model_dump(), key.path) if chosen else None
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key.path[0] not in AREA_BLOCKS or not numeric:
            problems.append((where, "not a numeric per-area parameter"))
    if problems or not areas or not complete:
        return config, problems
    return config, _check_draws(config, areas)


def scenario_notes(config: ScenarioConfig) -> list[str]:
    """Valid but probably not meant (`validate` and `run` print them; a run keeps them among its
    warnings): the areas' `staffing_notes`, readiness thresholds written as percentages, an area live
    from the start with few CFC-trained FCAs (a go-live typed a year early), go-lives the run never
    reaches, and interventions dated after the horizon (they never take effect: a shorter variant of
    a longer scenario may mean it)."""
    notes = staffing_notes(list(config.areas))
    rules = config.header.readiness
    if rules.max_turnover_12m > 1:  # a rate, not a share (it may pass 1), so not refused: 18 is surely 18%
        notes.append(f"readiness.max_turnover_12m {rules.max_turnover_12m:g} is {rules.max_turnover_12m:.0%} a year "
                     "(a rate is written as a fraction: 0.18 for 18%)")
    if rules.capacity_headroom >= 2:
        notes.append(f"readiness.capacity_headroom {rules.capacity_headroom:g} asks for {rules.capacity_headroom:g} "
                     "times the FCAs the demand needs (1.1 is 10% headroom)")
    end = config.end
    start, least = config.header.start, rules.min_training_share
    notes += [f"{a.name} is live on CFC from the start (go_live {a.go_live}, before the run's start {start}) with "
              f"{a.workforce.training.trained_share_at_start:.0%} of its FCAs CFC-trained: its CFC cases wait for "
              "trained FCAs (a go-live typed a year early?)" for a in config.areas
              if a.go_live <= start and a.workforce.training.trained_share_at_start < least]
    after = [a for a in config.areas if a.go_live >= end]
    if after and len(after) < len(config.areas):  # every area after it: a CAP-only run (national-baseline)
        notes.append(f"{len(after)} area(s) go live on or after the run's end {end}, so their go-live is not judged "
                     "(a longer horizon_months would): " + ", ".join(f"{a.name} {a.go_live}" for a in after[:4])
                     + (", ..." if len(after) > 4 else ""))
    late = [i for i in config.interventions if i.at >= end]
    if late:
        notes.append(f"{len(late)} intervention(s) dated on or after the horizon's end {end} never take effect: "
                     + ", ".join(f"{i.area} at {i.at}" for i in late[:4]) + (", ..." if len(late) > 4 else ""))
    return notes


def staffing_notes(areas: list[AreaConfig]) -> list[str]:
    """Valid but probably not meant: an establishment below the FCAs in post recruits nobody until
    leavers bring the team down to it (an `establishment` copied as 'five more' but written too low);
    a turnover of 1 or more a year is likely a percentage written as a number (4 for 4%)."""
    notes = [f"{area.name}: establishment {area.workforce.establishment:g} is below its {area.workforce.fcas:g} FCAs "
             f"in post, so nobody is recruited until leavers bring the team down to {area.workforce.establishment:g}"
             for area in areas if area.workforce.establishment < area.workforce.fcas]
    high: dict[float, list[str]] = {}
    for area in areas:
        if area.workforce.annual_turnover >= 1:
            high.setdefault(area.workforce.annual_turnover, []).append(area.name)
    for rate, names in high.items():  # one note per value: a default typed once is one mistake, not one per area
        where = names[0] if len(names) == 1 else (f"{len(names)} areas (" + ", ".join(names[:3])
                                                  + (", ..." if len(names) > 3 else "") + ")")
        notes.append(f"{where}: annual_turnover {rate:g} is {rate:.0%} a year (a rate is written as a fraction: "
                     "0.15 for 15%)")
    return notes
