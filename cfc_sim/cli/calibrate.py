"""`cfc-sim calibrate SPACE_FILE`: history matching of the unpublished assumptions against the
published figures (cfc_sim.calibrate, docs/calibrating.md)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from cfc_sim.cli.common import default_out, overwrite_option


class _Progress:
    """A bar per wave with the time left on a terminal; elsewhere one line on stderr per tenth of a
    wave, with the time the wave has left at the pace so far."""

    def __init__(self) -> None:
        self.stage = ""
        self.bar = None
        self.tick = None
        self.started = time.perf_counter()
        self.shown = -1

    def __call__(self, stage: str, done: int, total: int) -> None:
        from cfc_sim.cli.common import progress_bar

        if stage != self.stage:
            self.close()
            self.stage, self.started, self.shown = stage, time.perf_counter(), -1
            self.bar, self.tick = progress_bar(total, f"calibrate: {stage}")
            if self.bar is not None:
                self.bar.start()
        if self.bar is not None and self.tick is not None and done:
            self.tick(1)
            return
        step = max(1, total // 10)
        if done and (done % step == 0 or done == total) and done != self.shown:
            self.shown = done
            elapsed = time.perf_counter() - self.started
            left = elapsed / done * (total - done)
            click.echo(f"  {stage}: {done}/{total} points, {elapsed:.0f} s, about {left:.0f} s left", err=True)

    def note(self, text: str) -> None:
        """A step between the simulated stages (emulator fits, screening): one line on stderr."""
        self.close()
        self.stage = ""
        click.echo(f"  {text} ...", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
        self.bar = None


@click.command()
@click.argument("space_file", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False),
              help="Calibration folder (default results/calibrate-<name>-<time>).")
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True)
@click.option("--scheduler", metavar="ADDR", help="Dask distributed scheduler address.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), help="Default: the space file's seed.")
@click.option("--points", type=click.IntRange(min=2, max=100_000),
              help="Points run per wave (default: the space file's).")
@click.option("--waves", type=click.IntRange(min=1, max=20), help="Emulator waves (default: the space file's).")
@overwrite_option
def calibrate(space_file: str, out: str | None, workers: int, scheduler: str | None, seed: int | None,
              points: int | None, waves: int | None, overwrite: bool) -> None:
    """History matching: run a Latin hypercube of assumption sets, emulate each published figure,
    refocus on the non-implausible region wave by wave, then run the survivors and keep every set
    whose figures are all in band (accepted_sets.csv, fit.csv, design.csv)."""
    from cfc_sim.calibrate.outputs import summary_lines, write_calibration
    from cfc_sim.calibrate.procedure import run_calibration
    from cfc_sim.calibrate.space import load_space
    from cfc_sim.output_folder import check_folder

    space = load_space(space_file)
    folder = check_folder(Path(out) if out else default_out(f"calibrate-{space.name}"), "calibrate",
                          overwrite=overwrite)
    progress = _Progress()
    try:
        result = run_calibration(space, points=points, waves=waves, seed=seed, workers=workers,
                                 scheduler=scheduler, progress=progress, on_stage=progress.note)
    finally:
        progress.close()
    write_calibration(result, folder)
    for line in summary_lines(result):
        click.echo(line)
    click.echo(f"calibration: {folder}")
    sys.stdout.flush()
