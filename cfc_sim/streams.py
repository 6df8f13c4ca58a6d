"""Random streams keyed by name, so common random numbers hold across scenarios.

Replication r uses `SeedSequence(seed).spawn(reps)[r]`; within it every (area, purpose) pair
gets its own child sequence whose spawn key is derived from the *names* (crc32), not from
creation order. Adding an area or a mechanism therefore never shifts anyone else's draws.
"""

from __future__ import annotations

import zlib

import numpy as np


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """Stream r of SeedSequence(seed).spawn(...): independent of how many replications run."""
    root = np.random.SeedSequence(seed)
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, replication))


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of named generators for one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self._base = replication_seed(seed, replication)

    def generator(self, *names: str) -> np.random.Generator:
        """A fresh generator for e.g. ("Essex", "arrivals"); same names give the same stream."""
        seq = np.random.SeedSequence(
            self._base.entropy, spawn_key=(*self._base.spawn_key, *(_key(n) for n in names))
        )
        return np.random.Generator(np.random.PCG64(seq))
