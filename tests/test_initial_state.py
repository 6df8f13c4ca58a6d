"""Starting from today's open work (`initial_state`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_runner import invoke
from scenario_factory import config, scenario_dict

from cfc_sim.model import simulate
from cfc_sim.model.initial import split_total, stage_weights
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import load_scenario


def _m(output):  # type: ignore[no-untyped-def]
    return {(a, p, m): v for a, p, m, v in output.metrics}


def test_steady_state_total_is_spread_over_stages_and_counted_in_conservation() -> None:
    data = scenario_dict(horizon_months=6, defaults__initial_state={"open_cases_per_weekly_application": 20})
    m = _m(simulate(config(data), 0))
    assert m[("ALL", "all", "open_cases_start")] == 200  # 20 x 10 applications a week
    assert (m[("ALL", "all", "open_cases_start")] + m[("ALL", "all", "applications")]
            == m[("ALL", "all", "closed_cases")] + m[("ALL", "all", "open_cases_end")])


def test_stage_split_follows_littles_law_and_adds_up() -> None:
    area = config(scenario_dict(areas=[{"name": "Capshire", "go_live": "2030-01-01"}])).areas[0]
    weights = stage_weights(area, "cap")
    # first hearing 46.7 days; 40% get an 84-day report then a 180-day wait
    assert weights["report"] / weights["first_hearing"] == pytest.approx(0.4 * 84 / ((28 + 42 + 70) / 3))
    counts = split_total(1001, weights)
    assert sum(counts.values()) == 1001


def test_explicit_open_cases_put_report_work_on_fcas_caseloads_at_the_start() -> None:
    data = scenario_dict(horizon_months=3, defaults__demand__applications_per_week=0,
                         defaults__workforce__fcas=2, defaults__workforce__establishment=2,
                         defaults__workforce__caseload_cap=5,
                         areas=[{"name": "Capshire", "go_live": "2030-01-01",
                                 "initial_state": {"open_cases": [
                                     {"pathway": "cap", "stage": "report", "count": 12,
                                      "age_days": {"dist": "fixed", "value": 100}},
                                     {"pathway": "cap", "stage": "final_hearing", "count": 3}]}}])
    output = simulate(config(data), 0, trace=True)
    allocated_at_start = [e for e in output.events if e[0] == 0.0 and e[3].startswith("allocated")]
    assert len(allocated_at_start) == 10  # two FCAs with five slots; two cases wait in the queue
    m = _m(output)
    assert m[("ALL", "all", "open_cases_start")] == 15
    assert m[("ALL", "all", "unallocated_queue_max")] == 2


def test_cir_of_a_case_open_at_the_start_counts_working_days_from_its_real_application() -> None:
    data = scenario_dict(horizon_months=3, defaults__demand__applications_per_week=0,
                         defaults__cfc__cir_work_days=10,
                         areas=[{"name": "Cfcshire", "go_live": "2025-01-01",
                                 "initial_state": {"open_cases": [
                                     {"pathway": "cfc", "stage": "awaiting_allocation", "count": 5,
                                      "age_days": {"dist": "fixed", "value": 70}}]}}])
    m = _m(simulate(config(data), 0))
    assert m[("ALL", "cfc", "cirs_filed")] == 5
    assert m[("ALL", "cfc", "cir_working_days_mean")] >= 50  # 80 calendar days since application
    assert m[("ALL", "cfc", "cir_on_time_share")] == 0.0


def test_snapshot_csv_is_read_relative_to_the_scenario_and_inlined(tmp_path: Path) -> None:
    (tmp_path / "open.csv").write_text("area,pathway,stage,count,age_days\n"
                                       "Capshire,cap,first_hearing,7,20\nOthershire,cap,report,99,50\n"
                                       "Capshire,cap,final_hearing,4,\n")
    data = scenario_dict(areas=[{"name": "Capshire", "go_live": "2030-01-01",
                                 "initial_state": {"snapshot_csv": "open.csv"}},
                                {"name": "Othershire", "go_live": "2030-01-01"}])
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    cfg = load_scenario(tmp_path / "s.yaml")
    cases = cfg.areas[0].initial_state.open_cases
    assert [(c.stage, c.count) for c in cases] == [("first_hearing", 7), ("final_hearing", 4)]
    assert cfg.areas[0].initial_state.snapshot_csv is None


def test_bad_snapshot_or_stage_exits_2_naming_the_key(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = scenario_dict(areas=[{"name": "Capshire", "go_live": "2030-01-01",
                                 "initial_state": {"snapshot_csv": "missing.csv"}}])
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(data))
    code, _, err = invoke(["validate", str(tmp_path / "a.yaml")], capsys)
    assert code == 2 and "areas[0] (Capshire).initial_state.snapshot_csv" in err
    data["areas"][0]["initial_state"] = {"open_cases": [{"pathway": "cap", "stage": "cir", "count": 1}]}
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(data))
    code, _, err = invoke(["validate", str(tmp_path / "b.yaml")], capsys)
    assert code == 2 and "initial_state.open_cases[0]" in err and "not a CAP stage" in err


def test_a_case_placed_waiting_for_a_hearing_has_served_part_of_its_notice() -> None:
    """A case open at the start that waits for its final hearing has been waiting a while: the court
    hears placed cases within the notice, as in steady state. Listed with the whole notice from
    day 0, none could be heard before day 84 and open cases piled up for months (the drift check
    warned on the national default)."""
    data = modelled_dict(horizon_months=2, defaults__demand__applications_per_week=0,
                         defaults__court__adjourned_share=0.0,
                         defaults__court__hearings__final={"hours": 1.0, "notice_days": 84},
                         areas=[{"name": "Capshire", "go_live": "2030-01-01",
                                 "initial_state": {"open_cases": [
                                     {"pathway": "cap", "stage": "final_hearing", "count": 60}]}}])
    m = _m(simulate(config(data), 0))
    assert m[("ALL", "all", "open_cases_start")] == 60
    # about 60 of 84 days of notice pass in the two months: most placed cases are heard, not none
    assert 0.5 * 60 <= m[("ALL", "all", "closed_cases")] <= 0.9 * 60
