"""`cfc-sim plan --need` on the national hours-and-court scenario, timed whole, against one `cfc-sim run`
of the same scenario and replications measured in the same run (issue 23: under 10 minutes with 5
replications, with progress and time left shown).

The reference is `python -m cfc_sim run FILE --reps R --workers W --out TMP` (one evaluation of the
whole scenario, folder and charts included); then `python -m cfc_sim plan FILE --need --reps R
--max-extra K --workers W --out TMP` runs under a time cap (`--timeout`, default 900 s; the plan is
stopped there, its process group ended). Both are timed with `time.perf_counter` around the process.
Every line the plan writes (stdout and stderr) is kept with the second it arrived, so the output
shows how far it got and whether anything was shown while it worked (the goal asks for progress and
time left; a progress bar drawn only on a terminal would not be seen through the pipes); the
evaluations it finished are counted from its on-disk cache (`.<out>.cache`, one entry per evaluated
variant). Prints the plan's wall time, its ratio to the reference run (how many
whole runs a plan costs) and the goal verdict (wall <= 600 s; a plan stopped at the cap is NOT MET
with its time a lower bound).

`--quick` plans the first 3 areas only (`--area`, repeatable, names others) and caps at 300 s.

    python benchmarks/bench_plan_need.py [--quick] [--scenario FILE] [--reps 5] [--max-extra 400]
                                         [--workers 1] [--timeout 900] [--area NAME ...]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import COURT_HOURS_YAML, REPO, cpu_seconds, load_line, machine_line, scenario_config, verdict

GOAL_SECONDS = 600.0
# A line naming the time left: "ETA 3:20", "2 min left", "0:03:12 remaining", "time left 40 s".
TIME_LEFT = re.compile(r"\beta\b|time left|\d+(:\d\d)+\s*(left|remaining)"
                       r"|\d+(\.\d+)?\s*(s|sec|min|m|h)\s*(left|remaining)", re.IGNORECASE)
QUICK_AREAS = 3


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def reference_run(scenario: Path, reps: int, workers: int, out: Path) -> float:
    """Wall seconds of one whole `cfc-sim run` of the scenario with the plan's replications and workers."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cfc_sim", "run", str(scenario), "--reps", str(reps),
                           "--workers", str(workers), "--out", str(out)],
                          capture_output=True, text=True, env=_env(), cwd=REPO, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"cfc-sim run failed ({done.returncode}):\n{done.stderr}")
    return wall


def timed_plan(argv: list[str], timeout: float) -> tuple[float, int | None, list[tuple[float, str, str]]]:
    """(wall seconds, return code or None if stopped at the cap, [(second, stream, line)]) of the plan."""
    lines: list[tuple[float, str, str]] = []
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=REPO,
                            start_new_session=True)  # its own process group: stopped with its workers at the cap

    def pump(stream, name: str) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            lines.append((time.perf_counter() - start, name, line.rstrip("\n")))
            print(f"  [{lines[-1][0]:7.1f} s {name}] {lines[-1][2]}", flush=True)

    readers = [threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True)]
    for reader in readers:
        reader.start()
    code: int | None
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        code = None
    wall = time.perf_counter() - start
    for reader in readers:
        reader.join(timeout=5)
    return wall, code, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK_AREAS} areas only; cap 300 s")
    parser.add_argument("--scenario", type=Path, default=COURT_HOURS_YAML, help="scenario file (default: "
                        "scenarios/national-rollout.yaml)")
    parser.add_argument("--reps", type=int, default=5, help="replications per evaluation (and of the reference run)")
    parser.add_argument("--max-extra", type=int, default=400)
    parser.add_argument("--workers", type=int, default=1, help="workers of the plan and of the reference run")
    parser.add_argument("--timeout", type=float, default=None, help="stop the plan after this many seconds "
                        "(default 900; 300 with --quick)")
    parser.add_argument("--area", action="append", default=[], help="plan only this area (repeatable)")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference `cfc-sim run`")
    args = parser.parse_args(argv)
    timeout = args.timeout or (300.0 if args.quick else 900.0)
    areas = args.area or ([a.name for a in scenario_config(args.scenario).areas[:QUICK_AREAS]] if args.quick else [])

    print(machine_line())
    print(f"{args.scenario.name}: plan --need --reps {args.reps} --max-extra {args.max_extra} --workers {args.workers}"
          f"{' --area ' + ' --area '.join(areas) if areas else ' (every area)'}; cap {timeout:.0f} s")
    with tempfile.TemporaryDirectory(prefix="cfc-bench-") as tmp_name:
        tmp = Path(tmp_name)
        reference = None
        if not args.no_reference:
            reference = reference_run(args.scenario, args.reps, args.workers, tmp / "run")
            print(f"reference: cfc-sim run --reps {args.reps} --workers {args.workers}: {reference:.1f} s wall "
                  f"({load_line()})", flush=True)
        out = tmp / "plan"
        plan_argv = [sys.executable, "-m", "cfc_sim", "plan", str(args.scenario), "--need", "--reps", str(args.reps),
                     "--max-extra", str(args.max_extra), "--workers", str(args.workers), "--out", str(out),
                     *[x for name in areas for x in ("--area", name)]]
        cpu_before = cpu_seconds()
        print(f"plan started ({load_line()})", flush=True)
        wall, code, lines = timed_plan(plan_argv, timeout)
        cpu = cpu_seconds() - cpu_before
        cache = tmp / ".plan.cache"
        evaluations = sum(1 for p in cache.rglob("*") if p.is_file()) if cache.exists() else 0
        written = sorted(p.name for p in out.iterdir()) if out.exists() else []

    print(f"plan ended ({load_line()})")
    if code is None:
        state = f"STOPPED at the {timeout:.0f} s cap (its time is a lower bound)"
    elif code == 0:
        state = "finished"
    else:
        state = f"FAILED with exit code {code}"
    print(f"plan --need: {state}; {wall:.1f} s wall, {cpu:.1f} CPU s (the plan and its workers, if it ended)")
    print(f"evaluations cached (variants evaluated, {args.reps} replications each): {evaluations}; files written: "
          f"{', '.join(written) or 'none'}")
    shown = [line for line in lines if line[2].strip()]
    first = f"{shown[0][0]:.1f} s" if shown else "never"
    gaps = [b[0] - a[0] for a, b in zip([(0.0, "", ""), *shown], shown, strict=False)]
    print(f"output while it worked: {len(shown)} line(s), the first at {first}, the longest silence "
          f"{max(gaps + [wall - (shown[-1][0] if shown else 0.0)]):.0f} s")
    timed_left = any(TIME_LEFT.search(text) for _, _, text in shown)
    print(f"progress with time left shown: {'yes' if timed_left else 'NO (no line names a share done or time left)'}")
    if reference:
        print(f"plan / one cfc-sim run of the same scenario and replications = {wall / reference:.1f}"
              f"{' (at least: stopped at the cap)' if code is None else ''}")
    met = "NOT MET (stopped at the cap)" if code is None else verdict(wall, GOAL_SECONDS, False)
    print(f"plan --need wall = {wall:.0f} s (goal <= {GOAL_SECONDS:.0f} s: {met.split(': ', 1)[-1]})"
          + (" [quick: a few areas only, not the goal's size]" if areas else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
