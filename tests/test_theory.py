"""The model agrees with queueing theory where theory has an answer (DESIGN section 6).

Configured as M/M/c (Poisson applications straight to a Cafcass CIR, exponential work, no
intake delay, no turnover, sickness or training), each FCA slot is a server, so c = FCAs x
caseload cap. Checks use the run's own 95% confidence interval across replications, never
seeded decimals.
"""

from __future__ import annotations

import numpy as np
import pytest
from scenario_factory import config, mmc_dict
from scipy import stats
from theory import mmc_wait_cdf, mmc_wait_mean

from cfc_sim.experiment import run_scenario
from cfc_sim.model.simulation import make_calendar


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


def _waits_from_events(events, cfg, margin_days: float = 60.0):  # type: ignore[no-untyped-def]
    """(replication, wait) for every case arriving after warm-up and at least `margin_days` before the
    horizon, from the event log: first 'allocated ...' day minus 'application received ...' day (intake
    is 0 and triage immediate, so ready = arrival); inf for a case never allocated."""
    calendar = make_calendar(cfg)
    first = calendar.month_start_days[cfg.header.warmup_months]
    last = calendar.horizon_days - margin_days
    arrived = events[events["activity"].str.startswith("application received")].set_index("case_id")
    allocated = events[events["activity"].str.startswith("allocated")].groupby("case_id")["day"].min()
    cases = arrived[["replication", "day"]].join(allocated.rename("allocated"))
    cases = cases[(cases["day"] >= first) & (cases["day"] <= last)]
    return cases["replication"].to_numpy(), (cases["allocated"] - cases["day"]).fillna(np.inf).to_numpy()


def test_mm1_waiting_time_distribution_matches_closed_form() -> None:
    """P(W_q <= t) = 1 - rho exp(-(mu - lambda) t) at four t, from the event log.

    Tolerance: successive waits in one run are positively correlated (measured: the variance of a
    replication's share is 2-12 times binomial at rho = 0.5), so a DKW band on all waits pooled would be
    too narrow. Replications are independent, so each replication's share P_r(t) is one i.i.d. draw; the
    theory must lie in the t-interval across replications at overall level 99% (Bonferroni over the four
    t: each at 99.75%). With 16 replications of ~850 waits that is about +-0.03.
    """
    lam, work, reps = 0.5, 1.0, 16  # rho = 0.5
    cfg = config(mmc_dict(arrivals_per_day=lam, work_mean_days=work, fcas=1, months=60, warmup_months=2,
                          reps=reps, seed=21))
    rep, wait = _waits_from_events(run_scenario(cfg, trace=True).events, cfg)
    assert len(wait) > 800 * reps
    times = [0.0, 1.0, 2.0, 4.0]  # theory: 0.50, 0.70, 0.82, 0.93
    quantile = stats.t.ppf(1 - 0.01 / (2 * len(times)), reps - 1)
    for t in times:
        theory = mmc_wait_cdf(t, lam, work, 1)
        shares = np.array([np.mean(wait[rep == r] <= t) for r in range(reps)])
        half = quantile * shares.std(ddof=1) / np.sqrt(reps)
        assert abs(shares.mean() - theory) <= half, (t, theory, shares.mean(), half)
        assert half < 0.05, (t, half)  # the test has power: the band is narrow


def test_littles_law_holds_in_every_area_of_a_multi_area_run() -> None:
    """Per area and per replication, time-average queue = measured arrival rate x mean wait (3%)."""
    lam_work_fcas_cap = {"Light": (1.0, 2.0, 4, 1), "Moderate": (2.0, 10.0, 5, 5), "Heavy": (1.9, 5.0, 10, 1)}
    data = mmc_dict(arrivals_per_day=1.0, work_mean_days=1.0, fcas=1, months=48, warmup_months=0, reps=3, seed=5)
    data["areas"] = [
        {"name": name, "go_live": "2020-01-01",
         "demand": {"applications_per_week": lam * 7},
         "cfc": {"cir_work_days": {"dist": "exponential", "mean": work}},
         "workforce": {"fcas": fcas, "establishment": fcas, "caseload_cap": cap}}
        for name, (lam, work, fcas, cap) in lam_work_fcas_cap.items()
    ]
    cfg = config(data)
    days = make_calendar(cfg).horizon_days
    reps = run_scenario(cfg).replications
    frame = reps[reps["pathway"] == "all"].pivot_table(index=["area", "replication"], columns="metric",
                                                       values="value")
    for area in [*lam_work_fcas_cap, "ALL"]:
        for replication, row in frame.loc[area].iterrows():
            little = row["applications"] / days * row["wait_to_allocation_days_mean"]
            assert row["unallocated_queue_mean"] > 0.05, (area, replication)  # a queue to measure
            assert row["unallocated_queue_mean"] == pytest.approx(little, rel=0.03), (area, replication)
