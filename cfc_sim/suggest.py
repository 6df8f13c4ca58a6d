""""Did you mean" for names a planner types (areas, regions, metrics): the closest known names by
`difflib`, so a misspelling is answered with the spelling rather than a list of everything."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_WORD_STARTS = re.compile(r"[\s&_.,/-]+")  # where a word of a name begins


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` known names close to `word`, best first (case is ignored when comparing): names with a
    word that begins with what was typed ('Bedford' for 'Bedfordshire & Luton', 'Peterb' for
    'Cambridgeshire & Peterborough'; at least 3 characters, so 'Hull' does not offer 'Solihull'),
    else close spellings."""
    known = [str(c) for c in choices]
    by_folded: dict[str, str] = {}
    for name in known:
        by_folded.setdefault(name.casefold(), name)
    folded = str(word).casefold().strip()
    found: list[str] = []
    if len(folded) >= 3:
        starts = [f for f in by_folded if any(w.startswith(folded) for w in _WORD_STARTS.split(f))
                  or f.startswith(folded)]
        found = sorted(starts, key=lambda f: -difflib.SequenceMatcher(None, folded, f).ratio())
    if not found:
        found = difflib.get_close_matches(folded, list(by_folded), n=n, cutoff=0.6)
    return [by_folded[m] for m in found[:n]]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'Essex'?)`, or '' when nothing is close: to append to an error message."""
    found = closest(word, choices)
    if not found:
        return ""
    quoted = [repr(name) for name in found]
    names = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f" (did you mean {names}?)"


def check_metric(name: str, key: str) -> None:
    """Refuse a metric name the results never hold (before any simulation runs), with the closest
    names: `--metric`, `--target`, `--cap-metric`."""
    from cfc_sim.errors import UserError
    from cfc_sim.metric_catalogue import BY_NAME

    if name not in BY_NAME:
        raise UserError(f"no metric named {name!r}{did_you_mean(name, BY_NAME)} (the metrics are listed in "
                        "docs/reference/results.md)", key=key)


def check_area(name: str, known: Iterable[str], key: str, where: str = "the scenario") -> None:
    """Refuse an area name `known` lacks, with the closest names (`--area` of every command)."""
    from cfc_sim.errors import UserError

    names = list(known)
    if name not in names:
        more = ", ..." if len(names) > 8 else ""
        hint = did_you_mean(name, names) or f" (areas include {', '.join(names[:8])}{more})"
        raise UserError(f"no area named {name!r} in {where}{hint}", key=key)
