"""`cfc-sim run` and `cfc-sim validate`: a scenario's replications into a results folder, with the
headline on the terminal; scenario files checked without running them."""

from __future__ import annotations

from pathlib import Path

import click

from cfc_sim.cli.common import (
    CountOrAuto,
    Stages,
    all_areas,
    default_out,
    load_config,
    only_with,
    overwrite_option,
    progress_bar,
    scheduler_address,
    workers_unused,
)
from cfc_sim.errors import ScenarioError
from cfc_sim.safe_text import terminal_text


@click.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@click.option("--reps", type=CountOrAuto(100_000), help="Replications (default: the scenario's), or 'auto'.")
@click.option("--precision", type=click.FloatRange(min=0.0001, max=1), default=0.05, show_default=True,
              help="With --reps auto: the 95% half-width of every national headline KPI within this share of "
                   "its mean, and of each area's CIR on-time share within this many points (0.05: +-5 points).")
@click.option("--max-reps", type=click.IntRange(min=2, max=100_000), default=200, show_default=True,
              help="With --reps auto: the most replications to run.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), help="Seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False), help="Results folder (default results/<name>-<time>).")
@overwrite_option
@click.option("--workers", type=CountOrAuto(512), default="auto", show_default=True,
              help="Local processes to run replications in; auto: one for a run of under about 10 s, else "
                   "every CPU (at most one per area of every replication: a replication's areas are split between "
                   "workers the replications would leave idle). The numbers are the same whatever the workers.")
@click.option("--scheduler", metavar="ADDR", callback=scheduler_address, help="Dask distributed scheduler address, e.g. tcp://host:8786.")
@click.option("--trace", is_flag=True, help="Also write events.csv.gz, one row per case event.")
def run(scenario: str | None, reps: int | str | None, precision: float, max_reps: int, seed: int | None,
        out: str | None, overwrite: bool, workers: int | str, scheduler: str | None, trace: bool) -> None:
    """Run replications of SCENARIO (default: the built-in national rollout) and write a results folder."""
    from cfc_sim.output_folder import check_folder
    from cfc_sim.runner import run_to_folder
    from cfc_sim.workload import auto_workers, work_notice

    auto = reps == "auto"
    workers_unused(click.get_current_context(), scheduler)
    for option in ("--precision", "--max-reps"):
        only_with(click.get_current_context(), option, "--reps auto", auto)
    config = load_config(scenario).with_run_options(replications=None if auto else reps, seed=seed)
    folder = check_folder(Path(out) if out else default_out(config.name), "run", overwrite=overwrite)
    planned = config.with_run_options(replications=max_reps) if auto else config
    workers = auto_workers(planned) if workers == "auto" else int(workers)
    from cfc_sim.scenario.checks import scenario_notes

    notes = scenario_notes(config)  # also among the run's warnings, for the report
    for note in notes:
        click.echo(terminal_text(f"note: {note}"), err=True)
    notice = work_notice(planned, workers)
    if notice:
        click.echo(f"{'up to ' if auto else ''}{notice}", err=True)
    bar, tick = progress_bar(max_reps if auto else config.replications, f"{config.name}: replications")
    stage = Stages()

    def on_stage(step: str) -> None:
        if bar is not None:
            bar.stop()
        stage(step)

    if bar is not None:
        bar.start()
    try:
        result = run_to_folder(config, folder, workers=workers, scheduler=scheduler, trace=trace,
                               precision=precision if auto else None, max_reps=max_reps, progress=tick,
                               on_stage=on_stage)
    finally:
        if bar is not None:
            bar.stop()
    warnings = [w for w in result.manifest["warnings"] if w not in notes]  # the notes were printed first
    stage.done()
    _print_headline(result, folder)
    if auto:
        from cfc_sim.metric_catalogue import whole_run_name
        from cfc_sim.output_analysis import precision_note

        click.echo(precision_note(result.replications, precision, whole_run_name(a.name for a in config.areas)))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"results: {folder}")


def _print_headline(result, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """England against the targets, then the areas at risk worst first, and where to look next."""
    from cfc_sim.at_risk import areas_at_risk, format_check, national_checks
    from cfc_sim.manifest import calibration_line
    from cfc_sim.metric_catalogue import whole_run_name

    config = result.config
    shown = terminal_text(str(folder))
    reps, areas_count = config.replications, len(config.areas)
    click.echo(f"{terminal_text(config.name)}: {reps} replication{'s' if reps != 1 else ''}, {areas_count} "
               f"area{'s' if areas_count != 1 else ''}, {config.header.horizon_months} months from "
               f"{config.header.start}" + ("; one replication gives no intervals: use --reps 2 or more to judge "
                                           "targets" if reps == 1 else ""))
    for mechanisms, areas in config.mechanisms().items():
        where = "every area" if len(areas) == len(config.areas) else f"{len(areas)} of {len(config.areas)} areas"
        click.echo(f"model: {mechanisms} in {where}")
    click.echo(f"calibration: {terminal_text(calibration_line(config))}")
    together = all_areas(len(config.areas)) + (" together" if len(config.areas) > 1 else "")
    if whole_run_name(a.name for a in config.areas) == "England":
        together = f"England: {together[:1].lower()}{together[1:]}"
    click.echo(f"{together} (rows ALL in the results):")
    for check in national_checks(result.summary, config):
        click.echo(f"  {format_check(check)}")
    risks = areas_at_risk(result.summary, result.readiness, config, results=shown,
                          monthly=result.monthly_summary())
    target = config.header.targets.cir_on_time_share
    end = config.end
    unjudged = [a for a in config.areas if a.go_live >= end]
    if not risks:
        judged = len(config.areas) - len(unjudged)
        every = ("every area" if not unjudged else "the one area judged" if judged == 1
                 else f"each of the {judged} areas judged")
        click.echo(f"Areas at risk: none ({every} files at least {target:.0%} of CIRs on time, keeps up with "
                   "its demand and is green at its planned go-live)")
    else:
        click.echo(f"Areas at risk, worst first ({len(risks)} of {len(config.areas)}: CIRs on time below "
                   f"{target:.0%}, not keeping up with demand, or not green at the planned go-live):")
        for rank, risk in enumerate(risks[:AT_RISK_SHOWN], start=1):
            click.echo(f"  {rank}. {terminal_text(risk.area)}: {terminal_text(risk.main_reason)}")
            for reason in risk.reasons[1:]:
                click.echo(f"     also {terminal_text(reason)}")
            click.echo(f"     look next: {risk.look_next}")
        if len(risks) > AT_RISK_SHOWN:
            click.echo(f"  ... and {len(risks) - AT_RISK_SHOWN} more (all in the report)")
    if unjudged:  # no month of theirs is judged: "at risk: none" says nothing of them
        click.echo(f"Not judged: {len(unjudged)} area(s) planned to go live on or after the run's end {end}: "
                   + ", ".join(f"{terminal_text(a.name)} ({a.go_live})" for a in unjudged[:6])
                   + (", ..." if len(unjudged) > 6 else ""))
    click.echo(f"look next: cfc-sim readiness {shown} (every area's status and why), "
               f"cfc-sim report {shown} (the leaders' report)")


AT_RISK_SHOWN = 10  # the worst areas listed in the terminal; the report lists every one


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(scenarios: tuple[str, ...]) -> None:
    """Check scenario files without running them; print every problem with its key path."""
    from cfc_sim.scenario.checks import scenario_notes
    from cfc_sim.scenario.loading import load_scenario

    failed = False
    for path in scenarios:
        try:
            config = load_scenario(path)
        except ScenarioError as exc:
            failed = True
            for line in exc.lines():
                click.echo(terminal_text(line), err=True)
            continue
        count = len(config.areas)
        click.echo(f"{path}: valid ({count} area{'s' if count != 1 else ''}, {config.header.horizon_months} months, "
                   f"{config.replications} replications)")
        for note in scenario_notes(config):
            click.echo(terminal_text(f"  note: {note}"))
    if failed:
        click.get_current_context().exit(2)
