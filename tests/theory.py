"""Closed-form queueing results the model is checked against (see cfc_sim/queueing.py)."""

from cfc_sim.queueing import erlang_c, mmc_wait_cdf, mmc_wait_mean

__all__ = ["erlang_c", "mmc_wait_cdf", "mmc_wait_mean"]
