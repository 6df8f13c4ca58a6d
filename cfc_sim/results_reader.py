"""Reading a results folder back, treating it as untrusted input (for readiness, compare, report, sweep).

A results folder may have been edited, truncated, renamed or assembled by hand. Before pandas sees
a file it must be a regular file inside the folder and below a size cap; every CSV must have the
contract's columns (DESIGN 5) with numbers where numbers belong; manifest.json must be a JSON
object with the contract's fields of the right types. Any problem is one `UserError` naming the
file and what is wrong (exit 2), never a Python exception.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from cfc_sim.errors import UserError
from cfc_sim.output_folder import folder_kind

MANIFEST_MAX_BYTES = 5_000_000
YAML_MAX_BYTES = 50_000_000
CSV_MAX_BYTES = 4_000_000_000
PNG_MAX_BYTES = 20_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# The contract's columns (DESIGN 5) and which of them hold numbers; extra columns are allowed.
TEXT = "text"
NUMBER = "number"
FLAG = "flag"
_FLAGS = {"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}
COLUMNS: dict[str, dict[str, str]] = {
    "replications": {"replication": NUMBER, "area": TEXT, "pathway": TEXT, "metric": TEXT, "value": NUMBER},
    "summary": {"area": TEXT, "pathway": TEXT, "metric": TEXT, "mean": NUMBER, "ci_low": NUMBER,
                "ci_high": NUMBER, "n_reps": NUMBER},
    "timeseries": {"replication": NUMBER, "area": TEXT, "month": TEXT, "metric": TEXT, "value": NUMBER},
    "readiness": {"area": TEXT, "month": TEXT, "criterion": TEXT, "value": NUMBER, "threshold": NUMBER,
                  "passed": FLAG, "status": TEXT},
}
OPTIONAL_FLAGS = {"go_live_month"}
# need.csv of `cfc-sim plan --need` (a plan folder), shown by `report --need`.
NEED_COLUMNS: dict[str, str] = {"area": TEXT, "fte_now": NUMBER, "fcas_needed_cfc": NUMBER,
                                "fcas_needed_cap": NUMBER, "difference": NUMBER, "ci_low": NUMBER,
                                "ci_high": NUMBER}
# manifest.json: field -> accepted types (bool is not a number here).
MANIFEST_FIELDS: dict[str, tuple[type, ...]] = {
    "scenario_name": (str,), "scenario_sha256": (str,), "seed": (int,), "replications": (int,),
    "cfc_sim_version": (str,), "command": (str,),
}
MANIFEST_OPTIONAL: dict[str, tuple[type, ...]] = {
    "python": (str,), "simpy": (str,), "started": (str,), "finished": (str,), "wall_seconds": (int, float),
    "warnings": (list,), "scenario_source": (str, type(None)),
}


def regular_file(folder: Path, name: str, cap_bytes: int) -> Path:
    """`folder/name` if it is a regular file inside `folder` (no symlink out) below the size cap."""
    path = Path(folder) / name
    shown = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UserError("missing from the results folder", file=shown) from None
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc})", file=shown) from None
    if not stat.S_ISREG(info.st_mode):
        raise UserError("is not a regular file", file=shown)
    if not _inside(path, folder):
        raise UserError("points outside the results folder", file=shown)
    if info.st_size > cap_bytes:
        raise UserError(f"is {info.st_size:,} bytes, more than the {cap_bytes:,} a results folder may hold",
                        file=shown)
    return path


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError):
        return False
    return True


def read_manifest(folder: Path) -> dict[str, Any]:
    """manifest.json as a checked dict."""
    path = regular_file(folder, "manifest.json", MANIFEST_MAX_BYTES)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"is not valid JSON ({exc})", file=str(path)) from None
    if not isinstance(manifest, dict):
        raise UserError(f"must be a JSON object with the run's fields, not a {type(manifest).__name__}",
                        file=str(path))
    for key in MANIFEST_FIELDS:
        if key not in manifest:
            raise UserError("is missing its field (not a complete results folder)", file=str(path), key=key)
    for key, types in {**MANIFEST_FIELDS, **MANIFEST_OPTIONAL}.items():
        value = manifest.get(key)
        if key in manifest and (isinstance(value, bool) or not isinstance(value, types)):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise UserError(f"must be {wanted}, not {type(value).__name__}", file=str(path), key=key)
    if manifest["replications"] < 1:
        raise UserError("must be at least 1", file=str(path), key="replications")
    if not all(isinstance(w, str) for w in manifest.get("warnings", [])):
        raise UserError("must be a list of texts", file=str(path), key="warnings")
    return manifest


def read_csv(folder: Path, stem: str, columns: dict[str, str] | None = None) -> Any:
    """One of the results CSVs with its contract's columns checked (text columns stay text)."""
    import pandas as pd

    path = regular_file(folder, f"{stem}.csv", CSV_MAX_BYTES)
    columns = COLUMNS[stem] if columns is None else columns
    text = [c for c, kind in columns.items() if kind != NUMBER] + sorted(OPTIONAL_FLAGS)
    try:
        with open(path, encoding="utf-8") as handle:
            header = handle.readline().rstrip("\r\n").split(",")
        frame = pd.read_csv(path, dtype={c: str for c in text if c in header}, keep_default_na=False,
                            na_values=[""], encoding="utf-8")
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"is not a readable CSV file ({str(exc).splitlines()[0] if str(exc) else exc})",
                        file=str(path)) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(f"lacks the column(s) {', '.join(missing)} (it has {', '.join(map(str, frame.columns))})",
                        file=str(path))
    for column, kind in columns.items():
        if kind == NUMBER and not pd.api.types.is_numeric_dtype(frame[column]):
            numbers = pd.to_numeric(frame[column], errors="coerce")
            bad = frame[column][numbers.isna() & frame[column].notna()]
            raise UserError(f"column {column!r} must hold numbers; row {int(bad.index[0]) + 2} has "
                            f"{str(bad.iloc[0])[:40]!r}", file=str(path))
        if kind == TEXT:
            frame[column] = frame[column].fillna("")
    for column in [c for c, kind in columns.items() if kind == FLAG] + sorted(OPTIONAL_FLAGS & set(frame.columns)):
        flags = frame[column].map(_FLAGS)
        if flags.isna().any():
            bad = frame[column][flags.isna()]
            raise UserError(f"column {column!r} must hold True or False; row {int(bad.index[0]) + 2} has "
                            f"{str(bad.iloc[0])[:40]!r}", file=str(path))
        frame[column] = flags.astype(bool)
    return frame


def read_results(folder: Path) -> Any:
    """A run's results folder as a `RunResult`, every file checked first."""
    from cfc_sim.results import RunResult
    from cfc_sim.scenario.loading import build_config, read_yaml

    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("is not a folder (give a run's results folder)", file=str(folder))
    kind = folder_kind(folder)
    if kind not in (None, "run"):
        raise UserError(f"is a cfc-sim {kind} folder, not a run's results folder", file=str(folder))
    needed = ["manifest.json", "scenario.resolved.yaml", *(f"{stem}.csv" for stem in COLUMNS)]
    missing = [name for name in needed if not (folder / name).exists() and not (folder / name).is_symlink()]
    if missing:
        raise UserError(f"not a results folder (missing {', '.join(missing)})", file=str(folder))
    manifest = read_manifest(folder)
    scenario = regular_file(folder, "scenario.resolved.yaml", YAML_MAX_BYTES)
    frames = {stem: read_csv(folder, stem) for stem in COLUMNS}
    config = build_config(read_yaml(scenario), str(scenario))
    return RunResult(config, frames["replications"], frames["summary"], frames["timeseries"],
                     frames["readiness"], manifest)


def read_need(path: Path) -> Any:
    """need.csv of a plan folder (or the file itself), its columns checked like a results CSV."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if path.is_dir():
        kind = folder_kind(folder)
        if kind not in (None, "plan"):
            raise UserError(f"is a cfc-sim {kind} folder, not a plan folder with need.csv", file=str(folder))
    elif path.name != "need.csv":
        raise UserError("is not need.csv (give the folder of `cfc-sim plan --need` or its need.csv)",
                        file=str(path))
    frame = read_csv(folder, "need", NEED_COLUMNS)
    for column in ("cfc_rule", "cap_rule", "note"):
        if column in frame.columns:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


def chart_files(folder: Path) -> list[Path]:
    """The PNG charts of a results folder safe to embed: regular files inside `folder/charts`
    (symlinks out refused), PNG by their first bytes, each below the size cap."""
    charts = Path(folder) / "charts"
    if not charts.is_dir() or not _inside(charts, folder):
        return []
    found = []
    for path in sorted(charts.glob("*.png")):
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > PNG_MAX_BYTES or not _inside(path, folder):
                continue
            with open(path, "rb") as handle:
                if handle.read(len(PNG_MAGIC)) != PNG_MAGIC:
                    continue
        except OSError:
            continue
        found.append(path)
    return found
