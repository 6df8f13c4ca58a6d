"""Sealed results folders (cfc_sim.seal), bounded reads and cleaned text (issue 27, items 1-3).

A file truncated, edited, extended, swapped or removed in a results folder, a sweep variant or a
cache entry is refused (exit 2, naming it) or recomputed, never read with rows lost; a Parquet
bomb is refused from its footer with little memory; control characters never reach the terminal
raw or crash the workbook; empty tables are clear errors.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from cli_runner import invoke, refused
from scenario_factory import scenario_dict
from tampered_folders import VERBS, verb_argv
from test_results_reader import forge_seal

from cfc_sim.results_files import COLUMNS
from cfc_sim.seal import file_seal, manifest_digest

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- the seal


def test_every_file_is_sealed_with_its_size_and_sha256(pristine: Path) -> None:
    manifest = json.loads((pristine / "manifest.json").read_text(encoding="utf-8"))
    written = sorted(p.relative_to(pristine).as_posix() for p in pristine.rglob("*")
                     if p.is_file() and p.name not in ("manifest.json", ".cfc-sim-output"))
    assert sorted(manifest["files"]) == written
    for rel, entry in manifest["files"].items():
        assert entry == file_seal(pristine / rel)
    for field in ("scenario_name", "scenario_sha256", "seed", "replications", "cfc_sim_version", "command"):
        assert field in manifest  # the contract's fields kept beside the seal


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 55 // 100])  # cut mid-row, as a full disk or a killed copy does


def _edit_same_size(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.rindex(b".")
    data[at + 1] = ord("9") if data[at + 1] != ord("9") else ord("1")  # one digit changed
    path.write_bytes(bytes(data))


def _extend(path: Path) -> None:
    with open(path, "ab") as handle:
        handle.write(b"ALL,all,extra_metric,1.0,1.0,1.0,2\n")


@pytest.mark.parametrize("name", ["summary.csv", "readiness.csv", "monthly_summary.csv", "replications.csv",
                                  "timeseries.parquet", "scenario.resolved.yaml"])
@pytest.mark.parametrize("tamper, words", [(_truncate, ["cut short"]), (_edit_same_size, ["changed"]),
                                           (_extend, ["extended"])], ids=["truncated", "edited", "extended"])
def test_a_tampered_file_is_refused_naming_it(name: str, tamper, words: list[str], folder: Path,  # type: ignore[no-untyped-def]
                                              pristine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(folder / name)
    for verb in VERBS:
        refused(verb_argv(verb, folder, pristine), capsys, name, *words)


def test_a_swapped_or_missing_file_is_refused_naming_it(folder: Path, pristine: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(folder / "readiness.csv", folder / "summary.csv")
    refused(["report", str(folder)], capsys, "summary.csv", "extended")
    shutil.copy(pristine / "summary.csv", folder / "summary.csv")
    (folder / "charts" / "workforce.png").unlink()
    refused(["report", str(folder)], capsys, "workforce.png", "missing")


def test_the_scenario_must_be_the_one_the_manifest_names(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario of other areas beside these tables: the seal forged, the hash still tells; the hash
    forged too, the areas still tell."""
    scenario = yaml.safe_load((folder / "scenario.resolved.yaml").read_text(encoding="utf-8"))
    scenario["areas"].append({**scenario["areas"][0], "name": "Elsewhere"})
    (folder / "scenario.resolved.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["scenario.resolved.yaml"] = file_seal(folder / "scenario.resolved.yaml")
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    refused(["report", str(folder)], capsys, "manifest.json", "has changed")  # the manifest's own digest tells
    manifest["manifest_sha256"] = manifest_digest(manifest)  # forged too: the scenario's hash still tells
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    refused(["report", str(folder)], capsys, "scenario.resolved.yaml", "scenario_sha256")
    forge_seal(folder)
    refused(["report", str(folder)], capsys, "summary.csv", "Elsewhere")


def test_a_folder_written_before_sealing_is_read_with_a_warning(folder: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"], manifest["manifest_sha256"]  # as cfc-sim 0.x wrote it: neither seal
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, out, err = invoke(["readiness", str(folder)], capsys)
    assert code == 0, err
    assert "warning:" in err and "cannot be checked" in err and "rerun" in err
    assert "Traceback" not in err and "FolderWarning" not in err


def test_readiness_redrawing_its_heatmap_keeps_the_seal(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    for _ in range(2):  # readiness redraws the sealed heatmap: cfc-sim's own write, resealed
        code, _, err = invoke(["readiness", str(folder)], capsys)
        assert code == 0, err
    code, _, err = invoke(["report", str(folder), "--html"], capsys)
    assert code == 0, err  # report.html, added later, stays outside the seal (removing it spoils nothing)
    after = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert set(after) == set(before) and after["charts/readiness_heatmap.png"] == file_seal(
        folder / "charts" / "readiness_heatmap.png")
    shutil.copy(folder / "charts" / "workforce.png", folder / "charts" / "readiness_heatmap.png")
    refused(["readiness", str(folder)], capsys, "readiness_heatmap.png")  # swapped by someone else: refused


# --------------------------------------------------------------------------- reuse: sweep and cache


def test_a_sweep_reruns_a_tampered_variant_instead_of_reusing_it(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(json.loads(json.dumps(scenario_dict(horizon_months=6, replications=2),
                                                             default=str))), encoding="utf-8")
    argv = ["sweep", str(scenario), "--set", "defaults.workforce.fcas=11,12", "--out", str(tmp_path / "sw")]
    code, out, err = invoke(argv, capsys)
    assert code == 0, err
    variants = sorted(p for p in (tmp_path / "sw").iterdir() if p.is_dir())
    pristine = (variants[0] / "summary.csv").read_bytes()
    _truncate(variants[0] / "summary.csv")
    code, out, err = invoke(argv, capsys)
    assert code == 0, err
    assert f"{variants[0].name}: done" in out and f"{variants[1].name}: reused" in out
    assert "summary.csv" in err and "cut short" in err and "run again" in err
    assert (variants[0] / "summary.csv").read_bytes() == pristine  # recomputed, the same numbers
    _edit_same_size(variants[1] / "summary.csv")  # edited, and another variant's table swapped in
    shutil.copy(variants[1] / "readiness.csv", variants[0] / "readiness.csv")
    code, out, err = invoke(argv, capsys)
    assert code == 0, err
    assert f"{variants[0].name}: done" in out and f"{variants[1].name}: done" in out
    assert "changed since" in err and "readiness.csv" in err
    assert (variants[0] / "summary.csv").read_bytes() == pristine


def test_a_cache_entry_edited_or_swapped_is_recomputed(tmp_path: Path) -> None:
    from cfc_sim.cache import Cache, number_list
    from cfc_sim.seal import FolderWarning

    cache = Cache(tmp_path)
    cache.put("a", [1.0, 2.0])
    cache.put("b", [3.0])
    entry = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    entry["value"] = [1.0, 2.5]  # valid JSON, valid shape, not what was computed
    (tmp_path / "a.json").write_text(json.dumps(entry), encoding="utf-8")
    shutil.copy(tmp_path / "a.json", tmp_path / "c.json")  # another entry's file under this key
    fresh = Cache(tmp_path)
    with pytest.warns(FolderWarning, match="a.json"):
        assert fresh.get("a", number_list) is None
    with pytest.warns(FolderWarning, match="c.json"):
        assert fresh.get("c", number_list) is None
    assert fresh.get("b", number_list) == [3.0]
    assert fresh.rejected == [tmp_path / "a.json", tmp_path / "c.json"]


# --------------------------------------------------------------------------- bounded reads


def _write_bomb(path: Path, rows: int) -> None:
    """A small Parquet file of `rows` rows of the contract's columns (constants: it compresses to little)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    chunk = 1_000_000
    text = pa.DictionaryArray.from_arrays(pa.array(np.zeros(chunk, dtype=np.int32)), pa.array(["ALL"]))
    table = pa.table({"replication": pa.array(np.zeros(chunk, dtype=np.int64)), "area": text, "month": text,
                      "metric": text, "value": pa.array(np.zeros(chunk))})
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for _ in range(rows // chunk):
            writer.write_table(table)


# Peak memory of this process alone: /proc's VmHWM belongs to the process's own memory map, so
# (unlike getrusage's ru_maxrss, which Linux carries over from the parent at fork and exec) it is
# not the size of the pytest process that started it. getrusage where /proc is missing.
_PEAK = textwrap.dedent("""
    import resource, sys, warnings
    warnings.simplefilter("ignore")
    from cfc_sim.cli import main
    code = main(["report", sys.argv[1], "--html"])
    try:
        with open("/proc/self/status") as status:
            peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(code, peak_kb // 1024)
""")


@pytest.mark.parametrize("sealed", [False, True], ids=["written-before-sealing", "seal-forged"])
def test_a_parquet_bomb_is_refused_with_little_memory(sealed: bool, folder: Path) -> None:
    _write_bomb(folder / "timeseries.parquet", 30_000_000)  # 30 million rows: 1.5 GB and more as a frame
    assert (folder / "timeseries.parquet").stat().st_size < 20_000_000
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if not sealed:
        del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if sealed:
        forge_seal(folder)
    done = subprocess.run([sys.executable, "-c", _PEAK, str(folder)], capture_output=True, text=True, timeout=600,
                          check=False)
    code, peak_mb = done.stdout.split()
    assert code == "2", done.stderr
    assert "timeseries.parquet" in done.stderr and "rows" in done.stderr
    assert int(peak_mb) < 300, peak_mb


def test_a_csv_with_more_rows_than_the_scenario_can_make_isrefused(folder: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    lines = (folder / "summary.csv").read_text(encoding="utf-8").splitlines()
    (folder / "summary.csv").write_text("\n".join(lines + lines[1:] * 60) + "\n", encoding="utf-8")
    forge_seal(folder)
    refused(["report", str(folder)], capsys, "summary.csv", "rows")


# --------------------------------------------------------------------------- text and empty tables


def test_control_characters_in_cells_never_reach_the_terminal_or_crash_the_workbook(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    text = (folder / "readiness.csv").read_text(encoding="utf-8")
    (folder / "readiness.csv").write_text(text.replace(",cir_on_time,", ",cir\x1b]0;pwned\x07_on_time\u202e,"),
                                          encoding="utf-8")
    text = (folder / "summary.csv").read_text(encoding="utf-8")
    (folder / "summary.csv").write_text(text.replace("\nALL,all,", "\nALL,all\x1b[31m\x00,", 3), encoding="utf-8")
    forge_seal(folder)
    for argv in (["readiness", str(folder)], ["report", str(folder)]):
        code, out, err = invoke(argv, capsys)
        assert code == 0, err
        assert not set("\x1b\x07\x00\u202e") & set(out + err)
    book = load_workbook(folder / "report.xlsx")
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("all?[31m?" in c for c in cells)
    assert not any(set("\x1b\x07\x00") & set(c) for c in cells)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "\x1b" not in page and "\x07" not in page


def test_an_area_name_with_control_characters_is_refused_without_them(folder: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = (folder / "summary.csv").read_text(encoding="utf-8")
    (folder / "summary.csv").write_text(text.replace("\nDorset,", "\nDor\x1b]0;pwned\x07set,", 1), encoding="utf-8")
    forge_seal(folder)
    err = refused(["report", str(folder)], capsys, "summary.csv", "Dor?]0;pwned?set")
    assert "\x1b" not in err and "\x07" not in err


@pytest.mark.parametrize("name", ["summary.csv", "readiness.csv", "replications.csv", "monthly_summary.csv"])
def test_a_header_only_table_is_a_clear_error(name: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = (folder / name).read_text(encoding="utf-8").splitlines()[0]
    (folder / name).write_text(header + "\n", encoding="utf-8")
    forge_seal(folder)
    for verb in (["report"], ["readiness"]):
        refused([*verb, str(folder)], capsys, name, "no rows")


def test_a_blank_status_is_a_clear_error(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (folder / "readiness.csv").read_text(encoding="utf-8")
    for status in ("green", "amber", "red"):
        text = text.replace(f",{status},", ",,", 1) if f",{status}," in text else text
    (folder / "readiness.csv").write_text(text, encoding="utf-8")
    forge_seal(folder)
    refused(["readiness", str(folder)], capsys, "readiness.csv", "blank 'status'")


_TEXT_CELLS = [(name, column) for name, stem in (("summary.csv", "summary"), ("replications.csv", "replications"),
                                                 ("readiness.csv", "readiness"),
                                                 ("monthly_summary.csv", "monthly_summary"))
               for column, kind in COLUMNS[stem].items()
               if kind != "number"]


@pytest.mark.parametrize("name, column", _TEXT_CELLS, ids=[f"{n}-{c}" for n, c in _TEXT_CELLS])
def test_control_characters_in_any_text_cell_never_reach_the_terminal_or_crash(name: str, column: str,
                                                                               folder: Path,
                                                                               capsys: pytest.CaptureFixture[str]
                                                                               ) -> None:
    import csv

    with open(folder / name, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    at = rows[0].index(column)
    rows[1][at] = rows[1][at] + "\x1b]0;pwned\x07\x1b[2J\x00"
    with open(folder / name, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    forge_seal(folder)
    for argv in (["readiness", str(folder)], ["report", str(folder)]):
        code, out, err = invoke(argv, capsys)
        assert code in (0, 2), (argv, err)  # read, or refused (an area the scenario lacks): never a crash
        assert "Traceback" not in err and "internal error" not in err
        assert not set("\x1b\x07\x00") & set(out + err)


def test_control_characters_in_a_need_note_never_reach_the_workbook_raw(folder: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    need = tmp_path / "need.csv"
    need.write_text("area,fte_now,fcas_needed_cfc,fcas_needed_cap,difference,ci_low,ci_high,note\n"
                    "Dorset,26,22,21,1,0,2,\"hires\x1b]0;pwned\x07 late\"\n"
                    "Wiltshire & Swindon,20,21,21,0,0,1,\n", encoding="utf-8")  # every area: a need of some is refused
    code, out, err = invoke(["report", str(folder), "--need", str(need)], capsys)
    assert code == 0, err
    assert not set("\x1b\x07") & set(out + err)
    cells = [str(c.value) for ws in load_workbook(folder / "report.xlsx").worksheets for row in ws.iter_rows()
             for c in row if c.value is not None]
    assert any("hires?]0;pwned? late" in c for c in cells)


def test_an_edited_manifest_is_refused_like_any_sealed_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hand-edited manifest.json (replications 50, seed 1) was read as true: the report showed them."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["replications"], manifest["seed"] = 50, 1
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    refused(["report", str(folder)], capsys, "manifest.json", "has changed since cfc-sim wrote it")
