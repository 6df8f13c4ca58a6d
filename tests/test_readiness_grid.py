"""The readiness verdicts are read from the frame split once (`readiness_view._Index`): every status,
failing text and month equals what filtering the whole frame per area and month gave (the reference
below is that former code, kept here as the oracle), and the report's grid equals `status_at`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from scenario_factory import config, scenario_dict

from cfc_sim.experiment import run_scenario
from cfc_sim.readiness import GATING
from cfc_sim.readiness_view import (
    AFTER_RUN,
    ALREADY_LIVE,
    CRITERION_CODES,
    LIVE,
    MONTH_NOT_IN_RUN,
    NO_STATUS,
    AreaStatus,
    area_statuses,
    criterion_words,
    earliest_ready,
    is_true,
    monthly_statuses,
    months_live_in_run,
    rates_window,
    ready_from,
    status_at,
)


def _scenario():  # type: ignore[no-untyped-def]
    return config(scenario_dict(
        horizon_months=8, replications=2, readiness__policy="readiness",
        defaults__workforce__fcas=3, defaults__workforce__establishment=5,
        areas=[{"name": "Early", "go_live": "2026-06-01"}, {"name": "Late", "go_live": "2026-10-05",
                                                            "partnerships": {"police": "2026-11-16"}},
               {"name": "After", "go_live": "2028-01-10"}, {"name": "Before", "go_live": "2026-01-05"}]))


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    scenario = _scenario()
    return scenario, run_scenario(scenario)


def _reference_verdict(rows: pd.DataFrame, config: Any) -> tuple[Any, ...]:
    overall = rows[rows["criterion"] == "overall"]
    if overall.empty:
        return NO_STATUS, (), (), (), (), False, False
    rules = config.header.readiness
    live = is_true(overall["live"].iloc[0])
    judged = rows[(rows["criterion"] != "overall") & ((rows["criterion"] == "performance") | (not live))]
    bad = judged[~judged["passed"].map(is_true)]
    doubtful = judged[judged["passed"].map(is_true) & (judged["status"] == "amber")]
    together = overall["pass_share"].iloc[0] if "pass_share" in overall else None

    def words(frame: pd.DataFrame) -> tuple[str, ...]:
        return tuple(criterion_words(str(r.criterion), r.value, r.threshold, rules.performance_months,
                                     getattr(r, "pass_share", None), rules.performance_confidence,
                                     getattr(r, "on_time_share_first_months", None), together,
                                     (r.ci_low, r.ci_high), is_true(r.live), rules.hold_months,
                                     rates_window(config, str(r.month)),  # tested on its own in test_readiness_view
                                     months_live_in_run(config, str(r.area)))
                     for r in frame.itertuples())

    go_live = "go_live_month" in overall and is_true(overall["go_live_month"].iloc[0])
    return (str(overall["status"].iloc[0]), words(bad), tuple(str(c) for c in bad["criterion"]), words(doubtful),
            tuple(str(c) for c in doubtful["criterion"]), bool(go_live), live)


def _reference_status_at(readiness: pd.DataFrame, config: Any, area: Any, month: str | None) -> AreaStatus:
    """`status_at` as it was: a boolean filter of the whole frame per call."""
    mine = readiness[readiness["area"] == area.name]
    note = ""
    if month is not None:
        at = mine[mine["month"] == month]
        if at.empty:
            note = MONTH_NOT_IN_RUN
    else:
        at = mine[mine["go_live_month"].map(is_true)] if "go_live_month" in mine else mine.iloc[0:0]
        months = sorted(mine["month"].unique())
        if at.empty and months and area.go_live.strftime("%Y-%m") <= months[0]:
            at = mine[mine["month"] == months[0]]
        if area.go_live <= config.header.start:
            note = ALREADY_LIVE
        elif at.empty:
            note = AFTER_RUN
    status, words, names, doubts, doubt_names, go_live, live = _reference_verdict(at, config)
    judged = str(at["month"].iloc[0]) if status != NO_STATUS else None
    if month is None and note == ALREADY_LIVE:
        status, words, names, doubts, doubt_names = LIVE, (), (), (), ()
    return AreaStatus(area=area.name, region=area.region or "", planned=area.go_live.isoformat(), month=judged,
                      status=status, failing=words, failing_criteria=names,
                      codes="".join(CRITERION_CODES.get(c, "?") for c in names), go_live=go_live, note=note,
                      earliest_ready=earliest_ready(readiness).get(area.name), uncertain=doubts,
                      uncertain_criteria=doubt_names, live=live,
                      live_before_run=area.go_live <= config.header.start)


def _reference_ready_from(readiness: pd.DataFrame, area: str, month: str) -> str | None:
    rows = readiness[(readiness["area"] == area) & readiness["criterion"].isin(GATING)
                     & (readiness["month"].astype(str) >= month)]
    if rows.empty:
        return None
    ok = rows.assign(passed=rows["passed"].map(is_true)).groupby("month", sort=True)["passed"].all()
    ready = ok[ok]
    return str(ready.index[0]) if len(ready) else None


@pytest.mark.parametrize("as_read", [False, True], ids=["in memory", "flags as text"])
def test_every_verdict_equals_filtering_the_whole_frame(run: Any, as_read: bool) -> None:
    scenario, result = run
    frame = result.readiness
    if as_read:  # flags as a CSV holds them: the words "True" / "False"
        frame = frame.assign(passed=frame["passed"].map(str), go_live_month=frame["go_live_month"].map(str),
                             live=frame["live"].map(str))
    months = sorted(frame["month"].unique())
    statuses = set()
    for area in scenario.areas:
        for month in [None, *months, "2031-01"]:
            got = status_at(frame, scenario, area, month)
            assert got == _reference_status_at(frame, scenario, area, month), (area.name, month)
            statuses.add(got.status)
        for month in months:
            assert ready_from(frame, area.name, month) == _reference_ready_from(frame, area.name, month)
    assert {"green", LIVE, NO_STATUS} <= statuses and statuses & {"red", "amber"}  # every kind of verdict seen
    for month in [None, months[2]]:
        assert area_statuses(frame, scenario, month) == [_reference_status_at(frame, scenario, a, month)
                                                         for a in scenario.areas]


def test_a_changed_frame_is_split_again(run: Any) -> None:
    scenario, result = run
    frame = result.readiness
    month = sorted(frame["month"].unique())[-1]
    before = status_at(frame, scenario, scenario.areas[0], month)
    failed = frame.assign(passed=False, status="red")
    after = status_at(failed, scenario, scenario.areas[0], month)
    assert after.status == "red" and len(after.failing) == 6 and after != before
    assert status_at(frame, scenario, scenario.areas[0], month) == before


def test_every_grid_cell_equals_status_at_on_the_whole_frame(run: Any) -> None:
    scenario, result = run
    months = sorted(result.readiness["month"].unique())[:5] + ["2031-01"]  # a month not in the run is left out
    grid = monthly_statuses(result.readiness, scenario, months)
    expected = {(area.name, month): _reference_status_at(result.readiness, scenario, area, month)
                for area in scenario.areas for month in months
                if ((result.readiness["area"] == area.name) & (result.readiness["month"] == month)).any()}
    assert grid == expected
    assert list(grid) == list(expected)  # same order: scenario areas, then months
    assert len(grid) == 4 * 5


def test_the_report_builds_its_grid_once_per_readiness_frame() -> None:
    from cfc_sim.report.views import monthly_status

    scenario = config(scenario_dict(horizon_months=4, replications=1,
                                    areas=[{"name": "Only", "go_live": "2026-06-01"}]))
    result = run_scenario(scenario)
    months = sorted(result.readiness["month"].unique())
    first = monthly_status(result, months)
    assert monthly_status(result, months) is first  # the second ask (per-month lists) reuses the grid
    assert monthly_status(result, months[:2]) is not first and len(monthly_status(result, months[:2])) == 2
    other = run_scenario(scenario)  # another frame with the same numbers: built again, equal
    again = monthly_status(other, months)
    assert again is not first and again == first
