"""The model agrees with queueing theory where theory has an answer (DESIGN section 6).

Configured as M/M/c (Poisson applications straight to a Cafcass CIR, exponential work, no
intake delay, no turnover, sickness or training), each FCA slot is a server, so c = FCAs x
caseload cap. Checks use the run's own 95% confidence interval across replications, never
seeded decimals.
"""

from __future__ import annotations

import pytest
from scenario_factory import config, mmc_dict
from theory import mmc_wait_mean

from cfc_sim.experiment import run_scenario


def _national(summary, metric):  # type: ignore[no-untyped-def]
    row = summary[(summary["area"] == "ALL") & (summary["pathway"] == "all") & (summary["metric"] == metric)]
    return row.iloc[0]


CASES = [
    # arrivals per day, work mean days, FCAs, caseload cap
    (1.0, 5.0, 6, 1),
    (2.0, 4.0, 10, 1),
    (1.5, 30.0, 3, 20),  # caseload cap above 1: c = 60 slots, rho = 0.75
    (4.0, 10.0, 5, 9),  # c = 45, rho = 0.89
]


@pytest.mark.parametrize(("lam", "work", "fcas", "cap"), CASES)
def test_mmc_wait_matches_erlang_c_and_littles_law(lam: float, work: float, fcas: int, cap: int) -> None:
    cfg = config(mmc_dict(arrivals_per_day=lam, work_mean_days=work, fcas=fcas, cap=cap,
                          months=72, warmup_months=6, reps=12, seed=7))
    summary = run_scenario(cfg).summary
    servers = fcas * cap
    wq = mmc_wait_mean(lam, work, servers)
    wait = _national(summary, "wait_to_allocation_days_mean")
    assert wait["ci_low"] <= wq <= wait["ci_high"], (wq, wait.to_dict())
    # Little's law on the queue: Lq = lambda * Wq.
    queue = _national(summary, "unallocated_queue_mean")
    assert queue["ci_low"] <= lam * wq <= queue["ci_high"], (lam * wq, queue.to_dict())
    # Utilisation: rho = lambda * E[S] / c.
    rho = lam * work / servers
    util = _national(summary, "fca_utilisation")
    assert util["ci_low"] <= rho <= util["ci_high"], (rho, util.to_dict())


def test_littles_law_holds_per_replication_on_the_sample_path() -> None:
    """L = lambda W holds on each path up to edge effects: queue mean vs measured rate x wait."""
    cfg = config(mmc_dict(arrivals_per_day=2.0, work_mean_days=4.0, fcas=9, months=48, warmup_months=0,
                          reps=4, seed=3))
    reps = run_scenario(cfg).replications
    national = reps[(reps["area"] == "ALL") & (reps["pathway"] == "all")].pivot(
        index="replication", columns="metric", values="value")
    days = cfg.header.horizon_months * 365.25 / 12
    for _, row in national.iterrows():
        lam_hat = row["applications"] / days
        assert row["unallocated_queue_mean"] == pytest.approx(lam_hat * row["wait_to_allocation_days_mean"],
                                                              rel=0.03)


@pytest.mark.slow
def test_heavy_load_mmc_matches_erlang_c() -> None:
    lam, work, fcas = 1.9, 5.0, 10  # rho = 0.95
    cfg = config(mmc_dict(arrivals_per_day=lam, work_mean_days=work, fcas=fcas, months=240,
                          warmup_months=12, reps=20, seed=11))
    wait = _national(run_scenario(cfg).summary, "wait_to_allocation_days_mean")
    wq = mmc_wait_mean(lam, work, fcas)
    assert wait["ci_low"] <= wq <= wait["ci_high"], (wq, wait.to_dict())
