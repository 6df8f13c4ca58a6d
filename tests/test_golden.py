"""Golden backtests: two small scenarios' summaries for a fixed seed are stored and compared exactly,
one for each parameterisation of the one model: slot work with drawn waits (`small`) and FCA hours
with court listing (`hours-court`).

Any change to the model's numbers shows up here as a failing test and, once accepted, as a visible
diff of tests/golden/*.summary.csv. To accept a deliberate change:
`pytest tests/test_golden.py --update-golden`, then review and commit the diff.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import cfc_sim

GOLDEN = Path(__file__).parent / "golden"


def _summary_csv(name: str) -> str:
    result = cfc_sim.run(GOLDEN / f"{name}.yaml")
    buffer = io.StringIO()
    result.summary.to_csv(buffer, index=False, lineterminator="\n")  # floats written with repr: full precision
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["small", "hours-court"])
def test_scenario_summary_matches_golden_exactly(name: str, request: pytest.FixtureRequest) -> None:
    expected_path = GOLDEN / f"{name}.summary.csv"
    actual = _summary_csv(name)
    if request.config.getoption("--update-golden"):
        expected_path.write_text(actual, encoding="utf-8")
        pytest.skip("golden summary rewritten: review and commit the diff")
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = [f"  expected {e}\n  actual   {a}" for e, a in zip(expected.splitlines(), actual.splitlines(),
                                                                 strict=False) if e != a]
        rows = f"{len(expected.splitlines())} expected rows, {len(actual.splitlines())} actual"
        pytest.fail(f"summary differs from tests/golden/{name}.summary.csv ({rows}); first differences:\n"
                    + "\n".join(diff[:10]) + "\nIf deliberate: pytest tests/test_golden.py --update-golden")
