"""Results folders as untrusted input (cfc_sim.results_reader): `report`, `readiness` and `compare`
on tampered folders give exit 2 naming the file and the problem; the report escapes what it inserts,
embeds only real PNG charts from inside the folder, and never writes a formula into the workbook."""

from __future__ import annotations

import base64
import contextlib
import json
import os
from pathlib import Path

import pytest
from cli_runner import invoke
from tampered_folders import VERBS, verb_argv

from cfc_sim.seal import FolderWarning, file_seal

REPO = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
def forge_seal(folder: Path) -> None:
    """Re-seal a tampered folder as a forger would (each file's size and hash recomputed), so the
    reader's checks behind the seal are what is tested."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return
    manifest["files"] = {rel: file_seal(folder / rel) if (folder / rel).is_file() else entry
                         for rel, entry in manifest["files"].items()}
    with contextlib.suppress(Exception):
        from cfc_sim.scenario.loading import build_config
        from cfc_sim.scenario.reading import read_yaml
        from cfc_sim.scenario.resolved import scenario_sha256

        yaml_file = folder / "scenario.resolved.yaml"
        manifest["scenario_sha256"] = scenario_sha256(build_config(read_yaml(yaml_file), str(yaml_file)))
    if "manifest_sha256" in manifest:  # the manifest's own digest, recomputed as a forger would
        from cfc_sim.seal import manifest_digest

        manifest["manifest_sha256"] = manifest_digest(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def invoke_forged(argv: list[str], folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    forge_seal(folder)
    return invoke(argv, capsys)


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> str:
    if len(argv) > 1 and Path(argv[1]).is_dir():
        forge_seal(Path(argv[1]))
    code, out, err = invoke(argv, capsys)
    assert code == 2, (argv, out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    assert len([line for line in err.strip().splitlines() if not line.startswith("warning:")]) == 1, err
    for word in words:
        assert word in err, (word, err)
    return err


def _edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: v[0])
def test_a_renamed_column_is_named(verb: list[str], folder: Path, pristine: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _edit_csv(folder / "summary.csv", "ci_low", "lower")
    _refused(verb_argv(verb, folder, pristine), capsys, "summary.csv", "ci_low")


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: v[0])
def test_a_list_shaped_manifest_is_named(verb: list[str], folder: Path, pristine: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "manifest.json").write_text("[1, 2, 3]", encoding="utf-8")
    _refused(verb_argv(verb, folder, pristine), capsys, "manifest.json", "JSON object")


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: v[0])
def test_a_missing_readiness_column_is_named(verb: list[str], folder: Path, pristine: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    lines = (folder / "readiness.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("status")
    kept = [",".join(c for i, c in enumerate(line.split(",")) if i != at) for line in lines]
    (folder / "readiness.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    _refused(verb_argv(verb, folder, pristine), capsys, "readiness.csv", "status")


@pytest.mark.parametrize("tamper, words", [
    (lambda f: (f / "timeseries.parquet").write_bytes(b"\x00\xff\xfe garbage \x89\x00" * 100),
     ["timeseries.parquet", "not a Parquet file"]),
    (lambda f: (f / "timeseries.parquet").write_bytes(b"PAR1" + b"\x00\xff\xfe garbage \x89\x00" * 100 + b"PAR1"),
     ["timeseries.parquet", "not a readable Parquet file"]),
    (lambda f: _truncate(f / "timeseries.parquet"), ["timeseries.parquet", "Parquet"]),
    (lambda f: _edit_parquet(f, lambda t: t.rename(columns={"value": "amount"})), ["timeseries.parquet", "value"]),
    (lambda f: _edit_parquet(f, lambda t: t.assign(value=t["value"].astype(str))),
     ["timeseries.parquet", "'value'", "numbers"]),
    (lambda f: _edit_parquet(f, lambda t: t.assign(area=t["replication"])), ["timeseries.parquet", "'area'", "text"]),
    (lambda f: (f / "timeseries.parquet").unlink(), ["not a results folder", "timeseries.parquet"]),
    (lambda f: ((f / "timeseries.parquet").unlink(), (f / "timeseries.parquet").symlink_to("/etc/passwd")),
     ["timeseries.parquet", "not a regular file"]),
    (lambda f: _edit_csv(f / "monthly_summary.csv", "p50", "median"), ["monthly_summary.csv", "p50"]),
    (lambda f: (f / "monthly_summary.csv").unlink(), ["not a results folder", "monthly_summary.csv"]),
    (lambda f: (f / "replications.csv").write_text("", encoding="utf-8"), ["replications.csv"]),
    (lambda f: _edit_csv(f / "replications.csv", ",ALL,all,applications,", ",ALL,all,applications,lots#"),
     ["replications.csv", "'value'", "numbers"]),
    (lambda f: _edit_csv(f / "readiness.csv", ",True,", ",maybe,"), ["readiness.csv", "'passed'"]),
    (lambda f: (f / "summary.csv").unlink(), ["not a results folder", "summary.csv"]),
    (lambda f: ((f / "summary.csv").unlink(), (f / "summary.csv").mkdir()), ["summary.csv", "not a regular file"]),
    (lambda f: ((f / "summary.csv").unlink(), (f / "summary.csv").symlink_to("/etc/passwd")),
     ["summary.csv", "not a regular file"]),
    (lambda f: (f / "manifest.json").write_text("{not json", encoding="utf-8"), ["manifest.json", "JSON"]),
    (lambda f: _set_manifest(f, replications="2"), ["manifest.json", "replications", "int"]),
    (lambda f: _set_manifest(f, seed=True), ["manifest.json", "seed"]),
    (lambda f: _set_manifest(f, command=None), ["manifest.json", "command"]),
    (lambda f: _set_manifest(f, warnings=[{"x": 1}]), ["manifest.json", "warnings"]),
    (lambda f: (f / "scenario.resolved.yaml").write_text("- a list\n", encoding="utf-8"), ["scenario.resolved.yaml"]),
], ids=["binary", "binary-with-magic", "truncated-parquet", "parquet-column", "parquet-text-values",
        "parquet-number-areas", "parquet-missing", "parquet-symlink-out", "monthly-column", "monthly-missing",
        "empty", "text-in-numbers", "bad-flag", "missing", "folder", "symlink-out", "bad-json",
        "replications-text", "seed-bool", "command-null", "warnings-shape", "yaml-list"])
def test_tampered_files_are_named(tamper, words: list[str], folder: Path, pristine: Path,  # type: ignore[no-untyped-def]
                                  capsys: pytest.CaptureFixture[str]) -> None:
    tamper(folder)
    for verb in VERBS:
        _refused(verb_argv(verb, folder, pristine), capsys, *words)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"PAR1")  # the magic kept at both ends: the footer is what breaks


def _edit_parquet(folder: Path, change) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    path = folder / "timeseries.parquet"
    change(pd.read_parquet(path)).to_parquet(path, index=False)


@pytest.mark.parametrize("cap, words", [("METRICS_PER_AREA_MONTH", ["rows"]),
                                        ("PARQUET_BYTES_PER_ROW", ["uncompressed"])])
def test_a_parquet_file_too_large_inside_is_refused_from_its_footer(cap: str, words: list[str], folder: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from cfc_sim import results_reader

    monkeypatch.setattr(results_reader, cap, 0)  # a decompression bomb stands out before any data is read
    _refused(["report", str(folder)], capsys, "timeseries.parquet", *words)


def _as_old_folder(folder: Path) -> None:
    """The layout written before the Parquet series: timeseries.csv, no monthly_summary.csv."""
    import pandas as pd

    pd.read_parquet(folder / "timeseries.parquet").to_csv(folder / "timeseries.csv", index=False)
    (folder / "timeseries.parquet").unlink()
    (folder / "monthly_summary.csv").unlink()
    marker = json.loads((folder / ".cfc-sim-output").read_text(encoding="utf-8"))
    marker["files"] = [n for n in marker["files"] if n not in ("timeseries.parquet", "monthly_summary.csv")] + [
        "timeseries.csv"]
    (folder / ".cfc-sim-output").write_text(json.dumps(marker), encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]  # written before sealing, too
    (folder / "manifest.json").write_text(json.dumps(resealed(manifest)), encoding="utf-8")


def test_folders_with_the_older_timeseries_csv_are_still_read(folder: Path, pristine: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from cfc_sim.results_reader import read_results

    new = read_results(pristine)
    _as_old_folder(folder)
    with pytest.warns(FolderWarning, match="cannot be checked"):
        old = read_results(folder)
    pd.testing.assert_frame_equal(old.timeseries, new.timeseries, check_exact=True)
    assert old.monthly is None
    pd.testing.assert_frame_equal(old.monthly_summary(), new.monthly_summary(), check_exact=False, rtol=1e-12)
    for verb in VERBS:
        code, out, err = invoke(verb_argv(verb, folder, pristine), capsys)
        assert code == 0, (verb, out, err)
    assert (folder / "report.xlsx").is_file() and (folder / "report.html").is_file()
    (folder / "timeseries.csv").write_bytes(b"\x00\xff\xfe garbage \x89\x00" * 100)  # and checked as before
    _refused(["report", str(folder)], capsys, "timeseries.csv")


def _set_manifest(folder: Path, **changes: object) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(resealed(manifest)), encoding="utf-8")


def test_an_oversized_file_is_refused_before_it_is_read(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(folder / "manifest.json", "r+b") as handle:
        handle.truncate(50_000_000)  # sparse: no disk used
    _refused(["report", str(folder)], capsys, "manifest.json", "bytes")


def test_other_kinds_of_output_are_not_read_as_runs(folder: Path, pristine: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(["compare", str(folder), str(pristine), "--out", str(tmp_path / "cmp")], capsys)
    assert code == 0, err
    _refused(["report", str(tmp_path / "cmp")], capsys, "compare folder")


# --------------------------------------------------------------------------- HTML


def test_manifest_values_are_escaped_in_the_html(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    attack = "<script>alert('x')</script>"
    _set_manifest(folder, command=attack, started=attack, finished=attack, python=attack, simpy=attack,
                  cfc_sim_version=attack, warnings=[attack])
    code, _, err = invoke(["report", str(folder), "--html"], capsys)
    assert code == 0, err
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    (folder / "report.html").unlink()
    _set_manifest(folder, replications=attack)  # inserted as a number: refused, not written raw
    _refused(["report", str(folder), "--html"], capsys, "manifest.json", "replications")
    assert not (folder / "report.html").exists()


def test_only_real_png_charts_inside_the_folder_are_embedded(folder: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    charts = folder / "charts"
    real = sorted(p.name for p in charts.glob("*.png"))
    (charts / "passwd.png").symlink_to("/etc/passwd")
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG_MAGIC + b"secret outside the folder" * 10)
    (charts / "outside.png").symlink_to(outside)
    (charts / "fake.png").write_bytes(b"not a png at all, just text" * 10)
    (charts / "dir.png").mkdir()
    with open(charts / "huge.png", "wb") as handle:
        handle.write(PNG_MAGIC)
        handle.truncate(30_000_000)
    code, _, err = invoke(["report", str(folder), "--html"], capsys)
    assert code == 0, err
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == len(real)
    for name in ("passwd", "outside", "fake", "dir", "huge"):
        assert f'id="chart-{name}"' not in text
    passwd = base64.b64encode(Path("/etc/passwd").read_bytes()[:30]).decode()[:30]
    assert passwd not in text


# --------------------------------------------------------------------------- Excel and terminal


def test_formula_like_text_is_stored_as_text_in_the_workbook(folder: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    _edit_csv(folder / "summary.csv", "\nALL,all,", "\nALL,=HYPERLINK(\"http://evil\";\"x\"),")
    _edit_csv(folder / "summary.csv", "\nALL,all,", "\nALL,@SUM(A1),")
    _set_manifest(folder, command="=cmd|' /C calc'!A0")
    code, _, err = invoke_forged(["report", str(folder), "--xlsx"], folder, capsys)
    assert code == 0, err
    book = load_workbook(folder / "report.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert '=HYPERLINK("http://evil";"x")' in texts and "@SUM(A1)" in texts and "=cmd|' /C calc'!A0" in texts


def test_control_characters_never_reach_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "evil\x1b]0;pwned\x07name"
    code, out, err = invoke(["report", str(bad)], capsys)
    assert code == 2
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "evil?]0;pwned?name" in err


def test_rich_markup_in_names_is_printed_literally(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = folder / "scenario.resolved.yaml"
    text = scenario.read_text(encoding="utf-8").replace("- name: Dorset", "- name: '[red]Dor[/red]set'")
    scenario.write_text(text, encoding="utf-8")
    for name in ("readiness.csv", "summary.csv", "replications.csv", "monthly_summary.csv"):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        text = text.replace("\nDorset,", "\n[red]Dor[/red]set,").replace(",Dorset,", ",[red]Dor[/red]set,")
        path.write_text(text, encoding="utf-8")
    _edit_parquet(folder, lambda t: t.assign(area=t["area"].replace("Dorset", "[red]Dor[/red]set")))
    code, out, err = invoke_forged(["readiness", str(folder)], folder, capsys)
    assert code == 0, err
    assert "[red]Dor[/red]set" in out


def test_unwritable_report_destination_is_refused(folder: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    _refused(["report", str(folder), "--out", str(tmp_path / "afile" / "r.html")], capsys, "not a folder")
    assert os.listdir(tmp_path / "results") == os.listdir(folder)



def resealed(manifest: dict) -> dict:  # type: ignore[type-arg]
    """A manifest edited on purpose with its own digest recomputed (as a forger would), so the test
    reaches the checks behind the seal."""
    from cfc_sim.seal import manifest_digest

    return {**manifest, "manifest_sha256": manifest_digest(manifest)}
