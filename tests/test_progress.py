"""Long commands are never silent on a terminal: `report` names each step on stderr with the seconds
the previous one took; off a terminal (logs, pipes, CI) it prints nothing extra."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from cli_runner import invoke

import cfc_sim

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("progress") / "results"
    cfc_sim.run(REPO / "scenarios" / "example-small.yaml", reps=2, out=out)
    return out


def test_report_names_each_step_on_a_terminal(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = invoke(["report", str(folder), "--out", str(tmp_path / "board")], capsys)
    assert code == 0, err
    steps = [line.strip() for line in err.splitlines()]
    assert steps[0] == f"reading {folder} ..."
    assert "writing report.html ..." in steps and "writing report.xlsx ..." in steps
    assert sum(bool(re.fullmatch(r"\(\d+\.\d s\)", s)) for s in steps) == 3  # each step's time, the last one too
    assert out.splitlines()[0].startswith("html: ") and out.splitlines()[1].startswith("xlsx: ")


def test_report_prints_no_steps_off_a_terminal(folder: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(["report", str(folder), "--out", str(tmp_path / "board")], capsys)
    assert code == 0, err
    assert err == ""
