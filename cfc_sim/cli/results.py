"""The commands that read results folders: `readiness`, `compare` and `report`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cfc_sim.cli.common import Stages, default_out, overwrite_option
from cfc_sim.errors import UserError
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.results_files import NEED_CSV
from cfc_sim.safe_text import terminal_text
from cfc_sim.suggest import check_area

if TYPE_CHECKING:
    from cfc_sim.readiness_view import AreaStatus  # pandas: imported when a readiness view is drawn


@click.command()
@click.argument("results", type=click.Path())
@click.option("--month", metavar="YYYY-MM", help="Show each area's status in this month (default: at its planned "
              "go-live month).")
@click.option("--area", "areas", multiple=True, help="Only this area (repeatable), with its status month by month.")
@click.option("--out", type=click.Path(dir_okay=False), help="Where to draw the heatmap "
              "(default RESULTS/charts/readiness_heatmap.png).")
def readiness(results: str, month: str | None, areas: tuple[str, ...], out: str | None) -> None:
    """Print the readiness table (area, status and why, planned go-live, ready month and how long after
    the plan) and draw the heatmap; with --area, only those areas, each with its status and failing
    criteria by month."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from cfc_sim.charts import readiness_heatmap
    from cfc_sim.output_folder import check_file, check_in_folder, png_by_us, write_file
    from cfc_sim.readiness_view import ALREADY_LIVE, area_statuses, readiness_rule_text, slip_text, went_live
    from cfc_sim.results_reader import read_results

    source = Path(results)
    result = read_results(source)
    if month is not None:
        month = _run_month(month, result.readiness)
    path = Path(out) if out else source / "charts" / "readiness_heatmap.png"
    if out:
        if path.suffix.lower() != ".png":
            raise UserError(f"the heatmap is drawn as a PNG image: give a file name ending in .png (got {out!r})",
                            key="--out")
        check_file(path, png_by_us, owner=source)
    else:
        check_in_folder(source, path)
    for area in areas:
        check_area(area, [a.name for a in result.config.areas], "--area", str(source))
    statuses = [row for row in area_statuses(result.readiness, result.config, month) if not areas or row.area in areas]
    went = went_live(result.replications, result.config)
    table = Table(title=escape(terminal_text(f"Readiness: {result.config.name}"
                                             + (f", {month}" if month else ", at planned go-live"))))
    # the reasons are the long text: the other columns keep to their words, the reasons take the rest
    for column, width in (("area", 24), ("region", 16), ("planned go-live", 10), ("status", 16),
                          ("why (value vs threshold)", None), ("ready month", 18), ("ready after plan", 10),
                          ("went live", 24)):
        table.add_column(column, max_width=width, ratio=None if width else 1, overflow="fold")
    colour = {"green": "green", "amber": "yellow", "red": "red"}
    already_live = False
    for row in statuses:
        note = row.note
        if note == ALREADY_LIVE:  # said once, under the table
            note, already_live = "", True
        status = f"[{colour.get(row.status, 'white')}]{escape(row.status)}[/]" + (f" ({escape(note)})"
                                                                                  if note else "")
        cells = [escape(terminal_text(v)) for v in (row.area, row.region, row.planned)]
        rest = [escape(terminal_text(v)) for v in (row.reason, row.ready_text, slip_text(row.slip_months),
                                                   went[row.area])]
        table.add_row(*cells, status, *rest)
    if already_live:
        table.caption = f"live: {ALREADY_LIVE}"
    Console(width=160).print(table)
    for area in (a.name for a in result.config.areas if a.name in areas):  # scenario order, as the table above
        Console(width=160).print(_months_table(result, area))
    rules = result.config.header.readiness
    runs = int(result.manifest.get("replications", result.config.replications))
    click.echo(readiness_rule_text(rules, runs))
    title = f"Readiness to go live: {result.config.name}"
    before = result.config.live_at_start()
    write_file(path, lambda tmp: readiness_heatmap(result.readiness, tmp, title, before), owner=source)
    click.echo(f"heatmap: {path}")


def _months_table(result, area: str):  # type: ignore[no-untyped-def]
    """One area's status month by month with what fails, read as every view reads it
    (`readiness_view.monthly_statuses`): a live month is judged on its CIRs only."""
    from rich.markup import escape
    from rich.table import Table

    from cfc_sim.readiness_view import monthly_statuses

    months = sorted(str(m) for m in result.readiness["month"].unique())
    statuses = monthly_statuses(result.readiness, result.config, months)
    planned = result.config.area(area).go_live.strftime("%Y-%m")
    table = Table(title=escape(terminal_text(f"{area}: status by month")))
    for column in ("month", "status", "judged on", "failing (or not yet certain)"):
        table.add_column(column)
    colour = {"green": "green", "amber": "yellow", "red": "red"}
    window = result.config.header.readiness.performance_months
    for month in months:
        status = statuses.get((area, month))
        if status is None:
            continue
        cell = failing_cell(status)
        table.add_row(escape(month) + (" *" if month == planned else ""),
                      f"[{colour.get(status.status, 'white')}]{escape(status.status)}[/]",
                      "its CIRs on time (live)" if status.live else "readiness to go live" if month <= planned
                      else f"readiness (not yet live {window} months)",
                      escape(terminal_text(cell)))
    table.caption = "* the planned go-live month"
    return table


def failing_cell(status: AreaStatus) -> str:
    """The criteria an area-month fails, by name, then those it passes but not yet certainly: an amber
    month with nothing failing says so ("none failing; not yet certain: CIRs on time"), not "none"."""
    from cfc_sim.readiness_view import CRITERION_NAMES

    def named(criteria: tuple[str, ...]) -> str:
        return ", ".join("CIRs on time" if status.live and c == "performance" else CRITERION_NAMES.get(c, c)
                         for c in criteria)

    cell = named(status.failing_criteria) or "none"
    if status.uncertain_criteria:
        cell = (cell if status.failing_criteria else "none failing") + "; not yet certain: " + named(
            status.uncertain_criteria)
    return cell


def _run_month(month: str, readiness) -> str:  # type: ignore[no-untyped-def]
    """`--month` as YYYY-MM, and one the run assessed; otherwise a clear error (exit 2)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise UserError(f"{month!r} is not a month written YYYY-MM (for example 2027-04)", key="--month")
    months = sorted(str(m) for m in readiness["month"].unique())
    if month not in months:
        span = f"{months[0]} to {months[-1]}" if months else "none"
        raise UserError(f"{month} is not a month of this run (months with readiness: {span})", key="--month")
    return month


@click.command()
@click.argument("results", nargs=-1, required=True, type=click.Path())
@click.option("--area", default=NATIONAL, show_default=True, help=f"Area to compare ({NATIONAL} is England).")
@click.option("--out", type=click.Path(file_okay=False), help="Folder for compare.csv and compare.png "
              "(default results/compare-<time>).")
@overwrite_option
def compare(results: tuple[str, ...], area: str, out: str | None, overwrite: bool) -> None:
    """Side-by-side KPIs of RESULTS folders with intervals, and differences from the first
    (paired under common random numbers when the runs share a seed; England's figures only over the
    same areas)."""
    from cfc_sim.charts import compare_chart
    from cfc_sim.compare import compare_frame, targets_of, unique_labels, whole_of
    from cfc_sim.output_folder import check_folder, write_folder
    from cfc_sim.results_reader import read_results
    from cfc_sim.safe_text import csv_safe

    if len(results) < 2:
        raise click.UsageError("compare needs at least two results folders")
    sources = [Path(r) for r in results]
    folder = check_folder(Path(out) if out else default_out("compare"), "compare", inputs=sources,
                          overwrite=overwrite)
    runs = [read_results(r) for r in sources]
    labels = unique_labels([terminal_text(r.config.name) for r in runs], tuple(map(terminal_text, results)))
    if area != NATIONAL:
        for source, run in zip(sources, runs, strict=True):
            check_area(area, [NATIONAL, *(a.name for a in run.config.areas)], "--area", str(source))
    table = compare_frame(runs, labels, area)
    where = area if area != NATIONAL else whole_of(runs)
    _print_comparison(table, labels, runs[0], where)
    _warn_not_comparable(runs, labels, area)
    _warn_same_folder(sources)
    targets = {k: v for k, (v, _) in targets_of(runs[0]).items()}

    def fill(tmp: Path) -> None:
        csv_safe(table).to_csv(tmp / "compare.csv", index=False)
        compare_chart(table, tmp / "compare.png", labels, targets, where)

    write_folder(folder, "compare", fill, inputs=sources)
    click.echo(f"comparison: {folder}")


def _warn_same_folder(sources: list[Path]) -> None:
    """A folder given twice is compared with itself: every difference is zero by construction."""
    seen: dict[Path, Path] = {}
    for source in sources:
        first = seen.setdefault(source.resolve(), source)
        if first is not source:
            click.echo(terminal_text(f"warning: {source} is given twice (also as {first}): it is compared with "
                                     "itself, so every difference is zero"), err=True)


def _warn_not_comparable(runs: list, labels: list[str], area: str) -> None:
    """Say so when runs cover different months, or (for England's figures) different areas: their
    differences are then not the scenarios' alone."""
    from cfc_sim.compare import calibration_of, replications_of, same_areas, same_span

    for run, label in zip(runs[1:], labels[1:], strict=True):
        if not same_span(runs[0], run):
            spans = [f"{r.config.header.horizon_months} months from {r.config.header.start}" for r in (run, runs[0])]
            click.echo(terminal_text(f"warning: {label} covers {spans[0]} and {labels[0]} {spans[1]}: counts and "
                                     "averages are over different periods, so their differences are not the "
                                     "scenarios' alone"), err=True)
        reps = [replications_of(r) for r in (run, runs[0])]
        if reps[0] != reps[1]:
            click.echo(terminal_text(f"warning: {label} has {reps[0]} replications and {labels[0]} {reps[1]}: "
                                     "their intervals differ in width, and paired differences use only the "
                                     "replications both have"), err=True)
        versions = [calibration_of(r) for r in (run, runs[0])]
        if versions[0] != versions[1]:
            click.echo(terminal_text(f"warning: {label} rests on calibration {versions[0]} and {labels[0]} on "
                                     f"{versions[1]}: their differences mix the scenarios with the assumptions "
                                     "(rerun the older one)"), err=True)
        if area == NATIONAL and not same_areas(runs[0], run):
            mine, first = ({a.name for a in r.config.areas} for r in (run, runs[0]))

            def listed(names: set[str]) -> str:
                shown = sorted(names)
                return ", ".join(shown[:4]) + (f" and {len(shown) - 4} more" if len(shown) > 4 else "") or "none"

            click.echo(terminal_text(
                f"warning: {label} and {labels[0]} model different areas (only in {label}: {listed(mine - first)}; "
                f"only in {labels[0]}: {listed(first - mine)}): the figures of all areas together are of different "
                "areas, so their differences compare populations, not scenarios (compare one area with --area)"),
                err=True)


def _print_comparison(table, labels: list[str], first, where: str) -> None:  # type: ignore[no-untyped-def]
    """The comparison for people (`where`: the area, or what the ALL rows are): named metrics,
    percentages, rounded counts, each difference from the first run with its 95% interval and what
    it means (the same words as the comparison page)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from cfc_sim.compare import difference_text, difference_verdict, estimate_texts, measure_label, targets_of

    targets = targets_of(first)
    where = terminal_text(where)
    out = Table(title=escape(f"Comparison, {where}: mean (95% interval); difference from the first run"))
    out.add_column("measure")
    out.add_column("target")
    for i, label in enumerate(labels):
        out.add_column(escape(label) if i == 0 else f"{escape(label)}\n(difference from the first)")
    for metric, group in table.groupby("metric", sort=False):
        cells: list[str] = []
        texts = estimate_texts(str(metric), list(zip(group["mean"], group["ci_low"], group["ci_high"], strict=True)))
        for text, (_, row) in zip(texts, group.iterrows(), strict=True):
            cell = text
            if row["diff"] == row["diff"]:
                cell += (f"\n{difference_text(str(metric), row['diff'], row['diff_low'], row['diff_high'])}"
                         f"\n{difference_verdict(str(metric), row['diff'], row['diff_low'], row['diff_high'])}")
            cells.append(escape(cell))
        target = targets.get(str(metric), (None, ""))[1]
        out.add_row(escape(measure_label(str(metric), str(group["pathway"].iloc[0]))), target, *cells)
    Console(width=160).print(out)
    click.echo("differences of shares are in percentage points (pts)")
    methods = table["method"][table["method"] != ""].drop_duplicates().tolist()
    for method in methods:
        click.echo(f"differences: {method}")


@click.command()
@click.argument("results", nargs=-1, required=True, type=click.Path())
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


# `--out` names that are plainly files of a format the report is not written in (a folder name may
# hold a dot, so only these are refused rather than taken for a folder of that name)
NOT_REPORT_FORMATS = (".pdf", ".doc", ".docx", ".odt", ".ppt", ".pptx", ".xls", ".csv", ".txt", ".md", ".json",
                      ".png", ".jpg", ".jpeg", ".svg")


def _refuse_other_format(out: str | None, written_as: str, files: str, also: tuple[str, ...] = ()) -> None:
    """Refuse an --out that names a file of a format the report is not written in (`also`: more of them)."""
    if out is not None and not Path(out).is_dir() and Path(out).suffix.lower() in (*NOT_REPORT_FORMATS, *also):
        raise UserError(f"the report is written {written_as}, not as {Path(out).suffix.lower()} (got {out!r}); "
                        f"give a folder, or a file name ending in {files}", key="--out")


def _refuse_other_folder(target: Path, sources: list[Path]) -> None:
    """A report file goes into a folder of the runs it reports on, or outside cfc-sim's folders: put
    into another run's folder it sat beside that run's files under the same name (report.html of
    one scenario next to report.xlsx of another)."""
    from cfc_sim.output_folder import folder_kind

    parent = target.parent
    kind = folder_kind(parent)
    if kind is not None and parent.resolve() not in {s.resolve() for s in sources}:
        raise UserError(f"is inside another cfc-sim {kind} folder ({parent}), not one of the runs reported on; "
                        "write the report into its run's folder or a folder of its own", key="--out", file=str(target))


def _comparison_report(sources: list[Path], out: str | None) -> None:
    from cfc_sim.compare import unique_labels
    from cfc_sim.output_folder import check_file, check_in_folder, html_by_us, open_folder
    from cfc_sim.report.comparison import write_comparison
    from cfc_sim.results_reader import read_results

    _refuse_other_format(out, "as one HTML page (FILE.html, or comparison.html in a folder)", ".html",
                         also=(".xlsx",))
    _warn_same_folder(sources)
    target = Path(out) if out else default_out("comparison")
    as_file = out is not None and not target.is_dir() and target.suffix.lower() in (".html", ".htm")
    runs = [read_results(r) for r in sources]
    labels = unique_labels([r.config.name for r in runs], [str(s) for s in sources])
    if as_file:
        _refuse_other_folder(target, sources)
        inside = [s for s in sources if target.parent.resolve() == s.resolve()]
        owner = inside[0] if inside else None  # a page put into a run's folder is recorded there
        check_file(target, html_by_us, owner=owner)
        path = target
    else:
        owner = open_folder(target, "report", inputs=sources)
        path = target / "comparison.html"
        check_in_folder(owner, path)
    stage = Stages()
    stage(f"writing the comparison page {path} (charts included)")
    written = write_comparison(runs, labels, sources, path, owner=owner)
    stage.done()
    click.echo(f"comparison: {written}")


def _run_report(source: Path, want_html: bool, want_xlsx: bool, out: str | None, need_path: str | None) -> None:
    from cfc_sim.output_folder import check_file, check_in_folder, html_by_us, open_folder, xlsx_by_us
    from cfc_sim.report import write_html, write_xlsx
    from cfc_sim.results_reader import check_need_matches, read_need, read_results

    _refuse_other_format(out, "as report.html and report.xlsx in a folder, or as one .html or .xlsx file",
                         ".html or .xlsx")
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
    if need_path is None and (source / NEED_CSV).exists():
        need_path = str(source / NEED_CSV)
    need = read_need(Path(need_path)) if need_path is not None else None
    if need is not None and need_path is not None:
        check_need_matches(need, Path(need_path), result.config.name, [a.name for a in result.config.areas],
                           {a.name: float(a.workforce.fcas) for a in result.config.areas})
    into_results = not as_file and target.resolve() == source.resolve()
    paths = {"html": target if as_file else target / "report.html",
             "xlsx": target if as_file else target / "report.xlsx"}
    wanted = [k for k, want in (("html", want_html), ("xlsx", want_xlsx)) if want]
    if as_file:
        _refuse_other_folder(target, [source])
        check_file(target, html_by_us if want_html else xlsx_by_us, owner=source)
        owner = source
    else:
        owner = source if into_results else open_folder(target, "report", inputs=[source])
        for kind in wanted:
            check_in_folder(owner, paths[kind])
    stage = Stages()
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
