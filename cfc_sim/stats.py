"""Statistics across replications, in one place: t-intervals, Welch's unpaired interval, paired
differences under common random numbers, percentile (bootstrap) intervals, and the split of
variance between parameter draws and run-to-run randomness.

Replications are independent and identically distributed, so the mean of n of them has a
Student-t interval with n - 1 degrees of freedom; with a single replication the interval has zero
width (nothing is known about the spread). scipy and pandas are imported only when used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

CONFIDENCE = 0.95


def t_quantile(confidence: float, dof: float | np.ndarray) -> np.ndarray:
    """The two-sided Student-t critical value for `confidence` with `dof` degrees of freedom.

    `scipy.special.stdtrit` is what `scipy.stats.t.ppf` computes, bit for bit, without importing
    scipy.stats (0.8 s, a tenth of a small run's whole process)."""
    from scipy.special import stdtrit

    return np.asarray(stdtrit(dof, 0.5 + confidence / 2))


def half_width(values: np.ndarray | Sequence[float], confidence: float = CONFIDENCE) -> float:
    """Half-width of the t-interval of the mean of `values` (0 for fewer than two)."""
    data = np.asarray(values, dtype=float)
    n = len(data)
    if n < 2:
        return 0.0
    return float(t_quantile(confidence, n - 1)) * float(data.std(ddof=1)) / math.sqrt(n)


def t_interval(values: np.ndarray | Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(mean, low, high): the mean and its two-sided t-interval (zero width for one value, NaN for none)."""
    data = np.asarray(values, dtype=float)
    if len(data) == 0:
        return math.nan, math.nan, math.nan
    mean = float(data.mean())
    half = half_width(data, confidence)
    return mean, mean - half, mean + half


def t_intervals(mean: np.ndarray, std: np.ndarray, n: np.ndarray,
                confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised (low, high) from per-group means, sample standard deviations and counts."""
    n = np.asarray(n)
    t = t_quantile(confidence, np.maximum(n - 1, 1))
    half = np.where(n > 1, t * np.nan_to_num(np.asarray(std, dtype=float), nan=0.0) / np.sqrt(n), 0.0)
    return mean - half, mean + half


def paired_difference(first: np.ndarray, other: np.ndarray,
                      confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(difference, low, high) of `other - first` from replication-by-replication differences
    (common random numbers: the same replications of two scenarios, aligned)."""
    return t_interval(np.asarray(other, dtype=float) - np.asarray(first, dtype=float), confidence)


def welch_interval(first: np.ndarray, other: np.ndarray,
                   confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(difference, low, high) of mean(other) - mean(first) for independent samples (Welch-Satterthwaite)."""
    a, b = np.asarray(first, dtype=float), np.asarray(other, dtype=float)
    diff = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return diff, diff, diff
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(t_quantile(confidence, dof)) * se
    return diff, diff - half, diff + half


def percentile_interval(samples: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """(low, high): the equal-tailed percentile interval of bootstrap `samples`."""
    tail = round(50 * (1 - confidence), 12)  # 2.5 for 95%, exactly
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def variance_shares(values: pd.Series, replications: pd.Series, inner: int) -> tuple[float, float]:
    """(parameter share, run-to-run share) of the variance of one metric across replications.

    With m = `inner` replications per parameter draw, the within variance s_w^2 is the mean of the
    per-draw variances and the parameter variance max(0, s_b^2 - s_w^2 / m), s_b^2 being the
    variance of the per-draw means (one-way random-effects ANOVA).
    """
    import pandas as pd

    groups = pd.Series(values.to_numpy()).groupby((replications // inner).to_numpy())
    sizes = groups.size()
    full = groups.var(ddof=1)[sizes >= 2]
    if full.empty:
        return math.nan, math.nan
    within = float(full.mean())
    between = float(groups.mean().var(ddof=1)) if len(sizes) >= 2 else 0.0
    parameter = max(0.0, between - within / inner)
    total = parameter + within
    if total <= 0:
        return 0.0, 0.0
    return parameter / total, within / total


def jeffreys_share_interval(successes: float, trials: float,
                            confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Jeffreys interval (Beta(x + 1/2, n - x + 1/2) quantiles) of a share from `successes` of
    `trials` (both may be fractional, e.g. post-replications vacant on average): sound for the
    small counts of a team of 7-19 FCAs, where the normal approximation is not. NaN without trials."""
    if not trials > 0:
        return math.nan, math.nan
    from scipy.special import betaincinv  # beta.ppf's own function, without its 50 us a call of checks

    x = min(max(successes, 0.0), trials)
    tail = (1 - confidence) / 2
    low = 0.0 if x <= 0 else float(betaincinv(x + 0.5, trials - x + 0.5, tail))
    high = 1.0 if x >= trials else float(betaincinv(x + 0.5, trials - x + 0.5, 1 - tail))
    return low, high


def jeffreys_rate_interval(events: float, exposure: float,
                           confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Jeffreys interval of a Poisson rate (Gamma(k + 1/2) quantiles over the exposure), e.g. leavers
    per FTE-year: a rate, so more heads do not make it smaller, only better known. NaN without exposure."""
    if not exposure > 0:
        return math.nan, math.nan
    from scipy.special import gammaincinv  # gamma.ppf's own function (see above)

    tail = (1 - confidence) / 2
    k = max(events, 0.0)
    low = 0.0 if k <= 0 else float(gammaincinv(k + 0.5, tail)) / exposure
    return low, float(gammaincinv(k + 0.5, 1 - tail)) / exposure


def replications_for_confidence(share: float, confidence: float = CONFIDENCE) -> int | None:
    """The fewest replications for which 'ready in every run' shows a chance of at least `share`
    with one-sided `confidence` (the exact binomial bound: all n pass, share**n <= 1 - confidence);
    e.g. 14 for 80% and 29 for 90% at 95%; None for certainty, which no number of runs shows."""
    if share >= 1:
        return None
    if share <= 0:
        return 1
    return max(1, math.ceil(math.log(1 - confidence) / math.log(share) - 1e-9))


def share_lower_bound(successes: int, trials: int, confidence: float = CONFIDENCE) -> float:
    """One-sided exact (Clopper-Pearson) lower bound on a share from `successes` of `trials`: how
    sure 'ready in k/n runs' makes us that the chance is at least some level."""
    if trials <= 0 or successes <= 0:
        return 0.0
    from scipy.stats import beta

    return float(beta.ppf(1 - confidence, successes, trials - successes + 1))
