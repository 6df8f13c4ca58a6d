"""The resolved scenario: after `extends` and `defaults`, every area spelled out in full, as a
mapping, as YAML text (scenario.resolved.yaml) and by its sha256 (the scenario's name in manifests
and caches).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import yaml

from cfc_sim.scenario.schema import (
    ScenarioConfig,
    thaw,
)


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
