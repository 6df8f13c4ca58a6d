"""The closed set of distributions a scenario may use, and batched samplers over them.

Each distribution is an immutable pydantic model chosen by its `dist:` tag; a bare number
means `fixed`. Samplers draw in batches because a scalar numpy draw costs ~10x a batched one.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

# Parameters are days or counts: a million (2,700 years) is far beyond any real value and keeps
# every draw finite (a typo such as 1e308 would overflow).
MAX_PARAMETER = 1_000_000
NonNeg = Annotated[float, Strict(), Field(ge=0, le=MAX_PARAMETER, allow_inf_nan=False)]
# Positive parameters (means, gamma sd) start at a millionth of a day: smaller is a typo, and
# ratios such as (sd / mean) ** 2 would overflow.
MIN_POSITIVE = 1e-6
Pos = Annotated[float, Strict(), Field(ge=MIN_POSITIVE, le=MAX_PARAMETER, allow_inf_nan=False)]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def mean_value(self) -> float:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError


class Fixed(_Dist):
    """Always `value`."""

    dist: Literal["fixed"]
    value: NonNeg

    def mean_value(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)


class Exponential(_Dist):
    """Memoryless durations with the given mean."""

    dist: Literal["exponential"]
    mean: Pos

    def mean_value(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, n)


class Lognormal(_Dist):
    """Right-skewed durations parameterised by their own mean and standard deviation (not log-scale)."""

    dist: Literal["lognormal"]
    mean: Pos
    sd: NonNeg

    def mean_value(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)


class Gamma(_Dist):
    """Durations with the given mean and standard deviation."""

    dist: Literal["gamma"]
    mean: Pos
    sd: Pos

    def mean_value(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = (self.mean / self.sd) ** 2
        return rng.gamma(shape, self.sd**2 / self.mean, n)


class Triangular(_Dist):
    """Bounded durations with a most likely value (`low <= mode <= high`)."""

    dist: Literal["triangular"]
    low: NonNeg
    mode: NonNeg
    high: NonNeg

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"needs low <= mode <= high, got {self.low}, {self.mode}, {self.high}")
        return self

    def mean_value(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)


class Uniform(_Dist):
    """Any value between `low` and `high` equally likely."""

    dist: Literal["uniform"]
    low: NonNeg
    high: NonNeg

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"needs low <= high, got {self.low} > {self.high}")
        return self

    def mean_value(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class ShiftedPoisson(_Dist):
    """Counts of at least one (1 + Poisson(mean - 1)), e.g. children per case."""

    dist: Literal["shifted_poisson"]
    mean: Annotated[float, Strict(), Field(ge=1, le=MAX_PARAMETER, allow_inf_nan=False)]

    def mean_value(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return 1.0 + rng.poisson(self.mean - 1.0, n)


class Empirical(_Dist):
    """Resample observed values with equal weight."""

    dist: Literal["empirical"]
    values: Annotated[tuple[NonNeg, ...], Field(min_length=1)]

    def mean_value(self) -> float:
        return float(np.mean(self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), n)


def _bare_number_is_fixed(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return {"dist": "fixed", "value": value}
    return value


Distribution = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Triangular | Uniform | ShiftedPoisson | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_bare_number_is_fixed),
]
