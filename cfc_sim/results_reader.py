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
from cfc_sim.safe_text import clean_column, clean_text
from cfc_sim.seal import RERUN, read_json_object, verify_folder

MANIFEST_MAX_BYTES = 5_000_000
YAML_MAX_BYTES = 50_000_000
CSV_MAX_BYTES = 4_000_000_000
PARQUET_MAX_BYTES = 2_000_000_000
MAX_ROWS = 100_000_000  # any table, whatever the scenario; a folder's own cap is derived from its scenario
NEED_MAX_ROWS = 10_000  # one row per area and England: far more than a scenario's 500 areas
PARQUET_BYTES_PER_ROW = 256  # declared uncompressed bytes a row may take (the series takes about 10)
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
    for key, value in manifest.items():  # shown on the terminal, in the page and the workbook
        if isinstance(value, str):
            manifest[key] = clean_text(value)
    manifest["warnings"] = [clean_text(w) for w in manifest.get("warnings", [])]
    return manifest


CSV_BYTES_PER_ROW = 256  # the results CSVs hold 60-80 bytes a row: a file far larger than its rows could be is refused


def read_csv(folder: Path, stem: str, columns: dict[str, str] | None = None, *, max_rows: int = MAX_ROWS) -> Any:
    """One of the results CSVs with its contract's columns checked (text columns stay text, cleaned
    of control characters). At most `max_rows` rows (and their bytes) are ever materialised; an
    empty or header-only file, or a blank text cell, is a clear error."""
    import pandas as pd

    path = regular_file(folder, csv_name(stem), min(CSV_MAX_BYTES, max(max_rows, 1000) * CSV_BYTES_PER_ROW))
    columns = COLUMNS[stem] if columns is None else columns
    text = [c for c, kind in columns.items() if kind != NUMBER] + sorted(OPTIONAL_FLAGS)
    try:
        with open(path, encoding="utf-8") as handle:
            header = handle.readline(1_000_000).rstrip("\r\n").split(",")
        frame = pd.read_csv(path, dtype={c: str for c in text if c in header}, keep_default_na=False,
                            na_values=[""], encoding="utf-8", nrows=max_rows + 1)
    except pd.errors.EmptyDataError:
        raise UserError(f"is empty (a results table has a header and rows); {RERUN}", file=str(path)) from None
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise UserError(f"is not a readable CSV file ({str(exc).splitlines()[0] if str(exc) else exc})",
                        file=str(path)) from None
    if len(frame) > max_rows:
        raise UserError(f"has more than the {max_rows:,} rows a folder of this scenario can hold", file=str(path))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(f"lacks the column(s) {', '.join(missing)} (it has "
                        f"{', '.join(clean_text(c) for c in frame.columns)})", file=str(path))
    if frame.empty:
        raise UserError(f"has a header but no rows; {RERUN}", file=str(path))
    _check_cells(frame, columns, path)
    for column, kind in columns.items():
        if kind == TEXT:
            frame[column] = clean_column(frame[column])
    for column in [c for c, kind in columns.items() if kind == FLAG] + sorted(OPTIONAL_FLAGS & set(frame.columns)):
        flags = frame[column].map(_FLAGS)
        if flags.isna().any():
            bad = frame[column][flags.isna()]
            raise UserError(f"column {column!r} must hold True or False; row {int(bad.index[0]) + 2} has "
                            f"{clean_text(bad.iloc[0])[:40]!r}", file=str(path))
        frame[column] = flags.astype(bool)
    return frame


def _check_cells(frame: Any, columns: dict[str, str], path: Path) -> None:
    """Numbers where numbers belong; no blank text cell (an area, a metric, a status...)."""
    import pandas as pd

    for column, kind in columns.items():
        if kind == NUMBER and not pd.api.types.is_numeric_dtype(frame[column]):
            numbers = pd.to_numeric(frame[column], errors="coerce")
            bad = frame[column][numbers.isna() & frame[column].notna()]
            raise UserError(f"column {column!r} must hold numbers; row {int(bad.index[0]) + 2} has "
                            f"{clean_text(bad.iloc[0])[:40]!r}", file=str(path))
        if kind in (TEXT, FLAG) and frame[column].isna().any():
            row = int(frame.index[frame[column].isna()][0]) + 2
            raise UserError(f"row {row} has a blank {column!r}, which every row needs", file=str(path))


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


def _parquet_meta(path: Path) -> tuple[Any, Any]:
    """(ParquetFile, its Arrow schema): the magic bytes checked, then only the footer read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

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
        return parquet, parquet.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise UserError(f"is not a readable Parquet file ({str(exc).splitlines()[0] if str(exc) else exc})",
                        file=shown) from None


def _declared(meta: Any) -> tuple[list[int], int]:
    """Rows of each row group and the uncompressed bytes of every column chunk, from the footer."""
    rows = []
    uncompressed = 0
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        rows.append(group.num_rows)
        uncompressed += max(group.total_byte_size,
                            sum(group.column(j).total_uncompressed_size for j in range(group.num_columns)))
    return rows, uncompressed


def read_parquet(folder: Path, name: str = TIMESERIES_PARQUET, stem: str = "timeseries", *,
                 max_rows: int = MAX_ROWS) -> Any:
    """A Parquet file of the results folder as a frame. Its footer is checked before any data is
    read: the magic bytes, the contract's columns and types, the rows and the uncompressed bytes
    declared (per row group and column chunk), against `max_rows` and what so many rows can take.
    Row groups are then read one at a time, each held to what the footer declared, so a file that
    lies about its size is refused before memory grows."""
    import pyarrow as pa

    path = regular_file(folder, name, PARQUET_MAX_BYTES)
    shown = str(path)
    parquet, schema = _parquet_meta(path)
    columns = COLUMNS[stem]
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise UserError(f"lacks the column(s) {', '.join(missing)} (it has "
                        f"{', '.join(clean_text(n) for n in schema.names)})", file=shown)
    for column, kind in columns.items():
        actual = schema.field(column).type
        if not _parquet_type_ok(kind, actual):
            wanted = "text" if kind == TEXT else "numbers"
            raise UserError(f"column {column!r} must hold {wanted}, not {actual}", file=shown)
    meta = parquet.metadata
    rows, uncompressed = _declared(meta)
    cap_bytes = max(max_rows, 1000) * PARQUET_BYTES_PER_ROW
    if meta.num_rows > max_rows or sum(rows) != meta.num_rows:
        raise UserError(f"declares {meta.num_rows:,} rows, more than the {max_rows:,} a folder of this scenario can "
                        "hold (or rows its row groups do not add up to)", file=shown)
    if uncompressed > cap_bytes:
        raise UserError(f"declares {uncompressed:,} bytes uncompressed, more than the {cap_bytes:,} its rows can "
                        "take", file=shown)
    if not rows:
        raise UserError(f"has no rows; {RERUN}", file=shown)
    try:
        tables = []
        for i, declared in enumerate(rows):
            group = parquet.read_row_group(i)
            if group.num_rows != declared:
                raise ValueError(f"row group {i} holds {group.num_rows} rows, {declared} in its footer")
            tables.append(group)
        frame = pa.concat_tables(tables).to_pandas()
    except (pa.ArrowException, OSError, ValueError, MemoryError) as exc:
        raise UserError(f"is not a readable Parquet file ({str(exc).splitlines()[0] if str(exc) else exc})",
                        file=shown) from None
    for column, kind in columns.items():
        if kind == TEXT:  # as the CSV reader gives them: text, cleaned of control characters
            values = frame[column]
            if values.dtype.name == "category":  # dictionary-encoded by another writer
                values = values.astype(str).where(values.notna(), None)
            if values.isna().any():
                row = int(frame.index[values.isna()][0])
                raise UserError(f"row {row + 1} has a blank {column!r}, which every row needs", file=shown)
            frame[column] = clean_column(values)
    return frame


def _present(folder: Path, name: str) -> bool:
    return (folder / name).exists() or (folder / name).is_symlink()


METRICS_PER_AREA_MONTH = 64  # the series holds about 22 metrics per area and month: a cap with room to grow


def row_cap(config: Any) -> int:
    """The most rows any table of a folder of `config` can hold: every replication, area (and
    England), month and metric, with room; a file declaring more is refused before it is read."""
    from cfc_sim.model.simulation import make_calendar

    months = len(make_calendar(config).month_labels)
    return min(MAX_ROWS, max(1, config.replications) * (len(config.areas) + 1) * max(1, months)
               * METRICS_PER_AREA_MONTH)


def read_results(folder: Path) -> Any:
    """A run's results folder as a `RunResult`, every file checked first: the folder's seal (each
    file's size and SHA-256 in manifest.json), then the scenario against the manifest's hash, then
    each table bounded by what the scenario can produce. The monthly series come from
    `timeseries.parquet`, or from `timeseries.csv` in a folder written before it."""
    from cfc_sim.results import RunResult

    folder = Path(folder)
    if not folder.is_dir():
        if folder.is_file() and folder.suffix.lower() in (".yaml", ".yml"):
            raise UserError(f"is a scenario file, not a results folder: run it first (cfc-sim run {folder}) and "
                            "give the folder it writes", file=str(folder))
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
    verify_folder(folder, [n for n in needed if n != MANIFEST_JSON])
    config = _scenario(folder, manifest)
    cap = row_cap(config)
    timeseries = read_parquet(folder, max_rows=cap) if parquet else read_csv(folder, "timeseries", max_rows=cap)
    frames = {stem: read_csv(folder, stem, max_rows=cap) for stem in REQUIRED_CSV}
    monthly = read_csv(folder, "monthly_summary", max_rows=cap) if _present(folder, MONTHLY_SUMMARY_CSV) else None
    _same_areas(folder, config, frames["summary"])
    return RunResult(config, frames["replications"], frames["summary"], timeseries, frames["readiness"], manifest,
                     monthly=monthly)


def _scenario(folder: Path, manifest: dict[str, Any]) -> Any:
    """scenario.resolved.yaml as a config, which must be the scenario the manifest names by hash."""
    from cfc_sim.scenario.loading import build_config
    from cfc_sim.scenario.reading import read_yaml
    from cfc_sim.scenario.resolved import scenario_sha256

    path = regular_file(folder, SCENARIO_RESOLVED_YAML, YAML_MAX_BYTES)
    config = build_config(read_yaml(path), str(path))
    if scenario_sha256(config) != manifest["scenario_sha256"]:
        raise UserError(f"is not the scenario this run was made from (its SHA-256 differs from {MANIFEST_JSON}'s "
                        f"scenario_sha256); {RERUN}", file=str(path))
    return config


def _same_areas(folder: Path, config: Any, summary: Any) -> None:
    """The tables are of the scenario's areas: no area without results, none from elsewhere."""
    from cfc_sim.metric_catalogue import NATIONAL

    named = {a.name for a in config.areas}
    found = set(summary["area"]) - {NATIONAL}
    shown = str(Path(folder) / csv_name("summary"))
    if named - found:
        lost = sorted(named - found)
        raise UserError(f"has no results for {len(lost)} of the scenario's {len(named)} areas ("
                        f"{', '.join(clean_text(a) for a in lost[:3])}{' ...' if len(lost) > 3 else ''}); {RERUN}",
                        file=shown)
    if found - named:
        extra = sorted(found - named)
        raise UserError(f"has results for areas the scenario does not have ({', '.join(extra[:3])}"
                        f"{' ...' if len(extra) > 3 else ''})", file=shown)


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
    if folder_kind(folder) == "plan":
        if not (folder / NEED_CSV).exists():
            raise UserError("is a plan without the FCA need (no need.csv: the plan was run without --need); "
                            "run `cfc-sim plan SCENARIO --need` and give its folder", file=str(folder))
        verify_folder(folder, [NEED_CSV])
    frame = read_csv(folder, "need", NEED_COLUMNS, max_rows=NEED_MAX_ROWS)
    for column in ("cfc_rule", "cap_rule", "note"):
        if column in frame.columns:
            frame[column] = clean_column(frame[column].astype(object).fillna("").astype(str))
    if folder_kind(folder) == "plan":  # the replications behind it, so the report can say when they are few
        reps = _plan_replications(folder)
        if reps is not None:
            frame.attrs["replications"] = reps
    return frame


def _plan_replications(folder: Path) -> int | None:
    """The replications a plan folder's manifest records (None if it records none: older plans)."""
    manifest = read_json_object(folder / MANIFEST_JSON, MANIFEST_MAX_BYTES)  # only a note hangs on it
    reps = manifest.get("replications") if manifest is not None else None
    return reps if isinstance(reps, int) and not isinstance(reps, bool) and reps > 0 else None


def check_need_matches(need: Any, need_path: Path, run_name: str, run_areas: list[str],
                       run_fcas: dict[str, float] | None = None) -> None:
    """Refuse a need that is not this run's scenario's, or not of all its areas: the plan folder's
    manifest names its scenario (folders written before it did are judged by their areas), and a plan
    of some areas totals only those, so a report cannot show, say, one area's need as England's. A
    variant that keeps its base's name is told apart by the FCAs in post the need started from
    (`run_fcas`)."""
    from cfc_sim.metric_catalogue import NATIONAL

    path = Path(need_path)
    folder = path if path.is_dir() else path.parent
    manifest = read_json_object(folder / "manifest.json", MANIFEST_MAX_BYTES) if folder_kind(folder) == "plan" else None
    planned = manifest.get("scenario_name") if manifest else None
    if isinstance(planned, str) and planned != run_name:
        raise UserError(f"is the FCA need of scenario {clean_text(planned)!r}, not of this run's "
                        f"{clean_text(run_name)!r}: give the folder of `cfc-sim plan --need` on the run's scenario",
                        file=str(path))
    planned_areas = set(need["area"].astype(str)) - {NATIONAL}
    others = sorted(planned_areas - set(run_areas))
    if others:
        raise UserError(f"has areas this run does not ({', '.join(clean_text(a) for a in others[:3])}"
                        f"{', ...' if len(others) > 3 else ''}): it is another scenario's FCA need", file=str(path))
    if planned_areas != set(run_areas):
        raise UserError(f"is the FCA need of {len(planned_areas)} of this run's {len(run_areas)} areas (a plan with "
                        "--area): its total is not England's need; give a `cfc-sim plan --need` of every area",
                        file=str(path))
    if run_fcas and "fte_now" in need.columns:
        import pandas as pd

        for area, now in zip(need["area"].astype(str), pd.to_numeric(need["fte_now"], errors="coerce"), strict=True):
            if area in run_fcas and now == now and abs(float(now) - run_fcas[area]) > 1e-9:
                raise UserError(f"was planned from {float(now):g} FCAs in post in {clean_text(area)}, where this run "
                                f"has {run_fcas[area]:g}: it is the FCA need of another version of the scenario "
                                "(same name, other staffing); plan the run's own scenario", file=str(path))


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
