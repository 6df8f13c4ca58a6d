"""The leaders' report as an Excel workbook (Areas, Summary, Readiness, Monthly, Area inputs, Scenario; Need
when given),
written in openpyxl's write-only (streaming) mode, the data sheets' rows as text (`sheet_rows`: the
same bytes openpyxl writes, in a seventh of its time). `Monthly` holds one row per area and
month and one column per metric (the mean across replications); the percentile bands are in
monthly_summary.csv.

Text from scenarios and results folders is stored as text, never as a formula (CSV/Excel injection).
Dates and months are Excel date cells (a month is its first day, shown as "Apr 2027"), so they sort
and filter as dates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from cfc_sim.errors import UserError
from cfc_sim.metric_catalogue import BY_NAME, written_as_share
from cfc_sim.output_folder import WRITER, write_file
from cfc_sim.palette import RAG, RAG_TEXT
from cfc_sim.report.area_inputs import FORMATS as INPUT_FORMATS
from cfc_sim.report.area_inputs import area_inputs_frame
from cfc_sim.report.area_table import area_frame, area_rows
from cfc_sim.report.sheet_rows import column_cells, rows_xml, splice_rows
from cfc_sim.report.views import scenario_rows
from cfc_sim.results import RunResult


def _cell(value: Any) -> Any:
    """A value openpyxl can store (numpy scalars to Python, NaN to empty)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


DATE_FORMAT = "d mmm yyyy"
MONTH_FORMAT = "mmm yyyy"


def month_dates(labels: pd.Series) -> pd.Series:
    """'2027-04' labels as dates (the month's first day); a label that is not a month stays as it is."""
    def one(label: str) -> Any:
        try:
            return dt.date(int(label[:4]), int(label[5:7]), 1) if len(label) == 7 and label[4] == "-" else label
        except ValueError:
            return label

    mapping = {label: one(str(label)) for label in labels.unique()}
    return labels.map(mapping)


# Words for the workbook's column headers (the CSV files keep the contract's names): a leader reads
# "95% interval: low", not ci_low. A column that is a metric takes the metric's label; others their
# name with spaces.
HEADER_WORDS = {"open_cap_cases": "Open CAP cases (opened before go-live)",
                "unallocated_queue_end": "Cases waiting for allocation at the month's end",
                "fte_in_post": "FCAs in post (FTE)", "trained_fte": "CFC-trained FCAs (FTE)",
                "trained_share": "CFC-trained share of FCAs in post", "open_cases": "Open cases",
                "vacancies": "Vacancies (funded posts unfilled)", "vacancy_rate": "Vacancy rate",
                "establishment": "Funded posts (establishment)", "live_areas": "Areas live on CFC",
                "children_seen_share": "Children seen by an FCA before the decision (CFC cases where the area has any)",
                "area": "Court area", "region": "Region", "pathway": "Pathway (all, cap, cfc)", "metric": "Metric",
                "mean": "Mean across replications", "ci_low": "95% interval: low", "ci_high": "95% interval: high",
                "n_reps": "Replications", "month": "Month", "criterion": "Criterion", "value": "Value",
                "threshold": "Threshold", "passed": "Passed", "status": "Status", "margin": "Margin to threshold",
                "go_live_month": "Planned go-live this month", "pass_share": "Share of replications passing",
                "on_time_share_first_months": "CIRs on time, first months live", "live": "Live (judged on CIRs)",
                "fte_now": "FCAs in post now", "fcas_needed_cfc": "FCAs needed under CFC",
                "fcas_needed_cap": "FCAs needed keeping CAP", "difference": "Need (CFC less CAP)",
                "hours_fte": "Need: hours part", "timeliness_fte": "Need: timeliness part",
                "transition_fte": "Need: transition part", "transition_months": "Transition months",
                "annual_cost": "Cost a year after the transition (£)", "confidence": "Confidence",
                "cfc_rule": "Rule under CFC", "cap_rule": "Rule keeping CAP", "keep_up_rule": "Keeping-up rule",
                "note": "Note", "assumption_low": "95% interval over assumption sets: low",
                "assumption_high": "95% interval over assumption sets: high",
                "assumption_sets": "Assumption sets", "drivers": "What drives it most",
                "cir_on_time_ci_low": "CIRs on time: 95% interval low",
                "cir_on_time_ci_high": "CIRs on time: 95% interval high",
                "cir_on_time_target": "CIRs on time: target", "planned_go_live": "Planned go-live",
                "status_at_go_live": "Status at planned go-live", "assessed_month": "Month judged",
                "status_reason": "Why that status", "ready_month": "Ready month",
                "slip_months": "Ready after plan (months)",
                "main_reason": "Why at risk (main reason first)", "risk_rank": "Risk rank (1: worst)"}


def header_words(column: str) -> str:
    """A column's header in words (`HEADER_WORDS`, a metric's label, else its name with spaces)."""
    if column in HEADER_WORDS:
        return HEADER_WORDS[column]
    if column in BY_NAME:
        return BY_NAME[column].label
    if column.startswith("fcas_fy"):
        return f"Extra FCAs {column[7:].replace('_', '-')}"
    if column.startswith("cost_fy"):
        return f"Cost {column[7:].replace('_', '-')} (£)"
    words = column.replace("_", " ")
    return words[:1].upper() + words[1:]


def _write_sheet(wb: Any, title: str, frame: pd.DataFrame, widths: dict[str, float],
                 number_format: Callable[[str, Any], str | None] | None = None,
                 rag_column: str | None = None) -> tuple[Any, list[str]]:
    """One write-only sheet: bold header, frozen panes, filter, widths, number formats, RAG fills.

    openpyxl writes the sheet and its header row; the data rows come back as SpreadsheetML text
    (`sheet_rows`) for `write_xlsx` to put in once the workbook is saved, each number format
    registered once as a cell style."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    columns = list(frame.columns)
    last_row = max(len(frame) + 1, 2)
    ws.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(column, max(len(column) + 2, 10))
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    if rag_column in columns:
        letter = get_column_letter(columns.index(rag_column) + 1)
        for status, colour in RAG.items():
            fill = PatternFill("solid", fgColor=colour[1:], bgColor=colour[1:])
            ws.conditional_formatting.add(f"{letter}2:{letter}{last_row}",
                                          FormulaRule(formula=[f'${letter}2="{status}"'], fill=fill,
                                                      font=Font(bold=True, color=RAG_TEXT[status][1:])))
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="F0F0F0")
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=header_words(str(column)))
        cell.data_type = "s"
        cell.font, cell.fill = bold, grey
        header.append(cell)
    ws.append(header)
    styles: dict[str, int] = {}

    def style(value: Any, fmt: str | None) -> int | None:
        """The cell style of `value` in a column of number format `fmt` (a date: a date format), each
        format registered once (on a template cell)."""
        if isinstance(value, dt.date):
            fmt = fmt or DATE_FORMAT
        if fmt is None:
            return None
        if fmt not in styles:
            template = WriteOnlyCell(ws)
            template.number_format = fmt
            styles[fmt] = template.style_id
        return styles[fmt]

    metrics = [str(m) for m in frame["metric"]] if "metric" in columns else [""] * len(frame)
    cells = []
    for at, column in enumerate(columns):
        formats = {m: number_format(column, m) if number_format else None for m in dict.fromkeys(metrics)}
        series = frame.iloc[:, at]
        numeric = pd.api.types.is_numeric_dtype(series)  # holds no dates
        if pd.api.types.is_float_dtype(series):
            values = [None if v != v else v for v in series.tolist()]  # NaN: an empty cell
        else:
            values = [v if type(v) is str else _cell(v) for v in series.tolist()]
        if numeric and len(set(formats.values())) == 1:
            chosen = [style(None, next(iter(formats.values())))] * len(values)
        else:
            chosen = [style(v, formats[m]) for v, m in zip(values, metrics, strict=True)]
        cells.append(column_cells(get_column_letter(at + 1), values, chosen))
    return ws, rows_xml(cells)


def _summary_format(column: str, metric: str) -> str | None:
    if column in ("mean", "ci_low", "ci_high"):
        return "0.0%" if written_as_share(metric) else "#,##0.00"
    return "0" if column == "n_reps" else None


def _readiness_format(column: str, metric: str) -> str | None:
    if column == "month":
        return MONTH_FORMAT
    return "0.000" if column in ("value", "threshold", "margin") else None


def monthly_means(monthly: pd.DataFrame) -> pd.DataFrame:
    """The workbook's `Monthly` sheet: one row per area and month (monthly_summary's order), one column
    per metric (its order) holding the mean across replications; empty where an area has no such
    series. The p05/p50/p95 bands stay in monthly_summary.csv: one row per metric and three more
    columns made a 43,000-row sheet (national default) that Excel took half a minute to open."""
    metrics = [str(m) for m in monthly["metric"].drop_duplicates()]
    keys = monthly[["area", "month"]].drop_duplicates()
    once = monthly.drop_duplicates(["area", "month", "metric"])  # a hand-edited file may repeat a row: first wins
    wide = once.pivot(index=["area", "month"], columns="metric", values="mean")
    wide = wide.reindex(index=pd.MultiIndex.from_frame(keys), columns=metrics)
    wide.columns.name = None
    return wide.reset_index()


def _monthly_format(column: str, metric: str) -> str | None:
    if column == "month":
        return MONTH_FORMAT
    if column == "area":
        return None
    return "0.0%" if written_as_share(column) else "#,##0.00"


AREA_SHARES = ("cir_on_time_share", "cir_on_time_ci_low", "cir_on_time_ci_high", "cir_on_time_target",
               "children_seen_share", "vacancy_rate_mean")


def _area_format(column: str, metric: str) -> str | None:
    if column in AREA_SHARES:
        return "0.0%"
    if column in ("weeks_to_decision_mean", "caseload_mean"):
        return "#,##0.0"
    if column in ("assessed_month", "ready_month"):
        return MONTH_FORMAT
    if column == "planned_go_live":
        return DATE_FORMAT
    return "0" if column == "risk_rank" else None


def _need_format(column: str, metric: str) -> str | None:
    if column in ("fte_now", "fcas_needed_cfc", "fcas_needed_cap"):
        return "#,##0"
    if column.startswith("cost") or column == "annual_cost" or column == "Cost (£)":
        return "£#,##0"
    if column.startswith("Extra FCAs") or column.startswith("fcas_fy"):
        return "+#,##0.0;-#,##0.0;0"
    signed = ("difference", "ci_low", "ci_high", "hours_fte", "timeliness_fte", "transition_fte", "assumption_low",
              "assumption_high")
    return "+#,##0;-#,##0;0" if column in signed else None


def write_xlsx(result: RunResult, path: Path, owner: Path | None = None, need: pd.DataFrame | None = None) -> Path:
    """Write the Excel workbook (sheets Areas, Summary, Readiness, Monthly, Area inputs, Scenario, and Need
    when `need` is given) to `path` atomically (recorded in the marker of the output folder `owner`, if given)."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
    except ImportError:
        raise UserError("writing the Excel workbook needs openpyxl: pip install -e \".[excel]\"") from None

    wb = Workbook(write_only=True)  # streams rows as they are appended
    areas = area_frame(area_rows(result), result.config.header.targets)
    sheets = [_write_sheet(wb, "Areas", areas, {"area": 34, "region": 20, "risk_rank": 10, "planned_go_live": 15,
                                      "status_at_go_live": 17, "assessed_month": 15, "note": 36,
                                      "status_reason": 60, "ready_month": 20, "slip_months": 12,
                                      "main_reason": 90}, _area_format,
                 rag_column="status_at_go_live"),
              _write_sheet(wb, "Summary", result.summary, {"area": 34, "pathway": 9, "metric": 40, "mean": 14,
                                                           "ci_low": 14, "ci_high": 14, "n_reps": 8}, _summary_format)]
    readiness = result.readiness.assign(month=month_dates(result.readiness["month"]))
    sheets.append(_write_sheet(wb, "Readiness", readiness, {"area": 34, "month": 10, "criterion": 13, "value": 11,
                                                            "threshold": 11, "passed": 9, "status": 9, "margin": 11,
                                                            "go_live_month": 15}, _readiness_format,
                               rag_column="status"))
    monthly = monthly_means(result.monthly_summary())
    sheets.append(_write_sheet(wb, "Monthly", monthly.assign(month=month_dates(monthly["month"])),
                               {"area": 34, "month": 10}, _monthly_format))
    inputs = area_inputs_frame(result.config)
    sheets.append(_write_sheet(wb, "Area inputs", inputs, {c: max(14, min(len(c) * 0.8, 30)) for c in inputs.columns}
                               | {"Area": 34, "Region": 20}, lambda column, metric: INPUT_FORMATS.get(column)))
    ws = wb.create_sheet("Scenario")
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 110
    header = [WriteOnlyCell(ws, value="key"), WriteOnlyCell(ws, value="value")]
    for cell in header:
        cell.font = Font(bold=True)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for key, value in scenario_rows(result):
        cell = WriteOnlyCell(ws, value=_cell(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
        elif isinstance(cell.value, dt.date):
            cell.number_format = DATE_FORMAT
        cell.alignment = wrap
        ws.append([key, cell])
    if need is not None:
        sheets.append(_write_sheet(wb, "Need", need, {"area": 34, "cfc_rule": 40, "cap_rule": 50, "note": 40},
                                   _need_format))
        from cfc_sim.report.need_view import costs_frame

        costs = costs_frame(need)
        if not costs.empty:
            sheets.append(_write_sheet(wb, "Costs", costs, {"Court area": 34, "Financial year (April to March)": 18,
                                                            "Extra FCAs needed (mean over the year's months in the "
                                                            "horizon)": 30, "Cost (£)": 16}, _need_format))
    wb.properties.creator = WRITER

    def save(tmp: Path) -> None:
        wb.save(tmp)  # names each sheet's archive member (`path`) as it writes it
        splice_rows(tmp, {sheet.path.lstrip("/"): rows for sheet, rows in sheets})

    return write_file(Path(path), save, owner=owner)
