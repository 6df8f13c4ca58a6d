"""The model's responses go the way the world does (issue 24): more domestic abuse costs more FCA
hours and hearings; fewer FCAs see fewer children and file CIRs later; and the areas live on CFC at
the start of the shipped rollout keep their CIR timeliness and children seen steady from month one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from model_support import mean_metrics, two_areas

import cfc_sim
from cfc_sim.model import simulate
from cfc_sim.scenario.schema import ScenarioConfig

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_more_domestic_abuse_costs_more_fca_hours_and_more_hearings() -> None:
    """Judged in steady state (four years after a year's warm-up) and with a court below saturation
    (a saturated court holds the fact-findings back and the reports with them), so that cases waiting for a
    fact-finding hearing at the end cannot hide the hours their reports will take."""
    steady = {"horizon_months": 48, "warmup_months": 12, "defaults__cap__fact_finding_share_of_da": 0.4,
              "defaults__cap__hours__da_extra": 4.0, "defaults__court__sitting_days_per_week": 30.0}
    low = mean_metrics(two_areas(defaults__demand__domestic_abuse_share=0.2, **steady))
    high = mean_metrics(two_areas(defaults__demand__domestic_abuse_share=0.9, **steady))
    assert high[("Capshire", "all", "fca_hours_utilisation")] > low[("Capshire", "all", "fca_hours_utilisation")]
    assert high[("Capshire", "cap", "hearings_per_case")] > low[("Capshire", "cap", "hearings_per_case")] + 0.1


def test_fewer_fcas_see_fewer_children_and_file_cirs_later() -> None:
    staffed = mean_metrics(two_areas(defaults__workforce__fcas=12, defaults__workforce__establishment=13))
    short = mean_metrics(two_areas(defaults__workforce__fcas=5, defaults__workforce__establishment=6))
    assert short[("Live", "cfc", "children_seen_share")] < staffed[("Live", "cfc", "children_seen_share")]
    assert short[("Live", "cfc", "cir_working_days_mean")] > staffed[("Live", "cfc", "cir_working_days_mean")]
    assert short[("Live", "cfc", "cir_on_time_share")] < staffed[("Live", "cfc", "cir_on_time_share")]


def _live_at_start_only(months: int) -> ScenarioConfig:
    """The shipped rollout cut to the areas live on CFC at its start, for `months`."""
    config = cfc_sim.load_scenario(SCENARIOS / "national-rollout.yaml")
    live = tuple(a for a in config.areas if a.go_live <= config.header.start)
    assert len(live) == 7  # Dorset, Birmingham & Solihull, West Yorkshire, the three of Nov 2025, Hampshire & IoW
    header = config.header.model_copy(update={"horizon_months": months})
    return config.model_copy(update={"header": header, "areas": live, "interventions": ()})


def test_areas_live_at_the_start_keep_cir_timeliness_and_children_seen_steady_from_month_one() -> None:
    """Staffed as the scenario staffs them, the live areas neither collapse nor jump in their first year:
    each area's CIRs on time in months 1-3 and 10-12 are both at least 85% and within 10 points."""
    config = _live_at_start_only(12)
    by_area: dict[str, list[float]] = {}
    seen: dict[str, list[float]] = {}
    for rep in range(2):
        result = simulate(config, rep)
        monthly = {}
        for area, month, metric, value in result.monthly:
            if metric == "cir_on_time_share":
                monthly.setdefault(area, {})[month] = value
        for area, series in monthly.items():
            if area == "ALL":
                continue
            values = [series[m] for m in sorted(series)]
            by_area.setdefault(area, []).extend([float(np.nanmean(values[:3])), float(np.nanmean(values[9:12]))])
        for area, pathway, metric, value in result.metrics:
            if metric == "children_seen_share" and pathway == "cfc":
                seen.setdefault(area, []).append(value)
    assert len(by_area) == 7
    for area, values in by_area.items():
        first = float(np.mean(values[0::2]))
        last = float(np.mean(values[1::2]))
        assert min(first, last) >= 0.85, (area, first, last)
        assert abs(first - last) <= 0.10, (area, first, last)
    for area, shares in seen.items():
        assert float(np.mean(shares)) >= 0.70, (area, shares)
