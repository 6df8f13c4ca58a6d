"""Assumption sets from the unit cube: Latin hypercubes drawn from the space's seed, each sampled
parameter's range (linear or log), whole numbers, and ties (a key following another times a factor).

The emulator works in the unit cube (every input on the same footing); the simulation gets
parameter values. Every random draw of the procedure comes from `stream(seed, purpose, index)`, a
numpy SeedSequence of the space's seed, so a rerun draws the same points whatever the workers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cfc_sim.calibrate.space import Parameter

CALIBRATE_STREAM = 0xCA11B  # separates these draws from the simulation's own streams of the same seed
DESIGN, CANDIDATES, CHOICE, EMULATOR = range(4)  # purposes


def stream(seed: int, purpose: int, index: int = 0) -> np.random.Generator:
    """A generator for one purpose (design of wave `index`, candidates, choice, emulator of figure `index`)."""
    return np.random.default_rng(np.random.SeedSequence([seed, CALIBRATE_STREAM, purpose, index]))


def seed_int(seed: int, purpose: int, index: int = 0) -> int:
    """A 32-bit seed (scikit-learn's random_state) for one purpose."""
    return int(np.random.SeedSequence([seed, CALIBRATE_STREAM, purpose, index]).generate_state(1)[0])


def latin_hypercube(n: int, dimensions: int, rng: np.random.Generator) -> np.ndarray:
    """`n` points in the unit cube, one in each of n slices of every axis (scipy's LatinHypercube)."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(dimensions, rng=rng).random(n)


def to_values(unit: np.ndarray, parameters: Sequence[Parameter]) -> np.ndarray:
    """Unit-cube rows (one column per sampled parameter, in order) as values of every parameter
    (tied ones included, in the space's order)."""
    unit = np.atleast_2d(unit)
    sampled = [p for p in parameters if p.follows is None]
    columns: dict[str, np.ndarray] = {}
    for j, p in enumerate(sampled):
        u = unit[:, j]
        if p.log:
            values = np.exp(math.log(p.low) + u * (math.log(p.high) - math.log(p.low)))
        else:
            values = p.low + u * (p.high - p.low)
        columns[p.key] = np.floor(values + 0.5) if p.integer else values
    out = np.empty((unit.shape[0], len(parameters)))
    for j, p in enumerate(parameters):
        if p.follows is None:
            out[:, j] = columns[p.key]
        else:
            tied = columns[p.follows] * p.factor
            out[:, j] = np.floor(tied + 0.5) if p.integer else tied
    return out


def to_unit(values: np.ndarray, parameters: Sequence[Parameter]) -> np.ndarray:
    """Values of every parameter back to the unit cube of the sampled ones (the emulator's inputs)."""
    values = np.atleast_2d(values)
    columns = []
    for j, p in enumerate(parameters):
        if p.follows is not None:
            continue
        v = values[:, j]
        if p.log:
            columns.append((np.log(v) - math.log(p.low)) / (math.log(p.high) - math.log(p.low)))
        else:
            columns.append((v - p.low) / (p.high - p.low))
    return np.column_stack(columns)


def choose(count: int, available: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of `count` of `available` candidates (all if fewer), in their drawn order."""
    if available <= count:
        return np.arange(available)
    return np.sort(rng.choice(available, size=count, replace=False))
