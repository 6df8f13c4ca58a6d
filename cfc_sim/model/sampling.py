"""Batched random draws, one value at a time: what the model asks of its random streams.

A case draws about twenty values (hours of each piece of work, yes/no decisions against shares,
waits). Drawing them one at a time from numpy costs microseconds each; refilling a buffer of 256
from the stream's generator and handing them out one by one costs a list pop. The sequence of
values is the generator's own, so the numbers do not depend on the batch: a stream's draws are
consumed in order either way. This module is compiled with the rest of the model (mypyc), so the
model's calls to it are native calls, not Python ones (3.5 million a national replication).
"""

from __future__ import annotations

from typing import Any


class Sampler:
    """Draws one value at a time from a distribution, refilling a buffer from its own stream."""

    __slots__ = ("_dist", "_rng", "_batch", "_buffer")

    def __init__(self, dist: Any, rng: Any, batch: int = 256) -> None:
        self._dist = dist  # anything with `sample(rng, n)` -> array of n values (a scenario distribution)
        self._rng = rng
        self._batch = batch
        self._buffer: list[float] = []  # the batch in reverse: the next value is popped off the end

    def next(self) -> float:
        """The stream's next value."""
        buffer = self._buffer
        if not buffer:
            buffer = self._buffer = self._dist.sample(self._rng, self._batch).tolist()[::-1]
        return buffer.pop()


class _UnitUniform:
    """U(0, 1), for yes/no decisions against a share."""

    def sample(self, rng: Any, n: int) -> Any:
        return rng.random(n)


UNIT_UNIFORM = _UnitUniform()


def uniform_source(rng: Any, batch: int = 512) -> Sampler:
    """Batched U(0,1) draws for yes/no decisions (shares) from one named stream."""
    return Sampler(UNIT_UNIFORM, rng, batch)
