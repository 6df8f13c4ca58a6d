"""The model's CPU time now against a git revision, in paired, interleaved child processes (issue 23).

Each pair runs one replication (`simulate(config, 0)`, no results folder) of the scenario in a fresh
interpreter with the working tree's `cfc_sim`, and another with REV's (`git archive REV` into a
temporary folder, put first on PYTHONPATH), in alternating order (A B, B A, ...). The figure is
the CPU seconds of the `simulate` call (`time.process_time`, so other load on the machine counts
less than in wall time); the ratio now / REV is taken pair by pair and its median judged.

    python benchmarks/bench_before_after.py --rev 6804c60 [--areas 10] [--pairs 5] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import COURT_HOURS_YAML, REPO, load_line, median  # noqa: E402

CHILD = """
import sys, time
sys.path.insert(0, {bench!r})
from check_identity import AREAS
from cfc_sim.model import simulate
from cfc_sim.scenario.variants import config_variant, load_variant
config = load_variant({scenario!r}, {{}})
if {areas}:
    config = config_variant(config, {{}}, areas=list(AREAS))
start = time.process_time()
simulate(config, 0)
print(time.process_time() - start)
"""


def _export(rev: str, target: Path) -> Path:
    archive = target / "rev.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), rev, "cfc_sim"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def _child(code_root: Path, scenario: Path, areas: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    program = CHILD.format(bench=str(REPO / "benchmarks"), scenario=str(scenario), areas=areas)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", required=True, help="the git revision to compare with (e.g. main)")
    parser.add_argument("--scenario", type=Path, default=COURT_HOURS_YAML)
    parser.add_argument("--areas", type=int, choices=(10, 0), default=10, help="10: the identity cut; 0: all")
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.scenario.name}, {'10 areas' if args.areas else 'all areas'}, replication 0; now vs {args.rev}; "
          f"{load_line()}")
    with tempfile.TemporaryDirectory() as tmp:
        old_root = _export(args.rev, Path(tmp))
        ratios, now_s, old_s = [], [], []
        for pair in range(args.pairs):
            sides = [("now", REPO), ("rev", old_root)]
            if pair % 2:
                sides.reverse()
            got = {name: _child(root, args.scenario, args.areas) for name, root in sides}
            now_s.append(got["now"])
            old_s.append(got["rev"])
            ratios.append(got["now"] / got["rev"])
            print(f"  pair {pair + 1}: now {got['now']:.2f} CPU s, {args.rev} {got['rev']:.2f} CPU s, "
                  f"ratio {ratios[-1]:.3f} ({load_line()})")
    print(f"median: now {median(now_s):.2f} s, {args.rev} {median(old_s):.2f} s; "
          f"median ratio now / {args.rev} = {median(ratios):.3f} (speed-up {1 / median(ratios):.2f}x)")


if __name__ == "__main__":
    main()
