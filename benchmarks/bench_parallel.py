"""Parallel efficiency of `run_scenario` with 2 local workers and on a Dask LocalCluster of 2 (goal >= 0.9).

Runs the national default with R replications (8; `--quick` 4) through
`cfc_sim.experiment.run_scenario(config, workers=1)`, then `workers=2`, then
`scheduler=<address of a dask.distributed.LocalCluster(n_workers=2, threads_per_worker=1)>`
(started before the clock, as a cluster would already be running; `--no-dask` skips it), all in
this process, and prints efficiency = T1 / (2 x T2) for each. T is the whole call: process
start-up (a fresh interpreter each; for Dask the client's connection), replications, and the serial assembly of
frames, summary and readiness in the parent. The replication phase alone (up to the last
replication's progress tick) is printed too, to show how much of any shortfall is the serial tail.
Also checks that every run gives bit-identical summary, replication and monthly series frames
(`pandas.testing.assert_frame_equal(check_exact=True)`): where replications run must not change
any number.

    python benchmarks/bench_parallel.py [--quick] [--reps 8] [--repeat 1] [--no-dask]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from common import cpu_seconds, cpu_share_note, machine_line, national_dict, table, verdict

GOAL = 0.9


def timed_run(config, workers: int, scheduler: str | None = None):  # type: ignore[no-untyped-def]
    """(whole seconds, seconds to the last replication finishing, CPU seconds, result)."""
    from cfc_sim.experiment import run_scenario

    ticks: list[float] = []
    cpu = cpu_seconds()
    start = time.perf_counter()
    result = run_scenario(config, workers=workers, scheduler=scheduler,
                          progress=lambda n: ticks.append(time.perf_counter()))
    whole = time.perf_counter() - start
    return whole, (ticks[-1] - start) if ticks else whole, cpu_seconds() - cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 replications instead of 8")
    parser.add_argument("--reps", type=int, default=None, help="replications (default 8, 4 with --quick)")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (1 then 2 workers); the best counts")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster runs")
    args = parser.parse_args(argv)
    reps = args.reps or (4 if args.quick else 8)

    import pandas as pd

    from cfc_sim.scenario.loading import config_from_dict

    config = config_from_dict(national_dict(replications=reps))
    print(machine_line())
    print(f"national default, {reps} replications x {config.header.horizon_months} months, "
          f"{len(config.areas)} areas; workers=1 then workers=2 (local processes), {args.repeat} pair(s); "
          f"os.cpu_count() = {os.cpu_count()}")

    runs: dict[int | str, list[tuple[float, float]]] = {1: [], 2: []}
    cpus: dict[int | str, list[float]] = {1: [], 2: []}
    results = {}
    notes = []
    for pair in range(args.repeat):
        for workers in (1, 2) if pair % 2 == 0 else (2, 1):  # alternate the order between pairs
            whole, reps_phase, cpu, results[workers] = timed_run(config, workers)
            runs[workers].append((whole, reps_phase))
            cpus[workers].append(cpu)
            notes.append(f"workers={workers}: {cpu_share_note(cpu, whole, workers)}")

    if not args.no_dask:
        from dask.distributed import LocalCluster

        # Workers as processes, one thread each, like `--workers 2`; the cluster's own start-up is not timed.
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            runs["dask"] = []
            for _ in range(args.repeat):
                whole, reps_phase, cpu, results["dask"] = timed_run(config, 1, cluster.scheduler_address)
                runs["dask"].append((whole, reps_phase))
                notes.append(f"dask: {whole:.1f} s wall (CPU of the cluster's workers is not counted here)")

    t1, t1_reps = min(w for w, _ in runs[1]), min(r for _, r in runs[1])
    t2, t2_reps = min(w for w, _ in runs[2]), min(r for _, r in runs[2])
    rows = [
        (1, f"{t1:.2f}", f"{t1_reps:.2f}", f"{t1 - t1_reps:.2f}", f"{t1 / reps:.2f}",
         " ".join(f"{w:.2f}" for w, _ in runs[1])),
        (2, f"{t2:.2f}", f"{t2_reps:.2f}", f"{t2 - t2_reps:.2f}", f"{t2 / reps:.2f}",
         " ".join(f"{w:.2f}" for w, _ in runs[2])),
    ]
    if "dask" in runs:
        td, td_reps = min(w for w, _ in runs["dask"]), min(r for _, r in runs["dask"])
        rows.append(("dask 2", f"{td:.2f}", f"{td_reps:.2f}", f"{td - td_reps:.2f}", f"{td / reps:.2f}",
                     " ".join(f"{w:.2f}" for w, _ in runs["dask"])))
    print(table(rows, ("workers", "whole s", "replications s", "assembly s", "s/rep", "all runs s")))
    print("\n".join(notes))

    identical = True
    for other in [k for k in (2, "dask") if k in results]:
        for frame in ("summary", "replications", "timeseries"):
            try:
                pd.testing.assert_frame_equal(getattr(results[1], frame), getattr(results[other], frame),
                                              check_exact=True)
            except AssertionError as exc:
                identical = False
                print(f"{frame}: workers=1 and {other} DIFFER: {str(exc).splitlines()[0]}")
    if identical:
        print(f"summary, replications and monthly series: bit-identical for workers=1, workers=2"
              f"{' and dask' if 'dask' in results else ''} (assert_frame_equal, check_exact)")

    efficiency = t1 / (2 * t2)
    print(f"parallel efficiency T1 / (2 x T2), --workers 2 = {efficiency:.2f} ({verdict(efficiency, GOAL, True)})")
    if "dask" in runs:
        dask_efficiency = t1 / (2 * td)
        print(f"parallel efficiency T1 / (2 x T2), Dask LocalCluster of 2 = {dask_efficiency:.2f} "
              f"({verdict(dask_efficiency, GOAL, True)})")
    print(f"(replication phase only: {t1_reps / (2 * t2_reps):.2f}; serial assembly takes "
          f"{t1 - t1_reps:.2f} s of T1 = {t1:.2f} s)")
    # CPU seconds of parent + workers: insensitive to other load on the machine, but blind to idle workers.
    print(f"(CPU-time view, CPU(1 worker) / CPU(2 workers) = {min(cpus[1]) / min(cpus[2]):.2f}: the overhead of "
          "spawning, importing and pickling; it cannot see a worker left idle)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
