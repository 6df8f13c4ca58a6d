"""The planning commands: `sweep` (a grid of variants), `plan` (FCAs per area for targets, and the
FCA need), `sensitivity` (which inputs drive the outcomes) and `rollout` (go-live months)."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from pathlib import Path

import click

from cfc_sim.cli.common import (
    all_areas,
    default_out,
    load_config,
    only_with,
    overwrite_option,
    scheduler_address,
    workers_unused,
)
from cfc_sim.errors import UserError
from cfc_sim.kept import note as note_kept
from cfc_sim.kept import rerun_with
from cfc_sim.metric_catalogue import BY_NAME, CIR_OUTPUT, NATIONAL, READY_MEAN, whole_run_name
from cfc_sim.progress import CountProgress
from cfc_sim.results_files import NEED_CSV
from cfc_sim.safe_text import terminal_text
from cfc_sim.suggest import check_area, check_metric


def _validation_progress() -> Callable[[int, int], None]:
    """A line on stderr about every 2 s while a large grid's variants are validated."""
    last = [time.monotonic()]

    def show(done: int, total: int) -> None:
        if total >= 20 and (time.monotonic() - last[0] >= 2 or done == total):
            last[0] = time.monotonic()
            click.echo(f"  sweep: {done}/{total} variants validated", err=True)

    return show


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--set", "settings", multiple=True, required=True, metavar="KEY=V1,V2,...",
              help="A swept key (dotted path: defaults.workforce.fcas, areas.Essex.go_live, areas.*.workforce.fcas) "
                   "and its values; repeat for a grid.")
@click.option("--metric", default="wait_to_allocation_days_mean", show_default=True,
              help="Metric drawn against the first swept key in sweep.png.")
@click.option("--reps", type=click.IntRange(min=1, max=100_000), help="Replications per variant.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), help="Seed shared by every variant.")
@click.option("--out", type=click.Path(file_okay=False), help="Sweep folder (default results/sweep-<name>-<time>).")
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True)
@click.option("--scheduler", metavar="ADDR", callback=scheduler_address, help="Dask distributed scheduler address.")
@click.option("--area", "areas", multiple=True,
              help="Also show the metric for this area (repeatable), with its own chart sweep-<area>.png.")
def sweep(scenario: str, settings: tuple[str, ...], metric: str, reps: int | None, seed: int | None,
          out: str | None, workers: int, scheduler: str | None, areas: tuple[str, ...]) -> None:
    """Run a grid of variants of SCENARIO with common random numbers; write one results folder per
    variant, sweep.csv and sweep.png (England; sweep-<area>.png per --area). Rerunning with the same
    --out reuses finished variants."""
    workers_unused(click.get_current_context(), scheduler)
    from cfc_sim.charts import draw_run_charts, sweep_chart
    from cfc_sim.output_folder import write_file
    from cfc_sim.results import slug
    from cfc_sim.scenario.variants import parse_setting
    from cfc_sim.sweep import run_sweep, tidy_earlier_grids
    from cfc_sim.sweep_view import NOT_LIVE, is_date_metric, metric_view, run_span_days, where_label

    parsed = [parse_setting(s) for s in settings]
    for key, _ in parsed:
        if key.split(".")[0] == "extends":
            raise click.UsageError(f"--set {key}: a sweep varies keys of the scenario as resolved, after "
                                   "`extends`; sweep the keys themselves, or make one scenario file per base")
    check_metric(metric, "--metric")
    base = load_config(scenario)
    from cfc_sim.scenario.keys import replaced_distributions
    from cfc_sim.scenario.reading import resolve_extends

    for note in replaced_distributions(resolve_extends(Path(scenario)), [k for k, _ in parsed]):
        click.echo(f"note: {terminal_text(note)}", err=True)
    for area in areas:
        check_area(area, [a.name for a in base.areas], "--area", scenario)
    folder = Path(out) if out else default_out(f"sweep-{base.name}")
    charts = {area: f"sweep-{slug(area)}.png" for area in areas}
    progress = CountProgress(math.prod(len(values) for _, values in parsed), "variants",
                             lambda line: click.echo(f"  {line}"), "sweep")
    table = run_sweep(scenario, parsed, folder, reps=reps, seed=seed, workers=workers, scheduler=scheduler,
                      draw_charts=draw_run_charts, extra_files=list(charts.values()),
                      on_variant=lambda name, reused: progress.item(reused, name),
                      on_warning=lambda message: click.echo(f"warning: {terminal_text(message)}", err=True),
                      on_validated=_validation_progress())
    keys = [k for k, _ in parsed]
    if metric not in set(table["metric"]):
        raise UserError(f"no metric {metric!r} in the results", key="--metric")
    start = base.header.start
    names = [a.name for a in base.areas]  # a sweep's variants may not change the areas (extends is refused)
    write_file(folder / "sweep.png", lambda tmp: sweep_chart(table, keys, metric, tmp, start=start,
                                                                 run_areas=names), owner=folder)
    for area, name in charts.items():
        def draw(tmp: Path, area: str = area) -> None:
            sweep_chart(table, keys, metric, tmp, area, start=start, run_areas=names, bounds_days=run_span_days(base))

        write_file(folder / name, draw, owner=folder)
    tidy_earlier_grids(folder, list(dict.fromkeys(table["variant"])), ["sweep.csv", "sweep.png", *charts.values()],
                       lambda message: click.echo(f"warning: {terminal_text(message)}", err=True))
    shown = BY_NAME.get(metric)
    for area in (NATIONAL, *areas):
        if is_date_metric(metric) and area == NATIONAL and areas:
            continue  # one go-live day of all areas together means nothing: the areas asked for follow
        view = metric_view(table, keys, metric, area, base.header.start, run_span_days(base))
        click.echo(f"{shown.short if shown else metric}: {terminal_text(where_label(area, names))}")
        if view["value"].eq("").all() and not view["note"].eq(NOT_LIVE).any():
            click.echo("  no value in any variant (e.g. no CIRs in this area within the horizon)")
            continue
        columns = [*keys, "value", "95% interval"] + (["note"] if view["note"].ne("").any() else [])
        click.echo(view[columns].rename(columns={"value": metric}).to_string(index=False))
    click.echo(f"sweep: {folder / 'sweep.csv'}")


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--area", "areas", multiple=True, help="Area to plan (repeatable; default every area).")
@click.option("--target", "targets", multiple=True, metavar="METRIC>=X|METRIC<=X",
              help="Per-area target, e.g. cir_on_time_share>=0.9; METRIC@cap or METRIC@cfc for one pathway. "
                   "Repeat for several: all must hold at once (default: the scenario's CIR on-time target).")
@click.option("--confidence", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Probability across replications of meeting the targets "
                   "(default: readiness.performance_confidence).")
@click.option("--need", is_flag=True,
              help="Also the FCA need: FCAs needed under CFC against FCAs keeping today's CAP waits with no "
                   "area live, per area and for England, with a 95% interval of the difference (need.csv).")
@click.option("--cap-metric", default="weeks_to_decision_reported_mean", show_default=True,
              help="With --need: the CAP wait (lower is better) that must stay at today's level.")
@click.option("--cap-tolerance", type=click.FloatRange(0, 1), default=0.01, show_default=True,
              help="With --need: how far above today's value (a share of it) the CAP wait may rise.")
@click.option("--keep-up-tolerance", type=click.FloatRange(0, 1, max_open=True), default=0.05, show_default=True,
              help="Keeping up with demand: the share of the cases decided and CIRs filed with unlimited FCAs that a "
                   "staffing level may fall short by and still meet a target (docs/need.md).")
@click.option("--assumptions", type=click.Path(dir_okay=False), metavar="FILE",
              help="With --need: an accepted-sets CSV (`set`, then one column per dotted --set key, as "
                   "`cfc-sim calibrate` writes): the need under every set, its interval over sets and replications "
                   "and the assumptions driving it (need_assumptions.csv).")
@click.option("--max-extra", type=click.IntRange(min=1, max=10_000), default=200, show_default=True,
              help="Largest addition to try per area.")
@click.option("--reps", type=click.IntRange(min=1, max=100_000), help="Replications per evaluation.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1))
@click.option("--out", type=click.Path(file_okay=False), help="Plan folder (default results/plan-<name>-<time>).")
@overwrite_option
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True)
@click.option("--scheduler", metavar="ADDR", callback=scheduler_address, help="Dask distributed scheduler address.")
def plan(scenario: str, areas: tuple[str, ...], targets: tuple[str, ...], confidence: float | None, need: bool,
         cap_metric: str, cap_tolerance: float, keep_up_tolerance: float, assumptions: str | None,
         max_extra: int, reps: int | None, seed: int | None, out: str | None, overwrite: bool, workers: int,
         scheduler: str | None) -> None:
    """Smallest whole-FCA addition per area whose replications meet every target with the confidence
    (common random numbers; doubling then bisection). Writes plan.csv (and need.csv with --need);
    reruns reuse evaluations."""
    workers_unused(click.get_current_context(), scheduler)
    from cfc_sim.executor import WorkerPool
    from cfc_sim.keeping_up import KeepUp
    from cfc_sim.output_folder import check_folder, write_folder
    from cfc_sim.plan import MONTHS_LIVE, Evaluator, PlanProgress, Target, check_areas, joined
    from cfc_sim.safe_text import csv_safe

    goals = _plan_goals(targets, need, cap_metric)
    config = load_config(scenario).with_run_options(replications=reps, seed=seed)
    goals = goals or [Target("cir_on_time_share", ">=", config.header.targets.cir_on_time_share)]
    chance = confidence if confidence is not None else config.header.readiness.performance_confidence
    folder = check_folder(Path(out) if out else default_out(f"plan-{config.name}"), "plan", overwrite=overwrite)
    cache = folder.parent / f".{folder.name}.cache"
    rerun_with(f"the same command with --out {folder}", cache)
    everything = joined(goals)

    def show(rows: list[dict]) -> None:
        joint = rows[-1]  # the row for every target at once (the only row with one target)
        extra = "not found" if joint["extra_fte"] != joint["extra_fte"] else f"+{int(joint['extra_fte'])}"
        if joint["annual_cost"] > 0:
            extra += f" (£{joint['annual_cost']:,.0f} a year)"
        mean = f"  mean {joint['achieved_mean']:.3g}" if len(rows) == 1 else ""
        note = f"  ({joint['note']})" if joint["note"] else ""
        click.echo(f"  {terminal_text(joint['area']):<36} {joint['fte_now']:>5} FCAs  {extra:>24}  "
                   f"P(met)={joint['achieved_probability']:.2f}{mean}{note}")
        for row in rows[:-1]:
            detail = row["note"] if row["achieved_probability"] != row["achieved_probability"] else (
                f"P(met)={row['achieved_probability']:.2f}  mean {row['achieved_mean']:.3g}"
                + (f"  ({row['note']})" if row["note"] else ""))
            click.echo(f"  {'':<36} {row['target']}: {detail}")

    rule, sets = _need_rule(config, need, cap_metric, cap_tolerance, assumptions)  # checked before any simulation
    check_areas(config, list(areas) or [a.name for a in config.areas], max_extra)  # and before any output
    click.echo(f"plan: {everything} with probability >= {chance:.2f}, "
               f"{config.replications} replications per evaluation")
    progress = PlanProgress(lambda line: click.echo(f"  {line}", err=True))
    over_sets = None
    progress.expect(len(areas or config.areas) * (2 if need else 1))  # the CFC search, and the need's CAP one
    progress.expect_starting(len(areas or config.areas) * (4 if need else 2))  # today's and unlimited FCAs, each
    with contextlib.ExitStack() as stack:
        processes = 0 if scheduler else min(workers, config.replications * len(areas or config.areas))
        pool = stack.enter_context(WorkerPool(processes, preload=("cfc_sim.model",))) if processes > 1 else None
        evaluator = Evaluator(config, cache, workers, scheduler, pool=pool, on_run=progress.ran,
                              keep_up=KeepUp(tolerance=keep_up_tolerance))
        longer = [f"{terminal_text(a)} {m}" for a, m in evaluator.run_longer.items() if not areas or a in areas]
        if longer:
            click.echo(f"plan: areas live less than {MONTHS_LIVE} months before the horizon are run longer, so "
                       f"their CFC targets are judged on {MONTHS_LIVE} months live (months): {', '.join(longer)}")
        try:
            table, need_table = _plan_and_need(config, goals, chance, list(areas) or None, max_extra, evaluator,
                                               rule, show, progress, everything)
            if sets and need_table is not None:
                need_table, over_sets = _over_sets(config, goals, chance, list(areas) or None, max_extra, evaluator,
                                                   rule, sets, need_table)
        except KeyboardInterrupt:
            note_kept("plan", f"plan interrupted after {progress.asked} evaluations asked for ({progress.simulated} "
                              "simulated runs, counting the first ones with today's and with unlimited FCAs)")
            raise
    files = {"plan.csv": table}
    if need_table is not None:
        files[NEED_CSV] = need_table
        _print_need(need_table, config, "ALL areas planned" if areas else f"{all_areas(len(config.areas))} (ALL)")
        _note_few_replications(config.replications)
    if over_sets is not None:
        files["need_assumptions.csv"] = over_sets

    def fill(tmp: Path) -> None:
        for file, frame in files.items():
            csv_safe(frame).to_csv(tmp / file, index=False)

    write_folder(folder, "plan", fill, details={"scenario_name": config.name, "replications": config.replications})
    for name in files:
        click.echo(f"plan: {folder / name}")


def _plan_goals(targets: tuple[str, ...], need: bool, cap_metric: str) -> list:
    """The targets parsed and checked before the scenario is even loaded: options that need --need,
    metric names (with the closest names), targets none can meet."""
    from cfc_sim.plan import Target, check_reachable

    for option in ("--cap-metric", "--cap-tolerance"):
        only_with(click.get_current_context(), option, "--need", need)
    goals = [Target.parse(t) for t in targets]
    check_reachable(goals)
    for goal in goals:
        check_metric(goal.metric, "--target")
    if need:
        check_metric(cap_metric, "--cap-metric")
    return goals


def _need_rule(config, need: bool, cap_metric: str, cap_tolerance: float, assumptions: str | None):  # type: ignore[no-untyped-def]
    """With --need, the CAP rule and the accepted assumption sets (--assumptions), both checked."""
    if assumptions is not None and not need:
        raise UserError("--assumptions needs --need (it gives the FCA need's interval over assumptions)",
                        key="--assumptions")
    if not need:
        return None, None
    from cfc_sim.need import CapRule

    rule, sets = CapRule(cap_metric, cap_tolerance), None
    if assumptions is not None:
        from cfc_sim.need_assumptions import read_sets

        sets = read_sets(Path(assumptions), config, lambda message: click.echo(f"note: {message}", err=True))
        click.echo(f"need: {len(sets)} accepted assumption sets from {terminal_text(assumptions)}")
    return rule, sets


def _plan_and_need(config, goals, chance, areas, max_extra, evaluator, rule, show, progress,
                   everything):
    """plan.csv's table (its lines printed as each area is planned), then need.csv's (None without
    --need): with --need both come from one search (`need.plan_and_need`)."""
    from cfc_sim.plan import plan_areas, readiness_shortfall

    if rule is None:
        table = plan_areas(config, goals, chance, areas=areas, max_extra=max_extra, evaluator=evaluator,
                           on_area=show, progress=progress)
        need_table = None
    else:
        from cfc_sim.need import plan_and_need

        click.echo(f"need: FCAs meeting {everything} under the scenario (CFC) against FCAs keeping {rule} "
                   f"with no area live (CAP), probability >= {chance:.2f}; both {evaluator.keep_up}")
        table, need_table = plan_and_need(config, goals, chance, rule=rule, areas=areas, max_extra=max_extra,
                                          cache=evaluator.cache.folder, workers=evaluator.workers,
                                          scheduler=evaluator.scheduler, cfc=evaluator, on_area=show,
                                          progress=progress)
    national = table[(table["area"] == NATIONAL) & (table["target"] == everything)].iloc[0]
    cost = national["annual_cost"]
    total = national["extra_fte"] if national["extra_fte"] == national["extra_fte"] else 0
    unpriced = not any(a.workforce.cost_per_fte_day > 0 for a in config.areas)
    priced = (f", about £{cost:,.0f} a year for the FCAs added to today's" if cost > 0 else
              " (set workforce.cost_per_fte_day to price it)" if total and unpriced else "")
    rows = table[(table["area"] != NATIONAL) & (table["target"] == everything)]
    unjudged = rows["note"].astype(str).str.contains("target ignored|no target can be judged")
    missing = int((rows["extra_fte"].isna() & ~unjudged).sum())
    ignored = int((rows["extra_fte"].isna() & unjudged).sum())
    unmet = (f"; {missing} area(s) not met within --max-extra, not counted" if missing else "") + (
        f"; {ignored} area(s) where the target cannot be judged (ignored)" if ignored else "")
    click.echo(f"  {NATIONAL:<36} {int(national['fte_now']):>5} FCAs  +{total:.0f} in total{priced}{unmet}")
    short_fte, short_areas = readiness_shortfall(config, table, everything)
    if short_fte:
        click.echo(f"  readiness criterion 1 asks for {short_fte} more CFC-trained FCAs than this plan, in the "
                   f"{short_areas} area(s) noted above: planned to the letter they show red on capacity at go-live "
                   "(the criterion asks for headroom: readiness.capacity_headroom)")
    return table, need_table


FEW_SETS_FOR_DRIVERS = 8  # a rank correlation over fewer sets is +-1 by chance too often to rank by


def _over_sets(config, goals, chance, areas, max_extra, evaluator, rule, sets, need_table):
    """need.csv with its interval over the accepted assumption sets and replications, and the per-set table."""
    from cfc_sim.need import plan_and_need
    from cfc_sim.need_assumptions import MIN_SETS_TO_RANK, need_over_sets, with_assumptions
    from cfc_sim.plan import Evaluator, PlanProgress

    def need_of(variant, number):
        progress = PlanProgress(lambda line: click.echo(f"  set {number}: {line}", err=True))
        progress.expect(len(areas or variant.areas) * 2)
        cfc = Evaluator(variant, evaluator.cache.folder, evaluator.workers, evaluator.scheduler, pool=evaluator.pool,
                        keep_up=evaluator.keep_up, on_run=progress.ran)
        return plan_and_need(variant, goals, chance, rule=rule, areas=areas, max_extra=max_extra, cfc=cfc,
                             progress=progress)[1]

    whole = whole_run_name(a.name for a in config.areas) if not areas else "the areas planned"

    def said(one, table) -> None:  # type: ignore[no-untyped-def]
        england = table.iloc[0]
        click.echo(f"  set {one.number}: {whole} {england['difference']:+,.0f} FCAs", err=True)

    per_set, intervals, found = need_over_sets(config, sets, need_of, said)
    table = with_assumptions(need_table, intervals, len(sets), found)
    england = table.iloc[0]
    low, high = england["assumption_low"], england["assumption_high"]
    # the headline is the scenario's own assumptions; the interval is over the accepted sets, which need
    # not include them, so the headline may lie outside it: say which is which
    inside = low != low or high != high or low <= england["difference"] <= high  # no interval: nothing to say
    outside = "" if inside else " (the scenario's own assumptions lie outside the sets')"
    few = f" (from only {len(sets)} sets: indicative)" if len(sets) < FEW_SETS_FOR_DRIVERS else ""
    drivers = (f"; driven most by {england['drivers']}{few}" if england["drivers"] else
               f"; too few sets ({len(sets)}) to rank what drives it" if len(sets) < MIN_SETS_TO_RANK else
               "; no assumption moves it across the sets")
    def end(value: float) -> str:
        if value != value:
            return "not found"
        return f"{value:+,.0f}" if math.isfinite(value) else "unbounded (a replication's need not found in the search)"

    differences = per_set["difference"].dropna()
    sets_range = (f" (the sets' own needs {differences.min():+,.0f} to {differences.max():+,.0f})"
                  if not math.isfinite(low) or not math.isfinite(high) else "")
    click.echo(f"need ({whole}): {england['difference']:+,.0f} FCAs with the scenario's own assumptions; 95% interval "
               f"over {len(sets)} accepted assumption sets and their replications {end(low)} to {end(high)}"
               f"{sets_range}{outside}{drivers}")
    return table, per_set


def _note_few_replications(replications: int) -> None:
    """Say on stderr when the need's interval rests on too few replications to quote (docs/need.md)."""
    from cfc_sim.need_parts import FEW_REPLICATIONS_FOR_NEED

    if replications < FEW_REPLICATIONS_FOR_NEED:
        click.echo(f"note: with {replications} replications the need's interval understates the simulation's "
                   "noise (each area's need is an order statistic of its replications; at 2, an earlier model's "
                   "national need moved from +126 to +177 between seeds): use --reps "
                   f"{FEW_REPLICATIONS_FOR_NEED} or more, and a second --seed, for a figure to quote "
                   "(docs/need.md)", err=True)


def _print_need(table, config, total: str) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from cfc_sim.need_parts import financial_years, months_by_financial_year, year_columns

    name, months = config.name, months_by_financial_year(config)

    def number(value: float, sign: str = "") -> str:
        return "not found" if value != value else f"{value:{sign},.0f}"

    shown = Table(title=f"FCA need: {escape(terminal_text(name))} (CFC minus CAP, 95% bootstrap interval over "
                        "replications; hours + timeliness + transition = CFC - CAP)")
    columns = ("area", "FCAs now", "needed: CFC", "needed: CAP", "CFC - CAP", "95% interval", "hours",
               "timeliness", "transition", "£ a year after transition (hours + timeliness)", "note")
    for column in columns:
        shown.add_column(column, justify="left" if column in ("area", "note") else "right")
    for row in table.itertuples():
        interval = "" if row.ci_low != row.ci_low else f"{row.ci_low:+,.0f} to {row.ci_high:+,.0f}"
        difference = "" if row.difference != row.difference else f"{row.difference:+,.0f}"
        area = total if row.area == NATIONAL else escape(terminal_text(row.area))
        shown.add_row(area, f"{row.fte_now:,}", number(row.fcas_needed_cfc), number(row.fcas_needed_cap), difference,
                      interval, number(row.hours_fte, "+"), number(row.timeliness_fte, "+"),
                      number(row.transition_fte, "+"), number(row.annual_cost), escape(str(row.note)),
                      style="bold" if row.area == NATIONAL else None)
    console = Console(width=180)
    console.print(shown)
    england = table.iloc[0]
    def pounds(value: float) -> str:
        return f"{'-' if value < 0 else ''}£{abs(value):,.0f}"

    def year(label: str) -> str:
        part = months.get(label, 12)
        return label + (f" ({part} month{'s' if part != 1 else ''} in the horizon)" if part < 12 else "")

    years = [f"{year(label)}: {england[year_columns(label)[0]]:+,.1f} FCAs, {pounds(england[year_columns(label)[1]])}"
             for label in financial_years(table) if england[year_columns(label)[0]] == england[year_columns(label)[0]]]
    if years:
        console.print("By financial year (April to March, mean extra FCAs over the months in the horizon): "
                      + "; ".join(years), highlight=False)
    console.print("Two answers to two questions: the plan above adds FCAs to today's until every area meets its "
                  "targets under the scenario; the need is how many more FCAs CFC takes than CAP would to keep "
                  "today's CAP waits (CAP itself may need more or fewer than today's), the figure to fund the change "
                  "with (docs/need.md).", highlight=False)


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--param", "params", multiple=True, required=True, metavar="KEY=LOW:HIGH",
              help="An input and its range (dotted key as in sweeps: defaults.workforce.caseload_cap=15:25, "
                   "areas.*.workforce.fcas=3:6); repeat for each input. Whole-number keys get whole numbers.")
@click.option("--method", type=click.Choice(["morris", "sobol"]), required=True,
              help="morris: elementary effects (mu*, sigma), cheap screening; sobol: first-order and total "
                   "variance shares (S1, ST) with intervals.")
@click.option("--samples", type=click.IntRange(min=2, max=100_000),
              help="Morris trajectories (default 10; (inputs+1) points each) or Sobol base sample N "
                   "(default 64, a power of 2 is best; N x (inputs+2) points).")
@click.option("--reps", type=click.IntRange(min=1, max=100_000), default=2, show_default=True,
              help="Replications per design point (outputs are their mean).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1),
              help="Seed shared by every point, also seeding the design (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False), help="Folder (default results/sensitivity-<name>-<time>).")
@overwrite_option
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True,
              help="Local processes to run design points in.")
@click.option("--scheduler", metavar="ADDR", callback=scheduler_address, help="Dask distributed scheduler address.")
@click.option("--area", "areas", multiple=True,
              help="Area whose earliest ready month is an output (repeatable; default: every area not live "
                   "at the start).")
def sensitivity(scenario: str, params: tuple[str, ...], method: str, samples: int | None, reps: int,
                seed: int | None, out: str | None, overwrite: bool, workers: int, scheduler: str | None,
                areas: tuple[str, ...]) -> None:
    """Global sensitivity: which inputs drive England's CIR on-time share and each area's earliest ready
    month. Every design point runs with the same seed; writes sensitivity.csv, design.csv and
    sensitivity.png. Rerunning with the same --out reuses finished points."""
    workers_unused(click.get_current_context(), scheduler)
    from cfc_sim.output_folder import check_folder
    from cfc_sim.sensitivity import parse_params, run_sensitivity, write_sensitivity

    parsed = parse_params(params)
    base = load_config(scenario)
    folder = check_folder(Path(out) if out else default_out(f"sensitivity-{base.name}"), "sensitivity",
                          overwrite=overwrite)
    cache = folder.parent / f".{folder.name}.cache"
    rerun_with(f"the same command with --out {folder}", cache)
    progress: list[CountProgress] = []  # made at the first point (when the design size is known)

    def on_point(finished: int, total: int, reused: bool) -> None:
        if not progress:
            progress.append(CountProgress(total, "design points", lambda line: click.echo(f"  {line}", err=True),
                                          "sensitivity"))
        progress[0].item(reused)

    result = run_sensitivity(scenario, parsed, method, samples=samples, reps=reps, seed=seed,
                             areas=list(areas) or None, cache=cache, workers=workers, scheduler=scheduler,
                             on_point=on_point)
    write_sensitivity(result, folder, base.name)
    _print_sensitivity(result)
    click.echo(f"sensitivity: {folder}")


def _print_sensitivity(result) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    points = len(result.design)
    click.echo(f"{result.method}: {len(result.params)} inputs, {points} design points x {result.reps} replications "
               f"(seed {result.seed}; {result.runs} run, {result.reused} reused or repeated)")
    indices = result.indices
    headings = {CIR_OUTPUT: f"CIR on-time share ({result.whole})",
                READY_MEAN: f"earliest ready month, mean over {len(result.areas)} area(s)"}
    console = Console(width=160)
    for output, heading in headings.items():
        rows = indices[indices["output"] == output]
        if rows.empty:
            continue
        table = Table(title=f"Ranked inputs: {heading}")
        table.add_column("rank", justify="right")
        table.add_column("input")
        if result.method == "morris":
            names = [("mu_star", "mu*"), ("mu_star_conf", "mu* 95% +-"), ("sigma", "sigma")]
        else:
            names = [("ST", "ST"), ("ST_conf", "ST 95% +-"), ("S1", "S1"), ("S1_conf", "S1 95% +-")]
        for _, label in names:
            table.add_column(label, justify="right")
        for row in rows.itertuples():
            table.add_row(str(row.rank), row.param, *(f"{getattr(row, c):.4g}" for c, _ in names))
        console.print(table)
    for note in sobol_notes(result):
        click.echo(f"note: {note}", err=True)


SOBOL_FEW_SAMPLES = 64  # below this, Saltelli's estimates of S1 and ST are mostly noise


def sobol_notes(result) -> list[str]:  # type: ignore[no-untyped-def]
    """Say when Sobol indices cannot be read as shares of variance: too few samples, or an index
    outside 0-1 (a share of variance cannot be), or a sample count that is not a power of 2."""
    if result.method != "sobol":
        return []
    notes = []
    n = result.samples
    if n < SOBOL_FEW_SAMPLES or n & (n - 1):
        notes.append(f"--samples {n}: Sobol indices need {SOBOL_FEW_SAMPLES} or more, a power of 2 (SALib's "
                     "Saltelli design); read these as a rough screen at best")
    indices = result.indices
    outside = indices[(indices["ST"] < -0.05) | (indices["ST"] > 1.05) | (indices["S1"] < -0.05)
                      | (indices["S1"] > 1.05)] if {"ST", "S1"} <= set(indices.columns) else indices.iloc[0:0]
    if len(outside):
        notes.append(f"{len(outside)} index(es) lie outside 0-1, which a share of variance cannot: the estimates "
                     "are unreliable at this sample size (raise --samples)")
    return notes


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--budget", type=click.FloatRange(min=0), metavar="GBP_PER_YEAR",
              help="Most to spend a year on extra FCAs (default: no limit).")
@click.option("--confidence", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Probability across replications that readiness criteria 1-5 hold at go-live "
                   "(default: readiness.performance_confidence).")
@click.option("--reps", type=click.IntRange(min=1, max=100_000), help="Replications per run (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1))
@click.option("--max-extra", type=click.IntRange(min=0, max=10_000), default=200, show_default=True,
              help="Largest FCA addition to try per late area (0: none).")
@click.option("--out", type=click.Path(file_okay=False), help="Rollout folder (default results/rollout-<name>-<time>).")
@overwrite_option
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True)
@click.option("--scheduler", metavar="ADDR", callback=scheduler_address, help="Dask distributed scheduler address.")
def rollout(scenario: str, budget: float | None, confidence: float | None, reps: int | None, seed: int | None,
            max_extra: int, out: str | None, overwrite: bool, workers: int, scheduler: str | None) -> None:
    """Propose go-live months for the areas not yet live: as many on time as recruitment, training and
    the budget allow, none breaching readiness (criteria 1-5 at go-live with the confidence). Prints the
    plan against the planned dates and writes rollout.csv, rollout.png and scenario.proposed.yaml."""
    workers_unused(click.get_current_context(), scheduler)
    from cfc_sim.manifest import utc_now
    from cfc_sim.output_folder import check_folder
    from cfc_sim.progress import PlanProgress
    from cfc_sim.rollout import plan_rollout, rollout_chart, rollout_manifest, summary_line, write_rollout

    config = load_config(scenario).with_run_options(replications=reps, seed=seed)
    chance = confidence if confidence is not None else config.header.readiness.performance_confidence
    folder = check_folder(Path(out) if out else default_out(f"rollout-{config.name}"), "rollout", overwrite=overwrite)
    rerun_with(f"the same command with --out {folder}", folder.parent / f".{folder.name}.cache")
    started, clock = utc_now(), time.perf_counter()
    click.echo(f"rollout: criteria 1-5 at go-live with probability >= {chance:.2f}, {config.replications} "
               f"replications, budget {'none' if budget is None else f'£{budget:,.0f} a year'}")
    plan = plan_rollout(config, confidence=chance, budget=budget, max_extra=max_extra,
                        cache=folder.parent / f".{folder.name}.cache", workers=workers, scheduler=scheduler,
                        on_step=lambda message: click.echo(f"  {message}"),
                        progress=PlanProgress(lambda line: click.echo(f"  {line}", err=True), label="rollout"))
    manifest = rollout_manifest(config, scenario, folder, confidence=chance, budget=budget, max_extra=max_extra,
                                started=started, wall_seconds=time.perf_counter() - clock)
    write_rollout(plan, folder, manifest, rollout_chart)
    _print_rollout(plan, config.name)
    if plan.already_live:
        click.echo(f"already live when the run starts (not part of the rollout): "
                   f"{terminal_text(', '.join(plan.already_live))}")
    for note in plan.notes:
        click.echo(f"note: {note}")
    click.echo(summary_line(plan))
    click.echo(f"rollout: {folder}")


def _print_rollout(plan, name: str) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Rollout plan: {escape(terminal_text(name))} (planned vs proposed go-live)")
    for column in ("area", "planned", "proposed", "on time", "delay (months)", "extra FCAs", "£ a year",
                   "P(ready)", "risk", "reason"):
        table.add_column(column, justify="right" if column in ("delay (months)", "extra FCAs", "£ a year",
                                                               "P(ready)") else "left")
    colour = {"low": "green", "medium": "yellow", "high": "red"}
    for row in plan.table.itertuples():
        probability = row.ready_probability_at_proposed
        on_time = "n/a" if row.on_time is None else ("yes" if row.on_time else "no")
        table.add_row(escape(terminal_text(row.area)), row.planned_go_live, row.proposed_go_live or "not in horizon",
                      on_time, str(row.delay_months), f"+{row.extra_fte}" if row.extra_fte else "0",
                      f"{row.annual_cost:,.0f}", "n/a" if probability != probability else f"{probability:.2f}",
                      f"[{colour.get(row.risk, 'white')}]{row.risk}[/]", escape(terminal_text(row.reason)))
    Console(width=180).print(table)
