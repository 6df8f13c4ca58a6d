"""One `cfc-sim run`, from its validated config to its results folder, keeping the machine's CPUs busy.

The flow is the one of `cfc_sim.experiment` (replications -> frames, summary, readiness) and
`cfc_sim.results` (the folder); this module decides where each part runs:

- the replications in this process, or in worker processes (`--workers N`, Dask), bit-identical
  either way;
- the charts in two helper processes when the run is long enough (`cfc_sim.chart_helpers`): they
  start while the simulation runs if a CPU is spare, or as soon as one is;
- with helpers, one worker's replications in a worker process too;
- worker processes start before anything else is imported here (`cfc_sim.executor.WorkerPool`),
  so their own start-up (about 0.4 s) overlaps this process's;
- whenever the replications run in worker processes (or on Dask), a thread of this process
  imports what the summary and the folder need and dumps the resolved scenario
  (`cfc_sim.experiment.prepare_assembly`), where this process would otherwise only wait.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cfc_sim.chart_helpers import ChartHelpers, helpers_for, spare_cpu
from cfc_sim.executor import WorkerPool, lower_thread_priority

if TYPE_CHECKING:
    from cfc_sim.results import ChartsBeingDrawn, RunResult
    from cfc_sim.scenario.schema import ScenarioConfig

Progress = Callable[[int], None]  # replications just finished
Stage = Callable[[str], None]  # the next step after the simulation, so none is silent


def run_to_folder(config: ScenarioConfig, folder: Path, *, workers: int, scheduler: str | None, trace: bool,
                  precision: float | None, max_reps: int, progress: Progress, on_stage: Stage) -> RunResult:
    """Run `config` (`precision` set: `--reps auto` up to `max_reps`) and write its results folder;
    `progress` is told of each replication finished, `on_stage` of each step after them."""
    auto = precision is not None
    planned = config.with_run_options(replications=max_reps) if auto else config
    helper_count = helpers_for(planned, 1 if scheduler else workers)
    processes = 0 if scheduler else min(workers, planned.replications)
    if processes == 1 and (not helper_count or trace):
        processes = 0  # one worker: the replications run here (with helpers, in one worker process)
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(WorkerPool(processes, preload=("cfc_sim.model",))) if processes else None
        helpers = stack.enter_context(ChartHelpers(helper_count))
        result = _run(config, folder, pool, helpers, workers=workers, scheduler=scheduler, trace=trace,
                      precision=precision, max_reps=max_reps, progress=progress, on_stage=on_stage)
    return result


def _run(config: ScenarioConfig, folder: Path, pool: WorkerPool | None, helpers: ChartHelpers, *, workers: int,
         scheduler: str | None, trace: bool, precision: float | None, max_reps: int, progress: Progress,
         on_stage: Stage) -> RunResult:
    from cfc_sim.experiment import prepare_assembly, run_scenario, run_until_precise
    from cfc_sim.output_analysis import transient_warnings

    auto = precision is not None
    if spare_cpu(workers) and not scheduler:
        helpers.start()  # they import matplotlib on the idle CPU while the simulation runs
    preparing = None
    if pool is not None or scheduler:
        def prepare() -> None:
            lower_thread_priority()  # a worker may share this CPU: it goes first
            prepare_assembly(None if auto else config)

        preparing = threading.Thread(target=prepare, daemon=True, name="cfc-sim-prepare")
    finished = 0

    def replicated(n: int) -> None:
        nonlocal finished
        progress(n)
        finished += n
        if not auto and not scheduler and spare_cpu(min(workers, config.replications - finished)):
            helpers.start()  # the last replications leave a CPU idle: the helpers import there

    def stage(step: str) -> None:
        helpers.start()  # the simulation has ended: their imports overlap the summary
        if pool is not None:
            pool.release()  # the workers exit while the outputs are assembled
        if preparing is not None:
            preparing.join()  # usually done long before the replications
        on_stage(step)

    if preparing is not None:
        preparing.start()
    if precision is not None:
        result = run_until_precise(config, precision, max_reps, workers=workers, scheduler=scheduler,
                                   trace=trace, progress=replicated, on_stage=stage,
                                   on_series=helpers.draw_series, pool=pool)
    else:
        result = run_scenario(config, workers=workers, scheduler=scheduler, trace=trace, progress=replicated,
                              on_stage=stage, on_series=helpers.draw_series, pool=pool)
    result.manifest["warnings"] = transient_warnings(result.timeseries, result.config)
    from cfc_sim.results import write_results

    def charts(run: RunResult, into: Path) -> ChartsBeingDrawn | None:
        if helpers.count:
            on_stage(f"writing the results folder (charts drawn alongside in {helpers.count} helper "
                     f"process{'es' if helpers.count > 1 else ''})")
            return helpers.draw(run, into)
        pending = helpers.draw(run, into, on_chart=lambda name: on_stage(f"drawing charts/{name}"))
        on_stage("writing the results folder")
        return pending

    write_results(result, folder, charts)
    return result
