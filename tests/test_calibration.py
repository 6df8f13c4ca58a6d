"""The shipped scenarios reproduce the published figures (CALIBRATION validation targets 1-4)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cfc_sim
from cfc_sim.calibration import TARGETS
from cfc_sim.scenario.schema import thaw

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


REPS = {"national-baseline.yaml": 2}


@pytest.fixture(scope="module")
def summaries() -> dict:
    """Each scenario run once, on first use (the slow national ones only under `-m slow`)."""
    cache: dict = {}

    def get(name: str):  # type: ignore[no-untyped-def]
        if name not in cache:
            cache[name] = cfc_sim.run(SCENARIOS / name, reps=REPS.get(name, 5), workers=2).summary
        return cache[name]

    return get


def _param(t):  # type: ignore[no-untyped-def]
    marks = [pytest.mark.slow] if t.slow else []
    if t.known_gap:
        marks.append(pytest.mark.xfail(strict=True, reason=f"known gap: {t.known_gap}"))
    return pytest.param(t, id=t.label, marks=marks)


@pytest.mark.parametrize("target", [_param(t) for t in TARGETS])
def test_shipped_scenario_reproduces_published_figure(target, summaries) -> None:  # type: ignore[no-untyped-def]
    mean, low, high, ok = target.check(summaries(target.scenario))
    assert ok, f"{target.label}: model {mean:.3f} [{low:.3f}, {high:.3f}] outside {target.low:.3f}-{target.high:.3f}"


SHARED = ("workforce.hours", "cap.hours", "cfc.hours", "court.hearings", "court.adjourned_share",
          "court.hours_per_sitting_day", "court.settled_share_per_year_waiting", "cap.continue_without_report_share",
          "cap.fact_finding_share_of_da",
          "cap.resolved_at_dra_share", "cap.repeat_dra_share", "cap.further_report_share", "cfc.review_hearing_share",
          "workforce.other_work_share")


@pytest.mark.parametrize("pilot", ["pilot-birmingham-court.yaml", "pilot-south-east-wales-court.yaml"])
def test_pilots_use_the_national_fidelity_assumptions(pilot: str) -> None:
    """The pilots check the national scenario's hours and hearing assumptions, so they must be the same."""
    national = cfc_sim.load_scenario(SCENARIOS / "national-rollout.yaml").areas[0]
    area = cfc_sim.load_scenario(SCENARIOS / pilot).areas[0]
    for dotted in SHARED:
        a, b = national, area
        for key in dotted.split("."):
            a, b = getattr(a, key), getattr(b, key)
        assert a == b, f"{pilot}: {dotted} differs from national-rollout.yaml"


def test_the_default_schedules_no_change_and_the_example_interventions_cut_no_posts() -> None:
    """The default has no interventions (a change in mid-run is not counted in the FCA need); the
    example variant's raise of an area's establishment must raise it (the slot file's Essex raise to
    21, inherited by an hours file, once cut Essex's posts from 52 to 21)."""
    config = cfc_sim.load_scenario(SCENARIOS / "variant-interventions.yaml")
    assert config.interventions and not cfc_sim.load_scenario(SCENARIOS / "national-rollout.yaml").interventions
    for change in config.interventions:
        posts = thaw(change.set).get("workforce.establishment")
        if posts is not None:
            assert posts >= config.area(change.area).workforce.establishment, change


@pytest.mark.slow
def test_the_national_baseline_is_stationary_in_at_least_38_of_40_areas() -> None:
    """Issue 24: in the six-year CAP-only national run each area's open cases in year 6 are within 10% of
    year 2 (the run's first year after its warm-up), in at least 38 of the 40 areas."""
    result = cfc_sim.run(SCENARIOS / "national-baseline.yaml", reps=REPS["national-baseline.yaml"], workers=2)
    monthly = result.timeseries
    open_cases = monthly[(monthly["metric"] == "open_cases") & (monthly["area"] != "ALL")]
    months = sorted(open_cases["month"].unique())
    assert len(months) == 60
    first = open_cases[open_cases["month"].isin(months[:12])].groupby("area")["value"].mean()
    last = open_cases[open_cases["month"].isin(months[-12:])].groupby("area")["value"].mean()
    ratio = last / first
    steady = ratio.between(0.9, 1.1)
    assert len(ratio) == 40 and steady.sum() >= 38, ratio[~steady].round(3).to_dict()


@pytest.mark.slow
def test_the_default_rollout_starts_at_its_steady_state_and_does_not_drift() -> None:
    """Issue 24: the default starts each area from its own steady open work, so its drift check is silent
    (started from 38 weeks of demand, seven areas on CAP fell 11-15% in their first year and were flagged)."""
    from cfc_sim.output_analysis import drift_warnings

    result = cfc_sim.run(SCENARIOS / "national-rollout.yaml", reps=2, workers=2)
    assert drift_warnings(result.timeseries, result.config) == []


@pytest.mark.slow
def test_the_defaults_cap_cases_have_the_baselines_hearings_counted_by_cohort(summaries) -> None:  # type: ignore[no-untyped-def]
    """Per closed case the default's CAP cases seem to have fewer hearings than the calibrated baseline's
    (3.85 against 4.49): most of those it closes were open at the start and bring none of their earlier
    hearings. Counted over a cohort of applications followed to the end, they have nearly the baseline's
    (4.38: cohort cases still open at the end count the hearings held so far)."""
    def cap(summary, metric: str) -> float:  # type: ignore[no-untyped-def]
        row = summary[(summary.area == "ALL") & (summary.pathway == "cap") & (summary.metric == metric)]
        return float(row["mean"].iloc[0])

    default, baseline = summaries("national-rollout.yaml"), summaries("national-baseline.yaml")
    assert cap(default, "hearings_per_case_cohort") == pytest.approx(cap(baseline, "hearings_per_case"), rel=0.04)
    assert cap(default, "hearings_per_case") < 0.95 * cap(default, "hearings_per_case_cohort")


@pytest.mark.parametrize("variant", sorted(p.name for p in SCENARIOS.glob("variant-*.yaml")))
def test_no_variant_cuts_an_areas_posts(variant: str) -> None:
    """A variant that raises an area's establishment must raise it against today's parent (the slot-era
    variant once set Essex to 19 posts, cutting it from 55 under the one model)."""
    parent = cfc_sim.load_scenario(SCENARIOS / "national-rollout.yaml")
    config = cfc_sim.load_scenario(SCENARIOS / variant)
    for area in config.areas:
        assert area.workforce.establishment >= parent.area(area.name).workforce.establishment, (variant, area.name)
