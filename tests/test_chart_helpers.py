"""A run's charts drawn in helper processes (issue 13): the same files as drawn in the run's own
process, errors raised in the run, a helper that dies replaced by drawing here, no process left,
and only runs long enough to hide the helpers' start-up use them."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from cli_runner import invoke
from test_charts import _result

from cfc_sim import chart_helpers
from cfc_sim.chart_helpers import ChartHelpers, helpers_for
from cfc_sim.charts import draw_run_charts
from cfc_sim.experiment import run_scenario
from cfc_sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "example-small.yaml"


@pytest.fixture(scope="module")
def small_run():  # type: ignore[no-untyped-def]
    return run_scenario(load_scenario(SMALL).with_run_options(replications=2))


def _pngs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.png"))}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _helper_pids(helpers: ChartHelpers) -> list[int]:
    return list(helpers._pool.executor._processes)  # type: ignore[union-attr]


def _here_and_by_helpers(result, tmp_path: Path, handed: object = None) -> tuple[dict[str, bytes], dict[str, bytes]]:  # type: ignore[no-untyped-def]
    """The run's charts drawn in this process and by two helpers (after the series of `handed`, a
    result, were handed over as the run does before readiness): their PNG bytes, by name."""
    (tmp_path / "here").mkdir()
    (tmp_path / "helpers").mkdir()
    draw_run_charts(result, tmp_path / "here")
    with ChartHelpers(2) as helpers:
        if handed is not None:
            helpers.draw_series(handed.config, handed.timeseries)  # type: ignore[attr-defined]
        pending = helpers.draw(result, tmp_path / "helpers")
        assert pending is not None
        pending.wait()
    return _pngs(tmp_path / "here"), _pngs(tmp_path / "helpers")


@pytest.mark.parametrize("areas", ["example-small", "20 synthetic areas"])
def test_helpers_draw_byte_for_byte_the_charts_this_process_draws(small_run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                  areas: str) -> None:
    here, by_helpers = _here_and_by_helpers(small_run if areas == "example-small" else _result(20), tmp_path)
    assert len(here) == (6 if areas != "example-small" else 5)
    assert by_helpers == here


def test_no_helpers_means_drawn_here_at_once_with_each_chart_told(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    told: list[str] = []
    with ChartHelpers(0) as helpers:
        assert helpers.draw(small_run, tmp_path, told.append) is None
    assert told == sorted(_pngs(tmp_path), key=told.index) and len(told) == 5


def test_an_error_in_a_helper_is_raised_here_and_the_helpers_are_stopped(tmp_path: Path) -> None:
    broken = _result(3)
    broken.config.header = SimpleNamespace()  # no targets: every chart fails in the helper
    with ChartHelpers(2) as helpers:
        pending = helpers.draw(broken, tmp_path)
        pids = _helper_pids(helpers)
        assert pending is not None
        with pytest.raises(AttributeError, match="targets"):
            pending.wait()
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pids and not any(_alive(p) for p in pids)
    assert list(tmp_path.iterdir()) == []


def test_charts_handed_over_with_the_series_and_the_heatmap_after_readiness_are_the_same_files(
        tmp_path: Path) -> None:
    result = _result(20)
    here, by_helpers = _here_and_by_helpers(result, tmp_path, handed=result)
    assert by_helpers == here


def test_charts_handed_over_for_other_series_are_not_used(tmp_path: Path) -> None:
    here, by_helpers = _here_and_by_helpers(_result(14), tmp_path, handed=_result(3))
    assert by_helpers == here


def test_a_helper_that_dies_leaves_the_charts_to_this_process(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "here").mkdir()
    (tmp_path / "after").mkdir()
    draw_run_charts(small_run, tmp_path / "here")
    with ChartHelpers(2) as helpers:
        helpers.start()
        deadline = time.monotonic() + 30
        while len(_helper_pids(helpers)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(_helper_pids(helpers)[0], signal.SIGKILL)
        pending = helpers.draw(small_run, tmp_path / "after")
        if pending is not None:
            pending.wait()
    assert _pngs(tmp_path / "after") == _pngs(tmp_path / "here")


def test_a_short_run_or_a_single_cpu_draws_in_the_run_s_own_process(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_scenario(SMALL)
    monkeypatch.setattr(chart_helpers, "available_cpus", lambda: 2)
    assert helpers_for(config, 1) == 0  # example-small: well under HELPERS_AFTER_SECONDS
    monkeypatch.setattr(chart_helpers, "HELPERS_AFTER_SECONDS", 0.0)
    assert helpers_for(config, 1) == 2
    monkeypatch.setattr(chart_helpers, "available_cpus", lambda: 1)
    assert helpers_for(config, 1) == 0
    monkeypatch.setattr(chart_helpers, "available_cpus", lambda: 4)
    assert helpers_for(config, 4) == chart_helpers.HELPERS
    assert chart_helpers.spare_cpu(3) and not chart_helpers.spare_cpu(4)


def test_run_with_helpers_writes_the_folder_a_run_without_them_writes(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["run", str(SMALL), "--reps", "2", "--workers", "1"]
    code, _, err = invoke([*argv, "--out", str(tmp_path / "here")], capsys)
    assert code == 0, err
    assert "helper process" not in err and "drawing charts/workforce.png" in err
    monkeypatch.setattr(chart_helpers, "HELPERS_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(chart_helpers, "available_cpus", lambda: 2)
    code, _, err = invoke([*argv, "--out", str(tmp_path / "helpers")], capsys)
    assert code == 0, err
    assert "charts drawn alongside in 2 helper processes" in err
    names = sorted(p.relative_to(tmp_path / "here").as_posix() for p in (tmp_path / "here").rglob("*"))
    assert names == sorted(p.relative_to(tmp_path / "helpers").as_posix() for p in (tmp_path / "helpers").rglob("*"))
    assert _pngs(tmp_path / "helpers" / "charts") == _pngs(tmp_path / "here" / "charts")
    for name in ("summary.csv", "readiness.csv", "replications.csv"):
        assert (tmp_path / "helpers" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_preparing_the_assembly_dumps_the_resolved_scenario_once_and_never_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread `run` starts while its replications run elsewhere: the resolved scenario is then
    already in the memo when the manifest asks for it; a failure there is only a lost head start."""
    from cfc_sim import experiment
    from cfc_sim.scenario import resolved

    config = load_scenario(SMALL)
    experiment.prepare_assembly(config)
    assert resolved._RESOLVED[id(config)][0] is config
    calls: list[object] = []

    def broken(c: object) -> str:
        calls.append(c)
        raise RuntimeError("no head start")

    monkeypatch.setattr(resolved, "resolved_yaml", broken)
    experiment.prepare_assembly(config)
    assert calls == [config]


def test_a_user_s_savefig_format_does_not_change_what_helpers_send(small_run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A helper saves into a buffer, which has no `.png` name: a matplotlibrc asking for SVG must not
    turn its charts into SVG (the run's own process saves by file name)."""
    (tmp_path / "rc").mkdir()
    (tmp_path / "rc" / "matplotlibrc").write_text("savefig.format: svg\n", encoding="utf-8")
    monkeypatch.setenv("MATPLOTLIBRC", str(tmp_path / "rc"))  # read by the helpers as they import matplotlib
    here, by_helpers = _here_and_by_helpers(small_run, tmp_path)
    assert all(data.startswith(b"\x89PNG\r\n\x1a\n") for data in by_helpers.values())
    assert by_helpers == here


def test_helpers_that_failed_are_not_started_again(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with ChartHelpers(2) as helpers:
        helpers.fail()
        helpers.start()
        assert helpers._pool is None
        assert helpers.draw(small_run, tmp_path) is None  # drawn here
    assert len(_pngs(tmp_path)) == 5


def test_helpers_that_cannot_start_leave_the_charts_to_this_process(small_run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_processes)
    with ChartHelpers(2) as helpers:
        helpers.draw_series(small_run.config, small_run.timeseries)  # as the run does
        assert helpers.draw(small_run, tmp_path) is None  # drawn here
    assert len(_pngs(tmp_path)) == 5


def _priority() -> int:
    import threading

    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


linux_only = pytest.mark.skipif(not hasattr(os, "getpriority") or not os.uname().sysname == "Linux",
                                reason="a thread's own priority is Linux's")


@linux_only
def test_a_lowered_thread_runs_at_nice_10_and_the_rest_of_the_process_does_not() -> None:
    import threading

    from cfc_sim.executor import lower_thread_priority

    seen: list[int] = []

    def lowered() -> None:
        lower_thread_priority()
        seen.append(_priority())

    before = _priority()
    thread = threading.Thread(target=lowered)
    thread.start()
    thread.join()
    assert seen == [min(19, before + 10)]
    assert _priority() == before  # the calling (main) thread keeps its priority


@linux_only
def test_helpers_import_at_low_priority_but_draw_at_the_run_s_own() -> None:
    with ChartHelpers(2) as helpers:
        helpers.start()
        drawing = [helpers._pool.executor.submit(_priority) for _ in range(4)]  # type: ignore[union-attr]
        assert {f.result(timeout=60) for f in drawing} == {_priority()}


class _RecordingPool:
    """Stands in for the helpers' pool: records what is handed over, in order, and draws nothing."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def submit(self, fn, name, token, payload):  # type: ignore[no-untyped-def]
        from concurrent.futures import Future

        self.names.append(name)
        done: Future[bytes] = Future()
        done.set_result(b"")
        return done


def test_the_series_charts_wait_so_that_the_heatmap_goes_before_the_lightest(monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    # With the series: the heaviest, one per helper and one waiting; with readiness: the heatmap,
    # then the series charts held back (else the heatmap, one of the heaviest, would end the run alone).
    result = _result(20)
    helpers = ChartHelpers(2)
    pool = _RecordingPool()
    monkeypatch.setattr(helpers, "start", lambda: None)
    helpers._pool = SimpleNamespace(executor=pool)  # type: ignore[assignment]
    helpers.draw_series(result.config, result.timeseries)
    assert pool.names == ["transition_cap_rundown.png", "cir_on_time_regions.png", "cir_on_time_fan.png"]
    pending = helpers.draw(result, tmp_path)
    assert pending is not None
    assert pool.names[3:] == ["readiness_heatmap.png", "workforce.png", "caseload_queue.png"]
    pending.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(pool.names)


def test_a_helper_s_failed_imports_are_handed_to_its_start_up() -> None:
    # The imports run in a thread of the helper: their error must reach the helper's start-up (which
    # raises it, so that the pool breaks and the run draws its charts itself), not die with the thread.
    class Failing:
        def __enter__(self) -> None:
            raise ImportError("no matplotlib here")

        def __exit__(self, *exc: object) -> None:
            return None

    import threading

    failed: list[BaseException] = []
    # in a thread of its own, as in a helper: it lowers its own thread's priority
    importer = threading.Thread(target=chart_helpers._import_charts, args=(Failing(), failed))
    importer.start()
    importer.join()
    assert len(failed) == 1 and isinstance(failed[0], ImportError)
