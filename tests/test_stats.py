"""cfc_sim.stats: the one home of intervals, Welch, paired differences and the variance split."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sp

from cfc_sim.stats import (
    half_width,
    paired_difference,
    t_interval,
    t_intervals,
    t_quantile,
    variance_shares,
    welch_interval,
)


def test_t_interval_matches_the_textbook_formula() -> None:
    values = np.array([3.0, 5.0, 4.0, 8.0])
    mean, low, high = t_interval(values)
    half = sp.t.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert mean == pytest.approx(5.0) and (low, high) == pytest.approx((5 - half, 5 + half))
    assert half_width(values) == pytest.approx(half)


def test_t_quantile_is_scipy_stats_bit_for_bit() -> None:
    """stats.t_quantile avoids importing scipy.stats; its critical values must not change."""
    dof = np.array([1, 2, 3, 4, 9, 29, 199, 10_000, 2.5])
    for confidence in (0.8, 0.9, 0.95, 0.99):
        assert np.array_equal(t_quantile(confidence, dof), sp.t.ppf(0.5 + confidence / 2, dof))


def test_one_value_has_zero_width_and_none_is_nan() -> None:
    assert t_interval([2.5]) == (2.5, 2.5, 2.5)
    assert all(math.isnan(v) for v in t_interval([]))


def test_vectorised_intervals_equal_the_scalar_ones() -> None:
    groups = [np.array([1.0, 2.0, 4.0]), np.array([7.0]), np.array([0.5, 0.25])]
    low, high = t_intervals(np.array([g.mean() for g in groups]),
                            np.array([g.std(ddof=1) if len(g) > 1 else np.nan for g in groups]),
                            np.array([len(g) for g in groups]))
    for g, lo, hi in zip(groups, low, high, strict=True):
        _, lo1, hi1 = t_interval(g)
        assert (lo, hi) == pytest.approx((lo1, hi1))


def test_welch_matches_scipy_and_paired_uses_the_differences() -> None:
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.5, 5.0, 9.0, 7.0])
    diff, low, high = welch_interval(a, b)
    test = sp.ttest_ind(b, a, equal_var=False)
    ci = test.confidence_interval(0.95)
    assert diff == pytest.approx(b.mean() - a.mean()) and (low, high) == pytest.approx((ci.low, ci.high))
    c = a + np.array([0.1, 0.2, 0.0, 0.3])
    assert paired_difference(a, c) == pytest.approx(t_interval(c - a))


def test_variance_split_without_parameter_effect_is_all_randomness() -> None:
    values = pd.Series([1.0, 2.0, 1.0, 2.0, 1.0, 2.0])
    parameter, randomness = variance_shares(values, pd.Series(range(6)), 2)
    assert (parameter, randomness) == pytest.approx((0.0, 1.0))
