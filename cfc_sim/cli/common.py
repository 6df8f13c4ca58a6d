"""What the commands share: the loaded scenario, a default output folder, the progress bar, the
`N|auto` option type, and one line on stderr per step of a long command.

Heavy imports (rich, the results module) happen inside the helpers so `cfc-sim --help` stays fast.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from cfc_sim.scenario.default import default_scenario_path


class State:
    """Options of the `cfc-sim` group that the error handling in `main` reads."""

    debug = False


def load_config(scenario: str | None):  # type: ignore[no-untyped-def]
    """The validated scenario at `scenario` (the built-in national default when None)."""
    from cfc_sim.scenario.loading import load_scenario

    return load_scenario(scenario if scenario is not None else default_scenario_path())


def all_areas(count: int) -> str:
    """The `ALL` rows in words: England only when every area is modelled, which a count cannot tell."""
    return {1: "The one area", 2: "Both areas"}.get(count, f"All {count} areas")


def default_out(name: str) -> Path:
    from cfc_sim.results import slug

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{slug(name)}-{stamp}"


def progress_bar(total: int, label: str):  # type: ignore[no-untyped-def]
    """A rich progress bar on a terminal, else nothing (CI logs stay clean)."""
    if not sys.stdout.isatty():
        return None, lambda n: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn())
    task = bar.add_task(label, total=total)
    return bar, lambda n: bar.advance(task, n)


class CountOrAuto(click.ParamType):
    """A whole number in 1..`maximum`, or `auto` (the command decides)."""

    name = "N|auto"

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum

    def convert(self, value, param, ctx):
        if isinstance(value, int) or value == "auto":
            return value
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{value!r} is not a whole number or 'auto'", param, ctx)
        if not 1 <= number <= self.maximum:
            self.fail(f"{number} is not in the range 1 to {self.maximum}", param, ctx)
        return number


class Stages:
    """One line on stderr as each step after the simulation starts, with the time the last one took,
    so a long step (summary, readiness, charts) is never silent."""

    def __init__(self) -> None:
        self._clock = time.perf_counter
        self._since: float | None = None

    def __call__(self, step: str) -> None:
        self._finish()
        click.echo(f"  {step} ...", err=True)
        self._since = self._clock()

    def _finish(self) -> None:
        if self._since is not None:
            click.echo(f"    ({self._clock() - self._since:.1f} s)", err=True)
        self._since = None

    def done(self) -> None:
        self._finish()


overwrite_option = click.option(
    "--overwrite", is_flag=True,
    help="Replace the --out folder if it already holds this command's earlier output (without it, an existing "
         "folder is refused and left as it is).")


# A Dask scheduler address: tcp://host:8786, tls://..., inproc://..., or host:port (no spaces).
_SCHEDULER = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx|inproc)://[^\s/]\S*|[A-Za-z0-9._\-\[\]:%]+)$")


def scheduler_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--scheduler` checked when it is parsed: empty or not an address is exit 2 at once (never a
    silent local run, never a traceback after a connection timeout)."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("is empty; give a Dask scheduler address such as tcp://host:8786, or leave "
                                 "--scheduler out to run on this machine")
    if not _SCHEDULER.match(value.strip()):
        raise click.BadParameter(f"{value!r} is not a Dask scheduler address (such as tcp://host:8786)")
    return value.strip()


def only_with(ctx: click.Context, option: str, needs: str, given: bool) -> None:
    """Refuse `option` given on the command line when `needs` is not: it would have no effect."""
    from click.core import ParameterSource

    name = option.lstrip("-").replace("-", "_")
    if not given and ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
        raise click.UsageError(f"{option} has no effect without {needs}; add {needs} or leave {option} out")


def workers_unused(ctx: click.Context, scheduler: str | None) -> None:
    """Refuse `--workers` given with `--scheduler`: the cluster's workers run the replications."""
    from click.core import ParameterSource

    if scheduler and ctx.get_parameter_source("workers") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--workers has no effect with --scheduler (the Dask cluster's workers run the "
                               "replications); leave one of them out")
