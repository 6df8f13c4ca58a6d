"""Read scenario files: safe YAML, `extends:` chains, `defaults` merged into each area, and
validation into `ScenarioConfig` with every problem reported by file and key path.

Error paths point where the user must edit: a bad value inherited from `defaults` is reported
at `defaults.<key>`, a bad override at `areas[i].<key>`, a missing key at the area that lacks it.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import hashlib
import itertools
import math
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cfc_sim.errors import ScenarioError, UserError
from cfc_sim.scenario.files import MAX_SCENARIO_BYTES, MAX_SNAPSHOT_BYTES, InputFileError, read_capped
from cfc_sim.scenario.keys import KeyProblem, area_variant, drawn_changes, get, parse, set_area_value
from cfc_sim.scenario.schema import (
    AREA_BLOCKS,
    MAX_APPLICATIONS_PER_WEEK,
    AreaConfig,
    Intervention,
    ScenarioConfig,
    ScenarioHeader,
    UncertaintyConfig,
    thaw,
)

MAX_NODES = 2_000_000  # after alias expansion: stops "billion laughs" documents
MAX_EXTENDS_DEPTH = 20
_DIST_TAGS = {"fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "shifted_poisson", "empirical"}
_AREA_ONLY_KEYS = ("name", "region", "go_live")
_MISSING_HERE = "required key is missing (set it in defaults or in this area)"
MAX_AREAS = 500
MAX_INTERVENTIONS = 10_000
MAX_PEAK_APPLICATIONS_PER_WEEK = 4 * MAX_APPLICATIONS_PER_WEEK
UNBOUNDED_PROBE = 1e12  # stands for "no upper limit" when checking what a range can draw


# libyaml's parser when PyYAML has it (about 10x faster: a national scenario.resolved.yaml of 90 kB
# parses in a tenth of a second instead of a second); the constructor, and so every check, is the same.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):
    """SafeLoader that keeps impossible dates as text so validation can name their key, and
    refuses a key written twice in one mapping (PyYAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` keys may be overridden on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # unhashable key: the base class reports it
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (each key may appear once per mapping)",
                    key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _check_document(value: Any, file: str) -> None:
    """Walk the document as it would be expanded: bounded size (alias bombs) and text keys only."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ScenarioError(file, [("", "document expands to too many nodes (YAML alias bomb?)")])
        if isinstance(item, Mapping):
            for key in item:
                if not isinstance(key, str):
                    raise ScenarioError(file, [("", f"keys must be text, got {key!r}")])
            stack.extend(item.values())
            count += len(item)
        elif isinstance(item, list):
            stack.extend(item)


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse one file into a mapping, refusing anything that is not plain, bounded YAML."""
    file = str(path)
    try:
        data = read_capped(path, MAX_SCENARIO_BYTES)
    except InputFileError as exc:
        raise ScenarioError(file, [("", str(exc))]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(file, [("", "not a UTF-8 text file (binary data?)")]) from None
    if "\x00" in text:
        raise ScenarioError(file, [("", "contains NUL bytes; not a text scenario file")])
    try:
        loaded = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in str(exc):
            problem = f"YAML tags are not allowed ({problem})"
        raise ScenarioError(file, [("", f"YAML syntax error at {where}{problem}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, [("", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(file, [("", "YAML nesting too deep")]) from None
    if loaded is None:
        raise ScenarioError(file, [("", "file is empty; expected a scenario mapping")])
    if not isinstance(loaded, dict):
        raise ScenarioError(file, [("", f"expected a mapping of scenario keys, got {type(loaded).__name__}")])
    _check_document(loaded, file)
    return loaded


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`, recursively for mappings; other values replace. Inputs untouched.

    A mapping that names its `dist` is a whole distribution and replaces the base one (so an area
    can swap a default lognormal for a triangular); one without `dist` changes parameters only.
    """
    merged = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and "dist" in value:
            merged[key] = copy.deepcopy(dict(value))
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _merge_scenarios(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """A child scenario over its parent: areas merge by name (new names append), other lists replace."""
    child_rest = {k: v for k, v in child.items() if k != "areas"}
    merged = deep_merge(parent, child_rest)
    if "areas" in child:
        parent_areas = parent.get("areas")
        if isinstance(parent_areas, list) and isinstance(child["areas"], list):
            areas = [copy.deepcopy(a) for a in parent_areas]
            index = {a.get("name"): i for i, a in enumerate(areas) if isinstance(a, dict)}
            for area in child["areas"]:
                name = area.get("name") if isinstance(area, dict) else None
                if name is not None and name in index:
                    areas[index[name]] = deep_merge(areas[index[name]], area)
                else:
                    areas.append(copy.deepcopy(area))
            merged["areas"] = areas
        else:
            merged["areas"] = copy.deepcopy(child["areas"])
    merged.pop("extends", None)
    return merged


def resolve_extends(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's mapping with its `extends:` chain applied (relative to each file's folder)."""
    path = Path(path)
    resolved_path = path.resolve()
    if resolved_path in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, resolved_path))
        raise ScenarioError(str(path), [("extends", f"extends cycle: {cycle}")])
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(str(path), [("extends", f"extends chain deeper than {MAX_EXTENDS_DEPTH} files")])
    raw = read_yaml(path)
    parent_name = raw.get("extends")
    if parent_name is None:
        return raw
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise ScenarioError(str(path), [("extends", "expected the path of another scenario file")])
    parent_path = (path.parent / parent_name).resolve()
    if not parent_path.exists():
        raise ScenarioError(str(path), [("extends", f"extended file not found: {parent_path}")])
    if not parent_path.is_file():
        raise ScenarioError(str(path), [("extends", f"{parent_path} is not a regular file (a folder, device or pipe)")])
    parent = resolve_extends(parent_path, (*_chain, resolved_path))
    return _merge_scenarios(parent, raw)


def _display_path(raw: Any, loc: tuple[Any, ...]) -> tuple[str, bool]:
    """Key path for a pydantic error location in `raw`, and whether that key exists there.

    Discriminator tags (`lognormal` in `...report_work_days.lognormal.sd`) are dropped.
    """
    parts: list[str] = []
    current = raw
    present = True
    for seg in loc:
        if isinstance(seg, int):
            parts[-1:] = [f"{parts[-1]}[{seg}]"] if parts else [f"[{seg}]"]
            if present and isinstance(current, list) and seg < len(current):
                current = current[seg]
            else:
                present = False
            continue
        if seg in _DIST_TAGS and not (isinstance(current, dict) and seg in current):
            continue
        label = str(seg) if str(seg).isprintable() else repr(str(seg))  # one line per problem
        if present and isinstance(current, dict) and seg in current:
            current = current[seg]
        elif present and not isinstance(current, dict):
            break  # a bare value where a mapping was expected: report at the value
        else:
            present = False
        parts.append(label)
    return ".".join(parts), present


@functools.cache
def _schema_keys() -> tuple[str, ...]:
    """Every key name the scenario schema knows, for suggesting the one a typo meant."""
    from pydantic import BaseModel

    names: set[str] = set()
    stack: list[Any] = [ScenarioHeader, AreaConfig, Intervention, UncertaintyConfig]
    seen: set[Any] = set()
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(field.alias or name)
            for kind in _types_in(field.annotation):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    stack.append(kind)
    return tuple(sorted(names))


def _types_in(annotation: Any) -> list[Any]:
    import typing

    out, stack = [], [annotation]
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(typing.get_args(item))
    return out


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), _schema_keys(), n=1, cutoff=0.8)
        hint = f"did you mean {close[0]!r}?" if close else "not in the scenario schema: check the spelling"
        return f"unknown key {error['loc'][-1]!r} ({hint})"
    msg = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if kind.endswith("_type") or kind.startswith(("greater", "less", "literal", "too_", "string_")):
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{msg} (got {shown})"
    return msg


def _problems(exc: ValidationError, prefix: str, raw: Any, fallbacks: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Turn pydantic errors into (key path, message), naming the mapping the user must edit.

    A wrong value is reported where it is written; a missing key where its enclosing block is
    written (so a distribution in `defaults` missing `sd` is reported once, at `defaults`).
    """
    out = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        missing = error["type"] == "missing"
        where_loc = loc[:-1] if missing and len(loc) > 1 else loc
        path, present = _display_path(raw, loc)
        where = f"{prefix}.{path}" if prefix and path else (prefix or path)
        message = _describe(error)
        if not _display_path(raw, where_loc)[1] or (not present and not missing):
            for fb_prefix, fb_raw in fallbacks:
                if _display_path(fb_raw, where_loc)[1]:
                    fb_path, _ = _display_path(fb_raw, loc)
                    where = f"{fb_prefix}.{fb_path}" if fb_path else fb_prefix
                    break
            else:
                if missing and loc and loc[0] in AREA_BLOCKS:
                    message = _MISSING_HERE
        out.append((where, message))
    return out


class _Snapshots:
    """Snapshot CSVs of open cases, each read once per scenario: columns pathway, stage, count and
    optional age_days and area. A row without an area applies to every area reading the file; a
    row naming an area the scenario lacks is an error (a misspelt area would lose its cases)."""

    def __init__(self, base: Path, names: set[str]) -> None:
        self.base = base
        self.names = names
        self.read: dict[Path, list[tuple[str, dict[str, Any]]] | str] = {}

    def rows(self, relative: str, area: str) -> list[dict[str, Any]]:
        """The open cases `relative` lists for `area`; ValueError with a readable message."""
        path = (self.base / relative).resolve()
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
        import csv
        import io

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


def _inline_snapshot(merged: dict[str, Any], snapshots: _Snapshots) -> str | None:
    """Replace `initial_state.snapshot_csv` by the open cases it lists (so the resolved scenario is
    self-contained); the path is relative to the scenario file. Returns an error message or None."""
    state = merged.get("initial_state")
    if not isinstance(state, dict) or not isinstance(state.get("snapshot_csv"), str):
        return None
    try:
        rows = snapshots.rows(state["snapshot_csv"], str(merged.get("name")))
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


def _validate_area(
    index: int, area_raw: Any, defaults: dict[str, Any], snapshots: _Snapshots
) -> tuple[AreaConfig | None, dict[str, Any] | None, list[tuple[str, str]], list[str]]:
    """One area merged over `defaults`: (config, merged mapping, problems, keys it lacks that
    neither it nor `defaults` sets). The lacking keys are reported by the caller, once for all areas."""
    prefix = area_label(index, area_raw)
    if not isinstance(area_raw, dict):
        kind = type(area_raw).__name__
        return None, None, [(prefix, f"expected a mapping with name, go_live and overrides, got {kind}")], []
    merged = deep_merge({k: v for k, v in defaults.items() if k in AREA_BLOCKS}, area_raw)
    snapshot_problem = _inline_snapshot(merged, snapshots)
    if snapshot_problem:
        written = isinstance(area_raw.get("initial_state"), dict) and "snapshot_csv" in area_raw["initial_state"]
        where = f"{prefix}.initial_state.snapshot_csv" if written else "defaults.initial_state.snapshot_csv"
        return None, merged, [(where, snapshot_problem)], []
    try:
        area = AreaConfig.model_validate(merged)
    except ValidationError as exc:
        problems, lacking = [], []
        for where, message in _problems(exc, prefix, area_raw, [("defaults", defaults)]):
            tail = where[len(prefix) + 1:] if where.startswith(f"{prefix}.") else ""
            parent = get(area_raw, tail.split(".")[:-1])
            in_a_distribution = isinstance(parent, dict) and "dist" in parent
            if message in (_MISSING_HERE, "required key is missing") and tail and not in_a_distribution:
                lacking.append(tail)
            else:
                problems.append((where, message))
        return None, merged, problems, lacking
    return area, merged, [], []


def _check_defaults(defaults: dict[str, Any], probe: dict[str, Any]) -> list[tuple[str, str]]:
    """Values in `defaults` checked even where every area overrides them: `defaults` laid over a
    merged area, keeping only the errors at values `defaults` itself writes."""
    blocks = {k: v for k, v in defaults.items() if k in AREA_BLOCKS}
    try:
        AreaConfig.model_validate(deep_merge(probe, blocks))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            path, present = _display_path(blocks, loc)
            value = get(blocks, path.split(".")) if present else None
            if error["type"] == "missing" or not present or (isinstance(value, dict) and "dist" not in value):
                continue  # missing keys and rules across a block's keys are judged per area
            problems.append((f"defaults.{path}", _describe(error)))
        return problems
    return []


def _lacking_keys(lacking: dict[str, list[str]], problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Required keys that areas lack, one problem per key: at the area if one lacks it, at
    `defaults` if several do; none where an unknown key nearby is its misspelling."""
    out = []
    for tail, labels in lacking.items():
        block, _, key = tail.rpartition(".")
        misspelt = [where for where, message in problems
                    if message.startswith("unknown key") and f"did you mean {key!r}" in message
                    and where.rpartition(".")[0].endswith(f".{block}" if block else "")]
        if misspelt:
            continue
        if len(labels) == 1:
            out.append((f"{labels[0]}.{tail}", _MISSING_HERE))
        else:
            shown = ", ".join(labels[:3]) + (", ..." if len(labels) > 3 else "")
            out.append((f"defaults.{tail}", f"required key is missing: {len(labels)} areas lack it ({shown}); "
                        "set it here or in each area"))
    return out


_AREA_LABEL = re.compile(r"^areas\[\d+\](?: \(.*?\))?(?=\.|$)")


def _relative(where: str) -> str:
    """A key path without its `defaults.` or `areas[i] (Name).` start: the key inside one area."""
    if where == "defaults" or where.startswith("defaults."):
        return where[len("defaults."):]
    match = _AREA_LABEL.match(where)
    return where[match.end() + 1:] if match else where


def _without_misspelt_missing(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop "required key is missing" where an unknown key beside it is its misspelling, so one
    typo gives one error (the unknown key's, which names the key it meant)."""
    meant = set()
    for where, message in problems:
        found = re.search(r"did you mean '([^']+)'", message) if message.startswith("unknown key") else None
        if found:
            parent = _relative(where).rpartition(".")[0]
            meant.add(f"{parent}.{found.group(1)}" if parent else found.group(1))
    return [(where, message) for where, message in problems
            if not (message.startswith("required key is missing") and _relative(where) in meant)]


def _collapse_items(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One problem for a list whose items share one fault (`seasonality[0]`..`[11]`), and none for
    pydantic's echo that the list then has too few valid items."""
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for where, message in problems:
        match = re.fullmatch(r"(.*)\[(\d+)\]", where)
        base, index = (match.group(1), match.group(2)) if match else (where, "")
        rule = re.sub(r" \(got .*\)$", "", message) if index else message
        groups.setdefault((base, rule), []).append((index, where, message))
    listed = {base for (base, _), members in groups.items() if any(index for index, _, _ in members)}
    out = []
    for (base, rule), members in groups.items():
        if base in listed and all(not index for index, _, _ in members) and "should have at least" in rule:
            continue
        if len(members) > 1 and all(index for index, _, _ in members):
            out.append((base, f"items {', '.join(index for index, _, _ in members)}: {rule}"))
        else:
            out += [(where, message) for _, where, message in members]
    return out


def _peak_demand_problem(area: AreaConfig, horizon_months: int) -> str | None:
    """Demand at its peak (weekly base x the largest seasonal factor x growth to the horizon) is
    bounded like the base, so growth cannot make a run unbounded."""
    demand = area.demand
    growth = max(1.0, (1 + demand.annual_growth) ** (horizon_months / 12))
    peak = demand.applications_per_week * max(demand.seasonality) * growth
    if peak <= MAX_PEAK_APPLICATIONS_PER_WEEK:
        return None
    return (f"applications would reach {peak:,.0f} a week (applications_per_week x the largest seasonality x "
            f"annual_growth over the horizon); at most {MAX_PEAK_APPLICATIONS_PER_WEEK:,} a week per area")


def _validate_interventions(
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
            problems += _problems(exc, prefix, item, [])
            continue
        if intervention.area not in declared:
            problems.append((f"{prefix}.area", f"no area named {intervention.area!r} in this scenario"))
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
            for path, message in _problems(exc, "", changed, []):
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


def _validate_uncertainty(raw: Any, areas: list[AreaConfig], declared: set[str],
                          complete: bool) -> tuple[UncertaintyConfig | None, list[tuple[str, str]]]:
    """The `uncertainty` block: each key must name a numeric per-area parameter, and every value its
    range can draw must be valid there (judged only when every area is valid: `complete`)."""
    if raw is None:
        return None, []
    try:
        config = UncertaintyConfig.model_validate(raw)
    except ValidationError as exc:
        return None, _problems(exc, "uncertainty", raw, [])
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


def build_config(raw: dict[str, Any], file: str, base_dir: Path | None = None) -> ScenarioConfig:
    """Validate a resolved scenario mapping; raise ScenarioError listing every problem.

    `base_dir` is where relative paths in the scenario (snapshot CSVs) are found.
    """
    problems: list[tuple[str, str]] = []
    header_raw = {k: v for k, v in raw.items() if k not in ("defaults", "areas", "interventions", "uncertainty")}
    header: ScenarioHeader | None = None
    try:
        header = ScenarioHeader.model_validate(header_raw)
    except ValidationError as exc:
        problems += _problems(exc, "", header_raw, [])

    defaults = raw.get("defaults")
    if "defaults" not in raw:
        problems.append(("defaults", "required key is missing (the block every area inherits)"))
        defaults = {}
    elif defaults is None:
        defaults = {}
    elif not isinstance(defaults, dict):
        problems.append(("defaults", f"expected a mapping, got {type(defaults).__name__}"))
        defaults = {}

    for key in defaults:
        if key not in AREA_BLOCKS:
            close = difflib.get_close_matches(str(key), AREA_BLOCKS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append((f"defaults.{key}",
                             f"unknown key {key!r}: {hint}defaults holds only {', '.join(AREA_BLOCKS)}"))

    areas_raw = raw.get("areas")
    areas: list[AreaConfig] = []
    merged_areas: dict[str, dict[str, Any]] = {}
    if not isinstance(areas_raw, list) or not areas_raw:
        problems.append(("areas", "expected a non-empty list of court areas"))
        areas_raw = []
    elif len(areas_raw) > MAX_AREAS:
        problems.append(("areas", f"{len(areas_raw)} areas; at most {MAX_AREAS}"))
        areas_raw = []
    declared = {a["name"] for a in areas_raw if isinstance(a, dict) and isinstance(a.get("name"), str)}
    snapshots = _Snapshots(base_dir or Path.cwd(), declared)
    area_problems: list[tuple[str, str]] = []
    lacking: dict[str, list[str]] = {}
    first_seen: dict[str, str] = {}
    first_merged: dict[str, Any] | None = None
    for i, area_raw in enumerate(areas_raw):
        area, merged, found, missing = _validate_area(i, area_raw, defaults, snapshots)
        area_problems += found
        for tail in missing:
            lacking.setdefault(tail, []).append(area_label(i, area_raw))
        if first_merged is None and merged is not None:
            first_merged = merged
        if area is None or merged is None:
            continue
        folded = area.name.casefold()
        if folded in first_seen:
            area_problems.append((f"{area_label(i, area_raw)}.name",
                                  f"duplicate area name: {first_seen[folded]} has it too (names are compared "
                                  "ignoring case)"))
            continue
        first_seen[folded] = area_label(i, area_raw)
        if header is not None and (peak := _peak_demand_problem(area, header.horizon_months)):
            area_problems.append((f"{area_label(i, area_raw)}.demand", peak))
        areas.append(area)
        merged_areas[area.name] = merged
    area_problems += _check_defaults(defaults, first_merged or {})
    area_problems += _lacking_keys(lacking, area_problems)
    problems += list(dict.fromkeys(area_problems))  # one line per problem, in order
    problems = _collapse_items(_without_misspelt_missing(problems))

    interventions, intervention_problems = _validate_interventions(
        raw.get("interventions"), merged_areas, declared, header.start if header else None
    )
    problems += intervention_problems
    complete = len(areas) == len(areas_raw)
    uncertainty, uncertainty_problems = _validate_uncertainty(raw.get("uncertainty"), areas, declared, complete)
    problems += uncertainty_problems
    if problems:
        raise ScenarioError(file, problems)
    assert header is not None
    return ScenarioConfig(header=header, areas=tuple(areas), interventions=tuple(interventions),
                          uncertainty=uncertainty, source=file)


def load_scenario(path: str | Path) -> ScenarioConfig:
    """Load, resolve `extends`, merge defaults and validate one scenario file."""
    raw = resolve_extends(Path(path))
    return build_config(raw, str(path), Path(path).parent)


def _plain(value: Any) -> Any:
    """Config values as YAML-friendly plain data (tuples to lists, dates kept)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def resolved_dict(config: ScenarioConfig) -> dict[str, Any]:
    """The scenario after `extends` and `defaults`: every area spelled out in full; loadable as is."""
    header = _plain(config.header.model_dump(by_alias=True, exclude={"extends"}))
    areas = [_plain(a.model_dump()) for a in config.areas]
    out: dict[str, Any] = dict(header)
    out["defaults"] = {}
    out["areas"] = areas
    if config.interventions:
        out["interventions"] = [{"at": i.at, "area": i.area, "set": thaw(i.set)} for i in config.interventions]
    if config.uncertainty is not None:
        out["uncertainty"] = {
            "inner_replications": config.uncertainty.inner_replications,
            "parameters": {k: {**_plain(p.dist.model_dump()), **({"relative": True} if p.relative else {})}
                           for k, p in config.uncertainty.parameters.items()},
        }
    return out


_RESOLVED: dict[int, tuple[ScenarioConfig, str]] = {}  # the last few configs' text: a run asks for it 3 times
_RESOLVED_KEPT = 8
_RESOLVED_LOCK = threading.Lock()


def resolved_yaml(config: ScenarioConfig) -> str:
    """The scenario as run, every default filled in (scenario.resolved.yaml; its sha256 names the scenario).

    Configs are frozen, so the text is kept for the last few: a national run would otherwise dump
    90-170 kB of YAML (0.1-0.25 s) for the folder, the manifest and the cache key alike."""
    with _RESOLVED_LOCK:
        kept = _RESOLVED.get(id(config))
    if kept is not None and kept[0] is config:
        return kept[1]
    # The pure-Python dumper on purpose: libyaml writes some text differently (characters beyond the
    # Basic Multilingual Plane, long non-ASCII keys), and the text must not depend on the machine.
    text = yaml.safe_dump(resolved_dict(config), sort_keys=False, allow_unicode=True, width=100)
    with _RESOLVED_LOCK:
        if len(_RESOLVED) >= _RESOLVED_KEPT:
            del _RESOLVED[next(iter(_RESOLVED))]
        _RESOLVED[id(config)] = (config, text)
    return text


def scenario_sha256(config: ScenarioConfig) -> str:
    return hashlib.sha256(resolved_yaml(config).encode("utf-8")).hexdigest()


def config_from_dict(raw: dict[str, Any], name: str = "<dict>") -> ScenarioConfig:
    """Validate a scenario given as a mapping (notebooks, tests, sweeps); `name` labels errors."""
    return build_config(copy.deepcopy(raw), name)
