"""The one executor: run independent pure tasks in this process, in local worker processes or on
a Dask cluster, and hand back their results in task order, whichever finished first.

Tasks are pure functions of their arguments (a replication, a design point), so where they run
never changes a number. Cancellation is clean: on Ctrl-C (SIGINT), SIGTERM or any error the
pending tasks are cancelled and the worker processes killed at once (running tasks are not
waited for) and reaped, so nothing is left behind; a pool left normally waits for its workers to
exit. Workers are plain `subprocess` children (no `multiprocessing`: no resource-tracker process
to outlive the run, no private attribute to reach the processes by). A worker whose parent dies
without cleaning up (SIGKILL)
exits on its own: it asks Linux to signal it when the parent dies (PR_SET_PDEATHSIG) and a
watchdog thread checks the parent's pid once a second on every platform. Workers ignore SIGINT:
the terminal sends Ctrl-C to the whole process group and the parent alone decides what stops.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import IO, Any, TypeVar

from cfc_sim.errors import UserError

T = TypeVar("T")
OnResult = Callable[[int, Any], None]  # called with the task's index and result as each one finishes
WATCHDOG_SECONDS = 1.0
EXIT_SIGINT = 128 + signal.SIGINT  # 130: interrupted (Ctrl-C)
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143: terminated


class Terminated(KeyboardInterrupt):
    """SIGTERM received: unwinds like Ctrl-C (cleanup runs), and the CLI exits 143."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def terminate_cleanly() -> Iterator[None]:
    """While active, SIGTERM raises `Terminated` in the main thread so executors and atomic writers
    clean up before the process exits (Python's default for SIGTERM is to die on the spot)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_tasks(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], *, workers: int = 1,
              scheduler: str | None = None, on_result: OnResult | None = None,
              names: Sequence[str] | None = None, pool: WorkerPool | None = None) -> list[T]:
    """`[fn(*a) for a in args]`, on `workers` local processes or the Dask `scheduler`.

    `on_result(i, result)` is called in this process as each task finishes (progress, caching);
    `names` are the Dask task keys (default: random). Results come back in the order of `args`.
    One worker runs the tasks in this process; a `pool` started beforehand runs them on its
    worker processes, however many (this process then stays free for other work while they run).
    """
    notify = on_result or (lambda i, r: None)
    if scheduler:
        return _run_dask(fn, args, scheduler, notify, names)
    if pool is not None and args:
        return _run_processes(fn, args, pool, notify)
    if workers > 1 and len(args) > 1:
        with WorkerPool(min(workers, len(args))) as own:
            return _run_processes(fn, args, own, notify)
    results = []
    for i, a in enumerate(args):
        results.append(fn(*a))
        notify(i, results[-1])
    return results


def splits_to_fill(workers: int, tasks: int, most: int | None = None) -> int:
    """Into how many parts (at most `most`) to split each of `tasks` equal tasks so that they end
    soonest on `workers` processes: 5 replications on 2 workers leave one idle in a third round,
    10 halves do not. The fewest parts that end as soon as any (1: splitting would not help)."""
    if workers <= 1 or tasks <= 0:
        return 1
    fill = workers // math.gcd(workers, tasks)  # splits every worker's rounds evenly
    candidates = range(1, min(fill, most if most is not None else fill) + 1)
    return min(candidates, key=lambda parts: (math.ceil(tasks * parts / workers) / parts, parts))


# --------------------------------------------------------------------------- local processes


class WorkerDied(RuntimeError):
    """A worker process ended (killed, out of memory) before handing back its task's result."""


def _parent_watchdog(parent: int) -> None:
    """In a worker: exit as soon as the parent process is gone (polled; re-parenting changes getppid)."""
    while True:
        if os.getppid() != parent:
            os._exit(EXIT_SIGTERM)
        time.sleep(WATCHDOG_SECONDS)


def worker_init(parent: int, pdeathsig: bool, preload: Sequence[str] = ()) -> None:
    """Worker start-up: die with the parent, leave Ctrl-C to the parent, import `preload`.

    PR_SET_PDEATHSIG fires when the *thread* that started the worker ends, so it is asked for only
    when that thread is the main one (which lives as long as the process); the watchdog always runs.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # held back by the parent while it started this process
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if pdeathsig and sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - libc without prctl
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(EXIT_SIGTERM)
    threading.Thread(target=_parent_watchdog, args=(parent,), daemon=True, name="cfc-sim-parent-watchdog").start()
    for module in preload:
        importlib.import_module(module)


_HEADER = struct.Struct(">Q")  # the length of each pickled message on a worker's pipes


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    """One message's bytes, or None at the end of the stream (the other side has gone)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    data = stream.read(_HEADER.unpack(header)[0])
    return data if len(data) == _HEADER.unpack(header)[0] else None


def serve() -> None:
    """A worker process (`python -c "from cfc_sim.executor import serve; serve()" PARENT PDEATHSIG
    MODULE...`): take the parent's `sys.path` from stdin, then run each `(fn, args)` read from it and
    write `(True, result)` or `(False, error, traceback)` to what was stdout, until stdin ends. A
    task's function is pickled by name: it must be importable (not defined in a script's `__main__`).
    A task's own printing goes to stderr."""
    parent, pdeathsig, preload = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3:]
    tasks = sys.stdin.buffer
    path = _receive(tasks)  # the parent's import path first, so a task's function imports as it did there
    if path is None:
        return
    sys.path[:] = pickle.loads(path)  # noqa: S301 - sent by this worker's own parent
    worker_init(parent, pdeathsig, preload)
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    while (data := _receive(tasks)) is not None:
        try:
            fn, args = pickle.loads(data)  # noqa: S301 - sent by this worker's own parent
            reply: tuple[Any, ...] = (True, fn(*args))
        except BaseException as error:  # noqa: BLE001 - handed back to the parent, which raises it
            reply = (False, error, traceback.format_exc())
        try:
            _send(results, reply)
        except Exception as error:  # noqa: BLE001 - a result or error that does not pickle
            _send(results, (False, RuntimeError(f"{type(error).__name__}: {error}"), traceback.format_exc()))


def lower_thread_priority() -> None:
    """Run the calling thread 10 nice levels lower (at most 19; Linux, where a priority is a
    thread's own): for work done on a CPU the simulation may need (the run's head start on its
    summary), so that it takes only the time the simulation leaves. Elsewhere it does nothing."""
    if sys.platform.startswith("linux") and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + 10))


class WorkerPool(Executor):
    """Local worker processes, started before their tasks exist.

    A worker's start (an interpreter, numpy, SimPy, the model: about 0.4 s) then overlaps what
    this process does meanwhile (its own imports, the folder checks), and one pool serves every
    batch of tasks given it (`--reps auto`). Each worker is a fresh interpreter (`subprocess`, no
    inherited threads or state, the same on every platform) fed one task at a time through its
    stdin by a thread of this process, which also reaps it when it exits: no multiprocessing, so no
    resource tracker process or named semaphores outlive a run. Leaving the `with` block waits
    for the workers to exit; an error or interruption inside it kills them at once.
    """

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        self.workers = workers
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue())
        self._lock = threading.Lock()
        self._closed = False
        self._broken: BaseException | None = None
        self._processes: list[subprocess.Popen[bytes]] = []
        main = threading.current_thread() is threading.main_thread()
        command = [sys.executable, "-c", "from cfc_sim.executor import serve; serve()", str(os.getpid()),
                   "1" if main else "0", *preload]
        self._feeders: list[threading.Thread] = []
        try:
            # Ctrl-C reaches the whole process group: held back from each worker until it ignores it
            blocking = hasattr(signal, "pthread_sigmask")
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocking else set()
            try:
                for _ in range(workers):
                    self._processes.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE))
            finally:
                if blocking:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)
            for process in self._processes:
                assert process.stdin is not None
                _send(process.stdin, sys.path)
                self._feeders.append(threading.Thread(target=self._feed, args=(process,), daemon=True,
                                                      name=f"cfc-sim-worker-{process.pid}"))
                self._feeders[-1].start()
        except BaseException:  # an interruption (or no more processes) while starting: none is left behind
            self.kill()
            raise

    @property
    def pids(self) -> list[int]:
        """The workers' process ids."""
        return [process.pid for process in self._processes]

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run `fn(*args)` on the next free worker (`fn` and its arguments pickled; no keywords)."""
        if kwargs:
            raise TypeError("WorkerPool.submit takes positional arguments only")
        future: Future[T] = Future()
        with self._lock:
            if self._broken is not None:
                raise WorkerDied("a worker process died: the pool is broken") from self._broken
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            self._tasks.put((future, fn, args))
        return future

    def _feed(self, process: subprocess.Popen[bytes]) -> None:
        """One worker's thread: hand it tasks one at a time, set each result, reap it at the end."""
        assert process.stdin is not None and process.stdout is not None
        try:
            while (task := self._tasks.get()) is not None:
                future, fn, args = task
                if not future.set_running_or_notify_cancel():
                    continue
                if self._broken is not None:
                    future.set_exception(WorkerDied("a worker process died: the pool is broken"))
                    continue
                try:
                    _send(process.stdin, (fn, args))
                    reply = _receive(process.stdout)
                except (OSError, ValueError):  # the worker is gone (a closed or broken pipe)
                    reply = None
                except BaseException as error:  # noqa: BLE001 - the task does not pickle: its caller raises it
                    future.set_exception(error)
                    continue
                if reply is None:
                    died = WorkerDied(f"worker process {process.pid} ended (exit code {process.wait()}) "
                                      "before handing back its task's result")
                    future.set_exception(died)
                    self._break(died)
                    return
                try:
                    ok, value, *trace = pickle.loads(reply)  # noqa: S301 - from this pool's own worker
                except BaseException as error:  # noqa: BLE001 - an error that pickles but does not unpickle
                    future.set_exception(RuntimeError(f"a worker's reply could not be read: {error}"))
                    continue
                if ok:
                    future.set_result(value)
                else:
                    if trace:
                        value.add_note(f"in worker process {process.pid}:\n{trace[0].rstrip()}")
                    future.set_exception(value)
        finally:
            with contextlib.suppress(OSError):
                process.stdin.close()  # no more tasks: the worker's loop ends and it exits
            process.wait()

    def _break(self, error: BaseException) -> None:
        """A worker died: the tasks still waiting fail, and so does every later submission."""
        with self._lock:
            self._broken = self._broken or error
            self._drain(lambda future: _fail(future, error))
            for _ in self._feeders:
                self._tasks.put(None)

    def _drain(self, settle: Callable[[Future[Any]], Any]) -> None:
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                return
            if task is not None:
                settle(task[0])

    def release(self) -> None:
        """No more tasks: the workers exit as soon as their last task is done, without being waited
        for here (their threads reap them; `shutdown` or leaving the `with` block waits for that)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                for _ in self._processes:
                    self._tasks.put(None)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            with self._lock:
                self._drain(lambda future: future.cancel())
        self.release()
        if wait:
            for feeder in self._feeders:
                feeder.join()

    def kill(self) -> None:
        """Cancel what has not started, kill the workers now (running tasks are not waited for) and
        reap them: nothing is left running when this returns."""
        with self._lock:
            self._closed = True
            self._drain(lambda future: future.cancel())
            for _ in self._processes:
                self._tasks.put(None)
        for process in self._processes:
            if process.poll() is None:
                with contextlib.suppress(OSError):
                    process.kill()
        for feeder in self._feeders:
            if feeder is not threading.current_thread():
                feeder.join()
        for process in self._processes:  # a worker started before an error, without a thread
            process.wait()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        if kind is None:
            self.shutdown(wait=True)
        else:
            self.kill()


def _fail(future: Future[Any], error: BaseException) -> None:
    if future.set_running_or_notify_cancel():
        future.set_exception(error)


def _run_processes(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], pool: WorkerPool,
                   notify: OnResult) -> list[T]:
    from concurrent.futures import FIRST_COMPLETED, wait

    results: dict[int, T] = {}
    try:
        futures = {pool.submit(fn, *a): i for i, a in enumerate(args)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.__getitem__):
                results[futures[future]] = future.result()
                notify(futures[future], results[futures[future]])
    except BaseException:
        pool.kill()
        raise
    return [results[i] for i in range(len(args))]


# --------------------------------------------------------------------------- Dask


def dask_client(scheduler: str) -> Any:
    """A client of an existing Dask scheduler (imported only when asked for); UserError if unreachable.

    The client is not made the default, so its futures are read directly rather than through
    dask's `as_completed`, which looks for a default client.
    """
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - depends on the install
        raise UserError("--scheduler needs dask[distributed]: pip install 'cfc-sim[cluster]'") from None
    try:
        return Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UserError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


def _run_dask(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], scheduler: str, notify: OnResult,
              names: Sequence[str] | None) -> list[T]:
    client = dask_client(scheduler)
    futures: list[Any] = []
    try:
        columns = [list(column) for column in zip(*args, strict=True)] if args else []
        extra = {"key": list(names)} if names is not None else {}
        futures = client.map(fn, *columns, pure=False, **extra) if args else []
        results = []
        for i, future in enumerate(futures):  # in submission order; each result is final when it arrives
            results.append(future.result())
            notify(i, results[-1])
        return results
    except BaseException:
        if futures:
            client.cancel(futures)
        raise
    finally:
        client.close()
