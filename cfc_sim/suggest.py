""""Did you mean" for names a planner types (areas, regions, metrics): the closest known names by
`difflib`, so a misspelling is answered with the spelling rather than a list of everything."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` known names close to `word`, best first (case is ignored when comparing)."""
    known = [str(c) for c in choices]
    by_folded: dict[str, str] = {}
    for name in known:
        by_folded.setdefault(name.casefold(), name)
    matches = difflib.get_close_matches(str(word).casefold(), list(by_folded), n=n, cutoff=0.6)
    return [by_folded[m] for m in matches]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'Essex'?)`, or '' when nothing is close: to append to an error message."""
    found = closest(word, choices)
    if not found:
        return ""
    quoted = [repr(name) for name in found]
    names = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f" (did you mean {names}?)"
