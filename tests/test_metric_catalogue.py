"""The one metric catalogue: every metric a run writes is described once, and every view uses it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from contract import METRICS as CONTRACT

from cfc_sim import compare, output_analysis, report
from cfc_sim.metric_catalogue import (
    BY_NAME,
    CATALOGUE,
    COMPARED,
    HEADLINE,
    NATIONAL,
    PRECISION,
    SHARE,
    is_bounded,
    label_of,
    written_as_share,
)
from cfc_sim.model import simulation

GOLDEN = Path(__file__).parent / "golden" / "small.summary.csv"


def test_every_metric_a_run_writes_is_catalogued_in_the_contract_order() -> None:
    written = set(pd.read_csv(GOLDEN)["metric"])
    assert written <= set(BY_NAME)
    assert [m.name for m in CATALOGUE[:len(CONTRACT)]] == CONTRACT
    extras = [m.name for m in CATALOGUE[len(CONTRACT):]]
    assert extras == sorted(extras)
    assert len(BY_NAME) == len(CATALOGUE)


def test_shares_are_bounded_and_rates_are_not() -> None:
    for metric in CATALOGUE:
        if metric.name.endswith("_share") or metric.name in ("fca_utilisation", "vacancy_rate_mean"):
            assert metric.bounded and metric.kind == SHARE, metric.name
    assert not is_bounded("turnover_rate") and is_bounded("live_at_end") and is_bounded("unknown_share")
    shown = {"fca_utilisation", "vacancy_rate_mean", "turnover_rate", "live_at_end", "vacancy_rate", "trained_share",
             "cir_on_time_share", "training_share_at_go_live"}
    assert all(written_as_share(m) for m in shown)
    assert not any(written_as_share(m) for m in ("applications", "caseload_mean", "fte_in_post", "go_live_day"))


def test_views_read_the_catalogue_and_one_name_for_england() -> None:
    assert NATIONAL == simulation.NATIONAL == "ALL"
    assert compare.compare_frame.__defaults__ == (NATIONAL, COMPARED)
    assert set(output_analysis.headline_values([])) == set(PRECISION)
    assert all(m.headline for m in HEADLINE) and {m.name for m in HEADLINE} <= set(COMPARED)
    assert not hasattr(report, "KPIS")


def test_formats_for_people() -> None:
    assert BY_NAME["cir_on_time_share"].format(0.9123) == "91.2%"
    assert BY_NAME["applications"].format(12345.4) == "12,345"
    assert BY_NAME["caseload_mean"].format(float("nan")) == "n/a"
    assert label_of("fca_utilisation") == "FCA capacity in use" and label_of("new_metric") == "new metric"


def test_the_all_rows_are_called_england_only_when_every_english_court_area_is_modelled() -> None:
    """A run of two pilots, a plan of some areas or the small example is not England: screens said so."""
    from pathlib import Path

    import cfc_sim
    from cfc_sim.metric_catalogue import ENGLAND_AREAS, whole_run_name
    from cfc_sim.sweep_view import where_label

    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    for name in ("national-rollout.yaml", "national-baseline.yaml"):
        assert {a.name for a in cfc_sim.load_scenario(scenarios / name).areas} == ENGLAND_AREAS
    assert whole_run_name(ENGLAND_AREAS) == "England"
    assert whole_run_name([*ENGLAND_AREAS, "Gwent"]) == "all 41 areas"  # England and a Welsh area
    assert whole_run_name(sorted(ENGLAND_AREAS)[:39]) == "all 39 areas"
    assert whole_run_name(["Dorset", "Wiltshire & Swindon"]) == "both areas"
    assert whole_run_name(["South East Wales"]) == "South East Wales"  # one area: its name
    assert whole_run_name(["Dorset", "Kent"], capital=True) == "Both areas"
    assert where_label("ALL", ["Dorset", "Kent"]) == "both areas" and where_label("Dorset", ["Dorset"]) == "Dorset"
