"""Parallel efficiency of `run_scenario` with 2 local workers on 2 cores (goal >= 0.8).

Runs the national default with R replications (8; `--quick` 4) through
`cfc_sim.experiment.run_scenario(config, workers=1)` and then `workers=2`, both in this process,
and prints efficiency = T1 / (2 x T2). T is the whole call: process start-up (spawn), replications,
and the serial assembly of frames, summary and readiness in the parent. The replication phase alone
(up to the last replication's progress tick) is printed too, to show how much of any shortfall is
the serial tail. Also checks that both runs give identical summaries and replication frames
(`pandas.testing.assert_frame_equal`): `--workers` must not change any number.

    python benchmarks/bench_parallel.py [--quick] [--reps 8] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from common import cpu_seconds, cpu_share_note, machine_line, national_dict, table, verdict

GOAL = 0.8


def timed_run(config, workers: int):  # type: ignore[no-untyped-def]
    """(whole seconds, seconds to the last replication finishing, CPU seconds, result)."""
    from cfc_sim.experiment import run_scenario

    ticks: list[float] = []
    cpu = cpu_seconds()
    start = time.perf_counter()
    result = run_scenario(config, workers=workers, progress=lambda n: ticks.append(time.perf_counter()))
    whole = time.perf_counter() - start
    return whole, (ticks[-1] - start) if ticks else whole, cpu_seconds() - cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 replications instead of 8")
    parser.add_argument("--reps", type=int, default=None, help="replications (default 8, 4 with --quick)")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (1 then 2 workers); the best counts")
    args = parser.parse_args(argv)
    reps = args.reps or (4 if args.quick else 8)

    import pandas as pd

    from cfc_sim.scenario.loading import config_from_dict

    config = config_from_dict(national_dict(replications=reps))
    print(machine_line())
    print(f"national default, {reps} replications x {config.header.horizon_months} months, "
          f"{len(config.areas)} areas; workers=1 then workers=2 (spawn), {args.repeat} pair(s); "
          f"os.cpu_count() = {os.cpu_count()}")

    runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    results = {}
    notes = []
    for pair in range(args.repeat):
        for workers in (1, 2) if pair % 2 == 0 else (2, 1):  # alternate the order between pairs
            whole, reps_phase, cpu, results[workers] = timed_run(config, workers)
            runs[workers].append((whole, reps_phase))
            cpus[workers].append(cpu)
            notes.append(f"workers={workers}: {cpu_share_note(cpu, whole, workers)}")

    t1, t1_reps = min(w for w, _ in runs[1]), min(r for _, r in runs[1])
    t2, t2_reps = min(w for w, _ in runs[2]), min(r for _, r in runs[2])
    rows = [
        (1, f"{t1:.2f}", f"{t1_reps:.2f}", f"{t1 - t1_reps:.2f}", f"{t1 / reps:.2f}",
         " ".join(f"{w:.2f}" for w, _ in runs[1])),
        (2, f"{t2:.2f}", f"{t2_reps:.2f}", f"{t2 - t2_reps:.2f}", f"{t2 / reps:.2f}",
         " ".join(f"{w:.2f}" for w, _ in runs[2])),
    ]
    print(table(rows, ("workers", "whole s", "replications s", "assembly s", "s/rep", "all runs s")))
    print("\n".join(notes))

    identical = True
    for frame in ("summary", "replications"):
        try:
            pd.testing.assert_frame_equal(getattr(results[1], frame), getattr(results[2], frame))
        except AssertionError as exc:
            identical = False
            print(f"{frame}: workers=1 and workers=2 DIFFER: {str(exc).splitlines()[0]}")
    if identical:
        print("summary and replications frames: identical for workers=1 and workers=2 (assert_frame_equal)")

    efficiency = t1 / (2 * t2)
    print(f"parallel efficiency T1 / (2 x T2) = {efficiency:.2f} ({verdict(efficiency, GOAL, True)})")
    print(f"(replication phase only: {t1_reps / (2 * t2_reps):.2f}; serial assembly takes "
          f"{t1 - t1_reps:.2f} s of T1 = {t1:.2f} s)")
    # CPU seconds of parent + workers: insensitive to other load on the machine, but blind to idle workers.
    print(f"(CPU-time view, CPU(1 worker) / CPU(2 workers) = {min(cpus[1]) / min(cpus[2]):.2f}: the overhead of "
          "spawning, importing and pickling; it cannot see a worker left idle)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
