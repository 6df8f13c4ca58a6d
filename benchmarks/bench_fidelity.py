"""What FCA hours and court listing cost: one national replication with and without them, in one run.

Runs `cfc_sim.model.simulate(config, 0)` on `scenarios/national-rollout.yaml` (the slot model:
no hours, hearing waits drawn) and on `scenarios/national-rollout.yaml` (the same 40 areas
and 48 months with FCA casework hours and court listing capacity), alternating them `--repeat`
times, and prints the CPU seconds of each (best of the repeats, `time.process_time`, so other work
on the machine inflates both sides alike), the SimPy events of each and the ratio
hours-and-court / slot (goal <= 1.5: issue 11's "a national replication must cost no more than
1.5x what it costs today").

    python benchmarks/bench_fidelity.py [--quick] [--repeat 2] [--reference REV]

`--quick` simulates the first 8 areas only. `--reference REV` also times the slot model as it was
at git revision REV (exported with `git archive` into a temporary folder and run in a child
process), so "what it costs today" can be the commit before a change: the goal ratio is then
hours-and-court now / slot model at REV.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from common import REPO, machine_line, simulate_counting, table, verdict

GOAL = 1.5
SLOT = REPO / "benchmarks" / "national-slot.yaml"
FIDELITY = REPO / "scenarios" / "national-rollout.yaml"


def _config(path: Path, areas: int | None):  # type: ignore[no-untyped-def]
    import cfc_sim

    config = cfc_sim.load_scenario(path)
    if areas is not None:
        config = config.model_copy(update={"areas": config.areas[:areas], "interventions": []})
    return config


def _one(config) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """CPU seconds and SimPy events of replication 0."""
    start = time.process_time()
    _, events, _ = simulate_counting(config)
    return time.process_time() - start, events


def _at_revision(rev: str, areas: int | None, repeat: int) -> tuple[float, int]:
    """Best CPU seconds and events of the slot model at git revision `rev` (a child process)."""
    with tempfile.TemporaryDirectory(prefix="cfc-bench-") as tmp:
        archive = Path(tmp) / "tree.tar"
        with archive.open("wb") as out:
            subprocess.run(["git", "-C", str(REPO), "archive", rev, "cfc_sim", "scenarios"], check=True, stdout=out)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(tmp) / "tree", filter="data")
        tree = Path(tmp) / "tree"
        args = [sys.executable, __file__, "--child", str(tree / "benchmarks" / SLOT.name), "--repeat", str(repeat)]
        if areas is not None:
            args += ["--areas", str(areas)]
        env = dict(os.environ, PYTHONPATH=str(tree))
        done = subprocess.run(args, check=True, capture_output=True, text=True, env=env, cwd=tmp)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return float(result["seconds"]), int(result["events"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the first 8 areas only")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (best is kept; default 2)")
    parser.add_argument("--reference", metavar="REV", help="also time the slot model at this git revision")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: time one scenario, print JSON
    parser.add_argument("--areas", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        config = _config(Path(args.child), args.areas)
        print(json.dumps(dict(zip(("seconds", "events"), min(_one(config) for _ in range(args.repeat)), strict=True))))
        return 0
    areas = 8 if args.quick else None
    slot, fidelity = _config(SLOT, areas), _config(FIDELITY, areas)
    print(machine_line())
    print(f"{len(slot.areas)} areas, {slot.header.horizon_months} months, replication 0, best of {args.repeat}")
    best: dict[str, tuple[float, int]] = {}
    if args.reference:
        best[f"slot model at {args.reference}"] = _at_revision(args.reference, areas, args.repeat)
    for _ in range(args.repeat):
        for name, config in (("slot model (national-rollout)", slot),
                             ("hours and court (national-rollout)", fidelity)):
            seconds, events = _one(config)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, events)
    rows = [(name, f"{s:.1f}", f"{e:,}", f"{s / e * 1e6:.1f}") for name, (s, e) in best.items()]
    print(table(rows, ("model", "CPU s", "SimPy events", "CPU us per event")))
    fid_s = best["hours and court (national-rollout)"][0]
    slot_s = best["slot model (national-rollout)"][0]
    print(f"ratio hours-and-court / slot model now = {fid_s / slot_s:.2f}")
    reference = f"slot model at {args.reference}" if args.reference else "slot model (national-rollout)"
    ratio = fid_s / best[reference][0]
    print(f"ratio hours-and-court / {reference} = {ratio:.2f}  ({verdict(ratio, GOAL, higher_is_better=False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
