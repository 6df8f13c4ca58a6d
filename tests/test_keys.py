"""The one variant path (cfc_sim.scenario.keys): every variant is validated as a scenario file is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_runner import invoke
from scenario_factory import config, scenario_dict

import cfc_sim
from cfc_sim.errors import ScenarioError, UserError
from cfc_sim.plan import Target, plan_areas, with_extra_fcas
from cfc_sim.rollout import with_policy
from cfc_sim.scenario.keys import apply_settings, parse
from cfc_sim.scenario.variants import config_variant


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_keys_name_areas_even_when_their_names_hold_dots() -> None:
    key = parse("areas.St. Helens.workforce.fcas", ["St. Helens", "Kent"])
    assert (key.area, key.path) == ("St. Helens", ("workforce", "fcas"))
    assert parse("readiness.policy").path == ("readiness", "policy")
    with pytest.raises(UserError, match="empty part"):
        parse("workforce..fcas")


def test_settings_apply_to_one_area_or_every_area() -> None:
    raw = scenario_dict()
    raw["areas"] = [{"name": "A", "go_live": "2026-04-01"}, {"name": "B", "go_live": "2026-04-01"}]
    changed = apply_settings(raw, {"areas.*.workforce.fcas": 7, "areas.B.workforce.caseload_cap": 9})
    assert [a["workforce"]["fcas"] for a in changed["areas"]] == [7, 7]
    assert "caseload_cap" not in changed["areas"][0]["workforce"]
    assert changed["areas"][1]["workforce"]["caseload_cap"] == 9
    with pytest.raises(UserError, match="no area named 'C'"):
        apply_settings(raw, {"areas.C.workforce.fcas": 7})


def test_plan_variants_beyond_the_schema_are_errors_not_silently_accepted() -> None:
    cfg = config()
    with pytest.raises(ScenarioError) as caught:
        with_extra_fcas(cfg, cfg.areas[0].name, 200_000)
    assert any("workforce.fcas" in key for key, _ in caught.value.problems)
    with pytest.raises(UserError, match="--max-extra"):
        plan_areas(cfg, Target("cir_on_time_share", ">=", 0.9), 0.8, max_extra=200_000)


def test_variants_keep_the_values_they_do_not_change() -> None:
    cfg = config()
    same = config_variant(cfg, {})
    assert same == cfg
    ready = with_policy(cfg, "readiness")
    assert ready.header.readiness.policy == "readiness" and ready.areas == cfg.areas and ready.source == cfg.source


def test_run_refuses_misspelt_keywords() -> None:
    with pytest.raises(TypeError):
        cfc_sim.run(config(), rep=1)  # type: ignore[call-arg]


def test_with_run_options_validates_like_a_scenario_file() -> None:
    with pytest.raises(UserError, match="replications"):
        config().with_run_options(replications=0)


@pytest.mark.parametrize(("parameter", "spec"), [
    ("workforce.hire_success", [0.5, 1.5]),
    ("workforce.hire_success", {"dist": "lognormal", "mean": 0.8, "sd": 0.1}),
    ("cfc.cafcass_cir_share", {"dist": "uniform", "low": 1.0, "high": 1.4, "relative": True}),
    ("workforce.fcas", {"dist": "exponential", "mean": 10}),
])
def test_validate_and_run_both_refuse_ranges_that_can_draw_invalid_values(
        tmp_path, capsys, parameter: str, spec: object) -> None:  # type: ignore[no-untyped-def]
    data = scenario_dict(replications=4)
    data["uncertainty"] = {"parameters": {parameter: spec}}
    path = _write(tmp_path / "s.yaml", data)
    code, _, err = invoke(["validate", str(path)], capsys)
    assert code == 2 and f"uncertainty.parameters.{parameter}:" in err and "Traceback" not in err, err
    code, _, err = invoke(["run", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and f"uncertainty.parameters.{parameter}:" in err, err
    assert not (tmp_path / "out").exists()


def test_ranges_inside_the_schema_still_validate(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = scenario_dict()
    data["uncertainty"] = {"parameters": {"workforce.hire_success": [0.5, 1.0],
                                          "workforce.notice_days": {"dist": "lognormal", "mean": 30, "sd": 5}}}
    code, _, err = invoke(["validate", str(_write(tmp_path / "s.yaml", data))], capsys)
    assert code == 0, err


def test_interventions_are_checked_in_date_order_on_top_of_each_other(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = scenario_dict(defaults__prioritisation__activate_queue=50, defaults__prioritisation__deactivate_queue=20)
    area = data["areas"][0]["name"]
    data["interventions"] = [{"at": "2026-09-01", "area": area, "set": {"prioritisation.deactivate_queue": 40}},
                             {"at": "2026-06-01", "area": area, "set": {"prioritisation.activate_queue": 30}}]
    code, _, err = invoke(["validate", str(_write(tmp_path / "s.yaml", data))], capsys)
    assert code == 2 and "interventions[0].set.prioritisation" in err, err
    assert "deactivate_queue (40) must not exceed activate_queue (30)" in err, err
