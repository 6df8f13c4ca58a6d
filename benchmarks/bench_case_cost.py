"""Cost per simulated case: cfc_sim's model against a bare SimPy M/M/c of the same size, in one run.

Both sides simulate the same queue: Poisson arrivals at LAMBDA a day, exponential work with mean
WORK days, c = FCAS x CAP slots (rho = LAMBDA x WORK / c), over the same horizon (about 180,000
cases; `--quick` about 36,000). The model side is one replication of an M/M/c scenario (CFC pathway:
intake 0, cafcass_cir_share 1, exponential cir_work_days, decision wait 0); the bare side is the
textbook SimPy program: a generator process per customer that requests a `simpy.Resource(c)`,
holds it for its service time and releases it, with numpy draws taken in batches.

Prints seconds per case for both (best of --repeat runs, time.perf_counter) and the ratio
model / bare (goal <= 3). Only the ratio is meaningful across machines.

    python benchmarks/bench_case_cost.py [--quick] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from bare_mmc import bare_mmc
from common import best_of, cpu_seconds, cpu_share_note, machine_line, metric, mmc_dict, table, verdict

LAMBDA = 100.0  # arrivals per day
WORK = 5.0  # mean work (service) days
FCAS, CAP = 30, 20  # c = 600 slots: rho = 500 / 600 = 0.83
START = dt.date(2026, 4, 1)
GOAL = 3.0


def horizon_days(months: int) -> float:
    """Days from START to START + months (calendar months, as the model counts them)."""
    year, month = divmod(START.month - 1 + months, 12)
    return float((dt.date(START.year + year, month + 1, START.day) - START).days)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about 36,000 cases instead of 180,000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best counts (default 3)")
    args = parser.parse_args(argv)

    from cfc_sim.model import simulate
    from cfc_sim.scenario.loading import config_from_dict

    cases_wanted = 36_000 if args.quick else 180_000
    months = max(1, round(cases_wanted / LAMBDA / 30.44))
    horizon = horizon_days(months)
    c = FCAS * CAP
    print(machine_line())
    print(f"M/M/c: lambda {LAMBDA:g}/day, mean work {WORK:g} days, c = {FCAS} FCAs x cap {CAP} = {c}, "
          f"rho = {LAMBDA * WORK / c:.3f}, horizon {months} months = {horizon:g} days "
          f"(~{LAMBDA * horizon:,.0f} arrivals), best of {args.repeat}")

    clock = time.perf_counter()
    config = config_from_dict(mmc_dict(arrivals_per_day=LAMBDA, work_mean_days=WORK, fcas=FCAS, cap=CAP,
                                       months=months))
    validate_s = time.perf_counter() - clock

    # Alternate the two sides so drift in machine speed affects both alike.
    bare_times, model_times, build_times, run_times, mm1_times = [], [], [], [], []
    bare_counts = model_output = None
    cpu, wall = cpu_seconds(), time.perf_counter()
    for _ in range(args.repeat):
        t, _, bare_counts = best_of(lambda: bare_mmc(LAMBDA, WORK, c, horizon, seed=1), 1)
        bare_times.append(t)
        t, _, model_output = best_of(lambda: simulate(config, 0), 1)
        model_times.append(t)
        # Informational: the same customers through an M/M/1 with the same rho. At c = 600 the bare program
        # holds ~500 timeouts in its event heap and simpy.Resource removes each user from a list of up to c,
        # so the reference itself costs more per customer than at c = 1.
        t, _, mm1_counts = best_of(lambda: bare_mmc(LAMBDA, WORK / c, 1, horizon, seed=1), 1)
        mm1_times.append(t)
    # The same call split into building the model and running it (internal API: skipped if it moved).
    try:
        from cfc_sim.model.simulation import Replication

        for _ in range(args.repeat):
            clock = time.perf_counter()
            replication = Replication(config, 0)
            build_times.append(time.perf_counter() - clock)
            clock = time.perf_counter()
            replication.run()
            run_times.append(time.perf_counter() - clock)
    except (ImportError, AttributeError, TypeError) as exc:  # pragma: no cover - depends on the model's layout
        print(f"(build/run split skipped: {exc!r})")
    cpu_note = cpu_share_note(cpu_seconds() - cpu, time.perf_counter() - wall, 1)

    bare_arrived, bare_served = bare_counts
    model_arrived = int(metric(model_output, "applications") or 0) + int(metric(model_output, "open_cases_start") or 0)
    model_served = int(metric(model_output, "cirs_filed") or 0)
    bare_best, model_best = min(bare_times), min(model_times)
    bare_per_case = bare_best / bare_arrived
    model_per_case = model_best / model_arrived
    rows = [
        ("bare SimPy M/M/c", f"{bare_arrived:,}", f"{bare_served:,}", f"{bare_best:.3f}",
         " ".join(f"{t:.3f}" for t in bare_times), f"{bare_per_case * 1e6:.2f}", f"{bare_arrived / bare_best:,.0f}"),
        ("cfc_sim simulate()", f"{model_arrived:,}", f"{model_served:,}", f"{model_best:.3f}",
         " ".join(f"{t:.3f}" for t in model_times), f"{model_per_case * 1e6:.2f}",
         f"{model_arrived / model_best:,.0f}"),
    ]
    if run_times:
        rows.append(("  of which: build", "", "", f"{min(build_times):.3f}", " ".join(f"{t:.3f}" for t in build_times),
                     f"{min(build_times) / model_arrived * 1e6:.2f}", ""))
        rows.append(("  of which: env.run + readout", "", "", f"{min(run_times):.3f}",
                     " ".join(f"{t:.3f}" for t in run_times), f"{min(run_times) / model_arrived * 1e6:.2f}",
                     f"{model_arrived / min(run_times):,.0f}"))
    mm1_per_case = min(mm1_times) / mm1_counts[0]
    rows.append(("bare SimPy M/M/1, same rho (info)", f"{mm1_counts[0]:,}", f"{mm1_counts[1]:,}",
                 f"{min(mm1_times):.3f}", " ".join(f"{t:.3f}" for t in mm1_times), f"{mm1_per_case * 1e6:.2f}",
                 f"{mm1_counts[0] / min(mm1_times):,.0f}"))
    print(f"config_from_dict (validation, once, not in the ratio): {validate_s:.3f} s")
    print(table(rows, ("side", "cases arrived", "cases served", "best s", "all runs s", "us/case", "cases/s")))
    if abs(model_arrived - bare_arrived) > 0.02 * bare_arrived:
        print(f"WARNING: case counts differ by more than 2% ({model_arrived} vs {bare_arrived})")
    print(cpu_note)
    ratio = model_per_case / bare_per_case
    print(f"model cost per case / bare SimPy cost per case = {ratio:.2f} ({verdict(ratio, GOAL, False)})")
    print(f"(informational: model / bare SimPy M/M/1 with the same customers = {model_per_case / mm1_per_case:.2f})")
    if run_times:
        run_ratio = (min(run_times) / model_arrived) / bare_per_case
        print(f"(run phase only, without building the model: {run_ratio:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
