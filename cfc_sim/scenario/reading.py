"""Reading scenario files: safe YAML (bounded size, text keys, no duplicate keys, impossible
dates kept as text so validation can name their key) and `extends:` chains merged parent first.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cfc_sim.errors import ScenarioError
from cfc_sim.scenario.files import MAX_SCENARIO_BYTES, InputFileError, read_capped
from cfc_sim.suggest import did_you_mean

MAX_NODES = 2_000_000  # after alias expansion: stops "billion laughs" documents
MAX_EXTENDS_DEPTH = 20

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


def read_scalar(text: str) -> Any:
    """A value typed on the command line, read as a scenario file reads it: numbers, dates and words
    keep their types, an impossible date stays text (validation then names its key), and text that
    is not YAML stays as typed."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except yaml.YAMLError:
        return text


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


def _merge_scenarios(parent: dict[str, Any], child: dict[str, Any], file: str, parent_file: str) -> dict[str, Any]:
    """A child scenario over its parent: areas merge by name, other lists replace. An area entry
    naming no area of the parent is an error (a misspelling would silently add an area) unless it is
    marked `new: true`; an entry so marked must not name an area the parent has."""
    child_rest = {k: v for k, v in child.items() if k != "areas"}
    merged = deep_merge(parent, child_rest)
    if "areas" in child:
        parent_areas = parent.get("areas")
        if isinstance(parent_areas, list) and isinstance(child["areas"], list):
            merged["areas"] = _merge_areas(parent_areas, child["areas"], file, parent_file)
        else:
            merged["areas"] = copy.deepcopy(child["areas"])
    merged.pop("extends", None)
    return merged


def _merge_areas(parent_areas: list[Any], child_areas: list[Any], file: str, parent_file: str) -> list[Any]:
    """The parent's areas with the child's entries merged in by name, new areas appended."""
    areas = [copy.deepcopy(a) for a in parent_areas]
    index = {a.get("name"): i for i, a in enumerate(areas) if isinstance(a, dict)}
    names = [str(n) for n in index if isinstance(n, str)]
    problems: list[tuple[str, str]] = []
    for i, area in enumerate(child_areas):
        if not isinstance(area, dict):
            areas.append(copy.deepcopy(area))
            continue
        entry = {k: v for k, v in area.items() if k != "new"}
        name, marked_new = area.get("name"), area.get("new", False)
        where = f"areas[{i}] ({name})" if isinstance(name, str) else f"areas[{i}]"
        if marked_new not in (True, False):
            problems.append((f"{where}.new", "expected true or false (true: an area the extended scenario lacks)"))
        elif name in index and marked_new:
            problems.append((f"{where}.new", f"{parent_file} already has an area named {name!r}; "
                             "remove `new: true` to change it"))
        elif name in index:
            areas[index[name]] = deep_merge(areas[index[name]], entry)
        elif marked_new or name is None:
            areas.append(copy.deepcopy(entry))
        else:
            hint = did_you_mean(str(name), names)
            problems.append((f"{where}.name", f"no area named {name!r} in {parent_file}{hint}; to add an area,"
                             " mark its entry `new: true`"))
    if problems:
        raise ScenarioError(file, problems)
    return areas


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
    return _merge_scenarios(parent, raw, str(path), str(parent_name))
