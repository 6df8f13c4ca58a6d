"""The national default at its real size: wall time, seconds per replication and cases per second.

Runs `scenarios/national-rollout.yaml` (40 areas, 48 months) with 30 replications (`--reps`;
`--quick` 4) on `--workers` local processes (default 2) through `cfc_sim.experiment.run_scenario`
(replications and the assembly of frames, summary and readiness; no results folder, no charts)
and prints one line the README can quote. Cases are applications over all areas and replications.

    python benchmarks/bench_national.py [--quick] [--reps 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from common import NATIONAL_YAML, cpu_seconds, cpu_share_note, machine_line, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 replications instead of 30")
    parser.add_argument("--reps", type=int, default=None, help="replications (default 30, 4 with --quick)")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    args = parser.parse_args(argv)
    reps = args.reps or (4 if args.quick else 30)

    import cfc_sim
    from cfc_sim.experiment import run_scenario

    config = cfc_sim.load_scenario(NATIONAL_YAML).with_run_options(replications=reps, seed=None)
    print(machine_line())
    months = config.header.horizon_months
    areas = len(config.areas)  # a replication's areas may be split between the workers
    print(f"national default: {len(config.areas)} areas, {months} months, {reps} replications, "
          f"{args.workers} worker(s), os.cpu_count() = {os.cpu_count()}")

    ticks: list[float] = []
    cpu = cpu_seconds()
    start = time.perf_counter()
    result = run_scenario(config, workers=args.workers, progress=lambda n: ticks.append(time.perf_counter()))
    wall = time.perf_counter() - start
    reps_phase = ticks[-1] - start if ticks else wall
    cpu = cpu_seconds() - cpu

    frame = result.replications
    national = frame[(frame["area"] == "ALL") & (frame["pathway"] == "all")]
    cases = float(national.loc[national["metric"] == "applications", "value"].sum())
    cases += float(national.loc[national["metric"] == "open_cases_start", "value"].sum())
    rows = [
        ("wall time (run_scenario)", f"{wall:.1f} s"),
        ("  replications phase", f"{reps_phase:.1f} s"),
        ("  assembly (frames, summary, readiness)", f"{wall - reps_phase:.1f} s"),
        ("seconds per replication (wall / reps)", f"{wall / reps:.2f}"),
        ("CPU seconds per replication (wall x workers / reps)", f"{wall * min(args.workers, reps * areas) / reps:.2f}"),
        ("cases simulated (all replications)", f"{cases:,.0f}"),
        ("cases per replication", f"{cases / reps:,.0f}"),
        ("cases per second (wall)", f"{cases / wall:,.0f}"),
    ]
    print(table(rows, ("measure", "value")))
    print(cpu_share_note(cpu, wall, min(args.workers, reps * areas)))
    print(f"QUOTE: the national default ({len(config.areas)} areas, {months} months, {cases / reps:,.0f} cases a "
          f"replication) runs {reps} replications in {wall:.0f} s on {args.workers} worker(s) "
          f"({wall / reps:.1f} s per replication, {cases / wall:,.0f} cases/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
