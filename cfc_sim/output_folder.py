"""The one way cfc-sim writes output: folders that say what wrote them, replaced only by the same verb.

Every output folder holds a marker file (`.cfc-sim-output`, JSON) naming the writer, the kind of
output (`run`, `sweep`, `plan`, `rollout`, `compare`, `sensitivity`, `report`), the version and the
files cfc-sim wrote there. A destination is replaced only when it is the same kind of cfc-sim output
and holds nothing cfc-sim did not write; an empty folder may be used; anything else is refused
(exit 2) before any simulation runs. A folder is built in a hidden sibling
`.NAME.tmp-<pid>-<random>` and renamed into place when complete; single files are written the same
way (`.NAME.tmp-<pid>-<random>.ext`, then `os.replace`). Interruption (Ctrl-C, SIGTERM) removes the
temporary folder; temporaries of processes that died (SIGKILL, power cut) are removed at the next
write beside them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cfc_sim.errors import UserError
from cfc_sim.executor import terminate_cleanly
from cfc_sim.kept import wrote as kept_written
from cfc_sim.seal import read_json_object, reseal, seal_folder
from cfc_sim.version import __version__

MARKER = ".cfc-sim-output"
WRITER = "cfc-sim"
KINDS = ("run", "sweep", "plan", "rollout", "compare", "sensitivity", "report", "calibrate")
MARKER_MAX_BYTES = 1_000_000
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<what>tmp|old)-(?P<pid>\d+)-(?P<token>[0-9a-f]+)(\.[A-Za-z0-9.]+)?$")
# What cfc-sim puts inside the single files it writes, so it knows it may replace them.
HTML_GENERATOR = '<meta name="generator" content="cfc-sim">'
PNG_SOFTWARE = {"Software": WRITER}


# --------------------------------------------------------------------------- the marker


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The folder's marker if it holds a readable cfc-sim one, else None."""
    marker = read_json_object(Path(folder) / MARKER, MARKER_MAX_BYTES)
    if marker is None or marker.get("writer") != WRITER or marker.get("kind") not in KINDS:
        return None
    files = marker.get("files", [])
    marker["files"] = [f for f in files if isinstance(f, str)] if isinstance(files, list) else []
    return marker


def folder_kind(folder: Path) -> str | None:
    """The kind of cfc-sim output `folder` holds (None: not a marked cfc-sim output folder)."""
    marker = read_marker(folder)
    return None if marker is None else str(marker["kind"])


def _write_marker(folder: Path, kind: str, files: Sequence[str]) -> None:
    remove_dead_temporaries(folder, MARKER)
    body = {"writer": WRITER, "kind": kind, "version": __version__, "files": sorted(set(files))}
    text = json.dumps(body, indent=2) + "\n"
    _replace_file(folder / MARKER, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _contents(folder: Path) -> list[str]:
    """Every file (and other non-folder entry) under `folder`, relative, the marker left out."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(folder).as_posix()
        if rel != MARKER:
            found.append(rel)
    return found


# --------------------------------------------------------------------------- checks made up front


def _describe(kind: str) -> str:
    return "a cfc-sim run's results folder" if kind == "run" else f"a cfc-sim {kind} folder"


def _refuse(out: Path, why: str, fix: str = "choose another --out") -> UserError:
    return UserError(f"{why}; {fix}", file=str(out))


def _check_replaceable(out: Path, kind: str) -> None:
    """Refuse a folder that is not the same kind of cfc-sim output, or holds files cfc-sim did not write."""
    if out.is_symlink() or not out.is_dir():
        raise _refuse(out, "exists and is not a folder")
    if not any(out.iterdir()):
        return
    marker = read_marker(out)
    if marker is None:
        raise _refuse(out, "exists and is not a cfc-sim output folder (no .cfc-sim-output marker), so it is "
                           "left alone")
    if marker["kind"] != kind:
        raise _refuse(out, f"is {_describe(str(marker['kind']))}, which `cfc-sim {kind}` does not replace")
    foreign = [name for name in _contents(out) if name not in set(marker["files"])]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise _refuse(out, f"holds files cfc-sim did not write ({shown}), so it is not replaced",
                      "move them out or choose another --out")


def _check_parent(out: Path) -> None:
    """The nearest existing ancestor is a folder we can create entries in (tested by doing it)."""
    ancestor = out.parent
    while not ancestor.exists():
        if ancestor.is_symlink() or ancestor == ancestor.parent:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UserError(f"cannot be created: {ancestor} is not a folder", file=str(out))
    probe = ancestor / temporary_name(out.name)
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise UserError(f"cannot be written ({exc.strerror or exc} in {ancestor})", file=str(out)) from None


def _check_not_reserved(out: Path, inputs: Sequence[Path]) -> None:
    here = Path.cwd().resolve()
    target = out.resolve()
    if target == here or target in here.parents:
        raise _refuse(out, "is the current folder (or holds it), which cfc-sim never replaces")
    for source in inputs:
        source = Path(source).resolve()
        if target == source or source in target.parents or target in source.parents:
            raise _refuse(out, f"is (or holds, or lies inside) {source}, a folder this command reads")


def check_folder(out: Path, kind: str, *, inputs: Sequence[Path] = (), overwrite: bool = True) -> Path:
    """Refuse, before any work, an --out folder this command may not (or cannot) write; return it.

    `inputs` are folders the command reads (compare's runs, report's results): never an output.
    Without `overwrite` (the command line's `--overwrite`), an existing non-empty folder is refused
    even when cfc-sim may replace it, so earlier results are never replaced without a word.
    """
    out = Path(out)
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}")
    _check_not_reserved(out, inputs)
    if out.exists() or out.is_symlink():
        _check_replaceable(out, kind)
        if not overwrite and any(out.iterdir()):
            raise _refuse(out, f"already holds {_describe(kind)}, which is left as it is",
                          "give --overwrite to replace it, or choose another --out")
    _check_parent(out)
    return out


def check_file(path: Path, written_by_us: Callable[[Path], bool], *, owner: Path | None = None) -> Path:
    """Refuse, before any work, a single output file that exists and was not written by cfc-sim."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        if path.is_symlink() or not path.is_file():
            raise UserError("exists and is not a regular file; choose another --out", file=str(path))
        recorded = owner is not None and _recorded(owner, path)
        if not recorded and not written_by_us(path):
            raise UserError("exists and was not written by cfc-sim, so it is left alone; choose another --out",
                            file=str(path))
    _check_parent(path)
    return path


def _recorded(owner: Path, path: Path) -> bool:
    marker = read_marker(owner)
    try:
        rel = path.resolve().relative_to(Path(owner).resolve()).as_posix()
    except ValueError:
        return False
    return marker is not None and rel in marker["files"]


def html_by_us(path: Path) -> bool:
    """A page cfc-sim wrote (its generator tag near the top)."""
    with open(path, "rb") as handle:
        return HTML_GENERATOR.encode() in handle.read(8192)


def xlsx_by_us(path: Path) -> bool:
    """A workbook cfc-sim wrote (creator cfc-sim in its document properties)."""
    try:
        with zipfile.ZipFile(path) as book:
            core = book.read("docProps/core.xml")[:65536]
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return f">{WRITER}</dc:creator>".encode() in core


def png_by_us(path: Path) -> bool:
    """A chart cfc-sim drew (PNG with the Software text chunk set to cfc-sim)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    return head.startswith(b"\x89PNG\r\n\x1a\n") and b"tEXtSoftware\x00" + WRITER.encode() in head


# --------------------------------------------------------------------------- temporaries


def _mark(name: str, what: str, pid: int, nonce: str) -> str:
    return hashlib.sha256(f"cfc-sim/{name}/{what}/{pid}/{nonce}".encode()).hexdigest()[:8]


def temporary_name(name: str, what: str = "tmp", pid: int | None = None, suffix: str = "") -> str:
    """`.NAME.tmp-<pid>-<nonce><mark>[suffix]`: the mark (a hash of the rest) tells a temporary
    cfc-sim made from a file that merely looks like one, which is never removed."""
    pid = os.getpid() if pid is None else pid
    nonce = secrets.token_hex(4)
    return f".{name}.{what}-{pid}-{nonce}{_mark(name, what, pid, nonce)}{suffix}"


def _marked(found: re.Match[str]) -> bool:
    token = found["token"]
    return len(token) == 16 and _mark(found["name"], found["what"], int(found["pid"]), token[:8]) == token[8:]


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def remove_dead_temporaries(parent: Path, name: str) -> None:
    """Remove temporaries of `parent/name` left by processes that no longer run.

    Only entries cfc-sim made are touched: temporary folders that hold a cfc-sim marker, temporary
    files and empty folders whose name carries cfc-sim's mark (`temporary_name`), and the previous
    output set aside during a replacement (put back when the process died before the new one was
    in place). A file merely named like a temporary is left alone.
    """
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        found = _TEMP.match(entry.name)
        if found is None or found["name"] != name or _pid_alive(int(found["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_symlink() or entry.is_file():
                if found["what"] == "tmp" and _marked(found):
                    entry.unlink()
            elif entry.is_dir():
                ours = read_marker(entry) is not None
                if found["what"] == "old" and ours and not (parent / name).exists():
                    os.replace(entry, parent / name)
                elif ours:
                    shutil.rmtree(entry)
                elif _marked(found) and not any(entry.iterdir()):
                    entry.rmdir()


def _write_error(path: Path, exc: OSError) -> UserError:
    reason = exc.strerror or str(exc)
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return UserError(f"could not write the output: {reason}{where}; nothing was replaced", file=str(path))


def _replace_file(path: Path, write: Callable[[Path], object]) -> None:
    """`write(tmp)` on a hidden temporary beside `path` (same extension), then rename it into place."""
    tmp = path.parent / temporary_name(path.name, suffix=path.suffix)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


# --------------------------------------------------------------------------- writing


def write_folder(out: Path, kind: str, fill: Callable[[Path], object], *, inputs: Sequence[Path] = (),
                 details: dict[str, Any] | None = None) -> Path:
    """Create the output folder `out` of this `kind` atomically: `fill(tmp)` writes into a hidden sibling,
    which is marked and renamed into place when complete (`details`: extra manifest entries). The
    previous output is replaced only when `check_folder` allows it; on any failure nothing is replaced
    and the temporary is removed."""
    out = check_folder(Path(out), kind, inputs=inputs)
    parent = out.parent
    tmp = parent / temporary_name(out.name)
    trash = parent / temporary_name(out.name, "old")
    with terminate_cleanly():  # SIGTERM unwinds, so the temporary is removed
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_dead_temporaries(parent, out.name)
            tmp.mkdir()
            _write_marker(tmp, kind, [])  # first: a temporary left by a killed process is known to be ours
            fill(tmp)
            seal_folder(tmp, kind, _contents(tmp), __version__, details)  # manifest.json: every file's size and SHA-256
            _write_marker(tmp, kind, _contents(tmp))
            if out.exists() or out.is_symlink():
                _check_replaceable(out, kind)  # again: it may have changed while we worked
                os.replace(out, trash)
            os.replace(tmp, out)
        except OSError as exc:
            _undo(tmp, trash, out)
            raise _write_error(out, exc) from None
        except BaseException:
            _undo(tmp, trash, out)
            raise
    shutil.rmtree(trash, ignore_errors=True)
    kept_written(out)
    return out


def _undo(tmp: Path, trash: Path, out: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
    if trash.exists() and not out.exists():
        with contextlib.suppress(OSError):
            os.replace(trash, out)


def open_folder(out: Path, kind: str, *, inputs: Sequence[Path] = ()) -> Path:
    """An output folder filled in place, file by file (a sweep, a report folder): created and marked
    if new or empty, reused if it is already this kind of cfc-sim output. Never emptied."""
    out = Path(out)
    _check_not_reserved(out, inputs)
    if out.exists() or out.is_symlink():
        if out.is_symlink() or not out.is_dir():
            raise _refuse(out, "exists and is not a folder")
        marker = read_marker(out)
        if marker is None and any(out.iterdir()):
            raise _refuse(out, "exists and is not a cfc-sim output folder (no .cfc-sim-output marker), so it "
                               "is left alone")
        if marker is not None and marker["kind"] != kind:
            raise _refuse(out, f"is {_describe(str(marker['kind']))}, which `cfc-sim {kind}` does not write into")
        if marker is not None:
            return out
    _check_parent(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write_marker(out, kind, [])
    except OSError as exc:
        raise _write_error(out, exc) from None
    return out


def write_file(path: Path, write: Callable[[Path], object], *, owner: Path | None = None) -> Path:
    """Write one file atomically (`write(tmp)`, then rename); record it in `owner`'s marker, if any.

    `write` gets a temporary path with the same extension (so matplotlib and openpyxl pick the format).
    """
    path = Path(path)
    with terminate_cleanly():  # SIGTERM unwinds, so the temporary is removed
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_dead_temporaries(path.parent, path.name)
            _replace_file(path, write)
            if owner is not None:
                record(owner, [path])
        except OSError as exc:
            raise _write_error(path, exc) from None
    kept_written(path)
    return path


def record(owner: Path, paths: Sequence[Path]) -> None:
    """Add files cfc-sim wrote into a marked folder to its marker (so they may be replaced later)."""
    marker = read_marker(owner)
    if marker is None:
        return
    root = Path(owner).resolve()
    rels = []
    for path in paths:
        with contextlib.suppress(ValueError):
            rels.append(Path(path).resolve().relative_to(root).as_posix())
    if set(rels) - set(marker["files"]):
        _write_marker(Path(owner), str(marker["kind"]), [*marker["files"], *rels])
    reseal(Path(owner), rels)  # a sealed folder's seal follows what cfc-sim itself rewrote there


def retire(owner: Path, names: Sequence[str]) -> list[str]:
    """Remove files that cfc-sim wrote into the marked folder `owner` and that are now stale (a sweep's
    chart of an earlier grid), and forget them in its marker; a name the marker does not list is left
    alone. Returns the names removed."""
    marker = read_marker(owner)
    if marker is None:
        return []
    gone = [name for name in names if name in marker["files"] and _plain_name(name)
            and (Path(owner) / name).is_file() and not (Path(owner) / name).is_symlink()]
    for name in gone:
        with contextlib.suppress(FileNotFoundError):
            (Path(owner) / name).unlink()
    if gone:
        _write_marker(Path(owner), str(marker["kind"]), [f for f in marker["files"] if f not in gone])
    return gone


def _plain_name(name: str) -> bool:
    """A file name directly in the folder (no folder part, no '..'): a marker is read back from disk, so
    a name in it could point anywhere."""
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def check_in_folder(owner: Path, path: Path) -> None:
    """Refuse to overwrite a file inside a marked folder that cfc-sim did not write there."""
    path = Path(path)
    if (path.exists() or path.is_symlink()) and read_marker(owner) is not None and not _recorded(owner, path):
        raise UserError("was not written by cfc-sim, so it is left alone; move it first", file=str(path))
