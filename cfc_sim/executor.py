"""The one executor: run independent pure tasks in this process, in local worker processes or on
a Dask cluster, and hand back their results in task order, whichever finished first.

Tasks are pure functions of their arguments (a replication, a design point), so where they run
never changes a number. Cancellation is clean: on Ctrl-C (SIGINT), SIGTERM or any error the
pending tasks are cancelled and the worker processes terminated at once (running tasks are not
waited for), so nothing is left behind. A worker whose parent dies without cleaning up (SIGKILL)
exits on its own: it asks Linux to signal it when the parent dies (PR_SET_PDEATHSIG) and a
watchdog thread checks the parent's pid once a second on every platform. Workers ignore SIGINT:
the terminal sends Ctrl-C to the whole process group and the parent alone decides what stops.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.context import SpawnContext
from typing import Any, TypeVar

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


# --------------------------------------------------------------------------- local processes


def _parent_watchdog(parent: int) -> None:
    """In a worker: exit as soon as the parent process is gone (polled; re-parenting changes getppid)."""
    while True:
        if os.getppid() != parent:
            os._exit(EXIT_SIGTERM)
        time.sleep(WATCHDOG_SECONDS)


_in_worker = False  # set in a worker process this module started (replications, chart helpers)


def in_worker_process() -> bool:
    """True in a local worker process of a run: one that ends when the run is done with it."""
    return _in_worker


def worker_init(parent: int, pdeathsig: bool, preload: Sequence[str] = ()) -> None:
    """Worker start-up: die with the parent, leave Ctrl-C to the parent, import `preload`.

    PR_SET_PDEATHSIG fires when the *thread* that started the worker ends, so it is asked for only
    when that thread is the main one (which lives as long as the process); the watchdog always runs.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
    global _in_worker
    _in_worker = True
    for module in preload:
        importlib.import_module(module)


def lower_thread_priority() -> None:
    """Run the calling thread 10 nice levels lower (at most 19; Linux, where a priority is a
    thread's own): for work done on a CPU the simulation may need (a helper's imports, the run's
    head start on its summary), so that it takes only the time the simulation leaves. Elsewhere it
    does nothing."""
    if sys.platform.startswith("linux") and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + 10))


class _SpawnKeepingQueues(SpawnContext):
    """The spawn start method, keeping a handle on each simple queue made through it (the pool's
    result pipe) for `WorkerPool.kill`: the executor gives none."""

    def __init__(self) -> None:
        super().__init__()
        self.queues: list[Any] = []

    def SimpleQueue(self) -> Any:  # noqa: N802 - the name multiprocessing contexts use
        queue = super().SimpleQueue()
        self.queues.append(queue)
        return queue


class WorkerPool:
    """Local worker processes, started before their tasks exist.

    A worker's start (an interpreter, numpy, SimPy, the model: about 0.4 s) then overlaps what
    this process does meanwhile (its own imports, the folder checks), and one pool serves every
    batch of tasks given it (`--reps auto`). Spawned, not forked: no inherited threads or state,
    the same on every platform. Leaving the `with` block shuts the workers down; an error or
    interruption inside it terminates them at once.
    """

    def __init__(self, workers: int, preload: Sequence[str] = (), *,
                 start: Callable[[int, bool, Any], None] | None = None, start_arg: Any = None) -> None:
        """`workers` processes started by `worker_init` with `preload`, or by `start(parent,
        pdeathsig, start_arg)`, which calls `worker_init` itself (the chart helpers' start-up)."""
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        context = _SpawnKeepingQueues()
        self._queues = context.queues
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=start or worker_init,
            initargs=(os.getpid(), threading.current_thread() is threading.main_thread(),
                      start_arg if start is not None else tuple(preload)))
        for _ in range(workers):
            self.executor.submit(os.getpid)  # each submission while none is idle spawns a worker now

    def release(self) -> None:
        """No more tasks: the workers exit on their own, without being waited for here. Only once
        every task is done: a released pool has no handle left on its processes to kill."""
        self.executor.shutdown(wait=False)

    def kill(self) -> None:
        """Cancel what has not started and terminate the workers now, without waiting for running tasks.

        The pool's own thread is then waited for (at most a second): it closes the pool's queues, and
        their semaphores' finalizers unlink each semaphore and then tell multiprocessing's resource
        tracker. A process leaving at once (`os._exit` after Ctrl-C) between the two would make the
        tracker warn of a "leaked semaphore" it cannot find (seen in about 1 interrupted run in 20)."""
        # no public handle on the processes; None once shut down
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        manager = getattr(self.executor, "_executor_manager_thread", None)  # None once shut down
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + 1.0
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(0.5)
        if manager is not None and manager is not threading.current_thread():
            manager.join(1.0)
            if manager.is_alive():
                # Stuck reading a result a terminated worker had half written: closing this
                # process's ends of the result pipe ends that read (the workers' ends are gone),
                # and the thread winds the pool up as a broken one. Else the interpreter's exit,
                # which joins it, would wait for ever.
                for queue in self._queues:
                    queue.close()
                manager.join(1.0)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        if kind is None:
            self.executor.shutdown(wait=True)
        else:
            self.kill()


def _run_processes(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], pool: WorkerPool,
                   notify: OnResult) -> list[T]:
    # Finished tasks come back through a queue their futures put themselves on, not through
    # `concurrent.futures.wait`: that takes every future's lock in a loop, and a Ctrl-C in the middle
    # of it left some taken for ever, so the pool's thread, cancelling them, never ended (nor the
    # interpreter's exit, which waits for it).
    finished: queue.SimpleQueue[Any] = queue.SimpleQueue()
    results: dict[int, T] = {}
    try:
        futures: dict[Any, int] = {}
        for i, a in enumerate(args):
            future = pool.executor.submit(fn, *a)
            futures[future] = i
            future.add_done_callback(finished.put)
        for _ in range(len(futures)):
            future = finished.get()
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
