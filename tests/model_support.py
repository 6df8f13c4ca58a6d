"""Helpers shared by the model tests: scenarios of two areas and metric means over replications."""

from __future__ import annotations

import numpy as np

from cfc_sim.model import simulate
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import config_from_dict

TWO_AREAS = [{"name": "Live", "go_live": "2026-04-01"}, {"name": "Capshire", "go_live": "2031-01-01"}]



def mean_metrics(data: dict, reps: int = 2) -> dict[tuple[str, str, str], float]:
    """Mean of each metric over `reps` replications."""
    cfg = config_from_dict(data)
    sums: dict[tuple[str, str, str], list[float]] = {}
    for r in range(reps):
        for area, pathway, metric, value in simulate(cfg, r).metrics:
            sums.setdefault((area, pathway, metric), []).append(value)
    return {k: float(np.mean(v)) for k, v in sums.items()}



def two_areas(**changes: object) -> dict:
    data = modelled_dict(**{"horizon_months": 18, **changes})  # type: ignore[arg-type]
    data["areas"] = [dict(a) for a in TWO_AREAS]
    return data

