"""One `cfc-sim run`, from its validated config to its results folder.

The flow is the one of `cfc_sim.experiment` (replications -> frames, summary, readiness) and
`cfc_sim.results` (the folder, charts drawn in this process); this module decides where the
replications run:

- in this process, in worker processes (`--workers N`) or on Dask, bit-identical either way;
- worker processes start before anything else is imported here (`cfc_sim.executor.WorkerPool`),
  so their own start-up (about 0.4 s) overlaps this process's, and they have all exited (waited
  for) by the time this returns, whether the run ends normally, with an error or interrupted;
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

from cfc_sim.executor import WorkerPool, lower_thread_priority

if TYPE_CHECKING:
    from cfc_sim.results import RunResult
    from cfc_sim.scenario.schema import ScenarioConfig

Progress = Callable[[int], None]  # replications just finished
Stage = Callable[[str], None]  # the next step after the simulation, so none is silent


def run_to_folder(config: ScenarioConfig, folder: Path, *, workers: int, scheduler: str | None, trace: bool,
                  precision: float | None, max_reps: int, progress: Progress, on_stage: Stage) -> RunResult:
    """Run `config` (`precision` set: `--reps auto` up to `max_reps`) and write its results folder;
    `progress` is told of each replication finished, `on_stage` of each step after them."""
    planned = config.with_run_options(replications=max_reps) if precision is not None else config
    # as many processes as there can be tasks, at most: a replication's areas may be split between several
    processes = 0 if scheduler else min(workers, planned.replications * len(planned.areas))
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(WorkerPool(processes, preload=("cfc_sim.model",))) if processes > 1 else None
        result = _run(config, folder, pool, workers=workers, scheduler=scheduler, trace=trace, precision=precision,
                      max_reps=max_reps, progress=progress, on_stage=on_stage)
    return result


def _run(config: ScenarioConfig, folder: Path, pool: WorkerPool | None, *, workers: int, scheduler: str | None,
         trace: bool, precision: float | None, max_reps: int, progress: Progress, on_stage: Stage) -> RunResult:
    from cfc_sim.experiment import prepare_assembly, run_scenario, run_until_precise
    from cfc_sim.output_analysis import transient_warnings

    preparing = None
    if pool is not None or scheduler:
        def prepare() -> None:
            lower_thread_priority()  # a worker may share this CPU: it goes first
            prepare_assembly(None if precision is not None else config)

        preparing = threading.Thread(target=prepare, daemon=True, name="cfc-sim-prepare")

    def stage(step: str) -> None:
        if pool is not None:
            pool.release()  # the workers exit while the outputs are assembled
        if preparing is not None:
            preparing.join()  # usually done long before the replications
        on_stage(step)

    if preparing is not None:
        preparing.start()
    if precision is not None:
        result = run_until_precise(config, precision, max_reps, workers=workers, scheduler=scheduler,
                                   trace=trace, progress=progress, on_stage=stage, pool=pool)
    else:
        result = run_scenario(config, workers=workers, scheduler=scheduler, trace=trace, progress=progress,
                              on_stage=stage, pool=pool)
    from cfc_sim.scenario.checks import scenario_notes

    # values that are valid but probably not meant (e.g. turnover 4 for 4%), as `run` noted at its
    # start, then the drift check: the report shows a run's warnings to readers who never saw the terminal
    result.manifest["warnings"] = [*scenario_notes(result.config),
                                   *transient_warnings(result.timeseries, result.config)]
    from cfc_sim.charts import draw_run_charts
    from cfc_sim.results import write_results

    def charts(run: RunResult, into: Path) -> None:
        draw_run_charts(run, into, on_chart=lambda name: on_stage(f"drawing charts/{name}"))
        on_stage("writing the results folder")

    write_results(result, folder, charts)
    return result
