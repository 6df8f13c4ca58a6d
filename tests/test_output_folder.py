"""Output folders (cfc_sim.output_folder) through the command line, as a user meets them: what is
replaced, what is refused before any simulation, what interruption and dead processes leave behind."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_runner import ctrl_c_reaches_it, invoke
from scenario_factory import scenario_dict

from cfc_sim.output_folder import MARKER, folder_kind, remove_dead_temporaries, temporary_name, write_folder

REPO = Path(__file__).resolve().parent.parent


def _scenario(path: Path, **changes: object) -> Path:
    data = scenario_dict(name="out-small", horizon_months=3, replications=1, seed=11, **changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _scenario(tmp_path_factory.mktemp("scenario") / "small.yaml")


@pytest.fixture(scope="module")
def runs(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two finished run folders (module-wide: tests that change them make their own)."""
    base = tmp_path_factory.mktemp("runs")
    out = {}
    for name in ("a", "b"):
        code = _run_quietly(["run", str(scenario), "--reps", "1", "--out", str(base / name)])
        assert code == 0
        out[name] = base / name
    return out


def _run_quietly(argv: list[str]) -> int:
    from cli_runner import invoke_quietly

    return invoke_quietly(argv)[0]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any replication started makes the test fail: refusals must come before the work."""
    import importlib

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a simulation ran before the output folder was checked")

    # All imported before any patching, so each module's own binding is patched (and restored).
    modules = [importlib.import_module(f"cfc_sim.{name}")
               for name in ("experiment", "sweep", "plan", "rollout", "sensitivity")]
    for module in modules:
        for function in ("run_scenario", "run_replications", "run_until_precise"):
            if hasattr(module, function):
                monkeypatch.setattr(module, function, refuse)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# --------------------------------------------------------------------------- marker and replacement


def test_every_written_folder_records_its_kind(runs: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    marker = json.loads((runs["a"] / MARKER).read_text(encoding="utf-8"))
    assert marker["writer"] == "cfc-sim" and marker["kind"] == "run" and marker["version"]
    assert "summary.csv" in marker["files"] and "manifest.json" in marker["files"]
    code, _, err = invoke(["compare", str(runs["a"]), str(runs["b"]), "--out", str(tmp_path / "cmp")], capsys)
    assert code == 0, err
    assert folder_kind(tmp_path / "cmp") == "compare"


def test_a_folder_with_a_users_files_and_a_manifest_is_refused(scenario: Path, tmp_path: Path, no_simulation: None,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    (out / "manifest.json").write_text("{}", encoding="utf-8")
    before = _snapshot(out)
    code, stdout, err = invoke(["run", str(scenario), "--out", str(out)], capsys)
    assert code == 2, (stdout, err)
    assert str(out) in err and "not a cfc-sim output folder" in err
    assert "Traceback" not in err
    assert _snapshot(out) == before
    assert _siblings(out) == []


def test_compare_never_replaces_a_run_it_compares(runs: dict[str, Path], no_simulation: None,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(runs["a"])
    code, _, err = invoke(["compare", str(runs["a"]), str(runs["b"]), "--out", str(runs["a"])], capsys)
    assert code == 2, err
    assert str(runs["a"]) in err
    assert _snapshot(runs["a"]) == before


def test_compare_never_replaces_another_run(runs: dict[str, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    assert invoke(["compare", str(runs["a"]), str(runs["b"]), "--out", str(tmp_path / "cmp")], capsys)[0] == 0
    code = _run_quietly(["run", str(REPO / "scenarios" / "example-small.yaml"), "--reps", "1", "--out", str(other)])
    assert code == 0
    before = _snapshot(other)
    code, _, err = invoke(["compare", str(runs["a"]), str(runs["b"]), "--out", str(other)], capsys)
    assert code == 2 and "results folder" in err and "does not replace" in err
    assert _snapshot(other) == before


def test_plan_and_sweep_refuse_a_run_folder_and_run_refuses_a_sweep(runs: dict[str, Path], scenario: Path,
                                                                    tmp_path: Path, no_simulation: None,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(runs["b"])
    code, _, err = invoke(["plan", str(scenario), "--reps", "1", "--out", str(runs["b"])], capsys)
    assert code == 2 and "`cfc-sim plan` does not replace" in err, err
    code, _, err = invoke(["sweep", str(scenario), "--set", "defaults.workforce.fcas=5,6", "--out", str(runs["b"])],
                          capsys)
    assert code == 2 and "sweep" in err, err
    assert _snapshot(runs["b"]) == before
    sweep = tmp_path / "sweep"
    write_folder(sweep, "sweep", lambda tmp: (tmp / "sweep.csv").write_text("variant\n", encoding="utf-8"))
    before = _snapshot(sweep)
    code, _, err = invoke(["run", str(scenario), "--out", str(sweep)], capsys)
    assert code == 2 and "sweep folder" in err, err
    assert _snapshot(sweep) == before


def test_sweep_does_not_overwrite_a_foreign_folders_sweep_csv(scenario: Path, tmp_path: Path, no_simulation: None,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "analysis"
    out.mkdir()
    (out / "sweep.csv").write_text("my,own\n1,2\n", encoding="utf-8")
    code, _, err = invoke(["sweep", str(scenario), "--set", "defaults.workforce.fcas=5,6", "--out", str(out)], capsys)
    assert code == 2, err
    assert (out / "sweep.csv").read_text(encoding="utf-8") == "my,own\n1,2\n"
    assert sorted(p.name for p in out.iterdir()) == ["sweep.csv"]


def test_sweep_reruns_into_its_own_folder_and_quotes_formula_values(scenario: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sweep"
    argv = ["sweep", str(scenario), "--set", "description==1+1,plain", "--reps", "1", "--out", str(out)]
    code, _, err = invoke(argv, capsys)
    assert code == 0, err
    assert folder_kind(out) == "sweep" and folder_kind(out / "v01_description-1-1") == "run"
    table = pd.read_csv(out / "sweep.csv", keep_default_na=False)
    assert set(table["description"]) == {"'=1+1", "plain"}  # a spreadsheet shows text, not a formula
    code, stdout, err = invoke(argv, capsys)
    assert code == 0, err
    assert "reused" in stdout


# --------------------------------------------------------------------------- refused up front


def test_out_under_a_file_and_out_dot_are_refused_before_any_simulation(scenario: Path, tmp_path: Path,
                                                                        no_simulation: None,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, _, err = invoke(["run", str(scenario), "--out", str(tmp_path / "afile" / "out")], capsys)
    assert code == 2 and "not a folder" in err, err
    monkeypatch.chdir(tmp_path)
    for verb in (["run", str(scenario)], ["plan", str(scenario)], ["rollout", str(scenario)]):
        code, _, err = invoke([*verb, "--out", "."], capsys)
        assert code == 2 and "current folder" in err, (verb, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_read_only_destination_is_refused_before_any_simulation(scenario: Path, tmp_path: Path,
                                                                  no_simulation: None,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        out = Path("/sys/cfc-sim-test-out")  # not writable even by root
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        out = locked / "out"
    try:
        for argv in (["run", str(scenario)], ["sensitivity", str(scenario), "--param",
                                               "defaults.workforce.caseload_cap=15:25", "--method", "morris"]):
            started = time.perf_counter()
            code, _, err = invoke([*argv, "--out", str(out)], capsys)
            assert code == 2, err
            assert "cannot be written" in err and str(out) in err
            assert time.perf_counter() - started < 5
    finally:
        if os.geteuid() != 0:
            (tmp_path / "locked").chmod(0o755)
    assert not out.exists()


def test_disk_full_while_writing_keeps_the_previous_output(scenario: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert invoke(["run", str(scenario), "--out", str(out)], capsys)[0] == 0
    before = _snapshot(out)
    import cfc_sim.charts

    def full(result: object, folder: Path, on_chart: object = None) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "x.png"))

    monkeypatch.setattr(cfc_sim.charts, "draw_run_charts", full)
    code, stdout, err = invoke(["run", str(scenario), "--reps", "2", "--out", str(out), "--overwrite"], capsys)
    assert code == 2, (stdout, err)
    assert "No space left on device" in err and str(out) in err and "Traceback" not in err
    assert _snapshot(out) == before
    assert _siblings(out) == []


# --------------------------------------------------------------------------- interruption and dead processes


_SLOW_WRITE = """
import sys, time
from pathlib import Path
import cfc_sim.charts
from cfc_sim.cli import main

flag = Path(sys.argv[1])
original = cfc_sim.charts.draw_run_charts

def slow(result, folder, on_chart=None):
    original(result, folder, on_chart)
    flag.write_text("writing")
    time.sleep(60)

cfc_sim.charts.draw_run_charts = slow
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_writing_leaves_no_hidden_folder(scenario: Path, tmp_path: Path, signum: int) -> None:
    out, flag = tmp_path / "out", tmp_path / "flag"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    child = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, str(flag), "run", str(scenario), "--out", str(out)],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=ctrl_c_reaches_it)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the run never reached the writing step"
            time.sleep(0.05)
        assert [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]  # it is mid-write
        child.send_signal(signum)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode in (130, 143, -signum), err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flag"]


def test_temporaries_of_dead_processes_are_removed_and_others_kept(scenario: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    dead = _dead_pid()
    ours = tmp_path / f".out.tmp-{dead}-0123abcd"
    ours.mkdir()
    (ours / MARKER).write_text(json.dumps({"writer": "cfc-sim", "kind": "run", "files": []}), encoding="utf-8")
    (ours / "summary.csv").write_text("half", encoding="utf-8")
    empty = tmp_path / temporary_name("out", pid=dead)
    empty.mkdir()
    stray_file = tmp_path / temporary_name("out", pid=dead, suffix=".csv")
    stray_file.write_text("half", encoding="utf-8")
    unmarked_file = tmp_path / f".out.tmp-{dead}-89abcdef.csv"  # named like one, not made by cfc-sim: kept
    unmarked_file.write_text("someone's", encoding="utf-8")
    unmarked_empty = tmp_path / f".out.tmp-{dead}-4567cdef"
    unmarked_empty.mkdir()
    foreign = tmp_path / f".out.tmp-{dead}-deadbeef"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("not ours", encoding="utf-8")
    alive = tmp_path / f".out.tmp-{os.getppid()}-00000000"
    alive.mkdir()
    (alive / MARKER).write_text(json.dumps({"writer": "cfc-sim", "kind": "run", "files": []}), encoding="utf-8")
    code, _, err = invoke(["run", str(scenario), "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", foreign.name, alive.name, unmarked_file.name,
                                                                 unmarked_empty.name])
    assert unmarked_file.read_text(encoding="utf-8") == "someone's"
    assert (foreign / "thesis.docx").read_text(encoding="utf-8") == "not ours"


def test_a_previous_output_set_aside_by_a_killed_process_is_put_back(scenario: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert invoke(["run", str(scenario), "--out", str(out)], capsys)[0] == 0
    before = _snapshot(out)
    aside = tmp_path / f".out.old-{_dead_pid()}-0123abcd"
    os.replace(out, aside)  # what a process killed between its two renames leaves
    remove_dead_temporaries(tmp_path, "out")  # what the next write beside it does first
    assert _snapshot(out) == before
    assert _siblings(out) == []


# --------------------------------------------------------------------------- single files


def test_report_and_readiness_never_overwrite_a_users_file(runs: dict[str, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    page, sheet, chart = tmp_path / "notes.html", tmp_path / "budget.xlsx", tmp_path / "photo.png"
    for path in (page, sheet, chart):
        path.write_bytes(b"users own")
    assert invoke(["report", str(runs["a"]), "--out", str(page)], capsys)[0] == 2
    assert invoke(["report", str(runs["a"]), "--out", str(sheet)], capsys)[0] == 2
    code, _, err = invoke(["readiness", str(runs["a"]), "--out", str(chart)], capsys)
    assert code == 2 and "not written by cfc-sim" in err, err
    assert all(p.read_bytes() == b"users own" for p in (page, sheet, chart))
    # files cfc-sim wrote are replaced
    for name in ("board.html", "board.xlsx"):
        assert invoke(["report", str(runs["a"]), "--out", str(tmp_path / name)], capsys)[0] == 0
        assert invoke(["report", str(runs["a"]), "--out", str(tmp_path / name)], capsys)[0] == 0
    assert invoke(["readiness", str(runs["a"]), "--out", str(tmp_path / "heat.png")], capsys)[0] == 0
    assert invoke(["readiness", str(runs["a"]), "--out", str(tmp_path / "heat.png")], capsys)[0] == 0


def test_report_into_the_run_folder_is_recorded_so_a_rerun_may_replace_it(scenario: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert invoke(["run", str(scenario), "--out", str(out)], capsys)[0] == 0
    code, _, err = invoke(["report", str(out)], capsys)
    assert code == 0, err
    assert {"report.html", "report.xlsx"} <= set(json.loads((out / MARKER).read_text(encoding="utf-8"))["files"])
    code, _, err = invoke(["run", str(scenario), "--reps", "2", "--out", str(out), "--overwrite"], capsys)
    assert code == 0, err
    assert not (out / "report.html").exists()
    (out / "report.html").write_text("my own page", encoding="utf-8")
    code, _, err = invoke(["report", str(out)], capsys)
    assert code == 2 and "report.html" in err, err
    assert (out / "report.html").read_text(encoding="utf-8") == "my own page"


# --------------------------------------------------------------------------- --overwrite (issue 26)


@pytest.mark.parametrize("argv", [["run", "{scenario}", "--reps", "2"], ["compare", "{a}", "{b}"]],
                         ids=["run", "compare"])
def test_out_onto_an_existing_folder_is_refused_unless_overwrite(argv: list[str], scenario: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        assert invoke(["run", str(scenario), "--reps", "2", "--out", str(folder)], capsys)[0] == 0
    out = tmp_path / "out"
    filled = [x.replace("{scenario}", str(scenario)).replace("{a}", str(a)).replace("{b}", str(b)) for x in argv]
    assert invoke([*filled, "--out", str(out)], capsys)[0] == 0
    before = _snapshot(out)
    code, _, err = invoke([*filled, "--out", str(out)], capsys)
    assert code == 2 and "--overwrite" in err and str(out) in err, err
    assert _snapshot(out) == before  # byte-identical
    code, _, err = invoke([*filled, "--out", str(out), "--overwrite"], capsys)
    assert code == 0, err


def test_retire_removes_only_plain_names_its_marker_lists(tmp_path: Path) -> None:
    """A marker is read back from disk: a name with a folder part or '..', or a symlink, is never
    followed out of the folder, and a file the marker does not list is never removed."""
    import json
    import os

    from cfc_sim.output_folder import open_folder, retire, write_file

    folder = open_folder(tmp_path / "sweep", "sweep")
    write_file(folder / "old.png", lambda tmp: tmp.write_bytes(b"x"), owner=folder)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.csv").write_text("mine")
    (tmp_path / "above.csv").write_text("mine")
    os.symlink(outside, folder / "data")
    os.symlink(outside / "keep.csv", folder / "link.csv")
    (folder / "users.png").write_text("mine")
    marker = folder / ".cfc-sim-output"
    body = json.loads(marker.read_text())
    body["files"] += ["data/keep.csv", "../above.csv", "link.csv"]
    marker.write_text(json.dumps(body))
    gone = retire(folder, ["old.png", "data/keep.csv", "../above.csv", "link.csv", "users.png"])
    assert gone == ["old.png"] and not (folder / "old.png").exists()
    assert (outside / "keep.csv").read_text() == "mine" and (tmp_path / "above.csv").read_text() == "mine"
    assert (folder / "users.png").read_text() == "mine" and (folder / "link.csv").is_symlink()
    assert "old.png" not in json.loads(marker.read_text())["files"]
