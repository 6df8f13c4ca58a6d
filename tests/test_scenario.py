"""Scenario files: loading, `defaults` and `extends`, and every kind of malformed file (DESIGN 3-4).

Malformed files go through the real command line (`cfc_sim.cli.main`, which maps errors to exit
codes) for both `validate FILE` and `run FILE --out DIR`: exit 2, the file and the key path on
stderr, no traceback, nothing written.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydantic
import pytest
import yaml
from scenario_factory import scenario_dict

from cfc_sim.cli import main
from cfc_sim.errors import ScenarioError
from cfc_sim.scenario.loading import load_scenario
from cfc_sim.scenario.resolved import resolved_yaml, scenario_sha256
from cfc_sim.scenario.schema import thaw

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))


# --------------------------------------------------------------------------- helpers


def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the console-script entry point; return (exit code, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
    out, err = capsys.readouterr()
    assert isinstance(code, int), code
    return code, out, err


def dump(data: Any, raw: dict[str, str] | None = None) -> str:
    """YAML text for `data`; each `raw` token (a string value in `data`) is replaced by literal YAML."""
    text = yaml.safe_dump(data, sort_keys=False)
    for token, literal in (raw or {}).items():
        text, n = re.subn(rf"['\"]?{re.escape(token)}['\"]?", lambda _m, lit=literal: lit, text)
        assert n == 1, (token, text)
    return text


def write(path: Path, data: Any, raw: dict[str, str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data, raw), encoding="utf-8")
    return path


def two_areas(**changes: Any) -> dict[str, Any]:
    data = scenario_dict(**changes)
    data["areas"] = [
        {"name": "North", "region": "Test", "go_live": "2026-04-01", "workforce": {"fcas": 3}},
        {"name": "South", "go_live": "2026-10-01",
         "workforce": {"sickness": {"episodes_per_year": 2.0}}},
    ]
    return data


# --------------------------------------------------------------------------- valid files


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_every_shipped_scenario_validates(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = load_scenario(path)
    assert config.areas
    code, out, err = invoke(["validate", str(path)], capsys)
    assert code == 0, err
    assert f"{path}: valid" in out


def test_shipped_scenarios_found() -> None:
    names = {p.name for p in SCENARIOS}
    assert {"national-rollout.yaml", "example-small.yaml"} <= names


def test_the_example_carries_the_national_calibration_for_its_areas() -> None:
    """example-small.yaml says its numbers match national-rollout.yaml: a user copying it starts from
    the calibrated assumptions (it once kept an older calibration). Only its teaching choice differs:
    Wiltshire's police partnership comes later, so that one criterion shows red."""
    folder = next(p.parent for p in SCENARIOS if p.name == "example-small.yaml")
    example, national = load_scenario(folder / "example-small.yaml"), load_scenario(folder / "national-rollout.yaml")
    for area in example.areas:
        mine, theirs = area.model_dump(), national.area(area.name).model_dump()
        mine.pop("partnerships"), theirs.pop("partnerships")
        assert mine == theirs, area.name


def test_defaults_inherited_and_area_overrides_win(tmp_path: Path) -> None:
    config = load_scenario(write(tmp_path / "s.yaml", two_areas()))
    north, south = config.area("North"), config.area("South")
    # override wins
    assert north.workforce.fcas == 3
    # inherited from defaults
    assert south.workforce.fcas == 10
    assert north.workforce.caseload_cap == south.workforce.caseload_cap == 20
    assert north.cfc.cafcass_cir_share == 0.7
    # nested blocks merge key by key: the override keeps the defaults' siblings
    assert south.workforce.sickness.episodes_per_year == 2.0
    assert south.workforce.sickness.reallocate_after_days == 28
    assert south.workforce.sickness.episode_days.dist == "exponential"
    assert north.workforce.sickness.episodes_per_year == 0
    assert south.go_live == dt.date(2026, 10, 1)
    assert north.region == "Test" and south.region is None


def test_extends_deep_merges_over_parent_relative_to_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = two_areas(name="parent", seed=99)
    parent["areas"][0]["workforce"] = {"fcas": 3, "establishment": 5}
    write(tmp_path / "base" / "parent.yaml", parent)
    child = {
        "extends": "../base/parent.yaml",
        "name": "child",
        "horizon_months": 6,
        "defaults": {"workforce": {"fcas": 7}},
        "areas": [
            {"name": "North", "workforce": {"establishment": 12}},
            {"name": "East", "new": True, "go_live": "2027-01-01"},
        ],
    }
    child_path = write(tmp_path / "variants" / "child.yaml", child)
    monkeypatch.chdir(tmp_path)  # relative to the child's folder, not the working directory
    config = load_scenario(Path("variants") / "child.yaml")

    assert config.name == "child"
    assert config.header.horizon_months == 6
    assert config.seed == 99  # inherited
    assert config.header.extends is None or config.header.extends == "../base/parent.yaml"
    assert [a.name for a in config.areas] == ["North", "South", "East"]  # by name; new appends
    north, south, east = config.areas
    assert north.workforce.fcas == 3  # parent's area override still beats the child's defaults
    assert north.workforce.establishment == 12  # child's area override merged into the parent's area
    assert north.region == "Test"
    assert south.workforce.fcas == 7  # child's defaults
    assert south.workforce.establishment == 10
    assert south.workforce.caseload_cap == 20  # the rest of defaults.workforce kept from the parent
    assert south.workforce.sickness.episodes_per_year == 2.0
    assert east.go_live == dt.date(2027, 1, 1) and east.workforce.fcas == 7
    assert child_path.is_file()


def test_yaml_anchors_and_merge_keys_are_allowed(tmp_path: Path) -> None:
    data = scenario_dict()
    del data["areas"]
    text = dump(data) + (
        "areas:\n"
        "- &north {name: North, region: Test, go_live: 2026-04-01, workforce: {fcas: 3}}\n"
        "- <<: *north\n"
        "  name: West\n"
        "  go_live: 2027-01-05\n"
    )
    config = load_scenario(write_text(tmp_path / "s.yaml", text))
    assert [a.name for a in config.areas] == ["North", "West"]
    assert config.area("West").workforce.fcas == 3  # from the anchored area
    assert config.area("West").region == "Test"
    assert config.area("West").go_live == dt.date(2027, 1, 5)  # an explicit key beats the merged one


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_chain_of_three(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", scenario_dict(name="a", seed=1))
    write(tmp_path / "b.yaml", {"extends": "a.yaml", "name": "b", "replications": 7})
    c = write(tmp_path / "c.yaml", {"extends": "b.yaml", "name": "c", "seed": 3})
    config = load_scenario(c)
    assert (config.name, config.replications, config.seed) == ("c", 7, 3)


def test_a_variants_errors_name_its_areas_where_it_wrote_them(tmp_path: Path) -> None:
    """The merged list puts Southshire second; the variant wrote it first: the error says areas[0], and an
    area only the extended file sets is named with that file, not by a position the user cannot find."""
    base = scenario_dict(name="a")
    base["areas"] = [{"name": "Northshire", "go_live": "2026-06-01"}, {"name": "Southshire", "go_live": "2026-07-01"}]
    write(tmp_path / "a.yaml", base)
    child = write(tmp_path / "b.yaml", {"extends": "a.yaml", "name": "b",
                                        "areas": [{"name": "Southshire", "go_live": "2026-13-01"}]})
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.problems[0][0] == "areas[0] (Southshire).go_live"
    base["areas"][0]["workforce"] = {"fcas": -1}
    write(tmp_path / "a.yaml", base)
    write(child, {"extends": "a.yaml", "name": "b", "areas": [{"name": "Southshire", "go_live": "2026-08-01"}]})
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.problems[0][0] == "areas (Northshire, as a.yaml sets it).workforce.fcas"
    base["areas"][0].pop("workforce")
    base["areas"][1]["workforce"] = {"fcas": -1}  # the variant's Southshire entry sets only go_live
    write(tmp_path / "a.yaml", base)
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.problems[0][0] == "areas (Southshire, as a.yaml sets it).workforce.fcas"
    base["areas"][1].pop("workforce")
    write(tmp_path / "a.yaml", base)
    write(child, {"extends": "a.yaml", "name": "b", "areas": [{"name": "Southshire", "go_live": "2026-08-01"},
                                                              {"go_live": "2026-09-01"}]})  # no name: the user's
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert [key for key, _ in info.value.problems] == ["areas[1].name"]
    odd = "Kent (East). Medway"  # brackets and a dot in a name: the area is still placed where it was written
    write(child, {"extends": "a.yaml", "name": "b",
                  "areas": [{"name": odd, "new": True, "go_live": "2026-09-01", "workforce": {"fcas": -2}}]})
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.problems[0][0] == f"areas[0] ({odd}).workforce.fcas"


def test_a_share_written_as_a_percentage_is_refused_with_how_to_write_it(tmp_path: Path) -> None:
    data = scenario_dict(name="a")
    data["defaults"]["cfc"]["cafcass_cir_share"] = 70
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "a.yaml", data))
    assert info.value.problems == [("defaults.cfc.cafcass_cir_share", "Input should be less than or equal to 1 "
                                    "(got 70) (a share is written as a fraction: 0.7 for 70%)")]
    data = scenario_dict(name="a")
    data["readiness"] = {**data.get("readiness", {}), "max_vacancy_rate": 10}  # a rate, not named *_share
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "b.yaml", data))
    assert any("0.7 for 70%" in message for _, message in info.value.problems)
    data = scenario_dict(name="a")
    data["defaults"]["workforce"]["annual_turnover"] = 15  # 15% a year typed as a number (rates may exceed 1)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "c.yaml", data))
    assert info.value.problems == [("defaults.workforce.annual_turnover", "Input should be less than or equal to 5 "
                                    "(got 15) (a rate is written as a fraction: 0.15 for 15% a year)")]


def test_extends_cycle_is_an_error_naming_extends(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {**scenario_dict(name="a"), "extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"extends": "a.yaml", "name": "b"})
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "a.yaml")
    assert info.value.problems[0][0] == "extends"
    assert "cycle" in str(info.value)


def test_self_extends_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", {**scenario_dict(name="a"), "extends": "a.yaml"})
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0][0] == "extends"


def test_missing_extends_target_is_an_error_naming_extends(tmp_path: Path) -> None:
    path = write(tmp_path / "child.yaml", {"extends": "nowhere.yaml", "name": "child"})
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0][0] == "extends"
    assert "nowhere.yaml" in str(info.value)


@pytest.mark.parametrize("source", ["example", "extends", *[p.name for p in SCENARIOS]])
def test_resolved_yaml_reloads_to_the_same_config_and_sha(source: str, tmp_path: Path) -> None:
    if source == "example":
        path = write(tmp_path / "s.yaml", two_areas(interventions=[
            {"at": "2026-06-01", "area": "South", "set": {"workforce.establishment": 14}}]))
    elif source == "extends":
        write(tmp_path / "parent.yaml", two_areas())
        path = write(tmp_path / "child.yaml", {"extends": "parent.yaml", "name": "child",
                                               "areas": [{"name": "West", "new": True, "go_live": "2026-05-01"}]})
    else:
        path = REPO / "scenarios" / source
    config = load_scenario(path)
    text = resolved_yaml(config)
    again_path = tmp_path / "again" / "scenario.resolved.yaml"
    again_path.parent.mkdir()
    again_path.write_text(text, encoding="utf-8")
    again = load_scenario(again_path)
    assert again.header == config.header
    assert again.areas == config.areas
    assert again.interventions == config.interventions
    assert again.model_dump(exclude={"source"}) == config.model_dump(exclude={"source"})
    assert resolved_yaml(again) == text
    assert scenario_sha256(again) == scenario_sha256(config)
    assert re.fullmatch(r"[0-9a-f]{64}", scenario_sha256(config))
    # and the sha does change with the content
    assert scenario_sha256(config.with_run_options(seed=config.seed + 1)) != scenario_sha256(config)


def test_config_objects_are_immutable(tmp_path: Path) -> None:
    config = load_scenario(write(tmp_path / "s.yaml", two_areas()))
    area = config.areas[0]
    with pytest.raises(pydantic.ValidationError):
        config.header.horizon_months = 3  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        config.header = config.header  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        area.workforce.fcas = 99  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        area.cap.report_work_days.mean = 1.0  # type: ignore[misc,union-attr]
    with pytest.raises(pydantic.ValidationError):
        config.header.readiness.policy = "readiness"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.areas[0] = area  # type: ignore[index]
    with pytest.raises(TypeError):
        area.demand.seasonality[0] = 2.0  # type: ignore[index]
    # the CLI's --reps/--seed make a copy and leave the original alone
    copy_ = config.with_run_options(replications=9, seed=5)
    assert (config.replications, config.seed) == (2, 12345)
    assert (copy_.replications, copy_.seed) == (9, 5)


def test_intervention_settings_are_immutable(tmp_path: Path) -> None:
    config = load_scenario(write(tmp_path / "s.yaml", two_areas(interventions=[
        {"at": "2026-06-01", "area": "South", "set": {"workforce.establishment": 14}}])))
    intervention = config.interventions[0]
    with pytest.raises(pydantic.ValidationError):
        intervention.area = "North"  # type: ignore[misc]
    with pytest.raises(TypeError):
        intervention.set["workforce.establishment"] = 99  # type: ignore[index]
    assert thaw(intervention.set) == {"workforce.establishment": 14}


# --------------------------------------------------------------------------- malformed files


@dataclass(frozen=True)
class Bad:
    """A malformed scenario: how to write it, the key path the error must name, other words."""

    id: str
    build: Callable[[Path], Path]
    key: str | None  # printed as "<file>: <key>: <message>"
    words: tuple[str, ...] = ()


def _changed(*, raw: dict[str, str] | None = None, delete: tuple[str, ...] = (),
             mutate: Callable[[dict[str, Any]], None] | None = None,
             **changes: Any) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        data = scenario_dict(**changes)
        for dotted in delete:
            node = data
            *parents, last = dotted.split(".")
            for key in parents:
                node = node[key]
            del node[last]
        if mutate is not None:
            mutate(data)
        return write(folder / "bad.yaml", data, raw)
    return build


def _text(text: str | bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bad.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path
    return build


def _valid_text_with(old: str, new: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        text = dump(scenario_dict())
        assert old in text
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bad.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path
    return build


def _extends_missing(folder: Path) -> Path:
    return write(folder / "bad.yaml", {"extends": "missing-parent.yaml", "name": "child"})


def _extends_cycle(folder: Path) -> Path:
    write(folder / "other.yaml", {"extends": "bad.yaml", "name": "other"})
    return write(folder / "bad.yaml", {**scenario_dict(), "extends": "other.yaml"})


def _alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def _set_areas(areas: list[dict[str, Any]]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["areas"] = copy.deepcopy(areas)
    return mutate


def _typo_top_level(data: dict[str, Any]) -> None:
    data["horizon_month"] = data.pop("horizon_months")


def _junk() -> bytes:
    noise = np.random.default_rng(20260401).integers(0, 256, 2048, dtype=np.uint8).tobytes()
    return b"\x89\x00\xff\xfe" + noise + b"\x00\x00"


def _intervention(**item: Any) -> list[dict[str, Any]]:
    return [{"at": "2026-06-01", "area": "Testshire", "set": {"workforce.establishment": 12}, **item}]


BAD = [
    Bad("yaml-syntax", _valid_text_with("horizon_months: 12", "horizon_months: [12"), None,
        ("YAML syntax error", "line ")),
    Bad("string-for-number", _changed(defaults__workforce__fcas="forty"), "defaults.workforce.fcas",
        ("forty",)),
    Bad("bool-for-count", _changed(mutate=lambda d: d["areas"][0].update(workforce={"fcas": True})),
        "areas[0] (Testshire).workforce.fcas", ("True",)),
    Bad("float-for-integer-count", _changed(defaults__workforce__caseload_cap=20.5),
        "defaults.workforce.caseload_cap", ("20.5",)),
    Bad("negative-count", _changed(mutate=lambda d: d["areas"][0].update(workforce={"establishment": -3})),
        "areas[0] (Testshire).workforce.establishment", ("-3",)),
    Bad("share-above-1", _changed(defaults__demand__domestic_abuse_share=1.5),
        "defaults.demand.domestic_abuse_share", ("1.5",)),
    Bad("share-below-0", _changed(mutate=lambda d: d["areas"][0].update(cfc={"la_cir_share": -0.1})),
        "areas[0] (Testshire).cfc.la_cir_share", ("-0.1",)),
    Bad("impossible-date", _changed(areas__0__go_live="TOKEN", raw={"TOKEN": "2026-02-30"}),
        "areas[0] (Testshire).go_live", ("date",)),
    Bad("impossible-date-in-defaults", _changed(defaults__partnerships__police="TOKEN",
                                                raw={"TOKEN": "2026-13-01"}),
        "defaults.partnerships.police", ()),
    Bad("date-as-number", _changed(start=20260401), "start", ("YYYY-MM-DD",)),
    Bad("unknown-top-level-key", _changed(mutate=_typo_top_level), "horizon_month",
        ("unknown key", "horizon_months")),
    Bad("unknown-key-in-defaults", _changed(defaults__workforce__caseload_capp=20),
        "defaults.workforce.caseload_capp", ("unknown key",)),
    Bad("unknown-block-in-defaults", _changed(defaults__workfroce={"fcas": 3}),
        "defaults.workfroce", ("unknown key",)),
    Bad("duplicate-top-level-key", _valid_text_with("seed: 12345\n", "seed: 12345\nseed: 54321\n"), None,
        ("duplicate key 'seed'", "line ")),
    Bad("duplicate-key-in-area", _valid_text_with("go_live: '2026-04-01'\n",
                                                  "go_live: '2026-04-01'\n  go_live: '2027-04-01'\n"),
        None, ("duplicate key 'go_live'",)),
    Bad("unknown-key-in-area", _changed(areas__0__workfroce={"fcas": 3}), "areas[0] (Testshire).workfroce",
        ("unknown key",)),
    Bad("unknown-distribution", _changed(defaults__cap__report_work_days={"dist": "weibull", "mean": 84}),
        "defaults.cap.report_work_days", ("weibull",)),
    Bad("distribution-missing-parameter", _changed(defaults__cfc__cir_work_days={"dist": "lognormal",
                                                                                  "mean": 30}),
        "defaults.cfc.cir_work_days.sd", ("required",)),
    Bad("triangular-low-above-high",
        _changed(defaults__cfc__intake_days={"dist": "triangular", "low": 15, "mode": 10, "high": 5}),
        "defaults.cfc.intake_days", ("low <= mode <= high",)),
    Bad("cir-shares-above-1", _changed(defaults__cfc__cafcass_cir_share=0.8, defaults__cfc__la_cir_share=0.3),
        "defaults.cfc", ("cafcass_cir_share + la_cir_share",)),
    Bad("cir-shares-above-1-in-area", _changed(areas__0__cfc={"la_cir_share": 0.5}),
        "areas[0] (Testshire).cfc", ("cafcass_cir_share + la_cir_share",)),
    Bad("deactivate-above-activate",
        _changed(defaults__prioritisation={"activate_queue": 10, "deactivate_queue": 20}),
        "defaults.prioritisation", ("deactivate_queue", "activate_queue")),
    Bad("warmup-not-below-horizon", _changed(warmup_months=12, horizon_months=12), "warmup_months",
        ("horizon_months",)),
    Bad("missing-required-key", _changed(delete=("defaults.cap.report_work_days",)),
        "defaults.cap.report_work_days", ("required",)),
    Bad("missing-top-level-key", _changed(delete=("seed",)), "seed", ("required",)),
    Bad("missing-extends-target", _extends_missing, "extends", ("missing-parent.yaml",)),
    Bad("extends-cycle", _extends_cycle, "extends", ("cycle",)),
    Bad("python-yaml-tag",
        _valid_text_with("name: test", 'name: !!python/object/apply:os.system ["echo hi"]'),
        None, ("tag", "line ")),
    Bad("custom-yaml-tag", _valid_text_with("seed: 12345", "seed: !foo 12345"), None, ("tag",)),
    Bad("alias-bomb", _text(_alias_bomb()), None, ("too many nodes",)),
    Bad("binary-junk", _text(_junk()), None, ("binary",)),
    Bad("nul-bytes", _text("schema: 1\nname: te\x00st\n"), None, ("NUL",)),
    Bad("empty-file", _text(""), None, ("empty",)),
    Bad("comments-only", _text("# nothing here\n"), None, ("empty",)),
    Bad("top-level-list", _text("- schema: 1\n- name: test\n"), None, ("expected a mapping",)),
    Bad("areas-empty", _changed(areas=[]), "areas", ("non-empty",)),
    Bad("area-not-a-mapping", _changed(areas=["Testshire"]), "areas[0]", ("mapping",)),
    Bad("duplicate-area-names", _changed(mutate=_set_areas([
        {"name": "Twin", "go_live": "2026-04-01"}, {"name": "Twin", "go_live": "2026-05-01"}])),
        "areas[1] (Twin).name", ("duplicate", "Twin")),
    Bad("area-missing-go-live", _changed(mutate=_set_areas([{"name": "Nodate"}])), "areas[0] (Nodate).go_live",
        ("required",)),
    Bad("intervention-unknown-area", _changed(interventions=_intervention(area="Atlantis")),
        "interventions[0].area", ("Atlantis",)),
    Bad("intervention-unknown-key",
        _changed(interventions=_intervention(set={"workforce.establishmnet": 12})),
        "interventions[0].set.workforce.establishmnet", ()),
    Bad("intervention-invalid-value",
        _changed(interventions=_intervention(set={"workforce.establishment": -5})),
        "interventions[0].set.workforce.establishment", ("-5",)),
    Bad("intervention-before-start", _changed(interventions=_intervention(at="2025-01-01")),
        "interventions[0].at", ()),
    Bad("schema-2", _changed(schema=2), "schema", ("1",)),
    Bad("file-not-found", lambda folder: folder / "no-such-scenario.yaml", None, ("not found",)),
    Bad("file-named-without-yaml", lambda folder: _text("schema: 1\n")(folder).with_suffix(""), None,
        ("not found", "did you mean", "bad.yaml")),
]


def test_at_least_twenty_kinds_of_malformed_scenario() -> None:
    assert len(BAD) >= 20
    assert len({b.id for b in BAD}) == len(BAD)


def _check_error_output(bad: Bad, path: Path, err: str, out: str) -> None:
    assert "Traceback" not in err + out
    assert "internal error" not in err
    assert str(path) in err or path.name in err, err
    if bad.key is not None:
        assert f": {bad.key}: " in err, err
    for word in bad.words:
        assert word in err, (word, err)


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_malformed_scenario_validate(bad: Bad, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = bad.build(tmp_path)
    code, out, err = invoke(["validate", str(path)], capsys)
    assert code == 2, (out, err)
    _check_error_output(bad, path, err, out)
    assert "valid (" not in out


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_malformed_scenario_run_writes_nothing(bad: Bad, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = bad.build(tmp_path / "in")
    results = tmp_path / "results"
    out_dir = results / "out"
    code, out, err = invoke(["run", str(path), "--reps", "1", "--out", str(out_dir)], capsys)
    assert code == 2, (out, err)
    _check_error_output(bad, path, err, out)
    assert not out_dir.exists()
    assert not results.exists()
    assert not [p for p in tmp_path.rglob("*") if ".tmp" in p.name]


@pytest.mark.parametrize("bad", [b for b in BAD if b.key], ids=[b.id for b in BAD if b.key])
def test_malformed_scenario_scenario_error_names_key(bad: Bad, tmp_path: Path) -> None:
    """The library raises one ScenarioError whose problems carry the key path (for notebooks)."""
    path = bad.build(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert bad.key in [key for key, _ in info.value.problems]
    assert info.value.file is not None and Path(info.value.file).name == path.name


# --------------------------------------------------------------------------- several files / errors


def test_validate_good_and_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", scenario_dict(name="good"))
    bad = write(tmp_path / "bad.yaml", scenario_dict(defaults__workforce__fcas="forty"))
    code, out, err = invoke(["validate", str(good), str(bad)], capsys)
    assert code == 2
    assert f"{good}: valid" in out
    assert f"{bad}: defaults.workforce.fcas: " in err
    assert str(good) not in err
    assert "Traceback" not in out + err
    # order does not matter: a bad file first does not stop the good one being checked
    code, out, err = invoke(["validate", str(bad), str(good)], capsys)
    assert code == 2
    assert f"{good}: valid" in out
    assert f"{bad}: defaults.workforce.fcas: " in err


def test_multiple_errors_in_one_file_are_all_listed(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = scenario_dict(defaults__workforce__fcas="forty", defaults__demand__high_risk_share=1.5,
                         seed=-1, horizon_mnths=3)
    data["areas"].append({"name": "Second", "go_live": "2026-02-30", "workforce": {"caseload_cap": 0}})
    path = write(tmp_path / "many.yaml", data)
    expected = ["defaults.workforce.fcas", "defaults.demand.high_risk_share", "seed", "horizon_mnths",
                "areas[1] (Second).go_live", "areas[1] (Second).workforce.caseload_cap"]
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        code, out, err = invoke(argv, capsys)
        assert code == 2
        lines = err.strip().splitlines()
        for key in expected:
            assert any(f"{path}: {key}: " in line for line in lines), (key, err)
        # an error inherited from defaults is reported once, not once per area
        assert sum("defaults.workforce.fcas" in line for line in lines) == 1, err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_missing_key_in_a_defaults_distribution_is_reported_once_at_defaults(tmp_path: Path) -> None:
    data = two_areas()
    data["defaults"]["cfc"]["cir_work_days"] = {"dist": "lognormal", "mean": 30}
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", data))
    assert info.value.problems == [("defaults.cfc.cir_work_days.sd", "required key is missing")]


def test_intervention_setting_a_whole_block_is_refused_with_one_clear_message(tmp_path: Path) -> None:
    data = two_areas(interventions=[{"at": "2026-06-01", "area": "South", "set": {"workforce": {"fcas": 1}}}])
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", data))
    assert len(info.value.problems) == 1
    key, message = info.value.problems[0]
    assert key == "interventions[0].set.workforce" and "dotted keys" in message


def test_an_area_can_swap_a_default_distribution_for_another_kind(tmp_path: Path) -> None:
    data = two_areas()
    data["areas"][1]["cfc"] = {"intake_days": {"dist": "uniform", "low": 2, "high": 9}}
    config = load_scenario(write(tmp_path / "s.yaml", data))
    assert config.areas[1].cfc.intake_days.dist == "uniform"
    assert config.areas[0].cfc.intake_days.dist == data["defaults"]["cfc"]["intake_days"]["dist"]
