"""One replication of the hours + court model, for a profiler (issue 23).

    python -m cProfile -s tottime benchmarks/profile_court_hours.py --areas 10 | head -40
    py-spy record -o /tmp/flame.svg -- python benchmarks/profile_court_hours.py
    python benchmarks/profile_court_hours.py --count     # SimPy events, clock calls, cases, hearings

Runs `simulate(config, 0)` of `scenarios/national-rollout.yaml` (or `--scenario FILE`),
all its areas or the 10-area cut of `check_identity.py` (`--areas 10`), and prints its CPU time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_identity import AREAS  # noqa: E402
from common import COURT_HOURS_YAML, metric, simulate_counting  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=COURT_HOURS_YAML)
    parser.add_argument("--areas", type=int, choices=(10, 0), default=0, help="10: the identity cut; 0: all")
    parser.add_argument("--count", action="store_true", help="count SimPy events and clock calls (slower)")
    args = parser.parse_args()

    from cfc_sim.model import simulate
    from cfc_sim.scenario.variants import config_variant, load_variant

    config = load_variant(args.scenario, {})
    if args.areas:
        config = config_variant(config, {}, areas=list(AREAS))
    if args.count:
        from cfc_sim.model.clock import WorkClock

        calls = [0]
        original = WorkClock.at

        def counting_at(self, day, callback, arg):  # type: ignore[no-untyped-def]
            calls[0] += 1
            original(self, day, callback, arg)

        WorkClock.at = counting_at  # type: ignore[method-assign]
        output, events, pending = simulate_counting(config, 0)
        cases = (metric(output, "applications") or 0) + (metric(output, "open_cases_start") or 0)
        hearings = (metric(output, "hearings_per_case") or 0) * (metric(output, "closed_cases") or 0)
        print(f"SimPy events {events:,}, mean pending {pending:,.0f}; clock requests {calls[0]:,}; "
              f"cases {cases:,.0f}; hearings in closed cases {hearings:,.0f}")
        return
    start = time.process_time()
    simulate(config, 0)
    print(f"{len(config.areas)} areas: {time.process_time() - start:.2f} CPU s")


if __name__ == "__main__":
    main()
