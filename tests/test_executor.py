"""The one executor: results independent of where tasks run, and clean cancellation.

The process tests start `cfc-sim run --workers 2` in its own session, let it end (normally, on an
error, on a signal while the workers are busy) and check the exit code and that no process of
that session is left, not even one that has exited but was not waited for (a zombie).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import ctrl_c_reaches_it

from cfc_sim.executor import EXIT_SIGINT, EXIT_SIGTERM, WorkerPool, run_tasks

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "example-small.yaml"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _square_plus(x: int, y: int) -> int:
    return x * x + y


def test_run_tasks_returns_results_in_task_order_on_every_executor() -> None:
    args = [(x, 1) for x in range(6)]
    seen: list[int] = []
    local = run_tasks(_square_plus, args, on_result=lambda i, r: seen.append(i))
    pooled = run_tasks(_square_plus, args, workers=2)
    assert local == pooled == [x * x + 1 for x in range(6)]
    assert seen == list(range(6))


def _session(sid: int, zombies: bool = False) -> list[int]:
    """Pids of the live processes in session `sid` (with `zombies`, those not yet waited for too)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and (zombies or state != "Z"):
            found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def _popen(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "cfc_sim", "run", str(SMALL), *args, "--out", str(tmp_path / "out")],
                            cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=ctrl_c_reaches_it)


def _start(tmp_path: Path) -> subprocess.Popen[str]:
    """`run --workers 2` of many replications, once both workers are busy."""
    proc = _popen(tmp_path, "--reps", "1000", "--workers", "2")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for both child processes, then give them time to be busy
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.communicate()}")
        if len(_children(proc.pid)) >= 2:
            time.sleep(3.0)
            return proc
        time.sleep(0.2)
    proc.kill()
    pytest.fail("the workers never started")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _gone_within(sid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _session(sid)
        if not left:
            return []
        time.sleep(0.1)
    return _session(sid)


def _kill_session(sid: int) -> None:
    for pid in _session(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.mark.parametrize(("signum", "code", "to_group"), [
    (signal.SIGTERM, EXIT_SIGTERM, False),
    (signal.SIGINT, EXIT_SIGINT, True),  # Ctrl-C: the terminal signals the whole process group
    (signal.SIGINT, EXIT_SIGINT, False),
])
def test_a_signal_ends_the_run_and_its_workers_within_seconds(tmp_path: Path, signum: int, code: int,
                                                              to_group: bool) -> None:
    proc = _start(tmp_path)
    try:
        sent = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=10)
        took = time.monotonic() - sent
        assert proc.returncode == code, err
        assert took < 3.0, f"took {took:.1f} s to exit"
        assert "Traceback" not in err
        assert _session(proc.pid, zombies=True) == []  # every worker was waited for before the run exited
        assert [p.name for p in tmp_path.iterdir() if p.name == "out" or p.name.startswith(".")] == []
    finally:
        _kill_session(proc.pid)


def test_a_run_leaves_no_process_behind_when_it_ends(tmp_path: Path) -> None:
    proc = _popen(tmp_path, "--reps", "2", "--workers", "2")
    try:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert _session(proc.pid, zombies=True) == []
        assert (tmp_path / "out" / "manifest.json").is_file()
    finally:
        _kill_session(proc.pid)


def test_a_run_whose_worker_dies_fails_and_leaves_no_process_behind(tmp_path: Path) -> None:
    proc = _start(tmp_path)
    try:
        os.kill(_children(proc.pid)[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == 1, err
        assert "WorkerDied" in err
        assert _session(proc.pid, zombies=True) == []
        assert [p.name for p in tmp_path.iterdir() if p.name == "out" or p.name.startswith(".")] == []
    finally:
        _kill_session(proc.pid)


def test_workers_of_a_killed_parent_exit_on_their_own(tmp_path: Path) -> None:
    proc = _start(tmp_path)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        assert _gone_within(proc.pid, 4.0) == []
    finally:
        _kill_session(proc.pid)


def _pid(_: int) -> int:
    return os.getpid()


def _imported(module: str) -> bool:
    return module in sys.modules


def test_one_worker_runs_in_this_process_unless_a_pool_is_given() -> None:
    here = run_tasks(_pid, [(0,), (1,)], workers=1)
    assert here == [os.getpid()] * 2
    with WorkerPool(1) as pool:
        away = run_tasks(_pid, [(0,), (1,)], workers=1, pool=pool)
    assert len(set(away)) == 1 and away[0] != os.getpid()  # one worker process, not this one


def test_a_pool_starts_its_workers_before_any_task_and_serves_every_batch() -> None:
    with WorkerPool(2, preload=("cfc_sim.model",)) as pool:
        started = set(pool.pids)  # started before any task was given
        assert len(started) == 2
        first = run_tasks(_pid, [(i,) for i in range(4)], pool=pool)
        second = run_tasks(_pid, [(i,) for i in range(4)], pool=pool)
        assert set(first) | set(second) <= started  # the same two workers for both batches
        assert run_tasks(_imported, [("cfc_sim.model",)], pool=pool) == [True]  # preloaded at start


def _waited_for(pids: list[int]) -> bool:
    """Whether the processes are gone from /proc: exited and reaped (not even a zombie is left)."""
    return not any(Path(f"/proc/{pid}").exists() for pid in pids)


def test_a_released_pool_lets_its_workers_exit_and_an_error_kills_them() -> None:
    with WorkerPool(2) as pool:
        pids = pool.pids
        run_tasks(_pid, [(0,), (1,)], pool=pool)
        pool.release()  # no waiting here ...
    assert _waited_for(pids)  # ... but leaving the block has waited for the workers
    with pytest.raises(ZeroDivisionError), WorkerPool(1) as pool:
        pids = pool.pids
        run_tasks(divmod, [(1, 0)], pool=pool)
    assert _waited_for(pids)


def test_a_worker_that_dies_fails_its_task_and_the_pool() -> None:
    from cfc_sim.executor import WorkerDied

    with pytest.raises(WorkerDied), WorkerPool(2) as pool:
        pids = pool.pids
        running = pool.submit(time.sleep, 30)
        time.sleep(0.5)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        running.result(timeout=10)
    assert _waited_for(pids)


def _priority() -> int:
    import threading

    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


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


def test_tasks_are_split_only_to_fill_every_worker_to_the_last_round() -> None:
    from cfc_sim.executor import splits_to_fill

    assert [splits_to_fill(2, n) for n in (1, 2, 3, 4, 5)] == [2, 1, 2, 1, 2]
    assert [splits_to_fill(4, n) for n in (2, 6, 8)] == [2, 2, 1]
    assert splits_to_fill(1, 5) == 1 and splits_to_fill(3, 0) == 1
    assert splits_to_fill(2, 5, most=1) == 1
    assert splits_to_fill(3, 2, most=2) == 1  # 4 halves on 3 workers end no sooner than 2 wholes
    assert splits_to_fill(3, 2, most=40) == 3
