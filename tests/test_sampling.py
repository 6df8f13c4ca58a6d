"""A sampler hands out its stream's values in the stream's own order, whatever its batch size."""

from __future__ import annotations

import numpy as np
from pydantic import TypeAdapter

from cfc_sim.model.sampling import Sampler, uniform_source
from cfc_sim.scenario.distributions import Distribution


def test_a_sampler_gives_the_streams_values_in_order_across_refills() -> None:
    dist = TypeAdapter(Distribution).validate_python({"dist": "gamma", "mean": 5.0, "sd": 2.5})
    expected = dist.sample(np.random.default_rng(7), 1000)
    for batch in (1, 3, 256):
        sampler = Sampler(dist, np.random.default_rng(7), batch)
        assert [sampler.next() for _ in range(1000)] == expected.tolist()  # blocks of any size: the same values


def test_uniform_draws_are_the_generators_own() -> None:
    source = uniform_source(np.random.default_rng(11))
    assert [source.next() for _ in range(600)] == np.random.default_rng(11).random(1024)[:600].tolist()
