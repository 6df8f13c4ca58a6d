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

    python benchmarks/bench_whole_process.py [--quick] [--repeat 1]
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
from common import REPO, cpu_share_note, machine_line, mmc_dict, national_dict, table, verdict

HERE = Path(__file__).resolve().parent
GOAL_NATIONAL, GOAL_OUTSIDE, GOAL_MMC = 2.5, 0.25, 1.5


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (start-up dominates: ratios say little)")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs; the best of each side counts")
    args = parser.parse_args(argv)

    print(machine_line())
    months = 12 if args.quick else 59
    national_reps = 1 if args.quick else 2
    with tempfile.TemporaryDirectory(prefix="cfc-bench-") as tmp_name:
        tmp = Path(tmp_name)
        mmc_file = tmp / "mmc.yaml"
        mmc_file.write_text(yaml.safe_dump(mmc_dict(arrivals_per_day=100.0, work_mean_days=5.0, fcas=30, cap=20,
                                                    months=months)), encoding="utf-8")
        national = ["--reps", str(national_reps)]
        if args.quick:
            nat_file = tmp / "national.yaml"
            nat_file.write_text(yaml.safe_dump(national_dict(horizon_months=12)), encoding="utf-8")
            national = [str(nat_file), *national]
        print(f"national default: {national_reps} replication(s){' of 12 months' if args.quick else ''}, "
              f"--workers 1; M/M/c: {months} months, 1 replication; {args.repeat} pair(s) each, alternating")
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in ("national", "bare-n", "mmc", "bare-m")}
        cases = {}
        sim_seconds = []
        for pair in range(args.repeat):
            for kind, scenario in (("national", national), ("mmc", [str(mmc_file)])):
                # The first pair runs cfc-sim first (the bare side needs its case count), the next the bare side.
                for side in ("run", "bare") if pair % 2 == 0 else ("bare", "run"):
                    if side == "run":
                        wall, cpu, cases[kind], sim = cfc_sim_run(scenario, tmp / f"{kind}-{pair}")
                        results[kind].append((wall, cpu))
                        if kind == "national":
                            sim_seconds.append((wall, sim))
                    else:
                        wall, cpu, cases[f"bare-{kind[0]}"] = bare(cases[kind])
                        results[f"bare-{kind[0]}"].append((wall, cpu))

    def best(key: str) -> tuple[float, float]:
        return min(results[key])

    rows = []
    labels = {"national": f"cfc-sim run national --reps {national_reps}", "bare-n": "bare SimPy M/M/c (same cases)",
              "mmc": "cfc-sim run M/M/c scenario", "bare-m": "bare SimPy M/M/c (same cases)"}
    for key in ("national", "bare-n", "mmc", "bare-m"):
        wall, cpu = best(key)
        rows.append((labels[key], f"{cases[key]:,}", f"{wall:.2f}", " ".join(f"{w:.2f}" for w, _ in results[key]),
                     f"{wall / cases[key] * 1e6:.1f}", cpu_share_note(cpu, wall, 1).split(" = ")[-1]))
    print(table(rows, ("process", "cases", "best wall s", "all runs s", "us/case", "CPU obtained")))
    national_ratio = (best("national")[0] / cases["national"]) / (best("bare-n")[0] / cases["bare-n"])
    mmc_ratio = (best("mmc")[0] / cases["mmc"]) / (best("bare-m")[0] / cases["bare-m"])
    wall, sim = min(sim_seconds)
    outside = 1 - sim / wall
    print(f"1. national run / bare SimPy M/M/c, per case = {national_ratio:.2f} "
          f"({verdict(national_ratio, GOAL_NATIONAL, False)})")
    print(f"2. time outside the simulation = {outside:.0%} of {wall:.1f} s (replications {sim:.1f} s, from the "
          f"manifest) ({verdict(outside, GOAL_OUTSIDE, False)})")
    print(f"3. M/M/c run / bare SimPy M/M/c, per case = {mmc_ratio:.2f} ({verdict(mmc_ratio, GOAL_MMC, False)})")
    # The goals are in wall time; the CPU time of all the run's processes is shown, not judged:
    for kind, bare_key in (("national", "bare-n"), ("mmc", "bare-m")):
        cpu_ratio = (best(kind)[1] / cases[kind]) / (best(bare_key)[1] / cases[bare_key])
        print(f"   in CPU seconds ({labels[kind]}, all its processes, of its fastest run): {cpu_ratio:.2f}x bare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
