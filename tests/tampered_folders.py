"""Fixtures for tests that tamper with a results folder (registered in conftest.py): one small run
per test module, and a fresh copy of it for each test to change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import cfc_sim

REPO = Path(__file__).resolve().parent.parent
VERBS = (["report"], ["readiness"], ["compare", "{other}"])  # the commands that read a results folder


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pristine") / "results"
    cfc_sim.run(REPO / "scenarios" / "example-small.yaml", reps=2, out=out)
    return out


@pytest.fixture
def folder(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy to tamper with."""
    copy = tmp_path / "results"
    shutil.copytree(pristine, copy, symlinks=True)
    return copy


def verb_argv(verb: list[str], folder: Path, other: Path) -> list[str]:
    """The command line of `verb` on `folder` (compare also reads `other`, and writes beside it)."""
    return [verb[0], str(folder), *[str(other) if a == "{other}" else a for a in verb[1:]]] + (
        ["--out", str(other.parent / "cmp")] if verb[0] == "compare" else [])
