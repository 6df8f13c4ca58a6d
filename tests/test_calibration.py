"""The shipped scenarios reproduce the published figures (CALIBRATION validation targets 1-2)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cfc_sim
from cfc_sim.calibration import TARGETS

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def summaries() -> dict:
    out = {}
    for name in sorted({t.scenario for t in TARGETS}):
        reps = 3 if name == "national-baseline.yaml" else 10
        out[name] = cfc_sim.run(SCENARIOS / name, reps=reps, workers=2).summary
    return out


@pytest.mark.parametrize("target", TARGETS, ids=[t.label for t in TARGETS])
def test_shipped_scenario_reproduces_published_figure(target, summaries) -> None:  # type: ignore[no-untyped-def]
    mean, low, high, ok = target.check(summaries[target.scenario])
    assert ok, f"{target.label}: model {mean:.3f} [{low:.3f}, {high:.3f}] outside {target.low:.3f}-{target.high:.3f}"
