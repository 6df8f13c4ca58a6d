"""The `cfc-sim` command line: parse, call the library, print, choose the exit code.

Exit codes: 0 success; 2 invalid input (scenario, arguments, results folder); 1 an unexpected
internal error; 130 interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM). Errors are one clear
message on stderr; `--debug` shows the traceback. The commands live by verb group: `run` (run,
validate), `results` (readiness, compare, report), `planning` (sweep, plan, sensitivity, rollout), `calibrate`;
`common` holds what they share. Heavy imports (pandas, matplotlib, dask) happen inside commands
so `--help` stays fast.
"""

from __future__ import annotations

import traceback
import warnings
from typing import TextIO

import click

from cfc_sim.cli import calibrate as calibrate_commands
from cfc_sim.cli import planning, results
from cfc_sim.cli import run as run_commands
from cfc_sim.cli.common import State
from cfc_sim.compiled import model_build
from cfc_sim.errors import ScenarioError, UserError
from cfc_sim.executor import EXIT_SIGINT, EXIT_SIGTERM, Terminated, terminate_cleanly
from cfc_sim.kept import reset as kept_reset
from cfc_sim.kept import said as kept_said
from cfc_sim.safe_text import terminal_text
from cfc_sim.seal import FolderWarning
from cfc_sim.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cfc-sim", message=f"%(prog)s %(version)s, model {model_build()}")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
def cli(debug: bool) -> None:
    """Workforce-capacity simulation for the rollout of Child Focused Courts.

    Run `cfc-sim run` for the built-in national scenario, or `cfc-sim run FILE.yaml`.
    """
    State.debug = debug


for command in (run_commands.run, run_commands.validate, results.readiness, results.compare, results.report,
                planning.sweep, planning.plan, planning.sensitivity, planning.rollout,
                calibrate_commands.calibrate):
    cli.add_command(command)


_LIBRARY_SHOW = warnings.showwarning


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """cfc-sim's own warnings about folders and caches as one `warning:` line; others as Python shows them."""
    if issubclass(category, FolderWarning):
        click.echo(f"warning: {terminal_text(message)}", err=True)
    else:
        _LIBRARY_SHOW(message, category, filename, lineno, file, line)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point (`sys.exit(main())`): runs one command and returns its exit code,
    mapping errors to exit codes and one-line messages."""
    kept_reset()
    try:
        with terminate_cleanly(), warnings.catch_warnings():
            warnings.simplefilter("always", FolderWarning)
            warnings.showwarning = _show_warning
            code = cli.main(args=argv, prog_name="cfc-sim", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return 2
    except (click.Abort, KeyboardInterrupt) as exc:  # click turns KeyboardInterrupt into Abort
        terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)
        what = "terminated (SIGTERM)" if terminated else "interrupted"
        click.echo(terminal_text(f"{what}: workers stopped; {kept_said()}"), err=True)
        return EXIT_SIGTERM if terminated else EXIT_SIGINT
    except ScenarioError as exc:
        for line in exc.lines():
            click.echo(f"error: {terminal_text(line)}", err=True)
        return 2
    except UserError as exc:
        click.echo(f"error: {terminal_text(exc)}", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - the one place that turns surprises into exit 1
        if State.debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        return 1
    return code if isinstance(code, int) else 0  # a command returns None; `ctx.exit(n)` and --help give n


__all__ = ["cli", "main"]
