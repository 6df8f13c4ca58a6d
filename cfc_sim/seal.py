"""Sealed output folders: manifest.json records every file's size and SHA-256 when cfc-sim finishes
writing a folder (as BagIt and Frictionless data packages do), and every reader checks them first.

A results folder is trusted only as far as it is what cfc-sim wrote: a file cut short, edited,
extended, swapped or removed since is refused (exit 2, naming the file), never read with rows
silently lost; a sweep reuses only a variant whose seal holds. A folder written before sealing
(cfc-sim 0.x without `files` in manifest.json) is read with a warning that it cannot be checked,
and never reused by a sweep; rerunning the command that wrote it seals it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import stat
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cfc_sim.errors import UserError
from cfc_sim.results_files import MANIFEST_JSON

SEAL_KEY = "files"  # manifest.json: {relative path: {"bytes": n, "sha256": hex}}
SELF_KEY = "manifest_sha256"  # manifest.json's own content, so an edit to it (replications, seed) is refused too
MANIFEST_MAX_BYTES = 5_000_000
_CHUNK_BYTES = 1 << 20
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FolderWarning(UserWarning):
    """Something a reader of a folder should tell the user (printed as one `warning:` line)."""


def file_seal(path: Path) -> dict[str, Any]:
    """A file's size and SHA-256, read in chunks (a large Parquet file is never held in memory)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return {"bytes": size, "sha256": digest.hexdigest()}


def read_json_object(path: Path, max_bytes: int) -> dict[str, Any] | None:
    """A small JSON object cfc-sim wrote (a manifest, a marker), or None: missing, a link, larger
    than `max_bytes`, unreadable or not an object. Read as untrusted input, never followed."""
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > max_bytes:
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _load(path: Path) -> dict[str, Any] | None:
    return read_json_object(path, MANIFEST_MAX_BYTES)


def manifest_digest(body: dict[str, Any]) -> str:
    """SHA-256 of a manifest's content without its own digest (`SELF_KEY`), as JSON with sorted keys:
    the manifest holds the other files' seals, so its own is kept inside it."""
    content = {k: v for k, v in body.items() if k != SELF_KEY}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def _write(path: Path, body: dict[str, Any]) -> None:
    """manifest.json replaced atomically (a temporary beside it, then renamed), with its own digest."""
    body = {**body, SELF_KEY: manifest_digest(body)}
    tmp = path.parent / f".{path.name}.seal-{os.getpid()}-{secrets.token_hex(4)}.json"
    try:
        tmp.write_text(json.dumps(body, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def seal_folder(folder: Path, kind: str, files: Iterable[str], version: str,
                details: dict[str, Any] | None = None) -> None:
    """Record `files` (relative to `folder`) in its manifest.json, which is created for a kind of
    folder that has none (plan, compare, sensitivity...), with `details` (e.g. the scenario a plan
    is of, so that a report cannot show another scenario's need)."""
    folder = Path(folder)
    path = folder / MANIFEST_JSON
    body = _load(path) or {"writer": "cfc-sim", "kind": kind, "cfc_sim_version": version, **(details or {})}
    body[SEAL_KEY] = {rel: file_seal(folder / rel) for rel in sorted(files) if rel != MANIFEST_JSON}
    _write(path, body)


def reseal(folder: Path, files: Iterable[str]) -> None:
    """Update the seal of sealed `files` that cfc-sim has just rewritten (the heatmap redrawn by
    `readiness`). Files added later (report.html beside the results) stay outside the seal, so
    removing them never spoils the folder; an unsealed folder stays so."""
    path = Path(folder) / MANIFEST_JSON
    body = _load(path)
    if body is None or not isinstance(body.get(SEAL_KEY), dict):
        return
    changed = False
    for rel in files:
        if rel in body[SEAL_KEY] and (Path(folder) / rel).is_file():
            entry = file_seal(Path(folder) / rel)
            changed = changed or entry != body[SEAL_KEY][rel]
            body[SEAL_KEY][rel] = entry
    if changed:
        _write(path, body)


def _seal_entries(manifest: dict[str, Any], shown: str) -> dict[str, dict[str, Any]]:
    seal = manifest[SEAL_KEY]
    if not isinstance(seal, dict):
        raise UserError("must map each file to its size and SHA-256", file=shown, key=SEAL_KEY)
    for rel, entry in seal.items():
        parts = Path(rel).parts
        ok_path = isinstance(rel, str) and rel and not Path(rel).is_absolute() and ".." not in parts
        ok_entry = (isinstance(entry, dict) and isinstance(entry.get("bytes"), int)
                    and not isinstance(entry.get("bytes"), bool) and entry["bytes"] >= 0
                    and isinstance(entry.get("sha256"), str) and _HEX64.match(entry["sha256"]) is not None)
        if not ok_path or not ok_entry:
            raise UserError(f"entry {str(rel)[:80]!r} must be a path inside the folder with its bytes and sha256",
                            file=shown, key=SEAL_KEY)
    return seal


RERUN = "rerun the command that wrote it (manifest.json's `command`)"


def verify_file(folder: Path, rel: str, entry: dict[str, Any]) -> None:
    """`folder/rel` is the regular file sealed as `entry`: same size (checked first, so a file cut
    short or grown is named without reading it), then the same SHA-256."""
    path = Path(folder) / rel
    shown = str(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise UserError(f"is missing, though {MANIFEST_JSON} lists it; {RERUN}", file=shown) from None
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc})", file=shown) from None
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"is not a regular file (a link or folder where cfc-sim wrote a file); {RERUN}",
                        file=shown)
    if info.st_size != entry["bytes"]:
        how = "cut short" if info.st_size < entry["bytes"] else "extended"
        raise UserError(f"is {info.st_size:,} bytes, not the {entry['bytes']:,} cfc-sim wrote ({how} since); "
                        f"{RERUN}", file=shown)
    try:
        actual = file_seal(path)["sha256"]
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc})", file=shown) from None
    if actual != entry["sha256"]:
        raise UserError(f"has changed since cfc-sim wrote it (its SHA-256 is not the one in {MANIFEST_JSON}); "
                        f"{RERUN}", file=shown)


def verify_folder(folder: Path, needed: Iterable[str] = (), *, warn: bool = True) -> bool:
    """Check every file sealed in `folder`'s manifest.json; the files a reader will read (`needed`)
    must be among them. True when sealed and intact; False (with a `FolderWarning` when `warn`)
    for a folder written before sealing. Anything else is a `UserError` naming the file."""
    folder = Path(folder)
    shown = str(folder / MANIFEST_JSON)
    manifest = _load(folder / MANIFEST_JSON)
    if manifest is None or SEAL_KEY not in manifest:
        if warn:
            warnings.warn(f"{folder}: written by a cfc-sim without sealed folders (no file sizes and hashes in "
                          f"{MANIFEST_JSON}), so its files cannot be checked; rerun to seal it",
                          FolderWarning, stacklevel=2)
        return False
    digest = manifest.get(SELF_KEY)
    if digest is not None and digest != manifest_digest(manifest):  # folders sealed before it have none
        raise UserError(f"has changed since cfc-sim wrote it (its content no longer matches its {SELF_KEY}); "
                        f"{RERUN}", file=shown)
    seal = _seal_entries(manifest, shown)
    for rel in needed:
        if rel not in seal:
            raise UserError(f"is not among the files cfc-sim sealed in {MANIFEST_JSON} (added since); {RERUN}",
                            file=str(folder / rel))
    for rel, entry in seal.items():
        verify_file(folder, rel, entry)
    return True


def is_intact(folder: Path) -> bool:
    """Sealed and every sealed file as written (for reuse: anything else is recomputed)."""
    try:
        return verify_folder(folder, warn=False)
    except UserError:
        return False
