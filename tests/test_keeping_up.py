"""The keep-up rule (issue 25): starving an area (fewer FCAs, fewer cases decided) can never meet a
target, for plan, need, rollout and the at-risk ranking; plan and need come from one search."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scenario_factory import config, mmc_dict, scenario_dict

from cfc_sim.at_risk import areas_at_risk, queue_growth
from cfc_sim.keeping_up import DEMAND, QUEUE_FIRST, QUEUE_LAST, KeepUp, queue_grows, queue_means
from cfc_sim.model import ReplicationOutput
from cfc_sim.need import CapRule, plan_and_need
from cfc_sim.need_parts import PART_COLUMNS, financial_year, financial_years, year_columns
from cfc_sim.plan import Evaluator, Target, plan_areas
from cfc_sim.rollout import go_live_days

ANYTHING = Target.parse("cir_on_time_share>=0")  # met by any CIRs that got through: only keeping up binds


def _queue() -> dict:
    """One area live from the start: 2 applications a day, 5 days of work each, 11 FCAs (load 10)."""
    data = mmc_dict(arrivals_per_day=2.0, work_mean_days=5.0, fcas=11, months=24, warmup_months=3, reps=4, seed=5)
    data["name"] = "queue"
    return data


def test_the_rule_judges_counts_against_the_same_replication_with_unlimited_fcas_and_a_growing_queue() -> None:
    rule = KeepUp(tolerance=0.05, queue_tolerance=0.25)
    reference = {"cfc/closed_cases": [100.0, 100.0, 0.0], "cfc/cirs_filed": [50.0, 50.0, math.nan]}
    values = {"cfc/closed_cases": [95.0, 94.0, 3.0], "cfc/cirs_filed": [50.0, 50.0, 1.0],
              QUEUE_FIRST: [2.0, 2.0, 2.0], QUEUE_LAST: [16.0, 2.0, 18.0], DEMAND: [60.0, 60.0, 60.0]}
    failures = rule.failures(values, reference, 3)
    assert failures[0] == []  # 95 of 100 decided; queue up 14 cases, under a quarter of a month's 60
    assert failures[1] == ["CFC cases decided 94 of 100"]
    assert failures[2] == ["allocation queue grew from 2.0 to 18.0"]  # nothing to compare counts with
    assert rule.met(values, reference, 3) == [True, False, False]
    assert not queue_grows(math.nan, 5.0, 60.0) and queue_grows(0.0, 15.01, 60.0)
    assert queue_means({m: float(m) for m in range(24)}, 3, 24) == (5.5, 20.5)
    assert all(v != v for v in queue_means({m: 1.0 for m in range(24)}, 13, 24))  # too short to tell


def test_starving_an_area_never_meets_a_target_in_plan_or_need_and_they_agree(tmp_path) -> None:  # type: ignore[no-untyped-def]
    scenario = config(_queue())
    evaluator = Evaluator(scenario, tmp_path / "cache", 1, None)
    evaluator.start(["Queue"])
    reference = evaluator.reference("Queue")["cfc/closed_cases"]
    for extra in range(-6, 0):  # every starved count: where fewer cases are decided, no replication meets it
        decided = evaluator.series("Queue", extra, "cfc/closed_cases")
        for met, d, ref in zip(evaluator.met("Queue", extra, [ANYTHING]), decided, reference, strict=True):
            assert not (met and d < 0.95 * ref)
    assert not any(evaluator.met("Queue", -3, [ANYTHING]))  # 8 FCAs for a load of 10
    plan, need = plan_and_need(scenario, [ANYTHING], 0.75, rule=CapRule(), cfc=evaluator)
    row = need[need["area"] == "Queue"].iloc[0]
    assert row["fcas_needed_cfc"] >= 10  # without the rule the search would go down to 1 FCA
    joint = plan[(plan["area"] == "Queue")].iloc[0]
    assert joint["extra_fte"] == max(row["fcas_needed_cfc"] - row["fte_now"], 0)  # one search, one answer
    alone = plan_areas(scenario, [ANYTHING], 0.75, cache=tmp_path / "cache")
    assert alone[alone["area"] == "Queue"].iloc[0]["extra_fte"] == joint["extra_fte"]
    assert "keeping up" in row["keep_up_rule"]


def test_need_parts_sum_to_the_difference_in_every_row_and_the_years_are_april_to_march(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = scenario_dict(name="tiny", horizon_months=15, replications=3)
    data["defaults"]["workforce"].update(fcas=6, establishment=6, cost_per_fte_day=200.0)
    data["areas"] = [{"name": "Early", "go_live": "2026-04-01"},
                     {"name": "Later", "go_live": "2026-06-01", "workforce": {"cost_weighting": 1.5}}]
    scenario = config(data)
    _, need = plan_and_need(scenario, [Target.parse("cir_on_time_share>=0.8")], 0.67, rule=CapRule(),
                            cache=tmp_path / "cache")
    counted = need[need["difference"] == need["difference"]]
    assert len(counted) == 3
    assert np.allclose(counted[PART_COLUMNS].sum(axis=1), counted["difference"])
    assert list(financial_years(need)) == ["2026-27", "2027-28"]  # April 2026 to June 2027
    assert financial_year(2027, 3) == "2026-27" and financial_year(2027, 4) == "2027-28"
    fcas, cost = year_columns("2026-27")
    later = need.set_index("area").loc["Later"]
    if later["difference"] and later["transition_fte"] == 0:  # live from June: 10 of 12 months, weighted
        assert later[fcas] == pytest.approx(later["difference"] * 10 / 12)
        assert later[cost] == pytest.approx(later["difference"] * 200.0 * 1.5 * (365 - 30 - 31))
    england = need.iloc[0]
    assert england[cost] == pytest.approx(need[need["area"] != "ALL"][cost].sum())


def test_the_need_is_phased_from_when_its_fcas_must_be_in_post_to_be_trained_for_go_live() -> None:
    import pandas as pd

    from cfc_sim.need_parts import need_by_month, training_lead_months

    data = scenario_dict(horizon_months=18, areas=[{"name": "North", "go_live": "2026-04-01"},
                                                   {"name": "South", "go_live": "2026-10-05"}])  # month 6
    data["defaults"]["workforce"]["training"]["months_before_go_live"] = 4
    data["defaults"]["workforce"]["cost_per_fte_day"] = 100.0
    assert training_lead_months(config(data).area("South")) == 4
    need = pd.DataFrame([{"area": "ALL", "difference": 12.0, "transition_fte": 2.0, "transition_months": 3},
                         {"area": "South", "difference": 10.0, "transition_fte": 2.0, "transition_months": 3},
                         {"area": "North", "difference": 2.0, "transition_fte": 0.0, "transition_months": 0}])

    def phased(area: str, data: dict) -> list[float]:
        frame = need_by_month(config(data), need)
        return list(frame[frame["area"] == area]["fcas"])

    # the lasting part (8) from month 2, four months before the go-live month, in post to be trained;
    # double running (2) for the three months from go-live; nothing before
    assert phased("South", data)[:10] == [0.0, 0.0, 8.0, 8.0, 8.0, 8.0, 10.0, 10.0, 10.0, 8.0]
    assert phased("North", data) == [2.0] * 18  # live at the start: from the start
    data["defaults"]["workforce"]["training"]["months_before_go_live"] = None  # trained from the start: no lead
    assert phased("South", data)[4:8] == [0.0, 0.0, 10.0, 10.0]


def _output(replication: int, queue: list[float], go_live_day: float) -> ReplicationOutput:
    monthly = [("Starved", m, "unallocated_queue_mean", q) for m, q in enumerate(queue)]
    monthly += [("Starved", m, "applications", 40.0) for m in range(len(queue))]
    return ReplicationOutput(replication, [("Starved", "all", "go_live_day", go_live_day)], monthly)


def test_a_rollout_go_live_that_starves_the_area_does_not_count_as_ready() -> None:
    scenario = config(scenario_dict(name="roll", horizon_months=24, replications=2,
                                    areas=[{"name": "Starved", "go_live": "2026-04-01"}]))
    from cfc_sim.model.simulation import make_calendar

    calendar = make_calendar(scenario)
    growing = _output(0, [float(10 * m) for m in range(24)], 0.0)  # a backlog building month on month
    steady = _output(1, [3.0] * 24, 0.0)
    days = go_live_days([growing, steady], ["Starved"], calendar)["Starved"]
    assert days[0] != days[0] and days[1] == 0.0
    assert go_live_days([growing], ["Starved"])["Starved"] == [0.0]  # without the calendar: as the run says


def test_an_area_meeting_its_cir_target_on_the_cases_that_got_through_is_at_risk_when_starved() -> None:
    import copy

    from cfc_sim import run

    data = _queue()
    data["replications"] = 2
    steady = {**copy.deepcopy(data["areas"][0]), "name": "Steady"}
    starved = {**copy.deepcopy(data["areas"][0]), "name": "Starved"}
    starved.setdefault("workforce", {}).update(fcas=8, establishment=8)  # 8 FCAs for a load of 10
    data["areas"] = [steady, starved]
    data["targets"]["cir_on_time_share"] = 0.0  # every on-time share meets it: only keeping up binds
    result = run(config(data))
    growing = queue_growth(result.monthly_summary(), result.config)
    assert "Starved" in growing and "Steady" not in growing
    risks = areas_at_risk(result.summary, result.readiness, result.config, monthly=result.monthly_summary())
    starved = next(r for r in risks if r.area == "Starved")
    assert "not keeping up" in starved.main_reason and risks[0].area == "Starved"
    assert all(r.area != "Steady" or "keeping up" not in r.main_reason for r in risks)


def _tiny_file(tmp_path) -> str:  # type: ignore[no-untyped-def]
    import yaml

    data = scenario_dict(name="tiny", horizon_months=14, replications=3)
    data["defaults"]["workforce"].update(fcas=6, establishment=6, cost_per_fte_day=150.0)
    data["areas"] = [{"name": "Early", "go_live": "2026-04-01"}]
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def _plan_over_sets(tmp_path, capsys, sets_csv: str):  # type: ignore[no-untyped-def]
    """`plan --need --assumptions` of the tiny scenario with these accepted sets, into tmp_path/plan."""
    from cli_runner import invoke

    sets = tmp_path / "accepted.csv"
    sets.write_text(sets_csv, encoding="utf-8")
    return invoke(["plan", _tiny_file(tmp_path), "--need", "--target", "cir_on_time_share>=0.8",
                   "--assumptions", str(sets), "--out", str(tmp_path / "plan")], capsys)


def test_plan_need_over_accepted_assumption_sets_reports_the_interval_over_sets_and_the_drivers(
        tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "plan"
    code, stdout, err = _plan_over_sets(tmp_path, capsys, "set,defaults.cfc.cafcass_cir_share,"
                                        "defaults.workforce.hire_success\n1,0.5,0.9\n2,0.7,0.9\n3,0.9,0.9\n")
    assert code == 0, err
    import pandas as pd

    need = pd.read_csv(out / "need.csv")
    per_set = pd.read_csv(out / "need_assumptions.csv")
    assert list(per_set["set"]) == [1, 2, 3] and "defaults.cfc.cafcass_cir_share" in per_set.columns
    england = need.iloc[0]
    assert england["assumption_sets"] == 3
    assert england["assumption_low"] <= per_set["difference"].min() or england["assumption_low"] <= england[
        "assumption_high"]
    assert "interval over 3 accepted assumption sets" in stdout
    # the one area is not England, and the headline says it is the scenario's own assumptions (which the
    # sets need not include: then it says so, rather than print a headline outside its own interval)
    assert "need (Early):" in stdout and "with the scenario's own assumptions" in stdout
    # a financial year the horizon covers in part says so (a trial read two months' cost as a year's)
    flat = " ".join(stdout.split())
    assert "2027-28 (2 months in the horizon): " in flat and "2026-27: " in flat
    inside = england["assumption_low"] <= england["difference"] <= england["assumption_high"]
    assert ("lie outside the sets'" in stdout) == (not inside)
    if per_set["difference"].nunique() > 1:  # the only varying column drives it
        assert "defaults.cfc.cafcass_cir_share" in england["drivers"]
        assert "hire_success" not in str(england["drivers"])


def test_a_bad_accepted_sets_file_stops_with_the_file_row_and_column(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from cli_runner import invoke

    scenario = _tiny_file(tmp_path)
    cases = {
        "set,defaults.workforce.nonsense\n1,3\n": ("row 2", "'defaults.workforce.nonsense'", "unknown key"),
        "set,defaults.workforce.hire_success\n1,abc\n": ("row 2", "'defaults.workforce.hire_success'", "not a number"),
        "set,defaults.workforce.hire_success\n1,0.9\n2,7\n": ("row 3", "hire_success", "less than or equal to 1"),
        "id,defaults.workforce.hire_success\n1,0.9\n": ("row 1", "first column must be 'set'", ""),
        "set,defaults.workforce.hire_success\n1.5,0.9\n": ("row 2", "'set'", "whole number"),
        "set,defaults.workforce.hire_success\n1,0.9,3\n": ("row 2", "3 values for 2 columns", ""),
    }
    for n, (text, (row, column, words)) in enumerate(cases.items()):
        path = tmp_path / f"bad{n}.csv"
        path.write_text(text, encoding="utf-8")
        out = tmp_path / f"p{n}"
        code, _, err = invoke(["plan", scenario, "--need", "--assumptions", str(path), "--out", str(out)], capsys)
        assert code == 2 and str(path) in err and row in err and column in err and words in err, (text, err)
        assert "Traceback" not in err and not out.exists()
    code, _, err = invoke(["plan", scenario, "--assumptions", str(path), "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "--need" in err


def test_the_drivers_are_the_assumptions_whose_rank_moves_with_the_need_and_the_interval_pools_the_sets() -> None:
    import pandas as pd

    from cfc_sim.need_assumptions import drivers, pooled_interval

    per_set = pd.DataFrame({"set": [1, 2, 3, 4, 5], "a.hours": [1.0, 2.0, 3.0, 4.0, 5.0],
                            "b.noise": [3.0, 1.0, 5.0, 2.0, 4.0], "c.fixed": [1.0] * 5,
                            "difference": [10.0, 12.0, 15.0, 19.0, 30.0]})
    found = drivers(per_set, ["a.hours", "b.noise", "c.fixed"])
    assert found[0][0] == "a.hours" and found[0][1] == pytest.approx(1.0)
    assert [k for k, _ in found] == ["a.hours", "b.noise"]
    assert drivers(per_set.head(2), ["a.hours"]) == []  # two sets tell nothing
    low, high = pooled_interval([np.full(100, 5.0), np.full(100, 9.0)])
    assert (low, high) == (5.0, 9.0)  # each set's own spread, and the spread between sets
    # a draw beyond the search stays infinite (it had become -1.8e308 and printed as a 309-digit number)
    beyond = np.full(100, 5.0)
    beyond[:10] = -np.inf
    low, high = pooled_interval([beyond, np.full(100, 9.0)])
    assert low == -math.inf and high == 9.0


def test_the_reference_run_is_far_above_today_and_the_estimate_and_stays_a_valid_scenario() -> None:
    from cfc_sim.keeping_up import reference_extra
    from cfc_sim.scenario.schema import MAX_FCAS

    assert reference_extra(10, 12) == 36 - 10  # three times the larger
    assert reference_extra(2, 1) == 20  # at least 20 more
    assert 4_000 + reference_extra(4_000, 4_500, establishment=4_100) + 100 == MAX_FCAS  # posts within the limit


def test_rollout_says_when_an_area_is_late_because_its_go_live_would_starve_it() -> None:
    from cfc_sim.rollout import _Area, _reason

    scenario = config(scenario_dict(name="roll", horizon_months=24, replications=4,
                                    areas=[{"name": "Starved", "go_live": "2026-10-01"}]))
    area = _Area(scenario.area("Starved"), planned_day=183.0, p_planned=0.25, not_keeping_up=2)
    assert "live on the planned date in 2/4 more runs, but its allocation queue then grows" in _reason(area, 0.8, 0, 4)


def test_the_keep_up_tolerance_is_an_option_of_plan_and_is_stated_in_need_csv(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd
    from cli_runner import invoke

    scenario = _tiny_file(tmp_path)
    out = tmp_path / "plan"
    code, _, err = invoke(["plan", scenario, "--need", "--keep-up-tolerance", "0.2", "--out", str(out)], capsys)
    assert code == 0, err
    assert "deciding at least 80% of the cases" in pd.read_csv(out / "need.csv").iloc[0]["keep_up_rule"]
    code, _, err = invoke(["plan", scenario, "--keep-up-tolerance", "1.5", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "--keep-up-tolerance" in err


def test_accepted_sets_of_a_larger_scenario_apply_to_the_areas_this_one_models(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A national calibration's sets carry every area's sitting days: on a one-area scenario the other
    areas' columns are left out with a note, not refused; a file of only other areas' columns is refused."""
    from cli_runner import invoke

    code, stdout, err = _plan_over_sets(tmp_path, capsys, "set,defaults.cfc.cafcass_cir_share,"
                                        "areas.Elsewhere.workforce.fcas\n1,0.5,9\n2,0.7,9\n")
    assert code == 0, err
    scenario = _tiny_file(tmp_path)
    assert "1 column(s) set areas this scenario does not model and are left out" in err
    assert "too few sets (2) to rank" in stdout
    only = tmp_path / "only-others.csv"
    only.write_text("set,areas.Elsewhere.workforce.fcas\n1,9\n", encoding="utf-8")
    code, _, err = invoke(["plan", scenario, "--need", "--assumptions", str(only), "--out", str(tmp_path / "x")],
                          capsys)
    assert code == 2 and "none of its columns applies" in err
