"""Identity check for performance work (issue 23): the model's numbers must not move, bit for bit.

Runs replication 0 of a 10-area cut of `scenarios/national-rollout.yaml` (FCA hours, deadline
discipline, court listing), the same cut with the shared discipline, and the same areas of the slot
parameterisation (`benchmarks/national-slot.yaml`), and compares every metric row, every monthly-series row
and a digest of the per-case event trace (`--trace`: day, area, case, activity, FCA) with a copy
saved from the code before the optimisation (`benchmarks/identity/*.json.gz`, written by `--save`).

Values are compared with `==` on their repr as Python floats (so -0.0, nan and the last bit count,
not whether the value is an int, a float or a numpy float: the compiled model returns floats). Exit code 0 when
every case is identical, 1 otherwise (the first differences are printed).

    python benchmarks/check_identity.py            # compare with the saved copies
    python benchmarks/check_identity.py --save     # (on the reference code) write them
    python benchmarks/check_identity.py --only deadline
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import numbers
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import COURT_HOURS_YAML, SLOT_YAML  # noqa: E402

IDENTITY = Path(__file__).resolve().parent / "identity"
# Ten areas spread over the rollout: live at the start (Dorset, Birmingham), each wave, London's
# prioritisation protocol and the largest backlogs (Essex and East London held the default's example
# interventions until 7 December 2026; the slot file still has both).
AREAS = ("Dorset", "Birmingham & Solihull", "Cumbria", "Sussex", "Somerset", "Lincolnshire", "Kent",
         "Essex", "East London", "Central London")
CASES: dict[str, tuple[Path, dict[str, Any]]] = {
    "deadline": (COURT_HOURS_YAML, {}),
    "shared": (COURT_HOURS_YAML, {"areas.*.workforce.hours.discipline": "shared"}),
    "slot": (SLOT_YAML, {}),
}


def _number(value: Any) -> str:
    """A value's repr, numbers as Python floats: the compiled model (mypyc) hands back a float where
    the pure one kept an int or a numpy float of the same value; every bit still counts."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return repr(float(value))
    return repr(value)


def _run(name: str) -> tuple[dict[str, Any], float]:
    from cfc_sim.model import simulate
    from cfc_sim.scenario.variants import config_variant, load_variant

    path, settings = CASES[name]
    config = config_variant(load_variant(path, {}), settings, areas=list(AREAS))
    start = time.process_time()
    output = simulate(config, 0, trace=True)
    seconds = time.process_time() - start
    digest = hashlib.sha256()
    for row in output.events or []:
        digest.update(repr(tuple(_number(v) for v in row)).encode())
    return {
        "metrics": [[a, p, m, _number(v)] for a, p, m, v in output.metrics],
        "monthly": [[a, k, m, _number(v)] for a, k, m, v in output.monthly],
        "trace_rows": len(output.events or []),
        "trace_sha256": digest.hexdigest(),
    }, seconds


def _compare(kind: str, expected: list[list[Any]], actual: list[list[Any]]) -> list[str]:
    problems = []
    if len(expected) != len(actual):
        problems.append(f"{kind}: {len(expected)} rows saved, {len(actual)} now")
    for e, a in zip(expected, actual, strict=False):
        if e != a:
            problems.append(f"{kind}: saved {e} now {a}")
            if len(problems) >= 10:
                break
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", action="store_true", help="write the saved copies (reference code only)")
    parser.add_argument("--only", choices=sorted(CASES), action="append", help="run only these cases")
    args = parser.parse_args()
    failed = False
    for name in args.only or list(CASES):
        current, seconds = _run(name)
        file = IDENTITY / f"{name}.json.gz"
        if args.save:
            IDENTITY.mkdir(exist_ok=True)
            with gzip.open(file, "wt", encoding="utf-8") as out:
                json.dump(current, out)
            print(f"{name}: saved {len(current['metrics'])} metric rows, {len(current['monthly'])} monthly rows, "
                  f"{current['trace_rows']} trace rows ({seconds:.1f} CPU s) -> {file.name}")
            continue
        with gzip.open(file, "rt", encoding="utf-8") as saved_file:
            saved = json.load(saved_file)
        problems = _compare("metric", saved["metrics"], current["metrics"])
        problems += _compare("monthly", saved["monthly"], current["monthly"])
        if (saved["trace_rows"], saved["trace_sha256"]) != (current["trace_rows"], current["trace_sha256"]):
            problems.append(f"trace: {saved['trace_rows']} rows saved, {current['trace_rows']} now; digests differ")
        verdict = "IDENTICAL" if not problems else "DIFFERENT"
        print(f"{name}: {verdict} ({len(current['metrics'])} metric rows, {len(current['monthly'])} monthly rows, "
              f"{current['trace_rows']} trace rows; {seconds:.1f} CPU s)")
        for line in problems:
            print("   ", line)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
