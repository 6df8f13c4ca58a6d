"""Region-level settings (`regions:`), resolved into each area; extending scenarios whose area
entries must match the base unless marked `new: true`; "did you mean" in scenario keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from scenario_factory import scenario_dict

from cfc_sim.cli import main
from cfc_sim.errors import ScenarioError, UserError
from cfc_sim.scenario.keys import apply_settings
from cfc_sim.scenario.loading import config_from_dict, load_scenario
from cfc_sim.scenario.resolved import resolved_dict
from cfc_sim.scenario.variants import load_variant


def london_scenario() -> dict[str, Any]:
    data = scenario_dict()
    data["regions"] = {"London": {"workforce": {"annual_turnover": 0.25, "fcas": 6}}}
    data["areas"] = [
        {"name": "East London", "region": "London", "go_live": "2026-04-01"},
        {"name": "West London", "region": "London", "go_live": "2026-04-01", "workforce": {"fcas": 9}},
        {"name": "Kent", "region": "South East", "go_live": "2026-04-01"},
    ]
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_regions_areas_take_its_settings_unless_they_override() -> None:
    config = config_from_dict(london_scenario())
    east, west, kent = (config.area(n) for n in ("East London", "West London", "Kent"))
    assert east.workforce.annual_turnover == 0.25 and east.workforce.fcas == 6
    assert west.workforce.annual_turnover == 0.25 and west.workforce.fcas == 9  # the area's own wins
    default = config_from_dict(scenario_dict()).areas[0].workforce
    assert kent.workforce.annual_turnover == default.annual_turnover and kent.workforce.fcas == default.fcas
    assert east.workforce.caseload_cap == default.caseload_cap  # the rest of defaults kept


def test_regions_are_resolved_into_the_areas_so_the_model_sees_nothing_new() -> None:
    resolved = resolved_dict(config_from_dict(london_scenario()))
    assert "regions" not in resolved
    assert resolved["areas"][0]["workforce"]["annual_turnover"] == 0.25


def test_a_sweep_key_sets_a_regions_value() -> None:
    data = apply_settings(london_scenario(), {"regions.London.workforce.annual_turnover": 0.1})
    config = config_from_dict(data)
    assert config.area("East London").workforce.annual_turnover == 0.1
    assert config.area("West London").workforce.annual_turnover == 0.1
    assert config.area("Kent").workforce.annual_turnover != 0.1


def test_a_sweep_key_may_add_a_region_the_file_lacks(tmp_path: Path) -> None:
    data = london_scenario()
    del data["regions"]
    path = write(tmp_path / "s.yaml", data)
    config = load_variant(path, {"regions.London.workforce.annual_turnover": 0.3})
    assert config.area("East London").workforce.annual_turnover == 0.3


def test_a_region_no_area_has_is_an_error_with_the_closest_name() -> None:
    data = london_scenario()
    data["regions"] = {"Londn": {"workforce": {"fcas": 2}}}
    with pytest.raises(ScenarioError) as err:
        config_from_dict(data, "s.yaml")
    assert "regions.Londn" in str(err.value) and "did you mean 'London'" in str(err.value)


def test_an_unknown_block_in_a_region_is_an_error() -> None:
    data = london_scenario()
    data["regions"]["London"] = {"workfroce": {"fcas": 2}}
    with pytest.raises(ScenarioError) as err:
        config_from_dict(data, "s.yaml")
    assert "regions.London.workfroce" in str(err.value) and "did you mean 'workforce'" in str(err.value)


def test_a_bad_value_in_a_region_is_reported_at_the_region() -> None:
    data = london_scenario()
    data["regions"]["London"]["workforce"]["annual_turnover"] = -1
    with pytest.raises(ScenarioError) as err:
        config_from_dict(data, "s.yaml")
    assert "regions.London.workforce.annual_turnover" in str(err.value)


def test_an_extending_entry_that_matches_no_area_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    write(tmp_path / "base.yaml", london_scenario())
    child = write(tmp_path / "child.yaml", {"extends": "base.yaml", "name": "child",
                                              "areas": [{"name": "East Londn", "workforce": {"fcas": 1}}]})
    assert main(["validate", str(child)]) == 2
    err = capsys.readouterr().err
    assert str(child) in err and "areas[0] (East Londn).name" in err
    assert "did you mean 'East London'" in err and "new: true" in err
    assert "Traceback" not in err


def test_an_entry_marked_new_adds_an_area(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", london_scenario())
    child = write(tmp_path / "child.yaml", {"extends": "base.yaml", "name": "child", "areas": [
        {"name": "Essex", "new": True, "go_live": "2027-01-01"},
        {"name": "Kent", "workforce": {"fcas": 4}}]})
    config = load_scenario(child)
    assert [a.name for a in config.areas] == ["East London", "West London", "Kent", "Essex"]
    assert config.area("Kent").workforce.fcas == 4


def test_an_entry_marked_new_that_the_base_has_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", london_scenario())
    child = write(tmp_path / "child.yaml", {"extends": "base.yaml", "name": "child",
                                              "areas": [{"name": "Kent", "new": True}]})
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert "areas[0] (Kent).new" in str(err.value)


def test_a_misspelt_area_in_a_setting_gets_the_closest_name() -> None:
    with pytest.raises(UserError) as err:
        apply_settings(london_scenario(), {"areas.East Londn.workforce.fcas": 3})
    assert "did you mean 'East London'" in str(err.value)


def test_the_national_default_sets_londons_turnover_for_the_region() -> None:
    path = Path(__file__).resolve().parent.parent / "scenarios" / "national-rollout.yaml"
    london = [a for a in load_scenario(path).areas if a.region == "London"]
    assert len(london) == 3 and {a.workforce.annual_turnover for a in london} == {0.22}
    raised = load_variant(path, {"regions.London.workforce.annual_turnover": 0.3})
    assert {a.workforce.annual_turnover for a in raised.areas if a.region == "London"} == {0.3}
    assert {a.workforce.annual_turnover for a in raised.areas if a.region != "London"} != {0.3}


def test_sensitivity_reads_a_regions_key_type_from_the_schema() -> None:
    from cfc_sim.sensitivity import parse_param

    assert parse_param("regions.London.workforce.fcas=2.0:5.0").integer  # whole numbers, as the schema says
    assert not parse_param("regions.London.workforce.annual_turnover=0.1:0.3").integer
