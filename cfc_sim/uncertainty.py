"""Parameter uncertainty (two-layer Monte Carlo): each parameter draw gives the scenario its own
parameter values; `inner_replications` consecutive replications share a draw.

Draw k uses streams keyed by (k, "uncertainty", parameter name), apart from the simulation's own
streams, so collapsing every range to the scenario's own value reproduces the plain run exactly.
The variance of a KPI across replications splits into the part due to the parameters (between
draws) and run-to-run randomness (within draws): `cfc_sim.stats.variance_shares`. The model
imports this module, so it stays free of pandas.
"""

from __future__ import annotations

from pydantic import ValidationError

from cfc_sim.errors import UserError
from cfc_sim.scenario.keys import KeyProblem, area_variant, describe_validation, drawn_changes
from cfc_sim.scenario.schema import ScenarioConfig
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


def sample_config(config: ScenarioConfig, replication: int) -> ScenarioConfig:
    """The scenario with the replication's parameter draw applied (unchanged without uncertainty).
    Loading checked every draw the ranges allow, so this fails only on a config built by hand."""
    if config.uncertainty is None:
        return config
    draws = {key: (value, config.uncertainty.parameters[key].relative)
             for key, value in sampled_values(config, replication).items()}
    names = [a.name for a in config.areas]
    areas = []
    for area in config.areas:
        changes = drawn_changes(area, draws, names)
        try:
            areas.append(area_variant(area, changes) if changes else area)
        except (KeyProblem, ValidationError) as exc:
            detail = describe_validation(exc) if isinstance(exc, ValidationError) else str(exc)
            raise UserError(f"a draw is not valid for {area.name}: {detail}", key="uncertainty.parameters") from None
    return config.model_copy(update={"areas": tuple(areas)})
