"""Regenerate docs/validation.md: the model against queueing theory, with the numbers.

    python docs/make_validation.py                 # about 1-3 minutes on 2 cores
    python docs/make_validation.py --workers 4 --out /tmp/validation.md

Configured as M/M/c (Poisson applications straight to a Cafcass CIR, exponential CIR work, no
intake delay, no turnover, sickness or training), every FCA caseload slot is a server, so
c = FCAs x caseload cap. Three checks:

1. M/M/c means: wait to allocation W_q (Erlang C), queue length L_q = lambda W_q (Little's law)
   and utilisation rho = lambda E[S] / c, each against the model's 95% interval across
   replications.
2. M/M/1 waiting-time distribution from the event log: P(W_q <= t) = 1 - rho exp(-(mu - lambda) t)
   at several t, and the Kolmogorov-Smirnov distance.
3. Little's law on the sample path in every area of a multi-area run: time-average queue vs
   measured arrival rate x mean wait.

The closed forms and the scenario builder are copied here (not imported from tests/) so the
script depends only on the installed package.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from cfc_sim.experiment import run_scenario
from cfc_sim.model.simulation import make_calendar
from cfc_sim.queueing import mmc_wait_cdf, mmc_wait_mean
from cfc_sim.scenario.loading import config_from_dict

HERE = Path(__file__).resolve().parent

# ---- closed forms (as tests/theory.py) ---------------------------------------------------------------


def mm1_wait_quantile(q: float, arrival_rate: float, service_mean: float) -> float:
    """t with P(W_q <= t) = q in M/M/1 (0 for q <= 1 - rho, the probability of no wait)."""
    mu = 1.0 / service_mean
    rho = arrival_rate / mu
    return 0.0 if q <= 1 - rho else math.log(rho / (1 - q)) / (mu - arrival_rate)


# ---- the M/M/c scenario (as tests/scenario_factory.mmc_dict) ----------------------------------------

_FIXED_ZERO = {"dist": "fixed", "value": 0}


def area_blocks(arrivals_per_day: float, work_mean_days: float, fcas: int, cap: int) -> dict[str, Any]:
    """The per-area blocks of an M/M/c queue."""
    return {
        "demand": {
            "applications_per_week": arrivals_per_day * 7, "seasonality": [1.0] * 12, "annual_growth": 0.0,
            "children_per_case": 1, "domestic_abuse_share": 0.0, "high_risk_share": 0.0,
        },
        "cap": {
            "first_hearing_days": _FIXED_ZERO, "further_report_share": 0.0, "report_work_days": _FIXED_ZERO,
            "final_hearing_wait_days": _FIXED_ZERO,
        },
        "cfc": {
            "intake_days": 0, "cafcass_cir_share": 1.0, "la_cir_share": 0.0,
            "cir_work_days": {"dist": "exponential", "mean": work_mean_days},
            "decision_hearing_wait_days": 0, "second_report_share": 0.0, "second_report_work_days": _FIXED_ZERO,
        },
        "workforce": {
            "fcas": fcas, "establishment": fcas, "caseload_cap": cap, "annual_turnover": 0.0, "notice_days": 0,
            "time_to_hire_days": 0, "hire_success": 1.0, "induction_days": 0, "induction_start_cap_share": 1.0,
            "sickness": {"episodes_per_year": 0, "episode_days": 0, "reallocate_after_days": 0},
            "training": {"days": 0, "seats_per_month": 0, "trained_share_at_start": 1.0},
            "flexible": {"max_fte": 0, "trigger_queue": 0},
        },
        "prioritisation": {"activate_queue": 100_000, "deactivate_queue": 0},
        "partnerships": {"idva": "2020-01-01", "local_authority": "2020-01-01", "police": "2020-01-01"},
    }


def mmc_dict(*, arrivals_per_day: float, work_mean_days: float, fcas: int, cap: int = 1, months: int = 120,
             warmup_months: int = 12, reps: int = 20, seed: int = 1) -> dict[str, Any]:
    """A one-area M/M/c scenario: c = fcas x cap slots, live (all CFC) from before the start."""
    return {
        "schema": 1, "name": "mmc", "start": "2026-04-01", "horizon_months": months,
        "warmup_months": warmup_months, "replications": reps, "seed": seed,
        "targets": {"cir_working_days": 40, "cir_on_time_share": 0.9, "children_seen_share": 0.75},
        "readiness": {"policy": "planned", "capacity_headroom": 1.0, "max_vacancy_rate": 0.1,
                      "min_training_share": 0.95, "max_turnover_12m": 0.18, "performance_months": 6,
                      "performance_confidence": 0.8},
        "defaults": area_blocks(arrivals_per_day, work_mean_days, fcas, cap),
        "areas": [{"name": "Queue", "go_live": "2020-01-01"}],
    }


# ---- helpers ----------------------------------------------------------------------------------------


def _row(frame, area: str, metric: str):  # type: ignore[no-untyped-def]
    rows = frame[(frame["area"] == area) & (frame["pathway"] == "all") & (frame["metric"] == metric)]
    return rows.iloc[0]


def _fmt(x: float, digits: int = 3) -> str:
    """`digits` significant figures, plain notation."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return f"{x:,.{decimals}f}"


def _ci(row, digits: int = 3) -> str:  # type: ignore[no-untyped-def]
    return f"{_fmt(row['mean'], digits)} [{_fmt(row['ci_low'], digits)}, {_fmt(row['ci_high'], digits)}]"


def _inside(row, value: float) -> str:  # type: ignore[no-untyped-def]
    return "yes" if row["ci_low"] <= value <= row["ci_high"] else "**no**"


# ---- 1. M/M/c means ---------------------------------------------------------------------------------

MMC_CASES = [
    # label, arrivals per day, work mean days, FCAs, caseload cap, months, warm-up months, replications
    ("M/M/1", 0.5, 1.0, 1, 1, 120, 12, 20),
    ("M/M/6", 1.0, 5.0, 6, 1, 120, 12, 20),
    ("M/M/10", 2.0, 4.0, 10, 1, 120, 12, 20),
    ("3 FCAs x cap 20", 1.5, 30.0, 3, 20, 120, 12, 20),
    ("5 FCAs x cap 9", 4.0, 10.0, 5, 9, 120, 12, 20),
    ("M/M/10 heavy", 1.9, 5.0, 10, 1, 480, 24, 20),
    ("4 FCAs x cap 10 heavy", 3.8, 10.0, 4, 10, 480, 24, 20),
]


def check_mmc(workers: int) -> tuple[list[str], int, int]:
    lines = [
        "| queue | lambda/day | E[S] days | c | rho | W_q theory | W_q model [95% CI] | in | "
        "L_q theory | L_q model [95% CI] | in | utilisation model [95% CI] | in |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | --- | --- | --- |",
    ]
    inside = total = 0
    for label, lam, work, fcas, cap, months, warmup, reps in MMC_CASES:
        config = config_from_dict(mmc_dict(arrivals_per_day=lam, work_mean_days=work, fcas=fcas, cap=cap,
                                           months=months, warmup_months=warmup, reps=reps, seed=2026))
        summary = run_scenario(config, workers=workers).summary
        servers = fcas * cap
        rho = lam * work / servers
        wq = mmc_wait_mean(lam, work, servers)
        wait = _row(summary, "ALL", "wait_to_allocation_days_mean")
        queue = _row(summary, "ALL", "unallocated_queue_mean")
        util = _row(summary, "ALL", "fca_utilisation")
        marks = [_inside(wait, wq), _inside(queue, lam * wq), _inside(util, rho)]
        inside += sum(m == "yes" for m in marks)
        total += 3
        lines.append(
            f"| {label} ({months // 12} y x {reps}) | {lam:g} | {work:g} | {servers} | {rho:.3f} | {_fmt(wq)} | "
            f"{_ci(wait)} | {marks[0]} | {_fmt(lam * wq)} | {_ci(queue)} | {marks[1]} | "
            f"{util['mean']:.4f} [{util['ci_low']:.4f}, {util['ci_high']:.4f}] | {marks[2]} |")
    return lines, inside, total


# ---- 2. M/M/1 waiting-time distribution -------------------------------------------------------------

MM1_CASES = [
    # arrivals per day, work mean days, months, warm-up months, replications
    (0.5, 1.0, 120, 6, 20),
    (0.8, 1.0, 120, 12, 20),
]
QUANTILES = [0.6, 0.75, 0.9, 0.95, 0.99]
CENSOR_MARGIN_DAYS = 60.0  # arrivals in the last 60 days are left out (their wait may be cut by the horizon)


def waits_from_events(events, config) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """(replication, wait) per case arriving after warm-up and 60+ days before the horizon; inf if never
    allocated. Wait = day of the first 'allocated ...' minus day of 'application received ...'."""
    calendar = make_calendar(config)
    start = calendar.month_start_days[config.header.warmup_months]
    end = calendar.horizon_days - CENSOR_MARGIN_DAYS
    arrived = events[events["activity"].str.startswith("application received")].set_index("case_id")
    allocated = events[events["activity"].str.startswith("allocated")].groupby("case_id")["day"].min()
    cases = arrived[["replication", "day"]].join(allocated.rename("allocated"))
    cases = cases[(cases["day"] >= start) & (cases["day"] <= end)]
    wait = (cases["allocated"] - cases["day"]).fillna(np.inf).to_numpy()
    return cases["replication"].to_numpy(), wait


def ks_distance(wait: np.ndarray, lam: float, work: float) -> float:
    """sup_t |F_n(t) - F(t)| for the M/M/1 wait: F has an atom 1 - rho at 0, then an exponential tail;
    never-allocated cases (inf) count as longer than every t."""
    ordered = np.sort(wait)
    n = len(ordered)
    points = np.unique(ordered[np.isfinite(ordered)])
    at = np.searchsorted(ordered, points, side="right") / n  # F_n(t)
    before = np.searchsorted(ordered, points, side="left") / n  # F_n(t-)
    theory = np.array([mmc_wait_cdf(t, lam, work, 1) for t in points])
    theory_before = np.where(points > 0, theory, 0.0)  # F is continuous except at 0
    tail = 1.0 - np.isfinite(ordered).sum() / n  # t -> infinity
    return float(max(np.abs(at - theory).max(), np.abs(before - theory_before).max(), tail))


def check_mm1_distribution(workers: int) -> list[str]:
    lines: list[str] = []
    for lam, work, months, warmup, reps in MM1_CASES:
        config = config_from_dict(mmc_dict(arrivals_per_day=lam, work_mean_days=work, fcas=1, months=months,
                                           warmup_months=warmup, reps=reps, seed=2027))
        events = run_scenario(config, workers=workers, trace=True).events
        rep, wait = waits_from_events(events, config)
        rho = lam * work
        n = len(wait)
        times = sorted({mm1_wait_quantile(q, lam, work) for q in [0.0, *QUANTILES]})
        t_crit = stats.t.ppf(0.975, reps - 1)
        lines += [
            f"**rho = {rho:g}** (lambda = {lam:g}/day, E[S] = {work:g} day; {months // 12} years, {warmup} months "
            f"warm-up, {reps} replications, {n:,} waits)",
            "",
            "| t (days) | theory P(W_q <= t) | model, all waits | model, mean of replications [95% CI] | in |",
            "| ---: | ---: | ---: | --- | --- |",
        ]
        inflation = []
        for t in times:
            theory = mmc_wait_cdf(t, lam, work, 1)
            per_rep = np.array([np.mean(wait[rep == r] <= t) for r in range(reps)])
            mean, sd = per_rep.mean(), per_rep.std(ddof=1)
            half = t_crit * sd / math.sqrt(reps)
            ok = "yes" if mean - half <= theory <= mean + half else "**no**"
            lines.append(f"| {t:.3f} | {theory:.4f} | {np.mean(wait <= t):.4f} | {mean:.4f} "
                         f"[{mean - half:.4f}, {mean + half:.4f}] | {ok} |")
            inflation.append(sd**2 / (theory * (1 - theory) / (n / reps)))
        d = ks_distance(wait, lam, work)
        vif = max(inflation)
        eps_iid = math.sqrt(math.log(2 / 0.01) / (2 * n))
        eps_eff = math.sqrt(math.log(2 / 0.01) / (2 * n / vif))
        verdict = "inside" if d <= eps_eff else "**outside**"
        lines += [
            "",
            f"Kolmogorov-Smirnov distance D = sup_t |F_n(t) - F(t)| = {d:.4f}. A 99% DKW band for {n:,} independent "
            f"waits would be +-{eps_iid:.4f}, but successive waits in a queue are positively correlated: the "
            f"variance of the per-replication estimates above is up to {vif:.1f} times the binomial variance, so "
            f"the effective sample size is about {n / vif:,.0f} and the 99% band +-{eps_eff:.4f}; D is {verdict}.",
            "",
        ]
    return lines


# ---- 3. Little's law in every area --------------------------------------------------------------------

LITTLE_AREAS = [
    # name, arrivals per day, work mean days, FCAs, caseload cap
    ("Light", 1.0, 2.0, 4, 1),
    ("Moderate", 2.0, 10.0, 5, 5),
    ("Busy", 3.0, 20.0, 7, 10),
    ("Heavy", 1.9, 5.0, 10, 1),
]


def check_littles_law(workers: int) -> list[str]:
    months, warmup, reps = 120, 12, 10
    data = mmc_dict(arrivals_per_day=1.0, work_mean_days=1.0, fcas=1, months=months, warmup_months=warmup,
                    reps=reps, seed=2028)
    data["areas"] = [{"name": name, "go_live": "2020-01-01", **area_blocks(lam, work, fcas, cap)}
                     for name, lam, work, fcas, cap in LITTLE_AREAS]
    config = config_from_dict(data)
    calendar = make_calendar(config)
    span = calendar.horizon_days - calendar.month_start_days[warmup]
    reps_frame = run_scenario(config, workers=workers).replications
    frame = reps_frame[reps_frame["pathway"] == "all"].pivot_table(
        index=["area", "replication"], columns="metric", values="value")
    lines = [
        f"{len(LITTLE_AREAS)} areas, {months // 12} years ({warmup} months warm-up), {reps} replications; per "
        "replication, L = `unallocated_queue_mean` (time-average over the statistics period) and lambda W = "
        "(`applications` / days) x `wait_to_allocation_days_mean`.",
        "",
        "| area | c | rho | L_q (time-average, mean of reps) | lambda-hat x W-bar (mean of reps) | "
        "mean relative difference | largest relative difference |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = [a[0] for a in LITTLE_AREAS] + ["ALL"]
    specs = {a[0]: a for a in LITTLE_AREAS}
    for name in names:
        rows = frame.loc[name]
        queue = rows["unallocated_queue_mean"]
        little = rows["applications"] / span * rows["wait_to_allocation_days_mean"]
        rel = (little - queue) / queue
        if name == "ALL":
            servers, rho = "", ""
        else:
            _, lam, work, fcas, cap = specs[name]
            servers, rho = str(fcas * cap), f"{lam * work / (fcas * cap):.3f}"
        lines.append(f"| {name} | {servers} | {rho} | {_fmt(queue.mean(), 4)} | {_fmt(little.mean(), 4)} | "
                     f"{rel.mean():+.2%} | {rel.abs().max():.2%} |")
    lines += [
        "",
        "For `ALL` the wait is the mean over every area's cases, so lambda-hat x W-bar is the sum of the areas' "
        "(the law holds for the whole system as for each part).",
    ]
    return lines


# ---- the document -------------------------------------------------------------------------------------


def build(workers: int) -> str:
    mmc, inside, total = check_mmc(workers)
    distribution = check_mm1_distribution(workers)
    little = check_littles_law(workers)
    header = [
        "# Validation against queueing theory",
        "",
        "Generated by `python docs/make_validation.py` (about 1-3 minutes on 2 cores; `--workers N` for more "
        "processes). Do not edit by hand: rerun the script. All runs are seeded, so the numbers are "
        "reproducible with the same `cfc_sim` and NumPy versions.",
        "",
        "**Set-up.** The model's slot parameterisation (slot work and drawn hearing waits: no `workforce.hours` "
        "or `court` block; the shipped scenarios run FCA hours and court listing, checked against M/M/1-PS and "
        "M/M/1 in `tests/test_hours.py` and `tests/test_court.py`) is configured as an M/M/c queue: "
        "applications arrive as a Poisson process "
        "straight to a Cafcass CIR (no intake delay, every case triaged to a Cafcass CIR, no second report), CIR "
        "work is exponential, and there is no turnover, sickness, training or other work. Each FCA holds at most "
        "`caseload_cap` cases, so every caseload slot is a server: c = FCAs x cap. The wait is the time from "
        "application to allocation (`wait_to_allocation_days_mean`), the queue is the number of cases awaiting "
        "allocation (`unallocated_queue_mean`, a time-average) and utilisation is the share of slots in use "
        "(`fca_utilisation`). Statistics start after the warm-up months.",
        "",
        "**What each check means.**",
        "",
        "1. *M/M/c means.* The mean wait must agree with Erlang C, W_q = C(c, a) / (c mu - lambda) with "
        "a = lambda / mu; the mean queue with Little's law, L_q = lambda W_q; utilisation with rho = "
        "lambda E[S] / c. 'in' says whether the theoretical value lies inside the model's 95% t-interval "
        "across independent replications. With 95% intervals about one comparison in twenty is expected to fall "
        "outside by chance; a systematic error shows as many misses or as values far outside.",
        "2. *M/M/1 waiting-time distribution.* From the event log (`--trace`): each case's wait is the day of "
        "its first allocation minus the day its application arrived. The whole distribution must match "
        "P(W_q <= t) = 1 - rho exp(-(mu - lambda) t) (an atom of 1 - rho at zero, then exponential), which tests "
        "the queue discipline and the allocation rule, not only the mean.",
        "3. *Little's law in every area.* L = lambda W holds on every sample path whatever the distributions, "
        "up to edge effects at the start and end of the statistics period. Each area of a four-area run (different "
        "loads and caps) must satisfy it to within a small relative difference; this checks that the queue-length "
        "integral, the arrival count and the waits are recorded consistently per area.",
        "",
        f"## 1. M/M/c: mean wait, queue length and utilisation ({inside} of {total} theoretical values inside "
        "the 95% interval)",
        "",
        "Times in days; `c` = FCAs x caseload cap; run length in years x replications.",
        "",
    ]
    return "\n".join([
        *header, *mmc, "",
        "## 2. M/M/1: the waiting-time distribution", "",
        "The t values are 0 and the theoretical 60%, 75%, 90%, 95% and 99% quantiles (the median is 0 when "
        "rho <= 0.5). Cases arriving during the warm-up or in the last 60 days are left out; a case never "
        "allocated counts as waiting longer than every t.", "",
        *distribution,
        "## 3. Little's law in every area of a multi-area run", "",
        *little, "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="local processes for replications (default 2)")
    parser.add_argument("--out", type=Path, default=HERE / "validation.md", help="where to write the markdown")
    args = parser.parse_args()
    text = build(args.workers)
    args.out.write_text(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
