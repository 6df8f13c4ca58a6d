"""Peak memory of one replication of the national default at horizon H and 4H (goals: peak per worker
<= 300 MB at the default horizon, ratio 4H / H <= 1.5).

Memory must not grow with the horizon (streaming statistics, no per-event storage unless --trace).
Each measurement runs in a fresh interpreter (this script re-run with --child) so no peak carries
over: one child reads the peak resident set size (`resource.getrusage(RUSAGE_SELF).ru_maxrss`)
without tracing, another the tracemalloc peak (Python allocations made by `simulate`, tracing
started after imports and validation; tracing slows the run, so it is kept apart from the RSS child).

Prints, for each horizon: cases simulated, run seconds, peak RSS, RSS at the start of `simulate`
(interpreter, imports, config), the growth between the two, and the tracemalloc peak; then the
ratios 4H / H. The goal applies to the whole-process peak RSS and to the tracemalloc peak; the RSS
growth ratio is printed too because it is the strictest view (it leaves out the fixed cost of imports).

The child is what a process-pool worker does (a fresh interpreter that imports the model and runs
one replication), plus the YAML loader used to build the config: its peak RSS at the national
default's own horizon (H = 48 months) is the "peak memory per worker" goal.

`--scenario FILE` measures another scenario (issue 23: `scenarios/national-rollout.yaml`, FCA
hours and court listing; its `extends` chain is resolved and the horizon set before validation);
H defaults to the scenario's own horizon, `--quick` to a quarter of it.

    python benchmarks/bench_memory.py [--quick] [--horizon 48] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from common import NATIONAL_YAML, REPO, machine_line, metric, scenario_config, scenario_horizon, table, verdict

GOAL = 1.5
WORKER_GOAL_MB = 300.0


def _current_rss_kib() -> float:
    """Resident set size now (Linux /proc), in KiB; falls back to the peak so far elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE") / 1024
    except (OSError, ValueError, IndexError):
        import resource

        return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child(horizon_months: int, mode: str, scenario: Path) -> None:
    """Run one replication and print one JSON line of measurements."""
    import resource
    import tracemalloc

    from cfc_sim.model import simulate

    config = scenario_config(scenario, horizon_months=horizon_months, replications=1)
    kib = 1024 if sys.platform == "darwin" else 1  # ru_maxrss is bytes on macOS, KiB on Linux
    start_rss = _current_rss_kib()
    start_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib
    if mode == "tracemalloc":
        tracemalloc.start()
    clock = time.perf_counter()
    output = simulate(config, 0)
    seconds = time.perf_counter() - clock
    result = {"horizon": horizon_months, "mode": mode, "seconds": seconds,
              "cases": metric(output, "applications"),
              "open_end": metric(output, "open_cases_end"),
              "start_rss_kib": start_rss, "start_peak_kib": start_peak,
              "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib}
    if mode == "tracemalloc":
        current, peak = tracemalloc.get_traced_memory()
        result["tracemalloc_peak_bytes"] = peak
        result["tracemalloc_end_bytes"] = current
        # What is still held when simulate returns (the output included), by source line.
        stats = tracemalloc.take_snapshot().statistics("lineno")[:5]
        def where(frame: tracemalloc.Frame) -> str:
            return f"{frame.filename.split('site-packages/')[-1].replace(str(REPO) + '/', '')}:{frame.lineno}"

        result["top_at_end"] = [(where(s.traceback[0]), s.size, s.count) for s in stats]
        tracemalloc.stop()
    print(json.dumps(result))


def measure(horizon_months: int, mode: str, scenario: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", str(horizon_months), "--mode", mode,
                           "--scenario", str(scenario)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child for {horizon_months} months ({mode}) failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="H = 12 months (4H = 48) instead of 48 (192)")
    parser.add_argument("--horizon", type=int, default=None, help="H in months (overrides --quick)")
    parser.add_argument("--scenario", type=Path, default=NATIONAL_YAML,
                        help="scenario file (default scenarios/national-rollout.yaml; `extends` resolved); "
                             "its own horizon is the default H and the one the per-worker goal applies to")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("rss", "tracemalloc"), default="rss", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child, args.mode, args.scenario)
        return 0

    default_horizon = scenario_horizon(args.scenario)
    h = args.horizon or (default_horizon // 4 if args.quick else default_horizon)
    print(machine_line())
    print(f"{args.scenario.name}, 1 replication, horizon H = {h} and 4H = {4 * h} months;"
          " each figure from a fresh interpreter")
    results = {}
    for months in (h, 4 * h):
        rss = measure(months, "rss", args.scenario)
        traced = measure(months, "tracemalloc", args.scenario)
        results[months] = (rss, traced)

    def mib(kib: float) -> str:
        return f"{kib / 1024:.1f}"

    rows = []
    for months, (rss, traced) in results.items():
        rows.append((months, f"{rss['cases']:,.0f}", f"{rss['open_end']:,.0f}", f"{rss['seconds']:.1f}",
                     mib(rss["peak_rss_kib"]), mib(rss["start_rss_kib"]),
                     mib(rss["peak_rss_kib"] - rss["start_rss_kib"]),
                     f"{traced['tracemalloc_peak_bytes'] / 2**20:.1f}", f"{traced['seconds']:.1f}"))
    print(table(rows, ("months", "cases", "open at end", "run s", "peak RSS MiB", "RSS at start MiB", "RSS growth MiB",
                       "tracemalloc peak MiB", "run s (traced)")))
    (rss_h, tr_h), (rss_4h, tr_4h) = results[h], results[4 * h]
    peak_ratio = rss_4h["peak_rss_kib"] / rss_h["peak_rss_kib"]
    traced_ratio = tr_4h["tracemalloc_peak_bytes"] / tr_h["tracemalloc_peak_bytes"]
    growth_h = max(rss_h["peak_rss_kib"] - rss_h["start_rss_kib"], 1.0)
    growth_ratio = (rss_4h["peak_rss_kib"] - rss_4h["start_rss_kib"]) / growth_h
    print(f"cases simulated 4H / H = {rss_4h['cases'] / rss_h['cases']:.2f}; cases open at the end 4H / H = "
          f"{rss_4h['open_end'] / max(rss_h['open_end'], 1):.2f} (live model state: each open case holds a record "
          "and its pending events)")
    at_default = {h: rss_h, 4 * h: rss_4h}.get(default_horizon, rss_h)  # --quick: 4H is the default horizon
    worker_mb = at_default["peak_rss_kib"] * 1024 / 1e6
    months_shown = default_horizon if default_horizon in (h, 4 * h) else h
    print(f"peak RSS per worker (one replication, {months_shown} months) = {worker_mb:.0f} MB"
          + (f" ({verdict(worker_mb, WORKER_GOAL_MB, False)})" if months_shown == default_horizon else
             f" (the goal is for the scenario's own horizon, {default_horizon} months)"))
    print(f"peak RSS 4H / H = {peak_ratio:.2f} ({verdict(peak_ratio, GOAL, False)})")
    print(f"tracemalloc peak 4H / H = {traced_ratio:.2f} ({verdict(traced_ratio, GOAL, False)})")
    print(f"RSS growth during simulate 4H / H = {growth_ratio:.2f} (stricter view: excludes imports)")
    for months, (_, traced) in results.items():
        print(f"{months} months: traced memory still held when simulate returned "
              f"{traced['tracemalloc_end_bytes'] / 2**20:.1f} MiB; largest by line:")
        for where, size, count in traced["top_at_end"]:
            print(f"    {size / 2**20:6.2f} MiB  {count:>8,} blocks  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
