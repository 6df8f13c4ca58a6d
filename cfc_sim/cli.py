"""The `cfc-sim` command line: parse, call the library, print, choose the exit code.

Exit codes: 0 success; 2 invalid input (scenario, arguments, results folder); 1 an unexpected
internal error; 130 interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM). Errors are one clear
message on stderr; `--debug` shows the traceback.
Heavy imports (pandas, matplotlib, dask) happen inside commands so `--help` stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

import click

from cfc_sim.errors import ScenarioError, UserError
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.safe_text import terminal_text
from cfc_sim.version import __version__


class _State:
    debug = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cfc-sim")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
def cli(debug: bool) -> None:
    """Workforce-capacity simulation for the rollout of Child Focused Courts.

    Run `cfc-sim run` for the built-in national scenario, or `cfc-sim run FILE.yaml`.
    """
    _State.debug = debug


def _config(scenario: str | None):  # type: ignore[no-untyped-def]
    import cfc_sim

    return cfc_sim.load_scenario(scenario)


def _default_out(name: str) -> Path:
    from cfc_sim.results import slug

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{slug(name)}-{stamp}"


def _progress_bar(total: int, label: str):  # type: ignore[no-untyped-def]
    """A rich progress bar on a terminal, else nothing (CI logs stay clean)."""
    if not sys.stdout.isatty():
        return None, lambda n: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn())
    task = bar.add_task(label, total=total)
    return bar, lambda n: bar.advance(task, n)


class _CountOrAuto(click.ParamType):
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


@cli.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@click.option("--reps", type=_CountOrAuto(100_000), help="Replications (default: the scenario's), or 'auto'.")
@click.option("--precision", type=click.FloatRange(min=0.0001, max=1), default=0.05, show_default=True,
              help="With --reps auto: the 95% half-width of every national headline KPI within this share of "
                   "its mean, and of each area's CIR on-time share within this many points (0.05: +-5 points).")
@click.option("--max-reps", type=click.IntRange(min=2, max=100_000), default=200, show_default=True,
              help="With --reps auto: the most replications to run.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), help="Seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False), help="Results folder (default results/<name>-<time>).")
@click.option("--workers", type=_CountOrAuto(512), default="auto", show_default=True,
              help="Local processes to run replications in; auto: one for a run of under about 10 s, else "
                   "every CPU (at most one per replication). The numbers are the same whatever the workers.")
@click.option("--scheduler", metavar="ADDR", help="Dask distributed scheduler address, e.g. tcp://host:8786.")
@click.option("--trace", is_flag=True, help="Also write events.csv.gz, one row per case event.")
def run(scenario: str | None, reps: int | str | None, precision: float, max_reps: int, seed: int | None,
        out: str | None, workers: int | str, scheduler: str | None, trace: bool) -> None:
    """Run replications of SCENARIO (default: the built-in national rollout) and write a results folder."""
    from cfc_sim.output_folder import check_folder
    from cfc_sim.runner import run_to_folder
    from cfc_sim.workload import auto_workers, work_notice

    auto = reps == "auto"
    config = _config(scenario).with_run_options(replications=None if auto else reps, seed=seed)
    folder = check_folder(Path(out) if out else _default_out(config.name), "run")
    planned = config.with_run_options(replications=max_reps) if auto else config
    workers = auto_workers(planned) if workers == "auto" else int(workers)
    notice = work_notice(planned, workers)
    if notice:
        click.echo(f"{'up to ' if auto else ''}{notice}", err=True)
    bar, tick = _progress_bar(max_reps if auto else config.replications, f"{config.name}: replications")
    stage = _Stages()

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
    warnings = result.manifest["warnings"]
    stage.done()
    _print_headline(result, folder)
    if auto:
        from cfc_sim.output_analysis import precision_note

        click.echo(precision_note(result.replications, precision))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"results: {folder}")


class _Stages:
    """One line on stderr as each step after the simulation starts, with the time the last one took,
    so a long step (summary, readiness, charts) is never silent."""

    def __init__(self) -> None:
        import time

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


def _print_headline(result, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """England against the targets, then the areas at risk worst first, and where to look next."""
    from cfc_sim.at_risk import areas_at_risk, format_check, national_checks

    config = result.config
    shown = terminal_text(str(folder))
    click.echo(f"{terminal_text(config.name)}: {config.replications} replications, {len(config.areas)} areas, "
               f"{config.header.horizon_months} months from {config.header.start}")
    click.echo("England (all areas):")
    for check in national_checks(result.summary, config):
        click.echo(f"  {format_check(check)}")
    risks = areas_at_risk(result.summary, result.readiness, config, results=shown)
    target = config.header.targets.cir_on_time_share
    if not risks:
        click.echo(f"Areas at risk: none (every area files at least {target:.0%} of CIRs on time and is green at "
                   "its planned go-live)")
    else:
        click.echo(f"Areas at risk, worst first ({len(risks)} of {len(config.areas)}: CIRs on time below "
                   f"{target:.0%}, or not green at the planned go-live):")
        for rank, risk in enumerate(risks[:AT_RISK_SHOWN], start=1):
            click.echo(f"  {rank}. {terminal_text(risk.area)}: {terminal_text(risk.main_reason)}")
            for reason in risk.reasons[1:]:
                click.echo(f"     also {terminal_text(reason)}")
            click.echo(f"     look next: {risk.look_next}")
        if len(risks) > AT_RISK_SHOWN:
            click.echo(f"  ... and {len(risks) - AT_RISK_SHOWN} more (all in the report)")
    click.echo(f"look next: cfc-sim readiness {shown} (every area's status and why), "
               f"cfc-sim report {shown} (the leaders' report)")


AT_RISK_SHOWN = 10  # the worst areas listed in the terminal; the report lists every one


@cli.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(scenarios: tuple[str, ...]) -> None:
    """Check scenario files without running them; print every problem with its key path."""
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
        click.echo(f"{path}: valid ({len(config.areas)} areas, {config.header.horizon_months} months, "
                   f"{config.replications} replications)")
    if failed:
        sys.exit(2)


@cli.command()
@click.argument("results", type=click.Path(file_okay=False))
@click.option("--month", metavar="YYYY-MM", help="Show each area's status in this month (default: at its planned "
              "go-live month).")
@click.option("--out", type=click.Path(dir_okay=False), help="Where to draw the heatmap "
              "(default RESULTS/charts/readiness_heatmap.png).")
def readiness(results: str, month: str | None, out: str | None) -> None:
    """Print the readiness table (area, status, failing criteria, earliest ready month) and draw the heatmap."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from cfc_sim.charts import readiness_heatmap
    from cfc_sim.output_folder import check_file, check_in_folder, png_by_us, write_file
    from cfc_sim.readiness_view import area_statuses, went_live
    from cfc_sim.results_reader import read_results

    source = Path(results)
    result = read_results(source)
    if month is not None:
        month = _run_month(month, result.readiness)
    path = Path(out) if out else source / "charts" / "readiness_heatmap.png"
    if out:
        check_file(path, png_by_us, owner=source)
    else:
        check_in_folder(source, path)
    statuses = area_statuses(result.readiness, result.config, month)
    went = went_live(result.summary, result.config)
    table = Table(title=escape(terminal_text(f"Readiness: {result.config.name}"
                                             + (f", {month}" if month else ", at planned go-live"))))
    for column in ("area", "region", "planned go-live", "status", "failing criteria (value vs threshold)",
                   "earliest ready", "went live"):
        table.add_column(column)
    colour = {"green": "green", "amber": "yellow", "red": "red"}
    for row in statuses:
        status = f"[{colour.get(row.status, 'white')}]{escape(row.status)}[/]" + (f" ({escape(row.note)})"
                                                                                  if row.note else "")
        cells = [escape(terminal_text(v)) for v in (row.area, row.region, row.planned)]
        rest = [escape(terminal_text(v)) for v in (row.failing_text, row.earliest_ready or "never", went[row.area])]
        table.add_row(*cells, status, *rest)
    Console(width=160).print(table)
    rules = result.config.header.readiness
    runs = int(result.manifest.get("replications", result.config.replications))
    click.echo(f"a criterion passes when it holds in at least {rules.performance_confidence:.0%} of the {runs} "
               f"run(s) (readiness.performance_confidence), criteria 1-5 together too, for "
               f"{rules.hold_months} monthly review(s) in a row (readiness.hold_months)")
    title = f"Readiness to go live: {result.config.name}"
    write_file(path, lambda tmp: readiness_heatmap(result.readiness, tmp, title), owner=source)
    click.echo(f"heatmap: {path}")


def _run_month(month: str, readiness) -> str:  # type: ignore[no-untyped-def]
    """`--month` as YYYY-MM, and one the run assessed; otherwise a clear error (exit 2)."""
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise UserError(f"{month!r} is not a month written YYYY-MM (for example 2027-04)", key="--month")
    months = sorted(str(m) for m in readiness["month"].unique())
    if month not in months:
        span = f"{months[0]} to {months[-1]}" if months else "none"
        raise UserError(f"{month} is not a month of this run (months with readiness: {span})", key="--month")
    return month


@cli.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--area", default=NATIONAL, show_default=True, help=f"Area to compare ({NATIONAL} is England).")
@click.option("--out", type=click.Path(file_okay=False), help="Folder for compare.csv and compare.png "
              "(default results/compare-<time>).")
def compare(results: tuple[str, ...], area: str, out: str | None) -> None:
    """Side-by-side KPIs of RESULTS folders with intervals, and differences from the first
    (paired under common random numbers when the runs share a seed)."""
    from cfc_sim.charts import compare_chart
    from cfc_sim.compare import compare_frame, targets_of, unique_labels
    from cfc_sim.output_folder import check_folder, write_folder
    from cfc_sim.results_reader import read_results
    from cfc_sim.safe_text import csv_safe

    if len(results) < 2:
        raise click.UsageError("compare needs at least two results folders")
    sources = [Path(r) for r in results]
    folder = check_folder(Path(out) if out else _default_out("compare"), "compare", inputs=sources)
    runs = [read_results(r) for r in sources]
    labels = unique_labels([terminal_text(r.config.name) for r in runs], tuple(map(terminal_text, results)))
    if area != NATIONAL and any(area not in {a.name for a in r.config.areas} for r in runs):
        raise UserError(f"area {area!r} is not in every run")
    table = compare_frame(runs, labels, area)
    _print_comparison(table, labels, runs[0], area)
    targets = {k: v for k, (v, _) in targets_of(runs[0]).items()}
    where = "England" if area == NATIONAL else area

    def fill(tmp: Path) -> None:
        csv_safe(table).to_csv(tmp / "compare.csv", index=False)
        compare_chart(table, tmp / "compare.png", labels, targets, where)

    write_folder(folder, "compare", fill, inputs=sources)
    click.echo(f"comparison: {folder}")


def _print_comparison(table, labels: list[str], first, area: str) -> None:  # type: ignore[no-untyped-def]
    """The comparison for people: named metrics, percentages, rounded counts, each difference from the
    first run with its 95% interval and what it means (the same words as the comparison page)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from cfc_sim.compare import difference_text, difference_verdict, estimate_texts, metric_of, targets_of

    targets = targets_of(first)
    where = "England" if area == NATIONAL else terminal_text(area)
    out = Table(title=escape(f"Comparison, {where}: mean (95% interval); difference from the first run"))
    out.add_column("measure")
    out.add_column("target")
    for i, label in enumerate(labels):
        out.add_column(escape(label) if i == 0 else f"{escape(label)}\n(difference from the first)")
    for metric, group in table.groupby("metric", sort=False):
        m = metric_of(str(metric))
        cells: list[str] = []
        texts = estimate_texts(str(metric), list(zip(group["mean"], group["ci_low"], group["ci_high"], strict=True)))
        for text, (_, row) in zip(texts, group.iterrows(), strict=True):
            cell = text
            if row["diff"] == row["diff"]:
                cell += (f"\n{difference_text(str(metric), row['diff'], row['diff_low'], row['diff_high'])}"
                         f"\n{difference_verdict(str(metric), row['diff'], row['diff_low'], row['diff_high'])}")
            cells.append(escape(cell))
        target = targets.get(str(metric), (None, ""))[1]
        out.add_row(escape(m.short), target, *cells)
    Console(width=160).print(out)
    click.echo("differences of shares are in percentage points (pts)")
    methods = table["method"][table["method"] != ""].drop_duplicates().tolist()
    for method in methods:
        click.echo(f"differences: {method}")


@cli.command()
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
@click.option("--scheduler", metavar="ADDR", help="Dask distributed scheduler address.")
@click.option("--area", "areas", multiple=True,
              help="Also show the metric for this area (repeatable), with its own chart sweep-<area>.png.")
def sweep(scenario: str, settings: tuple[str, ...], metric: str, reps: int | None, seed: int | None,
          out: str | None, workers: int, scheduler: str | None, areas: tuple[str, ...]) -> None:
    """Run a grid of variants of SCENARIO with common random numbers; write one results folder per
    variant, sweep.csv and sweep.png (England; sweep-<area>.png per --area). Rerunning with the same
    --out reuses finished variants."""
    from cfc_sim.charts import draw_run_charts, sweep_chart
    from cfc_sim.metric_catalogue import BY_NAME
    from cfc_sim.output_folder import write_file
    from cfc_sim.results import slug
    from cfc_sim.scenario.variants import parse_setting
    from cfc_sim.sweep import run_sweep

    parsed = [parse_setting(s) for s in settings]
    base = _config(scenario)
    known = {a.name for a in base.areas}
    for area in areas:
        if area not in known:
            raise UserError(f"no area {area!r} in {scenario}", key="--area")
    folder = Path(out) if out else _default_out(f"sweep-{base.name}")
    charts = {area: f"sweep-{slug(area)}.png" for area in areas}
    table = run_sweep(scenario, parsed, folder, reps=reps, seed=seed, workers=workers, scheduler=scheduler,
                      draw_charts=draw_run_charts, extra_files=list(charts.values()),
                      on_variant=lambda name, reused: click.echo(f"  {name}: {'reused' if reused else 'done'}"),
                      on_warning=lambda message: click.echo(f"warning: {terminal_text(message)}", err=True))
    keys = [k for k, _ in parsed]
    if metric not in set(table["metric"]):
        raise UserError(f"no metric {metric!r} in the results", key="--metric")
    write_file(folder / "sweep.png", lambda tmp: sweep_chart(table, keys, metric, tmp), owner=folder)
    for area, name in charts.items():
        def draw(tmp: Path, area: str = area) -> None:
            sweep_chart(table, keys, metric, tmp, area)

        write_file(folder / name, draw, owner=folder)
    shown = BY_NAME.get(metric)
    for area in (NATIONAL, *areas):
        rows = table[(table["area"] == area) & (table["pathway"] == "all") & (table["metric"] == metric)]
        click.echo(f"{shown.short if shown else metric}: {'England' if area == NATIONAL else terminal_text(area)}")
        if rows.empty:
            click.echo("  no value in any variant (e.g. no CIRs in this area within the horizon)")
            continue
        view = rows[[*keys, "mean", "ci_low", "ci_high"]].copy()
        if shown is not None:
            for column in ("mean", "ci_low", "ci_high"):
                view[column] = view[column].map(shown.format)
        click.echo(view.rename(columns={"mean": metric}).to_string(index=False))
    click.echo(f"sweep: {folder / 'sweep.csv'}")


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--area", "areas", multiple=True, help="Area to plan (repeatable; default every area).")
@click.option("--target", "targets", multiple=True, metavar="METRIC>=X|METRIC<=X",
              help="Per-area target, e.g. cir_on_time_share>=0.9; METRIC@cap or METRIC@cfc for one pathway. "
                   "Repeat for several: all must hold at once (default: the scenario's CIR on-time target).")
@click.option("--confidence", type=click.FloatRange(0, 1), default=None,
              help="Probability across replications of meeting the targets "
                   "(default: readiness.performance_confidence).")
@click.option("--need", is_flag=True,
              help="Also the FCA need: FCAs needed under CFC against FCAs keeping today's CAP waits with no "
                   "area live, per area and for England, with a 95% interval of the difference (need.csv).")
@click.option("--cap-metric", default="weeks_to_decision_reported_mean", show_default=True,
              help="With --need: the CAP wait (lower is better) that must stay at today's level.")
@click.option("--cap-tolerance", type=click.FloatRange(0, 1), default=0.01, show_default=True,
              help="With --need: how far above today's value (a share of it) the CAP wait may rise.")
@click.option("--max-extra", type=click.IntRange(min=1, max=10_000), default=200, show_default=True,
              help="Largest addition to try per area.")
@click.option("--reps", type=click.IntRange(min=1, max=100_000), help="Replications per evaluation.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1))
@click.option("--out", type=click.Path(file_okay=False), help="Plan folder (default results/plan-<name>-<time>).")
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True)
@click.option("--scheduler", metavar="ADDR", help="Dask distributed scheduler address.")
def plan(scenario: str, areas: tuple[str, ...], targets: tuple[str, ...], confidence: float | None, need: bool,
         cap_metric: str, cap_tolerance: float, max_extra: int, reps: int | None, seed: int | None,
         out: str | None, workers: int, scheduler: str | None) -> None:
    """Smallest whole-FCA addition per area whose replications meet every target with the confidence
    (common random numbers; doubling then bisection). Writes plan.csv (and need.csv with --need);
    reruns reuse evaluations."""
    from cfc_sim.output_folder import check_folder, write_folder
    from cfc_sim.plan import MONTHS_LIVE, Evaluator, Target, joined, plan_areas
    from cfc_sim.safe_text import csv_safe

    config = _config(scenario).with_run_options(replications=reps, seed=seed)
    goals = [Target.parse(t) for t in targets] or [Target("cir_on_time_share", ">=",
                                                          config.header.targets.cir_on_time_share)]
    chance = confidence if confidence is not None else config.header.readiness.performance_confidence
    folder = check_folder(Path(out) if out else _default_out(f"plan-{config.name}"), "plan")
    cache = folder.parent / f".{folder.name}.cache"
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

    click.echo(f"plan: {everything} with probability >= {chance:.2f}, "
               f"{config.replications} replications per evaluation")
    rule = None
    if need:
        from cfc_sim.need import CapRule, fca_need

        rule = CapRule(cap_metric, cap_tolerance)  # checked before any simulation
    evaluator = Evaluator(config, cache, workers, scheduler)
    longer = [f"{terminal_text(a)} {m}" for a, m in evaluator.run_longer.items() if not areas or a in areas]
    if longer:
        click.echo(f"plan: areas live less than {MONTHS_LIVE} months before the horizon are run longer, so their "
                   f"CFC targets are judged on {MONTHS_LIVE} months live (months): {', '.join(longer)}")
    table = plan_areas(config, goals, chance, areas=list(areas) or None, max_extra=max_extra, evaluator=evaluator,
                       on_area=show)
    national = table[(table["area"] == NATIONAL) & (table["target"] == everything)].iloc[0]
    cost = national["annual_cost"]
    priced = f", about £{cost:,.0f} a year" if cost > 0 else " (set workforce.cost_per_fte_day to price it)"
    rows = table[(table["area"] != NATIONAL) & (table["target"] == everything)]
    missing = int(rows["extra_fte"].isna().sum())
    unmet = f"; {missing} area(s) not met within --max-extra, not counted" if missing else ""
    total = national["extra_fte"] if national["extra_fte"] == national["extra_fte"] else 0
    click.echo(f"  {NATIONAL:<36} {int(national['fte_now']):>5} FCAs  +{total:.0f} in total{priced}{unmet}")
    files = {"plan.csv": table}
    if rule is not None:
        click.echo(f"need: FCAs meeting {everything} under the scenario (CFC) against FCAs keeping {rule} "
                   f"with no area live (CAP), probability >= {chance:.2f}")
        files["need.csv"] = fca_need(config, goals, chance, rule=rule, areas=list(areas) or None,
                                     max_extra=max_extra, cache=cache, workers=workers, scheduler=scheduler,
                                     cfc=evaluator)
        _print_need(files["need.csv"], config.name, "England (ALL)" if not areas else "ALL areas planned")

    def fill(tmp: Path) -> None:
        for file, frame in files.items():
            csv_safe(frame).to_csv(tmp / file, index=False)

    write_folder(folder, "plan", fill)
    for name in files:
        click.echo(f"plan: {folder / name}")


def _print_need(table, name: str, total: str) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    def number(value: float) -> str:
        return "not found" if value != value else f"{value:,.0f}"

    shown = Table(title=f"FCA need: {escape(terminal_text(name))} (CFC minus CAP, 95% bootstrap interval over "
                        "replications)")
    for column in ("area", "FCAs now", "needed: CFC", "needed: CAP", "CFC - CAP", "95% interval", "note"):
        shown.add_column(column, justify="left" if column in ("area", "note") else "right")
    for row in table.itertuples():
        interval = "" if row.ci_low != row.ci_low else f"{row.ci_low:+,.0f} to {row.ci_high:+,.0f}"
        difference = "" if row.difference != row.difference else f"{row.difference:+,.0f}"
        area = total if row.area == NATIONAL else escape(terminal_text(row.area))
        shown.add_row(area, f"{row.fte_now:,}",
                      number(row.fcas_needed_cfc), number(row.fcas_needed_cap), difference, interval, row.note,
                      style="bold" if row.area == NATIONAL else None)
    Console(width=160).print(shown)


@cli.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--html", "want_html", is_flag=True, help="Write the HTML report.")
@click.option("--xlsx", "want_xlsx", is_flag=True, help="Write the Excel workbook (one run only).")
@click.option("--out", type=click.Path(), metavar="PATH_OR_DIR",
              help="A folder for report.html / report.xlsx, or a file ending .html or .xlsx (default: RESULTS); "
                   "with several RESULTS, a folder for comparison.html or a .html file "
                   "(default results/comparison-<time>/).")
@click.option("--need", "need_path", type=click.Path(), metavar="PLAN_DIR",
              help="Also show the FCA need: the folder of `cfc-sim plan --need` (or its need.csv); "
                   "default RESULTS/need.csv when present.")
def report(results: tuple[str, ...], want_html: bool, want_xlsx: bool, out: str | None,
           need_path: str | None) -> None:
    """Write the leaders' report of RESULTS: a self-contained HTML page (charts embedded) and an Excel
    workbook. With neither --html nor --xlsx, both. With several RESULTS folders, one comparison page
    for a board: go-live dates and readiness side by side, each KPI with its paired difference."""
    if len(results) > 1:
        if want_xlsx or need_path:
            raise click.UsageError("--xlsx and --need are for one run's report; a comparison of several runs is "
                                   "one HTML page")
        _comparison_report([Path(r) for r in results], out)
        return
    _run_report(Path(results[0]), want_html, want_xlsx, out, need_path)


def _comparison_report(sources: list[Path], out: str | None) -> None:
    from cfc_sim.compare import unique_labels
    from cfc_sim.output_folder import check_file, check_in_folder, html_by_us, open_folder
    from cfc_sim.report.comparison import write_comparison
    from cfc_sim.results_reader import read_results

    target = Path(out) if out else _default_out("comparison")
    as_file = out is not None and not target.is_dir() and target.suffix.lower() in (".html", ".htm")
    runs = [read_results(r) for r in sources]
    labels = unique_labels([r.config.name for r in runs], [str(s) for s in sources])
    if as_file:
        inside = [s for s in sources if target.parent.resolve() == s.resolve()]
        owner = inside[0] if inside else None  # a page put into a run's folder is recorded there
        check_file(target, html_by_us, owner=owner)
        path = target
    else:
        owner = open_folder(target, "report", inputs=sources)
        path = target / "comparison.html"
        check_in_folder(owner, path)
    stage = _Stages()
    stage(f"writing the comparison page {path} (charts included)")
    written = write_comparison(runs, labels, sources, path, owner=owner)
    stage.done()
    click.echo(f"comparison: {written}")


def _run_report(source: Path, want_html: bool, want_xlsx: bool, out: str | None, need_path: str | None) -> None:
    from cfc_sim.output_folder import check_file, check_in_folder, html_by_us, open_folder, xlsx_by_us
    from cfc_sim.report import write_html, write_xlsx
    from cfc_sim.results_reader import read_need, read_results

    suffixes = {".html": "html", ".htm": "html", ".xlsx": "xlsx"}
    target = Path(out) if out else source
    as_file = out is not None and not target.is_dir() and target.suffix.lower() in suffixes
    if as_file:
        kind = suffixes[target.suffix.lower()]
        if (want_html and want_xlsx) or (want_html and kind != "html") or (want_xlsx and kind != "xlsx"):
            raise click.UsageError(f"--out {out} is one {kind} file; give a folder to write both, or only --{kind}")
        want_html, want_xlsx = kind == "html", kind == "xlsx"
    elif not (want_html or want_xlsx):
        want_html = want_xlsx = True
    result = read_results(source)
    if need_path is None and (source / "need.csv").exists():
        need_path = str(source / "need.csv")
    need = read_need(Path(need_path)) if need_path is not None else None
    into_results = not as_file and target.resolve() == source.resolve()
    paths = {"html": target if as_file else target / "report.html",
             "xlsx": target if as_file else target / "report.xlsx"}
    wanted = [k for k, want in (("html", want_html), ("xlsx", want_xlsx)) if want]
    if as_file:
        check_file(target, html_by_us if want_html else xlsx_by_us, owner=source)
        owner = source
    else:
        owner = source if into_results else open_folder(target, "report", inputs=[source])
        for kind in wanted:
            check_in_folder(owner, paths[kind])
    stage = _Stages()
    if want_html:
        stage(f"writing the HTML report {paths['html']}")
        written = write_html(result, source, paths['html'], owner=owner, need=need)
        stage.done()
        click.echo(f"html: {written}")
    if want_xlsx:
        stage(f"writing the Excel workbook {paths['xlsx']}")
        written = write_xlsx(result, paths['xlsx'], owner=owner, need=need)
        stage.done()
        click.echo(f"xlsx: {written}")


@cli.command()
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
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True,
              help="Local processes to run design points in.")
@click.option("--scheduler", metavar="ADDR", help="Dask distributed scheduler address.")
@click.option("--area", "areas", multiple=True,
              help="Area whose earliest ready month is an output (repeatable; default: every area not live "
                   "at the start).")
def sensitivity(scenario: str, params: tuple[str, ...], method: str, samples: int | None, reps: int,
                seed: int | None, out: str | None, workers: int, scheduler: str | None,
                areas: tuple[str, ...]) -> None:
    """Global sensitivity: which inputs drive England's CIR on-time share and each area's earliest ready
    month. Every design point runs with the same seed; writes sensitivity.csv, design.csv and
    sensitivity.png. Rerunning with the same --out reuses finished points."""
    from cfc_sim.output_folder import check_folder
    from cfc_sim.sensitivity import parse_params, run_sensitivity, write_sensitivity

    parsed = parse_params(params)
    base = _config(scenario)
    folder = check_folder(Path(out) if out else _default_out(f"sensitivity-{base.name}"), "sensitivity")
    cache = folder.parent / f".{folder.name}.cache"
    progress: dict = {}  # the bar, made at the first point (when the design size is known)

    def on_point(finished: int, total: int, reused: bool) -> None:
        if not progress:
            progress["bar"], progress["tick"] = _progress_bar(total, f"{base.name}: design points")
            if progress["bar"] is not None:
                progress["bar"].start()
        progress["tick"](1)

    try:
        result = run_sensitivity(scenario, parsed, method, samples=samples, reps=reps, seed=seed,
                                 areas=list(areas) or None, cache=cache, workers=workers, scheduler=scheduler,
                                 on_point=on_point)
    finally:
        if progress.get("bar") is not None:
            progress["bar"].stop()
    write_sensitivity(result, folder, base.name)
    _print_sensitivity(result)
    click.echo(f"sensitivity: {folder}")


def _print_sensitivity(result) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    from cfc_sim.metric_catalogue import CIR_OUTPUT, READY_MEAN

    points = len(result.design)
    click.echo(f"{result.method}: {len(result.params)} inputs, {points} design points x {result.reps} replications "
               f"(seed {result.seed}; {result.runs} run, {result.reused} reused or repeated)")
    indices = result.indices
    headings = {CIR_OUTPUT: "CIR on-time share (England)",
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


@cli.command()
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
@click.option("--workers", type=click.IntRange(min=1, max=512), default=1, show_default=True)
@click.option("--scheduler", metavar="ADDR", help="Dask distributed scheduler address.")
def rollout(scenario: str, budget: float | None, confidence: float | None, reps: int | None, seed: int | None,
            max_extra: int, out: str | None, workers: int, scheduler: str | None) -> None:
    """Propose go-live months for the areas not yet live: as many on time as recruitment, training and
    the budget allow, none breaching readiness (criteria 1-5 at go-live with the confidence). Prints the
    plan against the planned dates and writes rollout.csv, rollout.png and scenario.proposed.yaml."""
    import time

    from cfc_sim.output_folder import check_folder
    from cfc_sim.rollout import plan_rollout, rollout_chart, rollout_manifest, summary_line, write_rollout

    config = _config(scenario).with_run_options(replications=reps, seed=seed)
    chance = confidence if confidence is not None else config.header.readiness.performance_confidence
    folder = check_folder(Path(out) if out else _default_out(f"rollout-{config.name}"), "rollout")
    started, clock = datetime.now().astimezone(), time.perf_counter()
    click.echo(f"rollout: criteria 1-5 at go-live with probability >= {chance:.2f}, {config.replications} "
               f"replications, budget {'none' if budget is None else f'£{budget:,.0f} a year'}")
    plan = plan_rollout(config, confidence=chance, budget=budget, max_extra=max_extra,
                        cache=folder.parent / f".{folder.name}.cache", workers=workers, scheduler=scheduler,
                        on_step=lambda message: click.echo(f"  {message}"))
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


def _exit_now(code: int) -> None:
    """Leave at once after an interruption: everything cfc-sim wrote is already cleaned up, and the
    interpreter's exit hooks would only race the killed process pool's threads (a stray
    "Bad file descriptor" traceback from concurrent.futures).

    First the multiprocessing finalizers that normal exit runs first (priority 0 and up: they
    unlink the pools' semaphores), else multiprocessing's resource tracker warns on stderr of
    "leaked semaphore objects" after the one-line message."""
    try:
        import multiprocessing.util

        run_finalizers = getattr(multiprocessing.util, "_run_finalizers", None)  # no public name for it
        if run_finalizers is not None:
            run_finalizers(0)  # what Python's own exit does first
    except Exception:  # noqa: BLE001, S110 - only a quieter exit
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _leave(code: int) -> None:
    """End the program after a finished command without the interpreter's teardown, which only
    frees memory: about 0.1 s after a run (pandas, pyarrow, numpy and the run's frames). The exit
    hooks Python would run are run first (multiprocessing's: children joined, semaphores unlinked),
    and output is flushed. If a thread of ours were still running, Python's own exit waits for it
    instead."""
    import atexit
    import threading

    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    run_exit_hooks = getattr(atexit, "_run_exitfuncs", None)  # no public name for it
    if run_exit_hooks is None:  # pragma: no cover - another Python implementation
        sys.exit(code)
    run_exit_hooks()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): the output is gone either way
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: maps errors to exit codes and one-line messages."""
    from cfc_sim.executor import EXIT_SIGINT, EXIT_SIGTERM, Terminated, terminate_cleanly

    try:
        with terminate_cleanly():
            cli.main(args=argv, prog_name="cfc-sim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        exc.show()
        sys.exit(2)
    except (click.Abort, KeyboardInterrupt) as exc:  # click turns KeyboardInterrupt into Abort
        terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)
        click.echo("terminated (SIGTERM): workers stopped, nothing written" if terminated
                   else "interrupted: workers stopped, nothing written", err=True)
        _exit_now(EXIT_SIGTERM if terminated else EXIT_SIGINT)
    except ScenarioError as exc:
        for line in exc.lines():
            click.echo(f"error: {terminal_text(line)}", err=True)
        sys.exit(2)
    except UserError as exc:
        click.echo(f"error: {terminal_text(exc)}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the one place that turns surprises into exit 1
        if _State.debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(1)


def program() -> None:
    """The `cfc-sim` program (console script, `python -m cfc_sim`): `main`, then the process ends
    at once on success (`_leave`). `main` itself returns, for callers in Python (tests, notebooks)."""
    main()
    _leave(0)
