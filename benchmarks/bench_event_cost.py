"""Model code per SimPy event against SimPy's own cost of an event, measured in one run (issue 13).

Issue 13's goal: "model code per event within 5x SimPy's own event cost". Both sides are CPU
seconds (`time.process_time`, so other work on the machine inflates both alike), best of `--repeat`:

- *SimPy's own event*: the least a discrete-event model pays per event in SimPy. `K` chains of
  `simpy.events.Timeout`, each with one callback that schedules the chain's next timeout
  (exponential delays drawn 4,096 at a time), run for as many events as the model's replication
  had. `K` is the mean number of events the model had pending (measured in the same run), so the
  event heap is as deep on both sides. The cost is SimPy's: creating the event, pushing it on the
  heap, popping it, running its callbacks. Python's cyclic garbage collector is off while it runs,
  as it is while a replication runs (`cfc_sim.model.simulation.collector_paused`).
- *The model*: `cfc_sim.model.simulate(config, 0)` of the national default (`--scenario` for
  another, `--quick` for the first 8 areas), its SimPy events counted in a separate run (counting
  wraps `Environment.step`, which would inflate the timed run). Model code per event is the
  model's CPU per event minus SimPy's own cost per event.

Prints both costs, the model's events per case, and the ratio (model code per event) / (SimPy's
own cost per event) against the goal 5.

    python benchmarks/bench_event_cost.py [--quick] [--repeat 2] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np
import simpy
from common import NATIONAL_YAML, machine_line, metric, simulate_counting, table, verdict
from simpy.events import Timeout

GOAL = 5.0
BATCH = 4096


def simpy_event_cost(events: int, pending: int, seed: int = 1) -> float:
    """CPU seconds per event of `pending` self-rescheduling Timeout chains run for `events` events."""
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    draws: list[float] = []
    done = [0]

    def delay() -> float:
        if not draws:
            draws.extend(rng.exponential(float(pending), BATCH).tolist())
        return draws.pop()

    def fire(event: Timeout) -> None:
        done[0] += 1
        Timeout(env, delay()).callbacks.append(fire)

    for _ in range(pending):
        Timeout(env, delay()).callbacks.append(fire)
    enabled = gc.isenabled()
    gc.disable()  # as the model runs (cfc_sim.model.simulation.collector_paused): the heap is not rescanned
    start = time.process_time()
    step = env.step
    try:
        while done[0] < events:
            step()
    finally:
        if enabled:
            gc.enable()
    return (time.process_time() - start) / done[0]


def model_counts(config) -> tuple[int, float, int]:  # type: ignore[no-untyped-def]
    """SimPy events of replication 0, the mean number pending, and the cases it followed."""
    output, events, pending = simulate_counting(config)
    cases = sum(int(metric(output, name) or 0) for name in ("applications", "open_cases_start"))
    return events, pending, cases


def model_seconds(config) -> float:  # type: ignore[no-untyped-def]
    from cfc_sim.model import simulate

    start = time.process_time()
    simulate(config, 0)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the first 8 areas only")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (best is kept; default 2)")
    parser.add_argument("--scenario", type=Path, default=NATIONAL_YAML, help="scenario file (default: national)")
    args = parser.parse_args(argv)
    import cfc_sim

    config = cfc_sim.load_scenario(args.scenario)
    if args.quick:
        config = config.model_copy(update={"areas": config.areas[:8], "interventions": ()})
    print(machine_line())
    events, pending, cases = model_counts(config)
    print(f"{args.scenario.name}: {len(config.areas)} areas, {config.header.horizon_months} months, replication 0; "
          f"{events:,} SimPy events for {cases:,} cases ({events / max(cases, 1):.2f} a case), "
          f"{pending:,.0f} pending on average; best of {args.repeat}, alternating")
    model, bare = [], []
    for _ in range(args.repeat):
        model.append(model_seconds(config) / events)
        bare.append(simpy_event_cost(events, max(1, round(pending))))
    per_event, own = min(model), min(bare)
    code = per_event - own
    rows = [("SimPy's own event (Timeout chains)", f"{own * 1e6:.2f}"),
            ("model, whole, per event", f"{per_event * 1e6:.2f}"),
            ("model code per event (whole - SimPy's own)", f"{code * 1e6:.2f}")]
    print(table(rows, ("", "CPU us")))
    ratio = code / own
    print(f"model code per event / SimPy's own event cost = {ratio:.2f} ({verdict(ratio, GOAL, False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
