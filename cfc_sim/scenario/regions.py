"""Region-level settings: a scenario's `regions:` block gives values that every area of a region
takes unless the area sets its own, in the spirit of `defaults:` (defaults, then the region, then
the area). They are resolved into each area, so the model and scenario.resolved.yaml see nothing new.

    regions:
      London:
        workforce: {annual_turnover: 0.20}

A sweep sets them like any key: `--set regions.London.workforce.annual_turnover=0.18,0.22`.
"""

from __future__ import annotations

from typing import Any

from cfc_sim.scenario.schema import AREA_BLOCKS
from cfc_sim.suggest import did_you_mean


def region_blocks(raw: dict[str, Any], areas_raw: list[Any]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """The `regions` block by region name ({} when absent or unusable), and its problems: a region
    no area belongs to (a misspelling would otherwise be silently ignored) and keys that are not
    per-area blocks."""
    block = raw.get("regions")
    if block is None:
        return {}, []
    if not isinstance(block, dict):
        return {}, [("regions", f"expected a mapping of region name to settings, got {type(block).__name__}")]
    used = sorted({str(a["region"]) for a in areas_raw if isinstance(a, dict) and isinstance(a.get("region"), str)})
    regions: dict[str, dict[str, Any]] = {}
    problems: list[tuple[str, str]] = []
    for name, settings in block.items():
        where = f"regions.{name}"
        if name not in used:
            problems.append((where, f"no area has region {name!r}{did_you_mean(name, used)}"
                             " (set `region:` on the areas it should cover)"))
            continue
        if settings is None:
            continue
        if not isinstance(settings, dict):
            problems.append((where, f"expected a mapping of per-area blocks, got {type(settings).__name__}"))
            continue
        unknown = [key for key in settings if key not in AREA_BLOCKS]
        for key in unknown:
            problems.append((f"{where}.{key}", f"unknown key {key!r}{did_you_mean(key, AREA_BLOCKS)}: a region "
                             f"holds only {', '.join(AREA_BLOCKS)}"))
        regions[name] = {k: v for k, v in settings.items() if k in AREA_BLOCKS}
    return regions, problems


def area_region(area_raw: Any, regions: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    """The region block an area takes (its key path and settings), or None."""
    if not isinstance(area_raw, dict):
        return None
    name = area_raw.get("region")
    if isinstance(name, str) and name in regions:
        return f"regions.{name}", regions[name]
    return None
