"""A worksheet's data rows as SpreadsheetML text, put into the workbook openpyxl has saved.

openpyxl spends about 30 microseconds of CPU on every cell it streams (a cell object, type
inference, lxml's incremental writer), and a national workbook has some 200,000 cells: most of
`cfc-sim report`'s time. Here each row is written as the text openpyxl writes for the same cells
(inline strings, numbers to 16 significant digits, dates as serial days with a date style, booleans as 0/1), and
put into its sheet's `<sheetData>` after openpyxl has saved everything else (styles, views,
filters, conditional formatting, the header row), so the file's structure stays openpyxl's.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_TEXT = 32_767  # Excel's limit on a cell's text (openpyxl truncates to it)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
SHEET_DATA_END = "</sheetData>"
FAST = 1  # deflate level of the rows: a quarter of the default's time, the file about a quarter larger


@functools.lru_cache(maxsize=4096)
def _text(value: str) -> str:
    """An inline-string cell's content (openpyxl's: escaped, spaces kept when at either end); kept
    for the next cell with the same text (area, criterion, status: a sheet repeats them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils.exceptions import IllegalCharacterError

    value = value[:MAX_TEXT]
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{value.translate(_ESCAPES)}</t></is>"


def cell_xml(ref: str, value: Any, style: int | None) -> str:
    """One cell: `value` (None, bool, int, float, date or str; strings always as text, never a
    formula) with the cell style `style` (an index of the workbook's cell styles; None: none)."""
    s = "" if style is None else f' s="{style}"'
    if value is None:
        return f'<c r="{ref}"{s} t="n"></c>' if style is not None else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        number = "" if math.isnan(value) or math.isinf(value) else f"{value:.16g}"
        return f'<c r="{ref}"{s} t="n"><v>{number}</v></c>'
    if isinstance(value, dt.date):
        from openpyxl.utils.datetime import to_excel

        return f'<c r="{ref}"{s} t="n"><v>{to_excel(value):.16g}</v></c>'
    if isinstance(value, str):
        return f'<c r="{ref}"{s} t="inlineStr">{_text(value) if value else ""}</c>'
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to a workbook cell")


def column_cells(letter: str, values: Sequence[Any], styles: Sequence[int | None], first_row: int = 2) -> list[str]:
    """Column `letter`'s cells from row `first_row` down: `values[k]` with the style `styles[k]`
    (finite floats and text, most cells of a results sheet, written inline; the rest by `cell_xml`)."""
    out = []
    for row, (value, style) in enumerate(zip(values, styles, strict=True), start=first_row):
        kind = type(value)
        if kind is float and math.isfinite(value):
            s = "" if style is None else f' s="{style}"'
            out.append(f'<c r="{letter}{row}"{s} t="n"><v>{value:.16g}</v></c>')
        elif kind is str and value:
            s = "" if style is None else f' s="{style}"'
            out.append(f'<c r="{letter}{row}"{s} t="inlineStr">{_text(value)}</c>')
        else:
            out.append(cell_xml(f"{letter}{row}", value, style))
    return out


def rows_xml(columns: Sequence[Sequence[str]], first_row: int = 2) -> list[str]:
    """The rows of `columns` (each a `column_cells` list, all of one length), from row `first_row`."""
    return [f'<row r="{row}">{"".join(cells)}</row>' for row, cells in enumerate(zip(*columns, strict=True),
                                                                                start=first_row)]


def splice_rows(path: Path, rows: dict[str, list[str]]) -> None:
    """Put each sheet's rows (archive member name -> row texts) at the end of its `<sheetData>` in
    the saved workbook at `path` (rewritten in place; every other member copied as it is)."""
    saved = io.BytesIO(path.read_bytes())  # small: the data sheets hold only their header row yet
    with (zipfile.ZipFile(saved) as source,
          zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=FAST) as target):
        for info in source.infolist():
            data = source.read(info)
            if info.filename not in rows:
                target.writestr(info, data)
                continue
            head, end, tail = data.decode("utf-8").partition(SHEET_DATA_END)
            if not end or SHEET_DATA_END in tail:
                raise ValueError(f"{info.filename}: not one {SHEET_DATA_END} in the sheet openpyxl wrote")
            with target.open(info.filename, "w") as out:
                out.write(head.encode("utf-8"))
                texts = rows[info.filename]
                for start in range(0, len(texts), 1000):
                    out.write("".join(texts[start:start + 1000]).encode("utf-8"))
                out.write((end + tail).encode("utf-8"))
