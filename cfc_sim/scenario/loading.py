"""Loading a scenario: its file read (`reading`: safe YAML, `extends:` chains), `defaults` merged
into each area and every part validated into `ScenarioConfig` (`checks`), with every problem
reported by file and key path (`error_paths`). The resolved document is in `resolved`.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cfc_sim.errors import ScenarioError
from cfc_sim.scenario.checks import (
    MAX_AREAS,
    Snapshots,
    area_label,
    check_defaults,
    ignored_hours,
    peak_demand_problem,
    validate_area,
    validate_interventions,
    validate_uncertainty,
)
from cfc_sim.scenario.error_paths import collapse_items, lacking_keys, pydantic_problems, without_misspelt_missing
from cfc_sim.scenario.reading import read_yaml, resolve_extends
from cfc_sim.scenario.regions import region_blocks
from cfc_sim.scenario.schema import (
    AREA_BLOCKS,
    AreaConfig,
    ScenarioConfig,
    ScenarioHeader,
)


def build_config(raw: dict[str, Any], file: str, base_dir: Path | None = None) -> ScenarioConfig:
    """Validate a resolved scenario mapping; raise ScenarioError listing every problem.

    `base_dir` is where relative paths in the scenario (snapshot CSVs) are found.
    """
    header, problems = _header(raw)
    defaults, defaults_problems = _defaults(raw)
    problems += defaults_problems
    areas_raw, areas_problems = _area_list(raw)
    problems += areas_problems
    regions, region_problems = region_blocks(raw, areas_raw)
    problems += _unless_no_areas(region_problems, areas_problems, "no area has region")
    declared = {a["name"] for a in areas_raw if isinstance(a, dict) and isinstance(a.get("name"), str)}
    snapshots = Snapshots(base_dir or Path.cwd(), declared)
    areas, merged_areas, area_problems = _areas(areas_raw, defaults, regions, header, snapshots)
    problems += area_problems + ignored_hours(areas_raw, defaults, areas)
    problems = collapse_items(without_misspelt_missing(problems))

    interventions, intervention_problems = validate_interventions(
        raw.get("interventions"), merged_areas, declared, header.start if header else None
    )
    problems += _unless_no_areas(intervention_problems, areas_problems, "no area named")
    complete = len(areas) == len(areas_raw)
    uncertainty, uncertainty_problems = validate_uncertainty(raw.get("uncertainty"), areas, declared, complete)
    problems += uncertainty_problems
    if problems:
        raise ScenarioError(file, problems)
    assert header is not None
    return ScenarioConfig(header=header, areas=tuple(areas), interventions=tuple(interventions),
                          uncertainty=uncertainty, source=file)


def _unless_no_areas(problems: list[tuple[str, str]], areas_problems: list[tuple[str, str]],
                     follow_on: str) -> list[tuple[str, str]]:
    """`problems` without those that only follow from an unusable `areas` list ("no area named Essex"
    under an `areas:` written as one mapping): the areas problem says what to fix."""
    return [p for p in problems if not (areas_problems and p[1].startswith(follow_on))]


def _header(raw: dict[str, Any]) -> tuple[ScenarioHeader | None, list[tuple[str, str]]]:
    """The scenario's own keys (everything but defaults, regions, areas, interventions and uncertainty)."""
    blocks = ("defaults", "regions", "areas", "interventions", "uncertainty")
    header_raw = {k: v for k, v in raw.items() if k not in blocks}
    try:
        return ScenarioHeader.model_validate(header_raw), []
    except ValidationError as exc:
        return None, pydantic_problems(exc, "", header_raw, [])


def _defaults(raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The `defaults` block every area inherits ({} when it is unusable), and its problems."""
    problems: list[tuple[str, str]] = []
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
    return defaults, problems


def _area_list(raw: dict[str, Any]) -> tuple[list[Any], list[tuple[str, str]]]:
    """The `areas` list ([] when it is unusable), and its problem."""
    areas_raw = raw.get("areas")
    if isinstance(areas_raw, dict) and "name" in areas_raw:
        return [], [("areas", "expected a list of court areas, got one mapping: start each area with a dash, "
                              f"'- name: {areas_raw['name']}'")]
    if not isinstance(areas_raw, list) or not areas_raw:
        return [], [("areas", "expected a non-empty list of court areas")]
    if len(areas_raw) > MAX_AREAS:
        return [], [("areas", f"{len(areas_raw)} areas; at most {MAX_AREAS}")]
    return areas_raw, []


def _areas(areas_raw: list[Any], defaults: dict[str, Any], regions: dict[str, dict[str, Any]],
           header: ScenarioHeader | None, snapshots: Snapshots
           ) -> tuple[list[AreaConfig], dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """Each area merged over `defaults` and its region's settings, and validated: the valid areas,
    their merged mappings by name, and every problem once, in order (keys several areas lack are
    reported at `defaults`)."""
    areas: list[AreaConfig] = []
    merged_areas: dict[str, dict[str, Any]] = {}
    problems: list[tuple[str, str]] = []
    lacking: dict[str, list[str]] = {}
    first_seen: dict[str, str] = {}
    first_merged: dict[str, Any] | None = None
    for i, area_raw in enumerate(areas_raw):
        area, merged, found, missing = validate_area(i, area_raw, defaults, snapshots, regions)
        problems += found
        for tail in missing:
            lacking.setdefault(tail, []).append(area_label(i, area_raw))
        if first_merged is None and merged is not None:
            first_merged = merged
        if area is None or merged is None:
            continue
        folded = area.name.casefold()
        if folded in first_seen:
            problems.append((f"{area_label(i, area_raw)}.name",
                             f"duplicate area name: {first_seen[folded]} has it too (names are compared "
                             "ignoring case)"))
            continue
        first_seen[folded] = area_label(i, area_raw)
        if header is not None and (peak := peak_demand_problem(area, header.horizon_months)):
            problems.append((f"{area_label(i, area_raw)}.demand", peak))
        areas.append(area)
        merged_areas[area.name] = merged
    problems += check_defaults(defaults, first_merged or {})
    problems += lacking_keys(lacking, problems)
    return areas, merged_areas, list(dict.fromkeys(problems))  # one line per problem, in order


def load_scenario(path: str | Path) -> ScenarioConfig:
    """Load, resolve `extends`, merge defaults and validate one scenario file."""
    raw = resolve_extends(Path(path))
    try:
        return build_config(raw, str(path), Path(path).parent)
    except ScenarioError as exc:
        problems = _as_written(exc.problems, Path(path), raw)
        if problems is exc.problems:
            raise
        raise ScenarioError(str(path), problems) from None


def _as_written(problems: list[tuple[str, str]], path: Path, merged: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems of a file that `extends:` another, with each area where the user wrote it: the merged
    list's `areas[34] (Essex)` is the file's own `areas[0] (Essex)`, or the extended file's area when
    the key is not in the file's entry. The merged list is the extended file's areas (the file's
    entries of the same name merged in) followed by the file's new, unnamed or malformed entries."""
    try:
        own = read_yaml(path)
    except ScenarioError:
        return problems
    merged_areas = merged.get("areas")
    if not own.get("extends") or not isinstance(merged_areas, list):
        return problems
    listed = own.get("areas")
    entries: list[Any] = listed if isinstance(listed, list) else []
    appended = [i for i, e in enumerate(entries)
                if not isinstance(e, dict) or not isinstance(e.get("name"), str) or e.get("new") is True]
    named = {e["name"]: i for i, e in enumerate(entries) if i not in appended}
    inherited = len(merged_areas) - len(appended)
    base = own["extends"]

    def source(j: int) -> tuple[str, int | None, str | None, bool]:
        """The merged entry's label, the file's own index for it (None: only the extended file's), its
        name, and whether the file wrote all of it (a new entry) rather than merged into the base's."""
        area = merged_areas[j]
        name = area.get("name") if isinstance(area, dict) else None
        mine = appended[j - inherited] if j >= inherited else named.get(name) if isinstance(name, str) else None
        return area_label(j, area), mine, name if isinstance(name, str) else None, j >= inherited

    sources = [source(j) for j in range(len(merged_areas))]

    def written(key: str) -> str:
        for label, mine, name, whole in sources:
            if key != label and not key.startswith((label + ".", label + "[")):
                continue
            rest = key[len(label):]
            block = rest[1:].split(".")[0].split("[")[0] if rest.startswith(".") else ""
            entry = entries[mine] if mine is not None else None
            if entry is not None and (whole or not block or not isinstance(entry, dict) or block in entry):
                return area_label(mine, entry) + rest  # type: ignore[arg-type]
            shown = f"{name}, " if name is not None and name.isprintable() and len(name) <= 100 else ""
            return f"areas ({shown}as {base} sets it)" + rest
        return key

    return [(written(key), message) for key, message in problems]


def config_from_dict(raw: dict[str, Any], name: str = "<dict>") -> ScenarioConfig:
    """Validate a scenario given as a mapping (notebooks, tests, sweeps); `name` labels errors."""
    return build_config(copy.deepcopy(raw), name)
