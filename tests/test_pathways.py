"""The one case flow: the pathway fixed at arrival, triage shares, children seen, the working-day CIR
target, stages of no time, and the direction of each response under FCA hours."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
import yaml
from model_support import mean_metrics, two_areas
from scenario_factory import config, scenario_dict

import cfc_sim
from cfc_sim.experiment import run_scenario
from cfc_sim.model import simulate
from cfc_sim.report import write_html
from cfc_sim.report.views import cir_delay_rows
from cfc_sim.results_reader import read_results
from cfc_sim.scenario.examples import modelled_dict
from cfc_sim.scenario.loading import config_from_dict


def _m(output):  # type: ignore[no-untyped-def]
    return {(a, p, m): v for a, p, m, v in output.metrics}


def _cir_scenario(work_days: float, bank_holidays: list[str] | None = None) -> dict:
    data = scenario_dict(horizon_months=12, replications=1, defaults__cfc__intake_days=0,
                         defaults__cfc__cafcass_cir_share=1.0, defaults__cfc__la_cir_share=0.0,
                         defaults__cfc__second_report_share=0.0, defaults__cfc__cir_work_days=work_days,
                         defaults__workforce__fcas=40)
    if bank_holidays:
        data["calendar"] = {"bank_holidays": bank_holidays}
    return data


def test_cir_target_counts_working_days_not_calendar_days() -> None:
    # 54 calendar days is 7 weeks and 5 days: 38 or 39 working days, so every CIR is on time
    # against 40 working days although 54 calendar days exceed 40.
    m = _m(simulate(config(_cir_scenario(54)), 0))
    assert 38 <= m[("ALL", "cfc", "cir_working_days_mean")] <= 39
    assert m[("ALL", "cfc", "cir_on_time_share")] == 1.0
    # 60 calendar days is at least 42 working days: every CIR is late.
    m = _m(simulate(config(_cir_scenario(60)), 0))
    assert m[("ALL", "cfc", "cir_on_time_share")] == 0.0


def test_a_cir_filed_on_the_last_day_of_its_eight_weeks_is_on_time_under_the_end_of_day_clock() -> None:
    from cfc_sim.calendar import SimCalendar
    from cfc_sim.model.pathways import cir_working_days

    calendar = SimCalendar(dt.date(2026, 4, 6), 12)  # a Monday
    monday_8_weeks_on = 56.0
    # the CIR's hours ran out during that Monday: the end-of-day clock learns of it at the next midnight
    assert cir_working_days(calendar, 0.3, monday_8_weeks_on + 1.0) == 40  # on time (<= 40), not 41
    assert cir_working_days(calendar, 0.3, monday_8_weeks_on + 0.6) == 40  # the exact clock: the same date
    assert cir_working_days(calendar, 0.3, monday_8_weeks_on + 2.0) == 41  # filed on the Tuesday: late
    assert cir_working_days(calendar, 0.3, 1.0) == 0  # filed on the day of application
    assert cir_working_days(calendar, 5.0, 5.0) == 0  # at the application's instant: never below 0
    for clock in (math.nextafter(57.0, 0.0), math.nextafter(57.0, 99.0)):  # the clock a rounding off midnight
        assert cir_working_days(calendar, 0.3, clock) == 40


def test_under_fca_hours_each_cir_counts_the_working_days_before_its_filing_date() -> None:
    # an independent count (numpy's business days in [application date, filing date)) of every Cafcass
    # CIR in a trace under FCA hours, whose end-of-day clock reports a filing at the next midnight
    import numpy as np

    data = modelled_dict(horizon_months=6, replications=1, defaults__cfc__cafcass_cir_share=1.0,
                         defaults__cfc__la_cir_share=0.0)
    scenario = config(data)
    output = simulate(scenario, 0, trace=True)
    start = np.datetime64(scenario.header.start.isoformat(), "D")
    arrived = {case: day for day, _, case, act, _ in output.events if act.startswith("application received")}
    counts = [int(np.busday_count(start + int(arrived[case]), start + round(day) - 1))
              for day, _, case, act, _ in output.events if act == "cir done" and case in arrived]
    assert len(counts) > 50
    m = _m(output)
    assert m[("ALL", "cfc", "cir_working_days_mean")] == pytest.approx(sum(counts) / len(counts))
    assert m[("ALL", "cfc", "cir_on_time_share")] == pytest.approx(sum(c <= 40 for c in counts) / len(counts))


def test_a_case_is_traced_from_its_application_even_when_a_stage_of_no_time_follows_it() -> None:
    """The drawn application day can lie an ulp from SimPy's clock at its event; traced at the drawn
    day, the application came after its own safeguarding of no time (found by hypothesis)."""
    data = yaml.safe_load((Path(__file__).parent / "regressions" / "zero-time-stage-tie.yaml").read_text())
    output = simulate(config_from_dict(data), 0, trace=True)
    first: dict[tuple[str, int], tuple[float, str]] = {}
    for day, area, case, activity, _ in output.events:
        first.setdefault((area, case), (day, activity))
    assert first and all(activity.startswith(("application received", "open at start"))
                         for _, activity in first.values())


def test_bank_holidays_count_against_the_target() -> None:
    every_weekday = [str(dt.date(2026, 4, 1) + dt.timedelta(days=i)) for i in range(400)
                     if i % 7 == 0]  # every Wednesday
    plain = _m(simulate(config(_cir_scenario(54)), 0))[("ALL", "cfc", "cir_working_days_mean")]
    with_holidays = _m(simulate(config(_cir_scenario(54, every_weekday)), 0))[("ALL", "cfc", "cir_working_days_mean")]
    assert with_holidays == pytest.approx(plain - 54 / 7, abs=1.0)  # one holiday a week fewer working days


def test_pathway_is_fixed_at_arrival_by_the_go_live_date() -> None:
    data = scenario_dict(horizon_months=12, replications=1, areas=[{"name": "Midshire", "go_live": "2026-10-01"}])
    output = simulate(config(data), 0, trace=True)
    go_live = (dt.date(2026, 10, 1) - dt.date(2026, 4, 1)).days
    arrivals = [(day, act) for day, _, _, act, _ in output.events if act.startswith("application received")]
    assert all(("CAP" in act) == (day < go_live) for day, act in arrivals)
    assert any("CAP" in act for _, act in arrivals) and any("CFC" in act for _, act in arrivals)


def test_triage_shares_and_children_seen() -> None:
    data = scenario_dict(horizon_months=24, replications=4, defaults__demand__applications_per_week=40,
                         defaults__workforce__fcas=60, defaults__cfc__cafcass_cir_share=0.6,
                         defaults__cfc__la_cir_share=0.3, defaults__cfc__second_report_share=0.0)
    summary = run_scenario(config(data)).summary.set_index(["area", "pathway", "metric"])
    apps = summary.loc[("ALL", "cfc", "applications"), "mean"]
    cirs = summary.loc[("ALL", "cfc", "cirs_filed"), "mean"]
    assert cirs / apps == pytest.approx(0.6, abs=0.03)  # LA CIRs and no-report cases use no FCA
    seen = summary.loc[("ALL", "cfc", "children_seen_share")]
    assert seen["ci_low"] - 0.02 <= 0.6 <= seen["ci_high"] + 0.02  # only children with a Cafcass CIR are seen


def test_cap_further_reports_take_fca_time_and_the_rest_close_at_first_hearing() -> None:
    data = scenario_dict(horizon_months=18, replications=3, defaults__demand__applications_per_week=30,
                         defaults__workforce__fcas=60, defaults__cap__further_report_share=0.25,
                         defaults__cap__first_hearing_days=42, defaults__cap__report_work_days=84,
                         defaults__cap__final_hearing_wait_days=100,
                         areas=[{"name": "Capshire", "go_live": "2030-01-01"}])
    summary = run_scenario(config(data)).summary.set_index(["area", "pathway", "metric"])["mean"]
    # reported cases: 42 days to first hearing + no wait + 84 days of report + 100 days = 226 days
    assert summary[("ALL", "cap", "weeks_to_decision_reported_mean")] == pytest.approx(226 / 7, abs=0.05)
    assert summary[("ALL", "cap", "cirs_filed")] == 0


def _no_time_stages(hours: bool = False, **changes: object) -> dict:
    """Intake and the decision-hearing wait take no time; the CIR and the rest are continuous."""
    settings: dict[str, object] = {
        "horizon_months": 12, "replications": 1, "defaults__cfc__intake_days": 0,
        "defaults__cfc__decision_hearing_wait_days": 0, "defaults__cfc__la_cir_share": 0.2,
        "defaults__cfc__second_report_share": 0.2, **changes}
    if hours:
        from cfc_sim.scenario.examples import modelled_dict

        return modelled_dict(court=False, **settings)
    return scenario_dict(**settings)


def test_a_stage_of_no_time_goes_on_without_an_event(monkeypatch: pytest.MonkeyPatch) -> None:
    import cfc_sim.model.pathways as pathways

    made: list[float] = []

    class CountedTimeout(pathways.Timeout):  # type: ignore[misc]
        def __init__(self, env, delay, value=None):  # type: ignore[no-untyped-def]
            made.append(delay)
            super().__init__(env, delay, value)

    monkeypatch.setattr(pathways, "Timeout", CountedTimeout)
    output = simulate(config(_no_time_stages(defaults__cfc__second_report_share=0.0)), 0)
    assert _m(output)[("ALL", "cfc", "applications")] > 100
    assert made and 0 not in made  # intake and hearing waits of no time were never scheduled


@pytest.mark.parametrize("case", [
    "no queue",
    "a queue (one FCA), second reports after CIRs",
    "a queue, no second reports (the hearing after a CIR goes on at once)",
    "FCA hours, a queue",
])
def test_a_stage_of_no_time_gives_the_numbers_of_a_zero_day_event(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every step through the event queue (a zero-day event each) is the reference: going on at once
    # must change nothing, in particular not let a case that ends its CIR take its FCA's freed slot
    # (for a second report) ahead of the cases queued for it.
    from cfc_sim.model.pathways import CaseFlow

    changes: dict[str, object] = {}
    if case != "no queue":
        changes.update(defaults__workforce__fcas=1, defaults__workforce__establishment=1)
    if "no second reports" in case:
        changes.update(defaults__cfc__second_report_share=0.0)
    data = _no_time_stages(hours="hours" in case, **changes)
    on_the_spot = simulate(config(data), 0)
    monkeypatch.setattr(CaseFlow, "_then", CaseFlow._after)
    through_events = simulate(config(data), 0)
    assert _m(on_the_spot)[("ALL", "cfc", "applications")] > 100
    assert on_the_spot.metrics == through_events.metrics
    assert on_the_spot.monthly == through_events.monthly


def test_fewer_fcas_see_fewer_children_and_file_cirs_later() -> None:
    staffed = mean_metrics(two_areas(court=False, defaults__workforce__fcas=14,
                                  defaults__workforce__establishment=14))
    short = mean_metrics(two_areas(court=False, defaults__workforce__fcas=8, defaults__workforce__establishment=8))
    assert short[("Live", "cfc", "children_seen_share")] < staffed[("Live", "cfc", "children_seen_share")] - 0.1
    assert short[("Live", "cfc", "cir_working_days_mean")] > staffed[("Live", "cfc", "cir_working_days_mean")] + 5
    delay = ("Live", "cfc", "cir_fca_hours_delay_days_mean")
    assert short[delay] > staffed[delay]
    assert short[("Live", "all", "fca_hours_utilisation")] > staffed[("Live", "all", "fca_hours_utilisation")]



def test_without_hours_children_seen_is_the_cir_share_and_fcas_do_not_matter() -> None:
    few = mean_metrics(two_areas(hours=False, court=False, defaults__workforce__fcas=8,
                              defaults__workforce__establishment=8))
    many = mean_metrics(two_areas(hours=False, court=False, defaults__workforce__fcas=14,
                               defaults__workforce__establishment=14))
    assert few[("Live", "cfc", "children_seen_share")] == many[("Live", "cfc", "children_seen_share")]
    assert ("Live", "all", "fca_hours_utilisation") not in few



def test_more_hours_per_visit_lowers_children_seen() -> None:
    light = mean_metrics(two_areas(court=False, defaults__workforce__fcas=12, defaults__workforce__establishment=12))
    heavy = mean_metrics(two_areas(court=False, defaults__workforce__fcas=12, defaults__workforce__establishment=12,
                                defaults__cfc__hours__child_visit=14))
    assert heavy[("Live", "cfc", "children_seen_share")] < light[("Live", "cfc", "children_seen_share")]



def test_more_domestic_abuse_costs_more_cfc_fca_hours() -> None:
    def hours_used(da_share: float) -> float:
        m = mean_metrics(two_areas(court=False, defaults__workforce__fcas=30, defaults__workforce__establishment=30,
                                defaults__demand__domestic_abuse_share=da_share))
        return m[("Live", "all", "fca_hours_utilisation")]

    assert hours_used(0.9) > hours_used(0.1) * 1.05



def test_more_domestic_abuse_means_more_cap_hearings_per_case() -> None:
    def hearings(da_share: float) -> float:
        m = mean_metrics(two_areas(hours=False, defaults__demand__domestic_abuse_share=da_share,
                                defaults__cap__fact_finding_share_of_da=0.6,
                                defaults__court__sitting_days_per_week=25.0))
        return m[("Capshire", "cap", "hearings_per_case")]

    assert hearings(0.9) > hearings(0.1) + 0.15  # 0.65 continue x 0.6 fact-finding x 0.8 more DA = +0.31



def test_training_happens_in_the_window_before_go_live_not_from_the_start() -> None:
    data = modelled_dict(horizon_months=12, hours=False, court=False, defaults__workforce__training={
        "days": 5, "seats_per_month": 20, "trained_share_at_start": 0.0, "months_before_go_live": 2})
    data["areas"] = [{"name": "Later", "go_live": "2026-12-01"}]
    out = simulate(config_from_dict(data), 0)
    trained = {month: v for area, month, metric, v in out.monthly if metric == "trained_share" and area == "Later"}
    assert trained[0] == 0 and trained[5] == 0  # April to September: no training yet
    assert trained[7] == 1.0  # trained by the end of November, before the 1 December go-live



def test_hours_need_work_content_blocks() -> None:
    from cfc_sim.errors import ScenarioError

    data = modelled_dict(court=False)
    del data["defaults"]["cfc"]["hours"]
    with pytest.raises(ScenarioError, match="cfc.hours"):
        config(data)



def test_report_names_fca_hours_as_the_main_cause_where_fcas_are_short(tmp_path: Path) -> None:
    data = modelled_dict(horizon_months=12, court=False)
    data["areas"] = [
        {"name": "Short <of> hours", "go_live": "2026-04-01", "workforce": {"fcas": 7, "establishment": 7}},
        {"name": "Well staffed", "go_live": "2026-04-01", "workforce": {"fcas": 30, "establishment": 30}}]
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    folder = tmp_path / "out"
    cfc_sim.run(path, reps=2, out=folder)
    result = read_results(folder)
    rows = {r["area"]: r for r in cir_delay_rows(result.summary)}
    assert rows["Short <of> hours"]["main"].startswith("FCA hours")
    assert rows["Short <of> hours"]["on_time"] < rows["Well staffed"]["on_time"]
    page = write_html(result, folder, tmp_path / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="cir-late"'):page.index('id="by-month"')]
    assert "Short &lt;of&gt; hours" in section
    assert "FCA hours (the work waited for FCA time)" in section
    assert section.index("Short &lt;of&gt; hours") < section.index("Well staffed")  # worst first



def test_weeks_to_final_order_are_counted_per_child_by_when_the_case_ended() -> None:
    """As the family court statistics count them: each child of a closed case counts its case's weeks;
    the pilots' windows are the quarter before go-live and the quarter that starts a year after it."""
    from cfc_sim.metrics import CaseStats
    from cfc_sim.model.pathways import CaseFlow

    stats = CaseStats()
    CaseFlow._final_order(stats, 3, 10.0, -30.0)   # 3 children, 10 weeks, a month before go-live
    CaseFlow._final_order(stats, 1, 50.0, 400.0)   # 1 child, 50 weeks, 13 months live
    CaseFlow._final_order(stats, 5, 99.0, -200.0)  # before the quarter: neither window
    stats.closed_children = 9  # the closing counts these (here set by hand)
    values = stats.values(0)
    assert values["weeks_to_final_order_mean"] == (3 * 10 + 50 + 5 * 99) / 9
    assert values["weeks_to_final_order_quarter_before_go_live_mean"] == 10.0
    assert values["weeks_to_final_order_year_live_mean"] == 50.0
