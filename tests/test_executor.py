"""The one executor: results independent of where tasks run, and clean cancellation.

The interruption tests start `cfc-sim run --workers 2` (or `--workers 1`, with its chart helpers)
in its own session, signal it while the workers are busy, and check the exit code and that no
process of that session survives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cfc_sim.executor import EXIT_SIGINT, EXIT_SIGTERM, WorkerPool, run_tasks
from cfc_sim.workload import available_cpus

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


def _session(sid: int) -> list[int]:
    """Pids of the live (not zombie) processes in session `sid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
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


def _start(tmp_path: Path, workers: int = 2) -> subprocess.Popen[str]:
    """`run --workers 2`: two replication workers; `--workers 1` on two CPUs: one replication
    worker and two chart helpers started beside it (cfc_sim.chart_helpers)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "cfc_sim", "run", str(SMALL), "--reps", "1000", "--workers",
                             str(workers), "--out", str(tmp_path / "out")], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for both child processes, then give them time to be busy
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.communicate()}")
        workers = [p for p in _children(proc.pid) if "resource_tracker" not in _cmdline(p)]
        if len(workers) >= 2:
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


needs_two_cpus = pytest.mark.skipif(available_cpus() < 2, reason="chart helpers need two CPUs")


@pytest.mark.parametrize(("signum", "code", "to_group", "workers"), [
    (signal.SIGTERM, EXIT_SIGTERM, False, 2),
    (signal.SIGINT, EXIT_SIGINT, True, 2),  # Ctrl-C: the terminal signals the whole process group
    (signal.SIGINT, EXIT_SIGINT, False, 2),
])
def test_a_signal_ends_the_run_and_its_workers_within_seconds(tmp_path: Path, signum: int, code: int,
                                                              to_group: bool, workers: int) -> None:
    proc = _start(tmp_path, workers)
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
        assert "resource_tracker" not in err  # no "leaked semaphore objects" warning after the message
        assert _gone_within(proc.pid, 3.0) == []
        assert [p.name for p in tmp_path.iterdir() if p.name == "out" or p.name.startswith(".")] == []
    finally:
        _kill_session(proc.pid)


@pytest.mark.parametrize("workers", [2])
def test_workers_of_a_killed_parent_exit_on_their_own(tmp_path: Path, workers: int) -> None:
    proc = _start(tmp_path, workers)
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
        started = {p.pid for p in pool.executor._processes.values()}  # spawned before any task was given
        assert len(started) == 2
        first = run_tasks(_pid, [(i,) for i in range(4)], pool=pool)
        second = run_tasks(_pid, [(i,) for i in range(4)], pool=pool)
        assert set(first) | set(second) <= started  # the same two workers for both batches
        assert run_tasks(_imported, [("cfc_sim.model",)], pool=pool) == [True]  # preloaded at start


def _exited_within(pids: list[int], seconds: float) -> bool:
    """Whether the processes are gone (or zombies) within `seconds`: read from /proc, as the pool's own
    thread may reap them while a `Process.is_alive()` here would still say True."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        states = []
        for pid in pids:
            try:
                states.append(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0])
            except OSError:
                states.append("gone")
        if all(state in ("gone", "Z") for state in states):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_released_pool_lets_its_workers_exit_and_an_error_kills_them() -> None:
    with WorkerPool(1) as pool:
        pids = list(pool.executor._processes)
        run_tasks(_pid, [(0,)], pool=pool)
        pool.release()
    assert _exited_within(pids, 5.0)
    with pytest.raises(ZeroDivisionError), WorkerPool(1) as pool:
        pids = list(pool.executor._processes)
        run_tasks(divmod, [(1, 0)], pool=pool)
    assert _exited_within(pids, 5.0)
