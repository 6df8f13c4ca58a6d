"""The workbook's data rows written as text (`cfc_sim.report.sheet_rows`) are, byte for byte, the sheet
openpyxl writes for the same cells: every kind of value, styles, escapes, spaces, empty and long text."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest

from cfc_sim.report.sheet_rows import MAX_TEXT, cell_xml, column_cells, rows_xml, splice_rows

openpyxl = pytest.importorskip("openpyxl")
FORMATS = ["0.0%", "mmm yyyy", "#,##0.00", "d mmm yyyy"]
ROWS: list[list[tuple[Any, str | None]]] = [
    [("Dorset", None), (dt.date(2027, 4, 1), "mmm yyyy"), (0.123456789012345678, "0.0%"), (True, None),
     (None, "#,##0.00"), (None, None), (3, None), (-0.5, "#,##0.00")],
    [("Birmingham & <Solihull>", None), (dt.datetime(2026, 4, 6, 12, 0), "d mmm yyyy"), (1e-300, None),
     (False, None), (float("inf"), "0.0%"), ("", None), (12345678901234567, None), ("=1+1", None)],
    [("  spaced ", None), (dt.date(1900, 2, 1), "d mmm yyyy"), (2.5e20, "#,##0.00"), ("line\r\nbreak", None),
     ("x" * (MAX_TEXT + 10), None), ("@SUM(A1)", "0.0%"), ("#N/A", None), ("-", None)],
]


def _sheet(archive: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archive)) as book:
        return book.read("xl/worksheets/sheet1.xml")


def _workbook() -> tuple[Any, Any, dict[str, int]]:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.freeze_panes = "A2"
    styles = {}
    for fmt in FORMATS:  # both workbooks register the formats in the same order
        template = openpyxl.cell.WriteOnlyCell(ws)
        template.number_format = fmt
        styles[fmt] = template.style_id
    header = openpyxl.cell.WriteOnlyCell(ws, value="area")
    header.font = openpyxl.styles.Font(bold=True)
    ws.append([header])
    return wb, ws, styles


def _by_openpyxl() -> bytes:
    wb, ws, _ = _workbook()
    for row in ROWS:
        cells = []
        for value, fmt in row:
            cell = openpyxl.cell.WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            if fmt is not None:
                cell.number_format = fmt
            cells.append(cell if (value is not None or fmt is not None) else None)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_rows_as_text_are_the_sheet_openpyxl_writes(tmp_path: Any) -> None:
    wb, ws, styles = _workbook()
    columns = [column_cells(openpyxl.utils.get_column_letter(j + 1), [row[j][0] for row in ROWS],
                            [None if row[j][1] is None else styles[row[j][1]] for row in ROWS]) for j in range(8)]
    rows = rows_xml(columns)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    splice_rows(path, {ws.path.lstrip("/"): rows})
    assert _sheet(path.read_bytes()) == _sheet(_by_openpyxl())
    book = openpyxl.load_workbook(path)
    sheet = book["Data"]
    assert sheet["H3"].value == "=1+1" and sheet["H3"].data_type == "s"  # formula-like text stays text
    assert sheet["B2"].is_date and sheet["B2"].number_format == "mmm yyyy"
    assert len(sheet["E4"].value) == MAX_TEXT and sheet["A4"].value == "  spaced "
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b


def test_characters_a_workbook_cannot_hold_are_refused_as_openpyxl_does() -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    with pytest.raises(IllegalCharacterError):
        cell_xml("A2", "bell\x07", None)
    with pytest.raises(TypeError, match="cannot write"):
        cell_xml("A2", object(), None)


def test_a_sheet_without_its_data_element_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(ValueError, match="sheetData"):
        splice_rows(path, {"xl/worksheets/sheet1.xml": ['<row r="2"/>']})
