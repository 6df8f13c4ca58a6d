"""Reading a results folder back, treating it as untrusted input (for readiness, compare, report, sweep).

A results folder may have been edited, truncated, renamed or assembled by hand. Before pandas sees
a file it must be a regular file inside the folder and below a size cap; every CSV must have the
contract's columns (DESIGN 5) with numbers where numbers belong; `timeseries.parquet` must be a
Parquet file (by its first and last bytes) whose schema has the contract's columns with integer,
text and floating types, and whose row count and uncompressed size, read from its footer before any
data, are below caps; manifest.json must be a JSON object with the contract's fields of the right
types. Folders written before the Parquet series have `timeseries.csv` instead (and no
`monthly_summary.csv`, which is then computed): they are read as well. Any problem is one
`UserError` naming the file and what is wrong (exit 2), never a Python exception.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from cfc_sim.errors import UserError
from cfc_sim.output_folder import folder_kind
from cfc_sim.results_files import (
    CHARTS,
    COLUMNS,
    FLAG,
    MANIFEST_FIELDS,
    MANIFEST_JSON,
    MANIFEST_OPTIONAL,
    MONTHLY_SUMMARY_CSV,
    NEED_COLUMNS,
    NEED_CSV,
    NUMBER,
    OPTIONAL_FLAGS,
    REQUIRED_CSV,
    SCENARIO_RESOLVED_YAML,
    TEXT,
    TIMESERIES_CSV,
    TIMESERIES_PARQUET,
    csv_name,
)

MANIFEST_MAX_BYTES = 5_000_000
YAML_MAX_BYTES = 50_000_000
CSV_MAX_BYTES = 4_000_000_000
PARQUET_MAX_BYTES = 2_000_000_000
PARQUET_MAX_ROWS = 200_000_000
PARQUET_MAX_UNCOMPRESSED_BYTES = 8_000_000_000  # a small file may decompress to much more: checked from the footer
PARQUET_MAGIC = b"PAR1"
PNG_MAX_BYTES = 20_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

_FLAGS = {"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}


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
    path = regular_file(folder, MANIFEST_JSON, MANIFEST_MAX_BYTES)
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

    path = regular_file(folder, csv_name(stem), CSV_MAX_BYTES)
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


def _is_text(kind: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    is_view = getattr(pa.types, "is_string_view", lambda k: False)  # pyarrow >= 16
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or is_view(kind))


def _parquet_type_ok(expected: str, kind: Any) -> bool:
    import pyarrow as pa

    if expected == TEXT:
        return _is_text(kind)
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind))


def read_parquet(folder: Path, name: str = TIMESERIES_PARQUET, stem: str = "timeseries") -> Any:
    """A Parquet file of the results folder as a frame, its footer checked before any data is read:
    the magic bytes, the contract's columns and types, the row count and the uncompressed size."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise UserError("reading Parquet needs pyarrow: pip install -e .") from None

    path = regular_file(folder, name, PARQUET_MAX_BYTES)
    shown = str(path)
    size = path.stat().st_size
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(PARQUET_MAGIC))
            handle.seek(max(0, size - len(PARQUET_MAGIC)))
            tail = handle.read(len(PARQUET_MAGIC))
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc})", file=shown) from None
    if size < 2 * len(PARQUET_MAGIC) + 4 or head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
        raise UserError("is not a Parquet file (it does not start and end with PAR1)", file=shown)
    try:
        parquet = pq.ParquetFile(path)
        meta = parquet.metadata
        schema = parquet.schema_arrow
        uncompressed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise UserError(f"is not a readable Parquet file ({str(exc).splitlines()[0] if str(exc) else exc})",
                        file=shown) from None
    columns = COLUMNS[stem]
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise UserError(f"lacks the column(s) {', '.join(missing)} (it has {', '.join(schema.names)})", file=shown)
    for column, kind in columns.items():
        actual = schema.field(column).type
        if not _parquet_type_ok(kind, actual):
            wanted = "text" if kind == TEXT else "numbers"
            raise UserError(f"column {column!r} must hold {wanted}, not {actual}", file=shown)
    if meta.num_rows > PARQUET_MAX_ROWS:
        raise UserError(f"has {meta.num_rows:,} rows, more than the {PARQUET_MAX_ROWS:,} a results folder may hold",
                        file=shown)
    if uncompressed > PARQUET_MAX_UNCOMPRESSED_BYTES:
        raise UserError(f"holds {uncompressed:,} bytes uncompressed, more than the "
                        f"{PARQUET_MAX_UNCOMPRESSED_BYTES:,} a results folder may hold", file=shown)
    try:
        table = parquet.read()
        if table.num_rows != meta.num_rows:
            raise ValueError(f"{table.num_rows} rows read, {meta.num_rows} in its footer")
        frame = table.to_pandas()
    except (pa.ArrowException, OSError, ValueError, MemoryError) as exc:
        raise UserError(f"is not a readable Parquet file ({str(exc).splitlines()[0] if str(exc) else exc})",
                        file=shown) from None
    for column, kind in columns.items():
        if kind == TEXT:  # as the CSV reader gives them: text, empty where missing
            values = frame[column]
            if values.dtype.name == "category":  # dictionary-encoded by another writer
                values = values.astype(str).where(values.notna(), "")
            frame[column] = values.fillna("") if values.isna().any() else values
    return frame


def _present(folder: Path, name: str) -> bool:
    return (folder / name).exists() or (folder / name).is_symlink()


def read_results(folder: Path) -> Any:
    """A run's results folder as a `RunResult`, every file checked first. The monthly series come
    from `timeseries.parquet`, or from `timeseries.csv` in a folder written before it."""
    from cfc_sim.results import RunResult
    from cfc_sim.scenario.loading import build_config
    from cfc_sim.scenario.reading import read_yaml

    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("is not a folder (give a run's results folder)", file=str(folder))
    kind = folder_kind(folder)
    if kind not in (None, "run"):
        raise UserError(f"is a cfc-sim {kind} folder, not a run's results folder", file=str(folder))
    parquet = _present(folder, TIMESERIES_PARQUET)
    series = TIMESERIES_PARQUET if parquet or not _present(folder, TIMESERIES_CSV) else TIMESERIES_CSV
    needed = [MANIFEST_JSON, SCENARIO_RESOLVED_YAML, *(csv_name(stem) for stem in REQUIRED_CSV), series]
    if parquet:
        needed.append(MONTHLY_SUMMARY_CSV)  # written beside the Parquet series, always
    missing = [name for name in needed if not _present(folder, name)]
    if missing:
        raise UserError(f"not a results folder (missing {', '.join(missing)})", file=str(folder))
    manifest = read_manifest(folder)
    scenario = regular_file(folder, SCENARIO_RESOLVED_YAML, YAML_MAX_BYTES)
    frames = {stem: read_csv(folder, stem) for stem in REQUIRED_CSV}
    timeseries = read_parquet(folder) if parquet else read_csv(folder, "timeseries")
    monthly = read_csv(folder, "monthly_summary") if _present(folder, MONTHLY_SUMMARY_CSV) else None
    config = build_config(read_yaml(scenario), str(scenario))
    return RunResult(config, frames["replications"], frames["summary"], timeseries, frames["readiness"], manifest,
                     monthly=monthly)


def read_need(path: Path) -> Any:
    """need.csv of a plan folder (or the file itself), its columns checked like a results CSV."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if path.is_dir():
        kind = folder_kind(folder)
        if kind not in (None, "plan"):
            raise UserError(f"is a cfc-sim {kind} folder, not a plan folder with need.csv", file=str(folder))
    elif path.name != NEED_CSV:
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
    charts = Path(folder) / CHARTS
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
