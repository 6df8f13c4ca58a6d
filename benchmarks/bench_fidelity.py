"""What FCA hours and court listing cost: one national replication with and without them, in one run.

Runs `cfc_sim.model.simulate(config, 0)` on `scenarios/national-rollout.yaml` (the slot model:
no hours, hearing waits drawn) and on `scenarios/national-court-hours.yaml` (the same 40 areas
and 48 months with FCA casework hours and court listing capacity), alternating them `--repeat`
times, and prints the CPU seconds of each (best of the repeats, `time.process_time`, so other work
on the machine inflates both sides alike), the SimPy events of each and the ratio
hours-and-court / slot (goal <= 1.5: issue 11's "a national replication must cost no more than
1.5x what it costs today").

    python benchmarks/bench_fidelity.py [--quick] [--repeat 2]

`--quick` simulates the first 8 areas only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import simpy
from common import REPO, machine_line, table, verdict

GOAL = 1.5
SLOT = REPO / "scenarios" / "national-rollout.yaml"
FIDELITY = REPO / "scenarios" / "national-court-hours.yaml"


def _config(path: Path, areas: int | None):  # type: ignore[no-untyped-def]
    import cfc_sim

    config = cfc_sim.load_scenario(path)
    if areas is not None:
        config = config.model_copy(update={"areas": config.areas[:areas], "interventions": []})
    return config


def _one(config) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """CPU seconds and SimPy events of replication 0."""
    from cfc_sim.model import simulate

    counted = [0]
    step = simpy.Environment.step

    def counting_step(env: simpy.Environment) -> None:
        counted[0] += 1
        step(env)

    simpy.Environment.step = counting_step  # type: ignore[method-assign]
    try:
        start = time.process_time()
        simulate(config, 0)
        return time.process_time() - start, counted[0]
    finally:
        simpy.Environment.step = step  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the first 8 areas only")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (best is kept; default 2)")
    args = parser.parse_args(argv)
    areas = 8 if args.quick else None
    slot, fidelity = _config(SLOT, areas), _config(FIDELITY, areas)
    print(machine_line())
    print(f"{len(slot.areas)} areas, {slot.header.horizon_months} months, replication 0, best of {args.repeat}")
    best: dict[str, tuple[float, int]] = {}
    for _ in range(args.repeat):
        for name, config in (("slot model (national-rollout)", slot), ("hours and court (national-court-hours)",
                                                                      fidelity)):
            seconds, events = _one(config)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, events)
    rows = [(name, f"{s:.1f}", f"{e:,}", f"{s / e * 1e6:.1f}") for name, (s, e) in best.items()]
    print(table(rows, ("model", "CPU s", "SimPy events", "CPU us per event")))
    (slot_s, _), (fid_s, _) = best.values()
    ratio = fid_s / slot_s
    print(f"ratio hours-and-court / slot = {ratio:.2f}  ({verdict(ratio, GOAL, higher_is_better=False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
