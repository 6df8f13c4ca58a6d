"""cfc_sim.cache: one disk cache for plan, rollout and sensitivity; corrupt entries are recomputed."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_runner import invoke
from scenario_factory import config, scenario_dict

from cfc_sim.cache import Cache, code_version, lists_by_name, number_list, run_key
from cfc_sim.seal import FolderWarning


def test_key_names_scenario_seed_reps_code_and_purpose() -> None:
    base = config(scenario_dict(replications=2))
    key = run_key(base, "plan")
    assert key.startswith("plan-") and key.endswith(f"-{base.seed}-2-{code_version()}")
    assert run_key(base.with_run_options(seed=base.seed + 1), "plan") != key
    assert run_key(base.with_run_options(replications=3), "plan") != key
    assert run_key(base, "rollout") != key


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b'{"a": 1}', b"[1, \"x\"]", b""])
def test_a_corrupt_entry_is_ignored_and_overwritten(tmp_path: Path, content: bytes) -> None:
    cache = Cache(tmp_path)
    (tmp_path / "k.json").write_bytes(content)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        assert cache.get("k", number_list) is None
    valid_json = content.startswith((b"{\"", b"["))  # parsed, but not a sealed entry: said so
    assert [str(w.message) for w in said if issubclass(w.category, FolderWarning)] == (
        [f"{tmp_path / 'k.json'}: cache entry is not the one cfc-sim sealed (cut short, edited, another entry's, or "
         "from before sealing); it is recomputed"] if valid_json else [])
    cache.put("k", [1.0, None])
    assert Cache(tmp_path).get("k", number_list) == [1.0, None]
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]  # no temporary file left


def test_corrupt_plan_cache_is_recomputed_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = scenario_dict(horizon_months=3, replications=2)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str))), encoding="utf-8")
    argv = ["plan", str(scenario), "--target", "cir_on_time_share>=0.0", "--confidence", "0.5", "--max-extra", "2",
            "--out", str(tmp_path / "plan")]
    code, _, err = invoke(argv, capsys)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "plan" / "plan.csv")
    entries = list((tmp_path / ".plan.cache").glob("*.json"))
    assert entries
    for i, entry in enumerate(entries):
        entry.write_text(["{", '{"x": [1]}', "[true]"][i % 3], encoding="utf-8")
    code, _, err = invoke([*argv, "--overwrite"], capsys)
    assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "plan" / "plan.csv"), table)
    assert all(lists_by_name(json.loads(e.read_text(encoding="utf-8"))["value"]) for e in entries)  # rewritten
