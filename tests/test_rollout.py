"""Rollout planner (`cfc-sim rollout`): go-live dates under partnerships, staffing and a budget."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_runner import invoke, invoke_quietly
from scenario_factory import config, scenario_dict

from cfc_sim.experiment import run_scenario
from cfc_sim.model.simulation import make_calendar
from cfc_sim.rollout import first_review_on_or_after, quantile_day, risk_of, trainable_extra, variant, with_policy
from cfc_sim.scenario.loading import load_scenario

CONFIDENCE = "0.75"
COST_PER_DAY = 300.0
ONE_FCA_A_YEAR = COST_PER_DAY * 365.25  # 109,575


def _data() -> dict:
    """Three areas planned for 2026-06-01: one ready, one waiting for the police partnership
    (2026-11-15), one with a single FCA where capacity needs two (hiring the second takes months)."""
    return scenario_dict(
        name="rollout-test", horizon_months=12, replications=4,
        readiness__max_vacancy_rate=0.5, readiness__max_turnover_12m=1.0,
        defaults__workforce__cost_per_fte_day=COST_PER_DAY,
        areas=[
            {"name": "Readyshire", "region": "North", "go_live": "2026-06-01"},
            {"name": "Policeshire", "region": "North", "go_live": "2026-06-01",
             "partnerships": {"idva": "2026-04-01", "local_authority": "2026-04-01", "police": "2026-11-15"}},
            {"name": "Thinshire", "region": "South", "go_live": "2026-06-01",
             "workforce": {"fcas": 1, "establishment": 2}},
        ],
    )


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict:  # type: ignore[no-untyped-def]
    """The rollout CLI run with a budget that covers one extra FCA, and with no budget."""
    folder = tmp_path_factory.mktemp("rollout")
    scenario = folder / "rollout.yaml"
    scenario.write_text(yaml.safe_dump(_data()))
    out = {}
    for label, budget in (("funded", "200000"), ("unfunded", "0"), ("short", "100000")):
        argv = ["rollout", str(scenario), "--budget", budget, "--confidence", CONFIDENCE, "--out",
                str(folder / label)]
        code, stdout, err = invoke_quietly(argv)
        assert code == 0, err
        table = pd.read_csv(folder / label / "rollout.csv").set_index("area")
        out[label] = {"table": table, "stdout": stdout, "folder": folder / label, "argv": argv, "err": err}
    return out


def test_rollout_folder_has_the_plan_chart_and_a_runnable_proposed_scenario(plans) -> None:  # type: ignore[no-untyped-def]
    folder = plans["funded"]["folder"]
    assert {p.name for p in folder.iterdir()} == {".cfc-sim-output", "rollout.csv", "rollout.png",
                                                 "scenario.proposed.yaml", "manifest.json"}
    table = pd.read_csv(folder / "rollout.csv")
    assert list(table.columns[:10]) == ["area", "region", "planned_go_live", "proposed_go_live", "on_time",
                                        "extra_fte", "annual_cost", "ready_probability_at_proposed", "risk", "reason"]
    assert set(table["risk"]) <= {"low", "medium", "high"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["totals"]["on_time_planned"] == 1 and manifest["totals"]["on_time_proposed"] == 2
    assert "cfc-sim rollout" in manifest["command"]
    stdout = plans["funded"]["stdout"]
    assert "Rollout plan" in stdout and "planned dates 1 of 3 areas, proposed plan 2 of 3" in stdout
    assert "+1" in stdout and "109,575" in stdout


def test_an_area_waiting_for_the_police_is_never_scheduled_before_the_partnership(plans) -> None:  # type: ignore[no-untyped-def]
    for plan in plans.values():
        row = plan["table"].loc["Policeshire"]
        assert dt.date.fromisoformat(row["proposed_go_live"]) >= dt.date(2026, 12, 1)  # first review after 11-15
        assert not row["on_time"] and row["extra_fte"] == 0 and row["annual_cost"] == 0
        assert "partnerships: police from 2026-11-15" in row["reason"]
        assert math.isnan(row["extra_fte_for_on_time"])  # no FCA count can fix a partnership date
        assert row["delay_months"] >= 6


def test_an_area_already_ready_goes_live_on_its_planned_date(plans) -> None:  # type: ignore[no-untyped-def]
    for plan in plans.values():
        row = plan["table"].loc["Readyshire"]
        assert row["proposed_go_live"] == row["planned_go_live"] == "2026-06-01"
        assert row["on_time"] and row["extra_fte"] == 0
        assert row["ready_probability_at_planned"] == 1.0
        # 4/4 runs cannot show 75% with 95% confidence (11 can): not low risk, and the plan says so
        assert row["risk"] == "medium" and "4/4 runs (too few runs to show 75%: needs 11)" in row["reason"]
        assert row["ready_probability_low"] == pytest.approx(0.05 ** 0.25)
        assert "4 replications are too few for 75% confidence" in plan["stdout"]


def test_an_understaffed_area_is_on_time_when_the_budget_funds_an_fca_and_late_without(plans) -> None:  # type: ignore[no-untyped-def]
    funded = plans["funded"]["table"].loc["Thinshire"]
    assert funded["on_time"] and funded["proposed_go_live"] == "2026-06-01"
    assert funded["extra_fte"] == 1 and funded["annual_cost"] == pytest.approx(ONE_FCA_A_YEAR)
    assert funded["reason"].startswith("capacity") and "+1 FCA funded" in funded["reason"]
    unfunded = plans["unfunded"]["table"].loc["Thinshire"]
    assert not unfunded["on_time"] and unfunded["extra_fte"] == 0
    assert dt.date.fromisoformat(unfunded["proposed_go_live"]) > dt.date(2026, 6, 1)
    assert unfunded["extra_fte_for_on_time"] == 1 and "not within the budget" in unfunded["reason"]
    assert "planned dates 1 of 3 areas, proposed plan 1 of 3" in plans["unfunded"]["stdout"]


def test_a_budget_below_the_cost_of_an_fca_binds_and_costs_are_in_pounds_a_year(plans) -> None:  # type: ignore[no-untyped-def]
    short = plans["short"]["table"].loc["Thinshire"]
    assert not short["on_time"] and short["extra_fte"] == 0 and short["annual_cost"] == 0
    assert "(£109,575 a year) would make it on time; not within the budget" in short["reason"]
    assert "£0 a year (budget £100,000 a year)" in plans["short"]["stdout"]
    assert "£109,575 a year (budget £200,000 a year)" in plans["funded"]["stdout"]


def test_late_areas_are_high_risk_whatever_the_chance_at_their_later_date(plans) -> None:  # type: ignore[no-untyped-def]
    for plan in plans.values():
        table = plan["table"]
        late = table[~table["on_time"].astype(bool)]
        assert len(late) and (late["risk"] == "high").all()
        assert (late["ready_probability_at_proposed"] >= float(CONFIDENCE)).all()  # ready by then, still late


def test_every_shipped_scenario_prices_an_fca_from_published_pay() -> None:
    repo = Path(__file__).resolve().parent.parent
    for path in sorted((repo / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        assert all(a.workforce.cost_per_fte_day > 0 for a in scenario.areas), path.name
    text = (repo / "scenarios" / "national-rollout.yaml").read_text(encoding="utf-8")
    assert "Community Care" in text and "365.25" in text and "cost_per_fte_day: 170" in text


def test_proposed_dates_are_checked_by_rerunning_and_hold(plans) -> None:  # type: ignore[no-untyped-def]
    for plan in plans.values():
        table = plan["table"]
        assert (table["check_runs"] >= 1).all() and table["check_passed"].all()
        assert (table["ready_probability_at_proposed"] >= float(CONFIDENCE)).all()
        # Independently: the proposed scenario under the readiness policy goes live on the proposed dates.
        proposed = load_scenario(plan["folder"] / "scenario.proposed.yaml")
        result = run_scenario(with_policy(proposed, "readiness"))
        reps = result.replications
        days = reps[(reps["pathway"] == "all") & (reps["metric"] == "go_live_day")]
        for area, row in table.iterrows():
            day = (dt.date.fromisoformat(row["proposed_go_live"]) - proposed.header.start).days
            share = (days[days["area"] == area]["value"] == day).sum() / proposed.replications
            assert share == pytest.approx(row["ready_probability_at_proposed"]) and share >= float(CONFIDENCE)


def test_rerunning_into_the_same_folder_gives_the_same_plan(plans, capsys) -> None:  # type: ignore[no-untyped-def]
    plan = plans["unfunded"]
    code, _, err = invoke([*plan["argv"], "--overwrite"], capsys)
    assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(plan["folder"] / "rollout.csv").set_index("area"), plan["table"])
    assert re.search(r"rollout: 1/1 searches done, \d+ evaluations \(0 simulated\)", err)  # all from the cache


def test_rollout_says_how_far_its_searches_have_got_and_the_time_left(plans) -> None:  # type: ignore[no-untyped-def]
    lines = [line.strip() for line in plans["funded"]["err"].splitlines() if line.strip().startswith("rollout:")]
    assert lines and "left" in lines[0] and "0/1 searches done" in lines[0]
    assert re.fullmatch(r"rollout: 1/1 searches done, \d+ evaluations \([1-9]\d* simulated\) in .*", lines[-1])


@pytest.mark.parametrize("extra", [
    ["--confidence", "0"], ["--confidence", "1.5"], ["--budget", "-1"], ["--budget", "lots"],
    ["--max-extra", "-1"], ["--reps", "0"],
])
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys, extra) -> None:  # type: ignore[no-untyped-def]
    scenario = tmp_path / "rollout.yaml"
    scenario.write_text(yaml.safe_dump(_data()))
    code, _, _ = invoke(["rollout", str(scenario), *extra, "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and not (tmp_path / "out").exists()


def test_missing_scenario_or_nothing_to_roll_out_exits_2(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, _ = invoke(["rollout", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    live = scenario_dict(name="all-live")  # its one area went live on the start date
    scenario = tmp_path / "live.yaml"
    scenario.write_text(yaml.safe_dump(live))
    code, _, err = invoke(["rollout", str(scenario), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "nothing to roll out" in err and not (tmp_path / "out").exists()


def test_quantile_risk_and_review_helpers() -> None:
    nan = math.nan
    assert quantile_day([30.0, 61.0, 91.0, 122.0], 0.75) == 91.0  # 3 of 4 live by day 91
    assert quantile_day([30.0, nan, nan, 122.0], 0.75) is None  # not within the horizon
    assert quantile_day([30.0, 61.0, 91.0, 122.0], 1.0) == 122.0
    assert [risk_of(p, 0.8) for p in (1.0, 0.9, 0.85, 0.8, 0.79, nan)] == ["low", "low", "medium", "medium",
                                                                           "high", "high"]
    assert risk_of(1.0, 0.8, runs=2) == "medium"  # 'ready in 2/2 runs' is not low risk
    assert risk_of(1.0, 0.8, runs=14) == "low"  # 14/14 shows 80% with 95% confidence (13/13 does not)
    assert risk_of(1.0, 0.8, runs=13) == "medium"
    calendar = make_calendar(config(_data()))
    planned = calendar.day_of(dt.date(2026, 6, 1))
    assert first_review_on_or_after(calendar, planned, planned - 30) == planned
    assert first_review_on_or_after(calendar, planned, calendar.day_of(dt.date(2026, 11, 15))) == \
        calendar.day_of(dt.date(2026, 12, 1))
    assert first_review_on_or_after(calendar, planned, calendar.horizon_days + 1) is None


def test_the_extra_fca_search_stops_where_training_seats_cannot_keep_up() -> None:
    data = _data()
    data["defaults"]["workforce"]["training"] = {"days": 5, "seats_per_month": 2, "trained_share_at_start": 0.0}
    base = config(data)
    calendar = make_calendar(base)
    area = base.area("Thinshire")  # 1 FCA, untrained; reviews on 2026-06-01 after two rounds (04-01, 05-01)
    planned = calendar.day_of(area.go_live)
    assert trainable_extra(area, calendar, planned, 0.95, 200) == 3  # 4 trained by then at most
    assert trainable_extra(area, calendar, planned, 0.5, 200) == 7
    assert trainable_extra(config(_data()).area("Thinshire"), calendar, planned, 0.95, 200) == 200  # all trained


def test_extra_fcas_stay_funded_through_interventions_on_the_establishment() -> None:
    data = _data()
    data["interventions"] = [{"at": "2026-07-01", "area": "Thinshire", "set": {"workforce.establishment": 3}}]
    base = config(data)
    changed = variant(base, ["Thinshire"], go_live={"Thinshire": dt.date(2026, 9, 1)}, extra={"Thinshire": 2})
    area = changed.area("Thinshire")
    assert [a.name for a in changed.areas] == ["Thinshire"] and area.go_live == dt.date(2026, 9, 1)
    assert (area.workforce.fcas, area.workforce.establishment) == (3, 4)
    from cfc_sim.scenario.schema import thaw

    assert thaw(changed.interventions[0].set) == {"workforce.establishment": 5}
    assert base.area("Thinshire").workforce.fcas == 1  # the caller's scenario is untouched


def test_rollout_helpers_do_not_touch_the_scenario_file(tmp_path: Path) -> None:
    scenario = tmp_path / "rollout.yaml"
    scenario.write_text(yaml.safe_dump(_data()))
    before = scenario.read_text()
    assert with_policy(load_scenario(scenario), "readiness").header.readiness.policy == "readiness"
    assert load_scenario(scenario).header.readiness.policy == "planned" and scenario.read_text() == before


def test_a_late_area_short_of_staff_in_post_is_not_offered_extra_fcas_that_only_dilute_the_rate() -> None:
    """Extra FCAs come with as many funded posts, so vacancies (and leavers) stay as many: rollout
    never buys the vacancy or turnover criterion with them, and says why."""
    from cfc_sim.rollout import plan_rollout

    data = _data()
    data["readiness"]["max_vacancy_rate"] = 0.1
    data["areas"] = [{"name": "Gapshire", "region": "North", "go_live": "2026-06-01",
                      "workforce": {"fcas": 7, "establishment": 10}}]
    plan = plan_rollout(config(data), confidence=0.75, max_extra=20)
    row = plan.table.set_index("area").loc["Gapshire"]
    assert "vacancy rate over the 3 months since the run's start" in row["readiness_reason"]  # June: 3 months in
    assert not row["on_time"] and row["extra_fte"] == 0 and math.isnan(row["extra_fte_for_on_time"])
    assert "extra FCAs not tried: they would only dilute the vacancy rate" in row["reason"]
    assert "CFC-trained share" in row["readiness_reason"]
    assert "it also lacks trained FCAs, which rerunning" in row["reason"]
