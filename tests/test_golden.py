"""Golden backtest: the small scenario's summary for a fixed seed is stored and compared exactly.

Any change to the model's numbers for a scenario without new optional blocks shows up here as a
failing test and, once accepted, as a visible diff of tests/golden/small.summary.csv. To accept a
deliberate change: `pytest tests/test_golden.py --update-golden`, then review and commit the diff.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import cfc_sim

GOLDEN = Path(__file__).parent / "golden"


def _summary_csv() -> str:
    result = cfc_sim.run(GOLDEN / "small.yaml")
    buffer = io.StringIO()
    result.summary.to_csv(buffer, index=False, lineterminator="\n")  # floats written with repr: full precision
    return buffer.getvalue()


def test_small_scenario_summary_matches_golden_exactly(request: pytest.FixtureRequest) -> None:
    expected_path = GOLDEN / "small.summary.csv"
    actual = _summary_csv()
    if request.config.getoption("--update-golden"):
        expected_path.write_text(actual, encoding="utf-8")
        pytest.skip("golden summary rewritten: review and commit the diff")
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = [f"  expected {e}\n  actual   {a}" for e, a in zip(expected.splitlines(), actual.splitlines(),
                                                                 strict=False) if e != a]
        rows = f"{len(expected.splitlines())} expected rows, {len(actual.splitlines())} actual"
        pytest.fail(f"summary differs from tests/golden/small.summary.csv ({rows}); first differences:\n"
                    + "\n".join(diff[:10]) + "\nIf deliberate: pytest tests/test_golden.py --update-golden")
