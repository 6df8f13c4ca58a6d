"""Reading input files safely: only regular files, and never more than a size cap.

The size is checked before reading (so `/dev/zero` or a huge file fails at once), and a device,
named pipe or socket is refused without opening it (opening a pipe would wait for a writer).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_SCENARIO_BYTES = 5_000_000  # a national scenario is about 50 kB
MAX_SNAPSHOT_BYTES = 10_000_000  # a caseload snapshot CSV: tens of thousands of rows


class InputFileError(ValueError):
    """A file that cannot be read as an input (the message says why, without the path)."""


def _with_suffix_hint(path: Path) -> str:
    """' (did you mean scenarios/x.yaml?)' where the name was typed without the suffix of a file beside it."""
    if path.suffix:
        return ""
    for suffix in (".yaml", ".yml", ".csv"):
        if path.with_suffix(suffix).is_file():
            return f" (did you mean {path.with_suffix(suffix)}?)"
    return ""


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; InputFileError otherwise."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputFileError("file not found" + _with_suffix_hint(Path(path))) from None
    except OSError as exc:
        raise InputFileError(f"cannot read file ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError("is not a regular file (a device, named pipe or socket); give the path of a file")
    if info.st_size > max_bytes:
        raise InputFileError(f"file is {info.st_size:,} bytes, more than the {max_bytes:,} an input may be")
    try:  # non-blocking, so a file swapped for a pipe since the check cannot hang the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputFileError(f"cannot read file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputFileError("is not a regular file (a device, named pipe or socket); give the path of a file")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputFileError(f"cannot read file ({exc.strerror})") from None
    if len(data) > max_bytes:  # grew after the check
        raise InputFileError(f"file is more than the {max_bytes:,} bytes an input may be")
    return data
