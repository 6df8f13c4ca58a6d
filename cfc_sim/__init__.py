"""cfc_sim: workforce-capacity simulation for the rollout of Child Focused Courts.

The flow: scenario file -> validated config (`load_scenario`) -> model (`simulate`, one
replication) -> replications (`run`) -> summary, readiness -> results folder, charts, report.

    >>> import cfc_sim
    >>> result = cfc_sim.run("scenarios/example-small.yaml", reps=3)   # doctest: +SKIP
    >>> result.summary.query("area == 'ALL' and pathway == 'all'")    # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cfc_sim.compiled import choose_build

MODEL_BUILD = choose_build()  # before any model module is imported: compiled (mypyc) or pure Python

from cfc_sim.scenario.default import default_scenario_path  # noqa: E402
from cfc_sim.version import __version__  # noqa: E402

if TYPE_CHECKING:
    from cfc_sim.results import RunResult
    from cfc_sim.scenario.schema import ScenarioConfig


def load_scenario(path: str | Path | None = None) -> ScenarioConfig:
    """Load and validate a scenario file (the built-in national default when `path` is None)."""
    from cfc_sim.scenario.loading import load_scenario as _load

    return _load(path if path is not None else default_scenario_path())


def run(scenario: str | Path | ScenarioConfig | None = None, *, reps: int | None = None,
        seed: int | None = None, workers: int = 1, scheduler: str | None = None, trace: bool = False,
        out: str | Path | None = None, overwrite: bool = False) -> RunResult:
    """Run a scenario's replications and return pandas frames; write a results folder if `out` (an
    existing one only with `overwrite`, as on the command line, checked before any work). A config
    object is validated again, as a scenario file is: `model_copy(update=...)` skips pydantic's checks."""
    from cfc_sim.experiment import run_scenario
    from cfc_sim.scenario.schema import ScenarioConfig as _Config
    from cfc_sim.scenario.variants import config_variant

    config = config_variant(scenario, {}) if isinstance(scenario, _Config) else load_scenario(scenario)
    config = config.with_run_options(replications=reps, seed=seed)
    if out is not None:
        from cfc_sim.output_folder import check_folder

        check_folder(Path(out), "run", overwrite=overwrite)
    result = run_scenario(config, workers=workers, scheduler=scheduler, trace=trace)
    if out is not None:
        from cfc_sim.charts import draw_run_charts
        from cfc_sim.results import write_results

        write_results(result, Path(out), draw_run_charts)
    # the reproduce command names the folder written, or where one would be
    where = str(out) if out is not None else "RESULTS"
    result.manifest["command"] = str(result.manifest.get("command", "")).replace("{out}", where)
    return result


__all__ = ["__version__", "load_scenario", "run", "default_scenario_path"]
