"""Does giving each area its own SimPy environment earn its place? (issue 23)

`simulate(config, r)` runs each area of a replication in an environment of its own, one after
another, and reads the national metrics from the areas' counts afterwards. The alternative, which
the model ran until 7 December 2026, is one environment for every area (`Replication(config, r).run()`,
still there for tests). Areas never interact, so the two give the same area numbers to the last bit;
this benchmark times them against each other on the same replication, alternating which goes first,
and checks that every area row (metrics and monthly series) is identical.

    python benchmarks/bench_area_environments.py [--quick] [--scenario FILE] [--pairs 3]

`--quick`: the 10 areas of `check_identity.py`, 1 pair.

CPU seconds of the calling process (`time.process_time`), so the machine's load matters less than for
wall time; the 1-minute load average is printed. It never fails on a figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_identity import AREAS  # noqa: E402
from common import COURT_HOURS_YAML, load_line, machine_line  # noqa: E402


def _area_rows(output: Any) -> tuple[dict[tuple[str, str, str], float], dict[tuple[str, int, str], float]]:
    metrics = {(a, p, m): v for a, p, m, v in output.metrics if a != "ALL"}
    monthly = {(a, month, m): v for a, month, m, v in output.monthly if a != "ALL"}
    return metrics, monthly


def _same(x: float, y: float) -> bool:
    return repr(float(x)) == repr(float(y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=COURT_HOURS_YAML)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10 areas, 1 pair")
    args = parser.parse_args()

    from cfc_sim.model.simulation import Replication, collector_paused, simulate
    from cfc_sim.scenario.variants import config_variant, load_variant
    from cfc_sim.uncertainty import sample_config

    config = load_variant(args.scenario, {})
    if args.quick:
        config = config_variant(config, {}, areas=list(AREAS))
        args.pairs = 1
    print(machine_line())
    print(f"{args.scenario.name}: {len(config.areas)} areas, replication 0, {args.pairs} pairs")

    def one_environment() -> Any:
        with collector_paused():
            return Replication(sample_config(config, 0), 0).run()

    sides = {"one environment for all areas": one_environment,
             "an environment per area (simulate)": lambda: simulate(config, 0)}
    times: dict[str, list[float]] = {name: [] for name in sides}
    outputs: dict[str, Any] = {}
    for pair in range(args.pairs):
        order = list(sides) if pair % 2 == 0 else list(reversed(sides))
        for name in order:
            start = time.process_time()
            outputs[name] = sides[name]()
            times[name].append(time.process_time() - start)
    (one_name, one), (per_name, per) = outputs.items()
    one_metrics, one_monthly = _area_rows(one)
    per_metrics, per_monthly = _area_rows(per)
    same = (one_metrics.keys() == per_metrics.keys() and one_monthly.keys() == per_monthly.keys()
            and all(_same(v, per_metrics[k]) for k, v in one_metrics.items())
            and all(_same(v, per_monthly[k]) for k, v in one_monthly.items()))
    for name, values in times.items():
        print(f"  {name:38} median {statistics.median(values):6.2f} CPU s  ({', '.join(f'{v:.2f}' for v in values)})")
    ratio = statistics.median(times[one_name]) / statistics.median(times[per_name])
    print(f"  an environment per area is {ratio:.2f}x faster; area rows identical: {same} "
          f"({len(one_metrics):,} metric rows, {len(one_monthly):,} monthly rows)")
    print(load_line())


if __name__ == "__main__":
    main()
