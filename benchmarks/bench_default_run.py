"""The default `cfc-sim run` as a user types it, whole process, against the current default in the same run
(issue 23: the default run under 30 s wall, once the default runs FCA hours and court listing).

Alternates, `--repeat` pairs, two whole processes timed with `time.perf_counter` around
`subprocess.run` (interpreter start, imports, the replications, every file and chart written):

- *candidate*: `python -m cfc_sim run FILE --out TMP` with the scenario's own replications and the
  default `--workers auto` (FILE: `scenarios/national-rollout.yaml`, standing in for a default
  that runs hours and court);
- *current default*: `python -m cfc_sim run --out TMP` (the built-in national rollout, slot model).

Prints the wall seconds of each (median and best of the pairs, the manifest's replication seconds),
the median ratio candidate / current default, pair by pair, and the goal verdict on each side's
median wall (<= 30 s). `--quick` runs 1 pair.

    python benchmarks/bench_default_run.py [--quick] [--repeat 3] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import COURT_HOURS_YAML, REPO, load_line, machine_line, median, table, verdict

GOAL_SECONDS = 30.0


def timed_run(scenario: list[str], out: Path) -> tuple[float, float, int]:
    """(wall s, replication s from the manifest, replications) of one whole `cfc-sim run`."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cfc_sim", "run", *scenario, "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=REPO, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"cfc-sim run {' '.join(scenario)} failed ({done.returncode}):\n{done.stderr}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return wall, float(manifest["wall_seconds"]), int(manifest["replications"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 pair")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs, alternating (medians judged)")
    parser.add_argument("--scenario", type=Path, default=COURT_HOURS_YAML,
                        help="the candidate default (default scenarios/national-rollout.yaml)")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else args.repeat

    print(machine_line())
    sides = {"candidate": [str(args.scenario.resolve())], "current": []}
    labels = {"candidate": f"cfc-sim run {args.scenario.name}", "current": "cfc-sim run (built-in default)"}
    print(f"{labels['candidate']} and {labels['current']}, the scenarios' own replications, --workers auto; "
          f"{repeat} pair(s), alternating")
    results: dict[str, list[tuple[float, float, int]]] = {k: [] for k in sides}
    with tempfile.TemporaryDirectory(prefix="cfc-bench-") as tmp_name:
        for pair in range(repeat):
            for key in sides if pair % 2 == 0 else list(sides)[::-1]:
                results[key].append(timed_run(sides[key], Path(tmp_name) / f"{key}-{pair}"))
            print(f"  pair {pair + 1}: " + ", ".join(f"{k} {v[-1][0]:.1f} s" for k, v in results.items())
                  + f" ({load_line()})", flush=True)

    rows = []
    for key, runs in results.items():
        walls = [r[0] for r in runs]
        rows.append((labels[key], runs[0][2], f"{median(walls):.1f}", f"{min(walls):.1f}",
                     " ".join(f"{w:.1f}" for w in walls), f"{median([r[1] for r in runs]):.1f}"))
    print(table(rows, ("process", "replications", "median wall s", "best wall s", "all runs s",
                       "replications s (median)")))
    ratios = [c[0] / d[0] for c, d in zip(results["candidate"], results["current"], strict=True)]
    print(f"{labels['candidate']} / {labels['current']}, wall = {median(ratios):.2f} (median of {len(ratios)} "
          f"pair(s); pairs {min(ratios):.2f}-{max(ratios):.2f})")
    for key in sides:
        wall = median([r[0] for r in results[key]])
        print(f"{labels[key]}: median {wall:.1f} s wall ({verdict(wall, GOAL_SECONDS, False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
