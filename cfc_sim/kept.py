"""What a command has finished and kept on disk so far, so that an interruption (Ctrl-C, SIGTERM)
says what was kept and what a rerun will reuse, never a blanket "nothing written".

Writers record as they go (`wrote`, `cached`, `note`); the command line asks `said()` when it is
interrupted. The record is per process and cleared at the start of each command.
"""

from __future__ import annotations

from pathlib import Path

_files: list[str] = []
_cached: dict[str, int] = {}
_notes: dict[str, str] = {}
_rerun: list[str] = []


def reset() -> None:
    """Start a command with nothing recorded."""
    _files.clear()
    _cached.clear()
    _notes.clear()
    _rerun.clear()


def wrote(path: Path) -> None:
    """A finished output (file or folder) is in place."""
    _files.append(str(path))


def cached(folder: Path) -> None:
    """One more evaluation is stored in the disk cache `folder`."""
    _cached[str(folder)] = _cached.get(str(folder), 0) + 1


def note(topic: str, text: str) -> None:
    """What a long command has kept, in its own words (replaces its earlier note)."""
    _notes[topic] = text


def rerun_with(how: str, cache: Path | None = None) -> None:
    """How to rerun so the cache is found (e.g. "the same command with --out results/plan-x"); an
    interruption then says what `cache` holds, even nothing yet."""
    _rerun[:] = [how]
    if cache is not None:
        _cached.setdefault(str(cache), 0)


def said() -> str:
    """One clause: what was kept and what a rerun reuses, or "nothing written"."""
    parts = list(_notes.values())
    how = _rerun[0] if _rerun else "a rerun of the same command"
    for folder, count in _cached.items():
        parts.append(f"{count} simulated run{'s' if count != 1 else ''} {'are' if count != 1 else 'is'} cached in "
                     f"{folder}; {how} reuses {'it' if count == 1 else 'them'}")
    if not parts and _files:
        shown = ", ".join(_files[:3]) + (f" and {len(_files) - 3} more" if len(_files) > 3 else "")
        parts.append(f"kept what was finished before: {shown}")
    return "; ".join(parts) or "nothing written"
