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
