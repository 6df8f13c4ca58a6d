"""`cfc-sim compare` and `cfc-sim readiness` on real results folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_runner import invoke, invoke_quietly
from scenario_factory import scenario_dict

from cfc_sim.compare import compare_frame
from cfc_sim.results_reader import read_results


def _scenario(tmp: Path, name: str, **changes) -> Path:  # type: ignore[no-untyped-def]
    settings = {"name": name, "horizon_months": 12, "replications": 4, "seed": 77,
                "defaults__demand__applications_per_week": 20, "defaults__workforce__caseload_cap": 11, **changes}
    data = scenario_dict(**settings)
    data["areas"] = [{"name": "Northshire", "go_live": "2025-01-01"},
                     {"name": "Southshire", "go_live": "2026-08-04"}]
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("compare")
    out = {}
    for name, changes in {"base": {}, "again": {}, "more": {"defaults__workforce__fcas": 14,
                                                            "defaults__workforce__establishment": 14},
                          "reseeded": {"seed": 78}}.items():
        folder = tmp / name
        code, _, err = invoke_quietly(["run", str(_scenario(tmp, name if name != "again" else "base2", **changes)),
                                       "--out", str(folder)])
        assert code == 0, err
        out[name] = folder
    return out


def test_comparing_a_run_with_its_twin_shows_zero_differences(runs, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = invoke(["compare", str(runs["base"]), str(runs["again"]), "--out", str(tmp_path / "c")], capsys)
    assert code == 0, err
    table = load_compare(tmp_path / "c")
    second = table[table["run"] != table["run"].iloc[0]]
    assert (second["diff"] == 0).all() and (second["diff_low"] == 0).all() and (second["diff_high"] == 0).all()
    assert second["method"].str.startswith("paired").all()
    assert (tmp_path / "c" / "compare.png").stat().st_size > 10_000
    assert "paired (common random numbers" in out


def load_compare(folder: Path):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.read_csv(folder / "compare.csv")


def test_more_fcas_shorten_the_wait_and_the_paired_interval_says_so(runs) -> None:  # type: ignore[no-untyped-def]
    table = compare_frame([read_results(runs["base"]), read_results(runs["more"])], ["base", "more"])
    wait = table[(table["metric"] == "wait_to_allocation_days_mean") & (table["run"] == "more")].iloc[0]
    assert wait["diff_high"] < 0 < table[(table["metric"] == "wait_to_allocation_days_mean")
                                         & (table["run"] == "base")].iloc[0]["mean"]


def test_runs_with_different_seeds_are_compared_unpaired(runs) -> None:  # type: ignore[no-untyped-def]
    table = compare_frame([read_results(runs["base"]), read_results(runs["reseeded"])], ["a", "b"])
    assert table[table["run"] == "b"]["method"].str.startswith("unpaired").all()


def test_compare_needs_two_folders_and_real_results(runs, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert invoke(["compare", str(runs["base"])], capsys)[0] == 2
    assert invoke(["compare", str(runs["base"]), str(tmp_path)], capsys)[0] == 2
    assert invoke(["compare", str(runs["base"]), str(runs["again"]), "--area", "Nowhere"], capsys)[0] == 2


def test_readiness_command_prints_every_area_and_draws_the_heatmap(runs, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    heatmap = tmp_path / "heat.png"
    code, out, err = invoke(["readiness", str(runs["base"]), "--out", str(heatmap)], capsys)
    assert code == 0, err
    assert "Northshire" in out and "Southshire" in out and "earliest ready" in out
    assert heatmap.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = invoke(["readiness", str(runs["base"]), "--month", "2026-09", "--out", str(heatmap)], capsys)
    assert code == 0 and "2026-09" in out
