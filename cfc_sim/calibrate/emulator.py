"""The emulator and the implausibility of history matching (Vernon, Goldstein & Bower 2010;
Andrianakis et al. 2015), free of the simulation so it can be tested on known functions.

One Gaussian process per figure (scikit-learn, Matern 5/2 with a length scale per input times a
constant, plus a white-noise term), fitted in the unit cube. For a candidate x the implausibility
of a figure with published value z is

    I(x) = |z - E[f(x)]| / sqrt(Var_emulator(x) + Var_observation + Var_replication)

where Var_emulator is the process's own uncertainty about the mean response (its fitted white
noise taken out, which is run-to-run randomness, not ignorance), Var_observation comes from the
figure's band (half-width / 3) and Var_replication is the variance of a point's mean over its
replications. x is non-implausible when the largest I over the figures (or the second largest,
`second_max`, which forgives one badly emulated figure) is below the cutoff, 3 by default
(Pukelsheim's three-sigma rule).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from cfc_sim.errors import UserError

RESTARTS = 3  # restarts of the kernel fit from random length scales (seeded)


def _one_thread() -> Any:
    """BLAS on one thread: the matrices are tiny, and threads spinning for work cost a fit 5-20x
    its time on a busy machine (threadpoolctl comes with scikit-learn)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def _sklearn() -> Any:
    try:
        import sklearn.gaussian_process as gp
    except ImportError:  # pragma: no cover - depends on the install
        raise UserError("calibrate needs scikit-learn: pip install 'cfc-sim[calibrate]'") from None
    return gp


@dataclass
class Emulator:
    """A fitted Gaussian process for one figure (or a constant where the data cannot support one)."""

    model: Any  # GaussianProcessRegressor, or None for a constant
    noise_variance: float  # fitted white noise (output units): run-to-run randomness seen by the fit
    constant: float = float("nan")

    def predict(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean, emulator variance without the white noise) at unit-cube rows."""
        unit = np.atleast_2d(unit)
        if self.model is None:
            return np.full(len(unit), self.constant), np.zeros(len(unit))
        with _one_thread():
            mean, sd = self.model.predict(unit, return_std=True)
        return np.asarray(mean, float), np.maximum(np.asarray(sd, float) ** 2 - self.noise_variance, 0.0)


def fit_emulator(unit: np.ndarray, y: np.ndarray, random_state: int) -> Emulator:
    """Fit one figure's emulator on the points where it is finite (unit-cube inputs)."""
    unit = np.atleast_2d(np.asarray(unit, float))
    y = np.asarray(y, float)
    finite = np.isfinite(y)
    unit, y = unit[finite], y[finite]
    if len(y) < 3 or np.ptp(y) == 0:
        return Emulator(None, 0.0, float(np.mean(y)) if len(y) else float("nan"))
    gp = _sklearn()
    kernels = gp.kernels
    dims = unit.shape[1]
    kernel = (kernels.ConstantKernel(1.0, (1e-3, 1e3))
              * kernels.Matern(length_scale=np.full(dims, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5)
              + kernels.WhiteKernel(1e-2, (1e-8, 1e1)))
    model = gp.GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=RESTARTS,
                                        random_state=random_state)
    with warnings.catch_warnings(), _one_thread():
        warnings.simplefilter("ignore")  # convergence notes at a bound: the fit is still usable
        model.fit(unit, y)
    scale = float(np.std(y)) or 1.0  # normalize_y: the kernel works in standardised units
    return Emulator(model, float(model.kernel_.k2.noise_level) * scale**2)


def implausibility(published: float, mean: np.ndarray, var_emulator: np.ndarray, var_observation: float,
                   var_replication: float) -> np.ndarray:
    """I(x) for one figure at every candidate."""
    total = np.asarray(var_emulator, float) + var_observation + var_replication
    return np.abs(published - np.asarray(mean, float)) / np.sqrt(np.maximum(total, 1e-300))


def combined(implausibilities: np.ndarray, rule: str = "max") -> np.ndarray:
    """The implausibility of each candidate over its figures (columns): the largest, or the second
    largest (`second_max`, with one figure only the largest)."""
    values = np.atleast_2d(np.asarray(implausibilities, float))
    values = np.where(np.isnan(values), np.inf, values)
    if rule == "second_max" and values.shape[1] > 1:
        return np.sort(values, axis=1)[:, -2]
    return values.max(axis=1)


def replication_variance(per_replication: np.ndarray) -> float:
    """Var_replication of a figure: the variance of a point's mean over its replications, pooled
    over points (rows: points, columns: replications; NaN ignored). 0 with one replication (the
    fitted white noise then stands for it)."""
    values = np.atleast_2d(np.asarray(per_replication, float))
    if values.shape[1] < 2:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        variances = np.nanvar(values, axis=1, ddof=1) / np.sum(np.isfinite(values), axis=1)
    variances = variances[np.isfinite(variances)]
    return float(np.mean(variances)) if len(variances) else 0.0
