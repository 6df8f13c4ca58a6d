"""Whole processes against a bare SimPy M/M/c of the same number of cases, measured in one run.

Three goals of issue 13, each a ratio of whole processes (interpreter start, imports, the run,
every file written) timed side by side with `time.perf_counter` around `subprocess.run`:

1. `python -m cfc_sim run --reps 2 --workers 1` of the national default (40 areas, 48 months,
   results folder and charts included) against `benchmarks/bare_mmc.py` simulating as many
   customers as the run's cases (applications + cases open at the start, both replications):
   goal <= 2.5.
2. The share of that run's wall time spent outside the simulation (imports, validation, frames,
   files, charts): 1 - manifest `wall_seconds` (the replications) / process wall time: goal <= 25%.
3. `python -m cfc_sim run` of a one-area M/M/c scenario (Poisson arrivals at 100 a day,
   exponential work of mean 5 days, c = 30 FCAs x cap 20; about 180,000 cases over 59 months; the
   scenario of `bench_case_cost.py`, written as a YAML file) against `bare_mmc.py` with the same
   case count: goal <= 1.5.

The goals are ratios of wall time; the run's CPU time (all its processes) is printed beside the
goals too, as a ratio to the bare program's.

The bare program is `bare_mmc.py` run as a script (the same M/M/c, c = 600). Each pair alternates
the two sides; `--repeat N` keeps the best of N. `--quick` shrinks the M/M/c to ~36,000 cases and
the national run to 1 replication of 12 months (ratios then say little: start-up dominates).

Issue 23: `--scenario FILE` times `cfc-sim run FILE --reps 2 --workers 1` instead of the national default
(e.g. `scenarios/national-rollout.yaml`, FCA hours and court listing), and `--against FILE` also
times the same command on FILE in the same alternating run (e.g. `benchmarks/national-slot.yaml`,
the slot parameterisation), with its own bare SimPy run of its case count: goal 4, the `--scenario`
run no slower than the `--against` run (wall time, whole process). `--no-mmc` leaves out goal 3.
Ratios are taken pair by pair; their median is judged (the spread and best against best printed too).

    python benchmarks/bench_whole_process.py [--quick] [--repeat 1] [--scenario FILE] [--against FILE] [--no-mmc]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from common import (
    NATIONAL_YAML,
    REPO,
    cpu_share_note,
    load_line,
    machine_line,
    median,
    mmc_dict,
    table,
    verdict,
    write_override,
)

HERE = Path(__file__).resolve().parent
GOAL_NATIONAL, GOAL_OUTSIDE, GOAL_MMC, GOAL_AGAINST = 2.5, 0.25, 1.5, 1.0


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of one whole process."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return wall, _children_cpu() - cpu, done.stdout


def run_cases(folder: Path) -> int:
    """Cases the run simulated: applications + open at the start, England, every replication."""
    total = 0.0
    with open(folder / "replications.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["area"] == "ALL" and row["pathway"] == "all" and row["metric"] in ("applications",
                                                                                      "open_cases_start"):
                total += float(row["value"])
    return int(total)


def cfc_sim_run(scenario: list[str], folder: Path) -> tuple[float, float, int, float]:
    """(wall s, CPU s, cases, replication seconds from the manifest) of `python -m cfc_sim run`."""
    wall, cpu, _ = timed([sys.executable, "-m", "cfc_sim", "run", *scenario, "--workers", "1", "--out", str(folder)])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return wall, cpu, run_cases(folder), float(manifest["wall_seconds"])


def bare(cases: int) -> tuple[float, float, int]:
    wall, cpu, out = timed([sys.executable, str(HERE / "bare_mmc.py"), "--cases", str(cases)])
    return wall, cpu, int(json.loads(out.strip().splitlines()[-1])["arrived"])


def _ratio_line(label: str, ratios: list[float], goal: float) -> str:
    spread = f"; pairs {min(ratios):.2f}-{max(ratios):.2f}" if len(ratios) > 1 else ""
    value = median(ratios)
    return f"{label} = {value:.2f} (median of {len(ratios)} pair(s){spread}) ({verdict(value, goal, False)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (start-up dominates: ratios say little)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="pairs of runs (medians and bests of each side are printed)")
    parser.add_argument("--scenario", type=Path, default=None,
                        help="scenario file of the timed run (default: the built-in national default, no file given)")
    parser.add_argument("--against", type=Path, default=None,
                        help="also time this scenario with the same command in the same alternating run; goal: "
                             "the --scenario run no slower than it (e.g. benchmarks/national-slot.yaml)")
    parser.add_argument("--reps", type=int, default=None, help="replications of the national run(s) (default 2)")
    parser.add_argument("--no-mmc", action="store_true", help="leave out goal 3 (the one-area M/M/c scenario)")
    args = parser.parse_args(argv)

    print(machine_line())
    months = 12 if args.quick else 59
    national_reps = args.reps or (1 if args.quick else 2)
    main_name = args.scenario.name if args.scenario else "national default"
    with tempfile.TemporaryDirectory(prefix="cfc-bench-") as tmp_name:
        tmp = Path(tmp_name)
        mmc_file = tmp / "mmc.yaml"
        mmc_file.write_text(yaml.safe_dump(mmc_dict(arrivals_per_day=100.0, work_mean_days=5.0, fcas=30, cap=20,
                                                    months=months)), encoding="utf-8")

        def command(file: Path | None, key: str) -> list[str]:
            if args.quick:
                file = write_override(file or NATIONAL_YAML, tmp / f"{key}.yaml", horizon_months=12)
            return [*([str(file.resolve())] if file else []), "--reps", str(national_reps)]

        runs: dict[str, list[str]] = {"national": command(args.scenario, "national")}
        labels = {"national": f"cfc-sim run {main_name} --reps {national_reps}"}
        if args.against:
            runs["against"] = command(args.against, "against")
            labels["against"] = f"cfc-sim run {args.against.name} --reps {national_reps}"
        if not args.no_mmc:
            runs["mmc"] = [str(mmc_file)]
            labels["mmc"] = "cfc-sim run M/M/c scenario"
        print(f"{', '.join(labels[k] for k in runs if k != 'mmc')}{' (12 months)' if args.quick else ''}, "
              f"--workers 1; M/M/c: {'left out' if args.no_mmc else f'{months} months, 1 replication'}; "
              f"{args.repeat} pair(s) each, alternating")
        order = [(kind, side) for kind in runs for side in ("run", "bare")]
        results: dict[str, list[tuple[float, float]]] = {k: [] for kind in runs for k in (kind, f"bare-{kind}")}
        cases: dict[str, int] = {}
        sim_seconds = []
        for pair in range(args.repeat):
            # The first pair runs each cfc-sim side first (its bare side needs its case count), the next in reverse.
            for kind, side in order if pair % 2 == 0 else order[::-1]:
                if side == "run":
                    wall, cpu, cases[kind], sim = cfc_sim_run(runs[kind], tmp / f"{kind}-{pair}")
                    results[kind].append((wall, cpu))
                    if kind == "national":
                        sim_seconds.append((wall, sim))
                else:
                    wall, cpu, cases[f"bare-{kind}"] = bare(cases[kind])
                    results[f"bare-{kind}"].append((wall, cpu))
            print(f"  pair {pair + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in results.items()) +
                  f" ({load_line()})", flush=True)

    def best(key: str) -> tuple[float, float]:
        return min(results[key])

    def per_case_ratios(key: str, ref: str) -> list[float]:
        pairs = zip(results[key], results[ref], strict=True)
        return [(w / cases[key]) / (rw / cases[ref]) for (w, _), (rw, _) in pairs]

    rows = []
    for key in results:
        label = labels.get(key, "bare SimPy M/M/c (same cases)")
        wall, cpu = best(key)
        walls = [w for w, _ in results[key]]
        rows.append((label, f"{cases[key]:,}", f"{median(walls):.2f}", f"{wall:.2f}",
                     " ".join(f"{w:.2f}" for w in walls),
                     f"{median(walls) / cases[key] * 1e6:.1f}", cpu_share_note(cpu, wall, 1).split(" = ")[-1]))
    print(table(rows, ("process", "cases", "median wall s", "best wall s", "all runs s", "us/case (median)",
                       "CPU obtained (best)")))
    print(_ratio_line(f"1. {main_name} run / bare SimPy M/M/c, per case", per_case_ratios("national", "bare-national"),
                      GOAL_NATIONAL))
    best_ratio = (best("national")[0] / cases["national"]) / (best("bare-national")[0] / cases["bare-national"])
    print(f"   best against best: {best_ratio:.2f}")
    wall, sim = sorted(sim_seconds)[len(sim_seconds) // 2]
    outside = 1 - sim / wall
    print(f"2. time outside the simulation = {outside:.0%} of {wall:.1f} s (replications {sim:.1f} s, from the "
          f"manifest; the median run) ({verdict(outside, GOAL_OUTSIDE, False)})")
    if "mmc" in runs:
        print(_ratio_line("3. M/M/c run / bare SimPy M/M/c, per case", per_case_ratios("mmc", "bare-mmc"), GOAL_MMC))
    if "against" in runs:
        walls = [w / a for (w, _), (a, _) in zip(results["national"], results["against"], strict=True)]
        print(_ratio_line(f"4. {main_name} run / {args.against.name} run, whole process wall", walls, GOAL_AGAINST))
        print(f"   per case: {median(per_case_ratios('national', 'against')):.2f}; {args.against.name} run / bare "
              f"SimPy M/M/c per case: {median(per_case_ratios('against', 'bare-against')):.2f}")
    # The goals are in wall time; the CPU time of all the run's processes is shown, not judged:
    for kind in runs:
        cpu_ratio = (best(kind)[1] / cases[kind]) / (best(f"bare-{kind}")[1] / cases[f"bare-{kind}"])
        print(f"   in CPU seconds ({labels[kind]}, all its processes, of its fastest run): {cpu_ratio:.2f}x bare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
