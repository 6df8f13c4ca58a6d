"""A run's charts drawn in helper processes while this process writes the folder's other files.

Drawing is most of what a run does after its simulation (the six national charts take about
2.5 s in one process, importing matplotlib another 0.4 s). Helper processes that have already
imported matplotlib draw them in parallel with the writing of the CSV, Parquet and YAML files.

- Helpers import one at a time (about a second each), so they never take more than one CPU
  from the simulation. They start with it when a CPU is spare (`--workers 1` on two cores), when
  the last replications leave one idle, or else as soon as it ends, where their imports overlap
  the summary. Their start is not free (about 2 CPU seconds, on a CPU the run would otherwise
  leave idle), hence `HELPERS_AFTER_SECONDS`.
- Two helpers (`HELPERS`), given the charts heaviest first so that they finish together.
- A short run (estimated under `HELPERS_AFTER_SECONDS`) or a one-CPU machine draws in this
  process, as before: starting a helper would cost more than it saves.
- The charts that need only the monthly series go to the helpers as soon as the series exist,
  while this process computes the summary and readiness: the heaviest at once (one per helper and
  one waiting), the lightest after the heatmap, which follows readiness (handed over last, the
  heatmap, one of the heaviest, ended the national run alone: 0.3 s).
- Helpers send each chart back as PNG bytes, the same bytes as drawn here (matplotlib's Agg
  output depends on the figure alone, and there is a test); this process writes every file.
- Helpers die with this process and ignore Ctrl-C, as replication workers do
  (`cfc_sim.executor`). An error or interruption terminates them before the temporary folder is
  removed, so nothing is left behind; if a helper dies, the charts are drawn here instead.
"""

from __future__ import annotations

import pickle
import secrets
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cfc_sim.executor import WorkerPool, lower_thread_priority, worker_init
from cfc_sim.workload import available_cpus, estimate_seconds

if TYPE_CHECKING:
    from concurrent.futures import Future

    import pandas as pd

    from cfc_sim.chart_inputs import RunChartInputs
    from cfc_sim.results import RunResult
    from cfc_sim.scenario.schema import ScenarioConfig

# Estimated simulation time (`cfc_sim.workload`, a cautious estimate) from which helpers pay for
# their start-up: on example-small at 60 replications (estimated 6.3 s, 3-4 s in fact) they saved
# nothing measurable; on the 180,000-case M/M/c (estimated 9 s, 3.5 s in fact) 0.3-0.5 s.
HELPERS_AFTER_SECONDS = 8.0
HELPERS = 2  # the heaviest chart is about a quarter of the drawing: a third helper would barely help
# The charts heaviest first, for a run of more than `MAX_AREA_PANELS` (12) areas (national default: the
# region charts and the 40-area heatmap 0.45-0.65 s each, the rest 0.15-0.35 s) and for a smaller
# one (one area: the three-panel workforce chart 0.3 s, caseload 0.2 s, the rest under 0.15 s).
HEAVIEST_FIRST = {
    True: ("transition_cap_rundown.png", "readiness_heatmap.png", "cir_on_time_regions.png", "cir_on_time_fan.png",
           "workforce.png", "caseload_queue.png"),
    False: ("workforce.png", "caseload_queue.png", "readiness_heatmap.png", "cir_on_time_fan.png",
            "transition_cap_rundown.png"),
}

OnChart = Callable[[str], None]


def helpers_for(config: ScenarioConfig, workers: int) -> int:
    """How many chart helpers a run should have: 0 (draw here) for a short run or one CPU."""
    cpus = available_cpus()
    if cpus < 2 or estimate_seconds(config, max(1, workers)) < HELPERS_AFTER_SECONDS:
        return 0
    return min(HELPERS, cpus)


def spare_cpu(workers: int) -> bool:
    """True when the simulation leaves a CPU idle, so helpers may start while it runs."""
    return workers < available_cpus()


# --------------------------------------------------------------------------- in a helper

_inputs: tuple[str, Any] | None = None  # the last run's chart inputs, unpickled once per helper


def _helper_init(parent: int, pdeathsig: bool, importing: Any) -> None:
    """Start-up of a helper: die with the parent, ignore Ctrl-C, import the charts' libraries now
    (matplotlib, pandas and the scenario schema the chart inputs carry: the helper's start-up
    cost), one helper at a time, in a thread of low priority (`lower_thread_priority`): the imports
    happen while the simulation runs and must not slow it; the drawing afterwards runs at the
    helper's normal priority."""
    worker_init(parent, pdeathsig)
    failed: list[BaseException] = []
    importer = threading.Thread(target=_import_charts, args=(importing, failed), name="cfc-sim-chart-imports")
    importer.start()
    importer.join()
    if failed:  # as if imported here: the pool breaks and the run draws its charts itself
        raise failed[0]


def _import_charts(importing: Any, failed: list[BaseException]) -> None:
    lower_thread_priority()
    try:
        with importing:
            import cfc_sim.charts  # noqa: F401
            import cfc_sim.scenario.schema  # noqa: F401 - the chart inputs carry the run's config
    except BaseException as error:  # noqa: BLE001 - handed to the helper's start-up, which raises it
        failed.append(error)


def _draw(name: str, token: str, payload: bytes) -> bytes:
    """One run chart's PNG bytes from the pickled inputs (unpickled once in each helper)."""
    global _inputs
    from cfc_sim.charts import run_chart_png

    if _inputs is None or _inputs[0] != token:
        _inputs = (token, pickle.loads(payload))  # noqa: S301 - bytes this run's own parent pickled
    return run_chart_png(name, _inputs[1])


# --------------------------------------------------------------------------- in the run's process


def _pack(inputs: RunChartInputs) -> tuple[str, bytes]:
    """Chart inputs as sent to the helpers: pickled once, with a token each helper unpickles them by."""
    return secrets.token_hex(8), pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)


def _draw_here(result: RunResult, folder: Path, on_chart: OnChart | None = None) -> None:
    from cfc_sim.charts import draw_run_charts

    draw_run_charts(result, folder, on_chart)


class PendingCharts:
    """Charts being drawn by the helpers: `wait()` writes them into the folder as they come back
    (errors raised here), `cancel()` stops the helpers."""

    def __init__(self, helpers: ChartHelpers, futures: dict[str, Future[bytes]], result: RunResult,
                 folder: Path) -> None:
        self._helpers = helpers
        self._futures = futures
        self._result = result
        self._folder = folder

    def wait(self) -> None:
        try:
            for name, future in self._futures.items():
                (self._folder / name).write_bytes(future.result())
        except BrokenProcessPool:  # a helper died (killed, out of memory): draw them here instead
            self._helpers.fail()
            _draw_here(self._result, self._folder)
        except BaseException:
            self._helpers.kill()
            raise

    def cancel(self) -> None:
        self._helpers.kill()


class ChartHelpers:
    """A run's chart helper processes (none when `count` is 0: charts are drawn in this process).

    Use as a context manager around the run: leaving it, normally or on an error or
    interruption, terminates the helpers at once.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: WorkerPool | None = None  # used from the run's main thread only
        self._early: tuple[Any, dict[str, Future[bytes]]] | None = None  # (the series, its charts handed over)
        self._held: tuple[list[str], tuple[str, bytes]] | None = None  # series charts not yet handed over
        self._failed = False  # a helper died or could not start: the rest is drawn in this process

    def start(self) -> None:
        """Start the helpers now (once; later calls, or calls after a failure, do nothing). Each
        imports matplotlib and pandas as it starts, one after another."""
        if self.count == 0 or self._failed or self._pool is not None:
            return
        import multiprocessing

        try:  # spawned at once, as the replication workers are (`WorkerPool`)
            importing = multiprocessing.get_context("spawn").Lock()
            self._pool = WorkerPool(self.count, start=_helper_init, start_arg=importing)
        except (OSError, BrokenProcessPool):  # no processes here (limits, no /dev/shm): draw in this process
            self.fail()

    def draw_series(self, config: ScenarioConfig, series: pd.DataFrame) -> None:
        """As soon as the monthly series exist, hand the helpers the charts drawn from them (all but
        the heatmap), so they draw while the summary and readiness are computed here: the heaviest,
        one per helper and one waiting; the rest wait here, so that the heatmap, handed over with
        readiness, goes before them (it is one of the heaviest: last, it would end the run alone)."""
        if self.count == 0:
            return
        from cfc_sim.chart_inputs import HEATMAP, run_chart_names, series_chart_inputs

        self.start()
        if self._failed:  # the helpers could not start: `draw` will draw here
            return
        names = self._heaviest_first([n for n in run_chart_names(config) if n != HEATMAP], config)
        now, later = names[:self.count + 1], names[self.count + 1:]
        packed = _pack(series_chart_inputs(config, series))
        try:
            self._early = (series, self._submit(now, packed))
        except BrokenProcessPool:  # a helper died already: `draw` will draw here
            self.fail()
            return
        self._held = (later, packed) if later else None

    def draw(self, result: RunResult, folder: Path, on_chart: OnChart | None = None) -> PendingCharts | None:
        """Hand the run's remaining charts to the helpers and return at once; with no helpers draw
        them here (`on_chart` told each name first) and return None."""
        from cfc_sim.chart_inputs import HEATMAP, heatmap_inputs, run_chart_inputs, run_chart_names

        early: dict[str, Future[bytes]] = {}
        held: tuple[list[str], tuple[str, bytes]] | None = None
        if self._early is not None:
            if self._early[0] is result.timeseries:
                early, held = self._early[1], self._held
            else:  # charts of other series: not these
                for future in self._early[1].values():
                    future.cancel()
        self._early = self._held = None
        self.start()
        if self.count == 0 or self._failed:
            _draw_here(result, folder, on_chart)
            return None
        names = [n for n in run_chart_names(result.config) if n not in early and not (held and n in held[0])]
        try:
            if not names:
                futures = {}
            elif names == [HEATMAP]:  # the series charts were handed over: the heatmap goes first
                futures = self._submit(names, _pack(heatmap_inputs(result.config, result.readiness)))
            else:
                futures = self._submit(self._heaviest_first(names, result.config), _pack(run_chart_inputs(result)))
            if held is not None:
                futures.update(self._submit(*held))
        except BrokenProcessPool:  # a helper died before the charts were ready: draw them here
            self.fail()
            _draw_here(result, folder, on_chart)
            return None
        return PendingCharts(self, {**early, **futures}, result, folder)

    @staticmethod
    def _heaviest_first(names: list[str], config: ScenarioConfig) -> list[str]:
        from cfc_sim.chart_inputs import MAX_AREA_PANELS

        heaviest = HEAVIEST_FIRST[len(config.areas) > MAX_AREA_PANELS]
        return sorted(names, key=lambda n: heaviest.index(n) if n in heaviest else len(heaviest))

    def _submit(self, names: list[str], packed: tuple[str, bytes]) -> dict[str, Future[bytes]]:
        token, payload = packed
        assert self._pool is not None
        return {name: self._pool.executor.submit(_draw, name, token, payload) for name in names}

    def fail(self) -> None:
        """A helper died: stop the others; what is left is drawn in this process."""
        self._failed = True
        self.kill()

    def kill(self) -> None:
        """Terminate the helpers now (running drawings are not waited for)."""
        pool, self._pool = self._pool, None
        self._early = self._held = None
        if pool is not None:
            pool.kill()

    def __enter__(self) -> ChartHelpers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        # Either way the helpers are stopped at once: after the folder is written they have nothing
        # left to do, and waiting for two interpreters holding matplotlib to exit took 0.3 s.
        self.kill()
