"""`cfc-sim --help` start-up time (goal < 0.5 s), against a bare interpreter start in the same run.

Times whole processes with `time.perf_counter` around `subprocess.run`, best of --repeat (default
7), alternating: `python -c pass` (the floor no command can beat), `python -m cfc_sim --help`, and
`python -m cfc_sim run --help`. Prints each best time, the ratio of `--help` to the bare start, and
the modules `--help` imports that a bare start does not (from `sys.modules`), so a heavy import
that crept in (pandas, matplotlib, dask, ...) is named.

    python benchmarks/bench_help.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from common import REPO, machine_line, table, verdict

GOAL_SECONDS = 0.5
HEAVY = ("pandas", "matplotlib", "pyarrow", "openpyxl", "dask", "scipy", "simpy", "numpy", "pydantic", "yaml", "rich")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, env=_env(), cwd=REPO)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each; the best counts (default 7)")
    args = parser.parse_args(argv)
    commands = {"python -c pass": [sys.executable, "-c", "pass"],
                "cfc-sim --help": [sys.executable, "-m", "cfc_sim", "--help"],
                "cfc-sim run --help": [sys.executable, "-m", "cfc_sim", "run", "--help"]}
    times: dict[str, list[float]] = {k: [] for k in commands}
    print(machine_line())
    for i in range(args.repeat):
        for name in (list(commands) if i % 2 == 0 else list(reversed(commands))):
            times[name].append(timed(commands[name]))
    base = min(times["python -c pass"])
    rows = [(name, f"{min(t):.3f}", " ".join(f"{x:.3f}" for x in t), f"{min(t) / base:.1f}")
            for name, t in times.items()]
    print(table(rows, ("process", "best s", "all runs s", "/ bare start")))
    probe = ("import sys, runpy; sys.argv = ['cfc-sim', '--help']\n"
             "try:\n    runpy.run_module('cfc_sim', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), cwd=REPO)
    loaded = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    print(f"heavy modules imported by --help: {loaded or 'none'}")
    best = min(times["cfc-sim --help"])
    print(f"cfc-sim --help = {best:.3f} s = {best / base:.1f}x a bare interpreter start "
          f"({verdict(best, GOAL_SECONDS, False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
