"""Many replications of one scenario, on any executor, with identical numbers.

Replication r is `simulate(config, r)`: a pure function, so running it in this process, in N
local processes or on a Dask cluster gives bit-identical outputs. Outputs are put back in
replication order before anything is summarised.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cfc_sim.cache import RUN_KEY, run_key
from cfc_sim.executor import WorkerPool, run_tasks, splits_to_fill
from cfc_sim.manifest import build_manifest, utc_now
from cfc_sim.model import ReplicationOutput, simulate
from cfc_sim.model.simulation import AreasRun, combine_areas, make_calendar, simulate_areas
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.workload import area_parts

if TYPE_CHECKING:
    from cfc_sim.results import RunResult  # pandas: imported when the outputs are assembled

Progress = Callable[[int], None]  # called with the number of replications just finished
Stage = Callable[[str], None]  # called with what the next step after the simulation is, so none is silent


def run_replications(
    config: ScenarioConfig,
    replications: Sequence[int],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    trace: bool = False,
    progress: Progress | None = None,
    pool: WorkerPool | None = None,
) -> list[ReplicationOutput]:
    """Run the listed replications (on `cfc_sim.executor`; on `pool`'s worker processes if given,
    this process staying free) and return their outputs sorted by replication.

    With more worker processes than the replications fill evenly (5 replications on 2 workers
    would leave one idle in a third round), each replication's areas are split into parts of about
    equal work, run as tasks of their own and combined here as each replication's last part comes
    in: the same numbers, since every area runs in its own environment either way."""
    tick = progress or (lambda n: None)
    processes = pool.workers if pool is not None else (1 if scheduler else workers)
    split = splits_to_fill(processes, len(replications), most=len(config.areas))
    parts = area_parts(config.areas, split, config.header.horizon_months) if split > 1 else []
    split = len(parts)  # the parts there are (none is empty, and there are never more than areas)
    if split <= 1:
        outputs = run_tasks(simulate, [(config, r, trace) for r in replications], workers=workers,
                            scheduler=scheduler, on_result=lambda i, output: tick(1), pool=pool)
        return sorted(outputs, key=lambda o: o.replication)
    reps = list(replications)
    arrived: dict[int, list[list[AreasRun]]] = {r: [] for r in reps}
    combined: dict[int, ReplicationOutput] = {}

    def part_done(i: int, runs: list[AreasRun]) -> None:
        r = reps[i // split]
        arrived[r].append(runs)
        if len(arrived[r]) == split:
            parts_of_r = arrived.pop(r)
            combined[r] = combine_areas(config, r, parts_of_r)
            for part in parts_of_r:
                part.clear()  # run_tasks keeps each task's result until the last: the areas' counts go now
            tick(1)

    run_tasks(simulate_areas, [(config, r, names, trace) for r in reps for names in parts], workers=workers,
              scheduler=scheduler, on_result=part_done, pool=pool)
    return [combined[r] for r in sorted(reps)]


def run_scenario(
    config: ScenarioConfig,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    trace: bool = False,
    progress: Progress | None = None,
    on_stage: Stage | None = None,
    pool: WorkerPool | None = None,
) -> RunResult:
    """Run every replication of `config` and assemble frames, summary and readiness."""
    started = utc_now()
    clock = time.perf_counter()
    outputs = run_replications(config, range(config.replications), workers=workers, scheduler=scheduler,
                               trace=trace, progress=progress, pool=pool)
    return assemble(config, outputs, started, time.perf_counter() - clock, on_stage)


AUTO_BATCH = 5  # replications added at least per step of --reps auto


def run_until_precise(
    config: ScenarioConfig,
    precision: float,
    max_reps: int,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    trace: bool = False,
    progress: Progress | None = None,
    on_stage: Stage | None = None,
    pool: WorkerPool | None = None,
) -> RunResult:
    """`--reps auto`: add replications in parallel batches until every headline national KPI's
    95% half-width is within `precision` of its mean (or `max_reps` is reached).

    After each batch the replications still needed are estimated from the widest relative
    half-width (half-widths shrink as 1 / sqrt(n)), so few batches are needed. Replication r is
    always stream r, so the result equals a plain run with the final count.
    """
    from cfc_sim.output_analysis import replications_needed

    started = utc_now()
    clock = time.perf_counter()
    batch = AUTO_BATCH  # not tied to the workers: the replications chosen must not depend on the machine
    outputs: list[ReplicationOutput] = []
    target = min(batch, max_reps)
    while True:
        outputs += run_replications(config, range(len(outputs), target), workers=workers, scheduler=scheduler,
                                    trace=trace, progress=progress, pool=pool)
        needed = replications_needed(outputs, precision)
        if needed <= len(outputs) or len(outputs) >= max_reps:
            break
        target = min(max_reps, max(needed, len(outputs) + batch))
    final = config.with_run_options(replications=len(outputs))
    return assemble(final, outputs, started, time.perf_counter() - clock, on_stage)


def prepare_assembly(config: ScenarioConfig | None) -> None:
    """What `assemble` and the folder need that does not depend on the outputs: the libraries
    (pandas, pyarrow, scipy.special: about 0.5 s) and, given the final `config`, its resolved
    scenario text (memoised; 0.25 s for the national scenario). A run calls this in a thread while
    its replications run in worker processes, where this process would otherwise wait; any failure
    is left for `assemble` to meet again."""
    try:
        import pyarrow.parquet  # noqa: F401
        import scipy.special  # noqa: F401

        import cfc_sim.readiness_view  # noqa: F401
        import cfc_sim.results  # noqa: F401
        from cfc_sim.scenario.resolved import resolved_yaml

        if config is not None:
            resolved_yaml(config)
    except Exception:  # noqa: BLE001, S110 - only a head start: the same work is done again where it is needed
        pass


def assemble(config: ScenarioConfig, outputs: list[ReplicationOutput], started: dt.datetime,
             wall_seconds: float, on_stage: Stage | None = None) -> RunResult:
    """Frames, summary, readiness and manifest from the replications' outputs."""
    from cfc_sim.readiness_view import readiness_frame
    from cfc_sim.results import RunResult, events_frame, replications_frame, summary_frame, timeseries_frame

    stage = on_stage or (lambda step: None)
    calendar = make_calendar(config)
    areas = [a.name for a in config.areas]
    stage(f"summarising {len(outputs)} replications (summary, monthly series)")
    replications = replications_frame(outputs, areas)
    timeseries = timeseries_frame(outputs, calendar.month_labels)
    command = f"cfc-sim run {{out}}/scenario.resolved.yaml --reps {config.replications} --seed {config.seed}"
    manifest = {
        **build_manifest(config, source=config.source, started=started, wall_seconds=wall_seconds, command=command),
        "cache_key": run_key(config, RUN_KEY),  # a sweep reuses the folder of a variant with this key
    }
    summary = summary_frame(replications, areas, inner_replications=(
        config.uncertainty.inner_replications if config.uncertainty else None))
    stage(f"readiness of {len(areas)} areas, month by month")
    return RunResult(
        config=config,
        replications=replications,
        summary=summary,
        timeseries=timeseries,
        readiness=readiness_frame(config, calendar, timeseries),
        manifest=manifest,
        events=events_frame(outputs, config.header.start),
    )
