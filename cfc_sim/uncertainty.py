"""Parameter uncertainty (two-layer Monte Carlo): each parameter draw gives the scenario its own
parameter values; `inner_replications` consecutive replications share a draw.

Draw k uses streams keyed by (k, "uncertainty", parameter name), apart from the simulation's own
streams, so collapsing every range to the scenario's own value reproduces the plain run exactly.
The variance of a KPI across replications splits into the part due to the parameters (between
draws) and run-to-run randomness (within draws): `cfc_sim.stats.variance_shares`. The model
imports this module, so it stays free of pandas.
"""

from __future__ import annotations

from typing import Any

from cfc_sim.errors import UserError
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig
from cfc_sim.streams import Streams


def parameter_draw(config: ScenarioConfig, replication: int) -> int:
    assert config.uncertainty is not None
    return replication // config.uncertainty.inner_replications


def sampled_values(config: ScenarioConfig, replication: int) -> dict[str, float]:
    """The parameter values (or factors, for relative ones) of the replication's draw."""
    if config.uncertainty is None:
        return {}
    streams = Streams(config.seed, parameter_draw(config, replication))
    return {key: float(spec.dist.sample(streams.generator("uncertainty", key), 1)[0])
            for key, spec in sorted(config.uncertainty.parameters.items())}


def _set(area: AreaConfig, path: list[str], value: float, relative: bool, key: str) -> AreaConfig:
    data: dict[str, Any] = area.model_dump()
    node = data
    for part in path[:-1]:
        node = node[part]
    old = node[path[-1]]
    new = old * value if relative else value
    node[path[-1]] = int(round(new)) if isinstance(old, int) else float(new)
    try:
        return AreaConfig.model_validate(data)
    except Exception as exc:  # a draw outside what the parameter allows
        raise UserError(f"a sampled value {new!r} is not valid for {area.name}: {exc}",
                        key=f"uncertainty.parameters.{key}") from None


def sample_config(config: ScenarioConfig, replication: int) -> ScenarioConfig:
    """The scenario with the replication's parameter draw applied (unchanged without uncertainty)."""
    if config.uncertainty is None:
        return config
    areas = list(config.areas)
    for key, value in sampled_values(config, replication).items():
        spec = config.uncertainty.parameters[key]
        parts = key.split(".")
        target, path = (parts[1], parts[2:]) if parts[0] == "areas" else (None, parts)
        areas = [_set(a, path, value, spec.relative, key) if target in (None, a.name) else a for a in areas]
    return config.model_copy(update={"areas": tuple(areas)})
