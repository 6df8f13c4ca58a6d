"""Does each piece of run machinery earn its place? (issue 22: at least 10% of the default run)

The default run is `python -m cfc_sim run --out TMP` (the built-in national scenario, its own
replications, `--workers auto`), a whole process timed with `time.perf_counter` around
`subprocess.run`. Each piece of machinery the code at hand still has is switched off in turn and
the same run timed again, the two sides alternating (`--pairs`, each pair in the other order than
the last); the medians, their ratio (and the median of the ratios taken pair by pair, whose two
runs saw about the same load) are printed, and the share of the default run's wall time the piece
saves, 1 - 1 / that median pair ratio (robust to load that drifts between pairs), against the 10%
it must save to stay.

Pieces, each switched off from the outside (no switch in the code itself):

- `helpers`: the chart helper processes (`cfc_sim.chart_helpers`, gone since issue 22): off,
  `cfc_sim.runner.helpers_for` answers 0, so the run draws its charts in its own process.
- `teardown`: the exit without the interpreter's teardown (`cfc_sim.cli.program`, gone since
  issue 22): off, `cfc_sim.cli.main` is called and the interpreter exits as usual.
- `freeze`: a worker setting a replication's garbage aside with `gc.freeze` instead of collecting
  it (`cfc_sim.model.simulation.collector_paused`, gone since issue 22): off, a `sitecustomize`
  module makes `cfc_sim.executor.in_worker_process` answer False in every process of the run.
- `pause`: the collector paused while a replication runs (kept): timed in one process, one
  national replication with the collector on and paused, alternating (no folder, no workers).

`--rev REV` measures the code at a git revision (`git archive` into a temporary folder, put first
on PYTHONPATH) instead of the working tree: `--rev ae8edf8` has every piece. `--against REV`
also times the working tree's default run against REV's.

    python benchmarks/bench_machinery.py [--pairs 3] [--rev REV] [--against REV] [--only helpers,...] [--quick]

`--quick` runs `--reps 2`, which says little about the default run. Like every benchmark here it
never fails on a figure; run it on a quiet machine (the 1-minute load average is printed at the
start and the end, and the CPU share the runs obtained).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from common import REPO, cpu_share_note, machine_line, table

GOAL = 0.10  # the share of the default run's wall time a piece must save to stay

DEFAULT = "import runpy; runpy.run_module('cfc_sim', run_name='__main__', alter_sys=True)"
VARIANTS = {  # piece -> (program run with `python -c`, sitecustomize source or None, module the piece lives in)
    "helpers": ("import runpy, cfc_sim.runner as r; r.helpers_for = lambda *a: 0; "
                "runpy.run_module('cfc_sim', run_name='__main__', alter_sys=True)", None, "cfc_sim/chart_helpers.py"),
    "teardown": ("import sys; sys.argv[0] = 'cfc-sim'; from cfc_sim.cli import main; main()", None, None),
    "freeze": (DEFAULT, "import cfc_sim.executor as e\ne.in_worker_process = lambda: False\n", None),
}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def has_piece(code: Path, piece: str) -> bool:
    """Whether the code at `code` still has `piece` (else there is nothing to switch off)."""
    if piece == "helpers":
        return (code / "cfc_sim" / "chart_helpers.py").is_file()
    if piece == "teardown":
        cli = code / "cfc_sim" / "cli.py"
        return cli.is_file() and "def program" in cli.read_text(encoding="utf-8") and "os._exit" in cli.read_text(
            encoding="utf-8")
    if piece == "freeze":
        simulation = code / "cfc_sim" / "model" / "simulation.py"
        return "gc.freeze()" in simulation.read_text(encoding="utf-8")
    return True


def run_once(code: Path, program: str, site: str | None, extra: list[str], scratch: Path) -> tuple[float, float]:
    """(wall s, CPU s of the process and its children) of one `cfc-sim run` of the code at `code`."""
    path = [str(code)]
    if site is not None:
        site_dir = Path(tempfile.mkdtemp(dir=scratch))
        (site_dir / "sitecustomize.py").write_text(site, encoding="utf-8")
        path.insert(0, str(site_dir))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    out = Path(tempfile.mkdtemp(dir=scratch)) / "run"
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", program, "run", *extra, "--out", str(out)], env=env, cwd=code,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0 or not (out / "manifest.json").is_file():
        raise SystemExit(f"cfc-sim run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    shutil.rmtree(out.parent, ignore_errors=True)
    return wall, _children_cpu() - cpu


def ab(a: tuple[Path, str, str | None], b: tuple[Path, str, str | None], pairs: int, extra: list[str],
       scratch: Path) -> tuple[list[float], list[float], float, float]:
    """Alternating pairs (A B, B A, ...): the wall times of each side and the CPU seconds of all runs."""
    walls: dict[str, list[float]] = {"a": [], "b": []}
    cpu = wall = 0.0
    for i in range(pairs):
        for side in (("a", "b") if i % 2 == 0 else ("b", "a")):
            code, program, site = a if side == "a" else b
            w, c = run_once(code, program, site, extra, scratch)
            walls[side].append(w)
            cpu, wall = cpu + c, wall + w
            print(f"    pair {i + 1}: {'default' if side == 'a' else 'other  '} {w:6.2f} s", flush=True)
    return walls["a"], walls["b"], cpu, wall


def _pair_ratio(with_: list[float], without: list[float]) -> str:
    """The median of the ratios without / with taken pair by pair (each pair's two runs saw about the
    same load), and their range."""
    ratios = sorted(b / a for a, b in zip(with_, without, strict=True))
    return f"{statistics.median(ratios):.3f} ({ratios[0]:.2f}-{ratios[-1]:.2f})"


def _saves(with_: list[float], without: list[float]) -> float:
    """The share of the time without that the piece saves: 1 - 1 / the median pair ratio."""
    return 1 - 1 / statistics.median(b / a for a, b in zip(with_, without, strict=True))


def export(rev: str, scratch: Path) -> Path:
    """The tree of git revision `rev` in a temporary folder."""
    target = scratch / f"rev-{rev}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=REPO, capture_output=True, check=True)
    archive_path = scratch / f"rev-{rev}.tar"
    archive_path.write_bytes(archive.stdout)
    with tarfile.open(archive_path) as tar:
        tar.extractall(target, filter="data")
    return target


def pause_pairs(code: Path, pairs: int) -> tuple[list[float], list[float]]:
    """One national replication in a child process, collector paused (`simulate`) and on
    (`simulate(..., pause_collector=False)`, the collector left as it is), alternating; CPU seconds of each."""
    child = (
        "import gc, sys, time\n"
        "from cfc_sim import load_scenario\n"
        "from cfc_sim.model import simulate\n"
        "config = load_scenario()\n"
        "simulate(config, 9)  # lazy imports and caches first\n"
        "gc.collect()\n"
        "paused = sys.argv[1] == 'paused'\n"
        "import cfc_sim.model.simulation as model\n"
        "if hasattr(model, 'combine'):  # an environment per area: pause_collector switches the pause\n"
        "    run = lambda: simulate(config, 0, pause_collector=paused)\n"
        "else:  # a revision before the environment per area: one environment, the collector as it is\n"
        "    from cfc_sim.model.simulation import Replication\n"
        "    from cfc_sim.uncertainty import sample_config\n"
        "    run = lambda: simulate(config, 0) if paused else Replication(sample_config(config, 0), 0, False).run()\n"
        "start = time.process_time()\n"
        "run()\n"
        "print(time.process_time() - start)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(code)}
    times: dict[str, list[float]] = {"paused": [], "on": []}
    for i in range(pairs):
        for side in (("paused", "on") if i % 2 == 0 else ("on", "paused")):
            done = subprocess.run([sys.executable, "-c", child, side], env=env, cwd=code, capture_output=True,
                                  text=True, check=True)
            times[side].append(float(done.stdout.split()[-1]))
            print(f"    pair {i + 1}: collector {side:6} {times[side][-1]:6.2f} CPU s", flush=True)
    return times["paused"], times["on"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=3, help="alternating A/B pairs per piece (medians of these)")
    parser.add_argument("--rev", help="measure the code at this git revision instead of the working tree")
    parser.add_argument("--against", help="also time the default run of the working tree against this revision")
    parser.add_argument("--only", default="helpers,teardown,freeze,pause", help="comma-separated pieces")
    parser.add_argument("--quick", action="store_true", help="--reps 2 (start-up dominates: indicative only)")
    args = parser.parse_args()
    extra = ["--reps", "2"] if args.quick else []

    print(machine_line())
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")
    rows = []
    cpu_total = wall_total = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-machinery-") as tmp:
        scratch = Path(tmp)
        code = export(args.rev, scratch) if args.rev else REPO
        print(f"code: {args.rev or 'working tree'} ({code})")
        for piece in [p for p in args.only.split(",") if p]:
            if piece == "pause":
                continue
            if not has_piece(code, piece):
                print(f"{piece}: not in this code (nothing to switch off)")
                continue
            print(f"{piece}: default run vs {piece} off, {args.pairs} pairs", flush=True)
            program, site, _ = VARIANTS[piece]
            on, off, cpu, wall = ab((code, DEFAULT, None), (code, program, site), args.pairs, extra, scratch)
            cpu_total, wall_total = cpu_total + cpu, wall_total + wall
            on_m, off_m = statistics.median(on), statistics.median(off)
            saves = _saves(on, off)
            rows.append((piece, f"{on_m:.2f}", f"{off_m:.2f}", f"{off_m / on_m:.3f}", _pair_ratio(on, off),
                         f"{saves:+.1%}", "KEEP" if saves >= GOAL else "REMOVE"))
        if args.against:
            other = export(args.against, scratch)
            print(f"default run: working tree vs {args.against}, {args.pairs} pairs", flush=True)
            now, then, cpu, wall = ab((REPO, DEFAULT, None), (other, DEFAULT, None), args.pairs, extra, scratch)
            cpu_total, wall_total = cpu_total + cpu, wall_total + wall
            now_m, then_m = statistics.median(now), statistics.median(then)
            rows.append((f"tree vs {args.against}", f"{now_m:.2f}", f"{then_m:.2f}", f"{then_m / now_m:.3f}",
                         _pair_ratio(now, then), f"{_saves(now, then):+.1%}",
                         "(information)"))
        if "pause" in args.only.split(","):
            print(f"pause: one national replication, collector paused vs on, {args.pairs} pairs", flush=True)
            paused, on = pause_pairs(code, args.pairs)
            p_m, o_m = statistics.median(paused), statistics.median(on)
            rows.append(("pause (1 replication, CPU s)", f"{p_m:.2f}", f"{o_m:.2f}", f"{o_m / p_m:.3f}",
                         _pair_ratio(paused, on), f"{_saves(paused, on):+.1%}",
                         "(replication time)"))
    print()
    print(table(rows, ("piece", "median with (s)", "median without (s)", "without / with", "pairs' ratios",
                       "saves", f"saves >= {GOAL:.0%}?")))
    if wall_total:
        print(cpu_share_note(cpu_total, wall_total, os.cpu_count() or 1).replace("process(es)", "CPU(s)"))
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")


if __name__ == "__main__":
    main()
