"""The report's month-by-month readiness grid is built from the readiness frame split once
(`readiness_view.monthly_statuses`): every cell equals `status_at` on the whole frame."""

from __future__ import annotations

from scenario_factory import config, scenario_dict

from cfc_sim.experiment import run_scenario
from cfc_sim.readiness_view import monthly_statuses, status_at


def test_every_grid_cell_equals_status_at_on_the_whole_frame() -> None:
    scenario = config(scenario_dict(
        horizon_months=8, replications=2, readiness__policy="readiness",
        defaults__workforce__fcas=3, defaults__workforce__establishment=5,
        areas=[{"name": "Early", "go_live": "2026-06-01"}, {"name": "Late", "go_live": "2026-10-05"},
               {"name": "After", "go_live": "2028-01-10"}]))
    result = run_scenario(scenario)
    months = sorted(result.readiness["month"].unique())[:5] + ["2031-01"]  # a month not in the run is left out
    grid = monthly_statuses(result.readiness, scenario, months)
    expected = {(area.name, month): status_at(result.readiness, scenario, area, month)
                for area in scenario.areas for month in months
                if ((result.readiness["area"] == area.name) & (result.readiness["month"] == month)).any()}
    assert grid == expected
    assert list(grid) == list(expected)  # same order: scenario areas, then months
    assert len(grid) == 3 * 5


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
