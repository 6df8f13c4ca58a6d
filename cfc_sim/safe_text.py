"""Text on its way out of cfc-sim, made harmless for where it lands: spreadsheets and terminals.

Names and values come from users' files and results folders. A cell starting with `=`, `+`, `-`
or `@` (or a tab or carriage return) is a formula to Excel and LibreOffice (CSV injection); control
characters (ESC, BEL) re-program a terminal. Numbers such as `-0.5` stay numbers.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# In a cell read from a folder even tab and newline are out of place; bidirectional overrides
# (U+202A-U+202E, U+2066-U+2069) make a name read differently from what it is.
_CELL_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_STARTS) and not _is_number(text)


def spreadsheet_text(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as the text it is: formula-like strings get a leading quote."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_safe(frame: Any) -> Any:
    """The frame with every formula-like text cell quoted (numbers and ordinary text unchanged)."""
    import pandas as pd

    columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if not columns:
        return frame
    changed = {c: frame[c].map(spreadsheet_text) for c in columns  # the distinct values checked: area, month...
               if any(isinstance(v, str) and is_formula_like(v) for v in frame[c].unique())}
    return frame.assign(**changed) if changed else frame


def terminal_text(value: Any) -> str:
    """The value as text with control characters (ESC, BEL, ...) shown as `?` (newline and tab kept)."""
    return _CONTROL.sub("?", str(value))


def clean_text(value: Any) -> str:
    """Text read from a folder with every control character (ESC, BEL, NUL, tab, newline, bidi
    overrides) shown as `?`: safe for the terminal, the HTML page (after escaping) and Excel, whose
    files may not hold them at all."""
    return _CELL_CONTROL.sub("?", str(value))


def clean_column(values: Any) -> Any:
    """A text column with `clean_text` applied to each distinct value that needs it (a column of
    area names holds few distinct values, so this is cheap); missing values stay missing."""
    bad = {v for v in values.dropna().unique() if isinstance(v, str) and _CELL_CONTROL.search(v)}
    if not bad:
        return values
    return values.map(lambda v: clean_text(v) if v in bad else v)
