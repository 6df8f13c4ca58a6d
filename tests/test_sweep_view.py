"""`cfc-sim sweep --metric go_live_day`: dates shown as dates, every variant kept (one never live
within the run says so), a chart that is never empty, and no warning leaked from matplotlib."""

from __future__ import annotations

import datetime as dt
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_runner import invoke
from scenario_factory import scenario_dict

from cfc_sim.sweep_view import NOT_LIVE, metric_view


def test_a_go_live_sweep_shows_dates_and_keeps_the_variant_never_live(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(scenario_dict(
        name="dates", horizon_months=6, replications=1,
        areas=[{"name": "Moveshire", "go_live": "2026-06-01"}])))
    out = tmp_path / "sweep"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, stdout, err = invoke(["sweep", str(scenario), "--set",
                                    "areas.Moveshire.go_live=2026-06-01,2026-08-03,2027-01-04",
                                    "--metric", "go_live_day", "--area", "Moveshire", "--out", str(out)], capsys)
    assert code == 0, err
    assert not [w for w in caught if "matplotlib" in str(w.filename) or "matplotlib" in str(w.message)]
    assert "Warning" not in err
    assert stdout.count("go-live day:") == 1  # no go-live day of all areas together: it means nothing
    section = stdout.split("go-live day: Moveshire")[1]
    assert "2026-06-01" in section and "2026-08-03" in section  # dates, not day numbers
    assert NOT_LIVE in section and "2027-01-04" in section  # the variant after the run is kept, and says why
    table = pd.read_csv(out / "sweep.csv")
    view = metric_view(table, ["areas.Moveshire.go_live"], "go_live_day", "Moveshire", dt.date(2026, 4, 1))
    assert list(view["value"]) == ["2026-06-01", "2026-08-03", NOT_LIVE]
    assert (out / "sweep-Moveshire.png").stat().st_size > 10_000  # drawn, with the never-live variant marked


def test_a_chart_with_no_value_in_any_variant_says_so(tmp_path: Path) -> None:
    from cfc_sim.charts import sweep_chart

    table = pd.DataFrame([{"variant": f"v{i}", "k": str(i), "area": "Nowhere", "pathway": "all",
                           "metric": "live_at_end", "mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n_reps": 1}
                          for i in range(2)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no artists with labels" or empty-axis warning
        sweep_chart(table, ["k"], "go_live_day", tmp_path / "s.png", "Nowhere", start=dt.date(2026, 4, 1))
    assert (tmp_path / "s.png").stat().st_size > 5_000


def test_a_go_live_interval_stays_within_the_run_and_never_crosses_its_mean() -> None:
    """Two runs live gave a t-interval of '2017-02-26 to 2038-05-06' for a run of 2026-2030 (found by a
    newcomer trial): cut to the run's span. A review found the cut must never cross the mean: a variant
    may move go-live or the horizon away from the base's, and an area live before the run has a
    negative go-live day (the chart's error bars had failed on a negative length)."""
    from scenario_factory import config

    from cfc_sim.charts import sweep_chart
    from cfc_sim.sweep_view import run_span_days

    run = config(scenario_dict(name="b", horizon_months=48, replications=3,
                               areas=[{"name": "Moveshire", "go_live": "2027-10-04"}]))
    span = run_span_days(run)
    assert span == (0.0, (dt.date(2030, 4, 1) - dt.date(2026, 4, 1)).days)

    def row(variant: str, mean: float, low: float, high: float) -> list[dict]:
        return [{"variant": variant, "k": variant, "area": "Moveshire", "pathway": "all", "metric": "go_live_day",
                 "mean": mean, "ci_low": low, "ci_high": high, "n_reps": 2},
                {"variant": variant, "k": variant, "area": "Moveshire", "pathway": "all", "metric": "live_at_end",
                 "mean": 0.67, "ci_low": 0.0, "ci_high": 1.0, "n_reps": 3}]

    table = pd.DataFrame(row("wide", 548.5, -3320.5, 4417.5) + row("before", -365.0, -365.0, -365.0)
                         + row("late", 1500.0, 1400.0, 1600.0))
    view = metric_view(table, ["k"], "go_live_day", "Moveshire", dt.date(2026, 4, 1), span).set_index("variant")
    assert view.loc["wide", "95% interval"] == "2026-04-01 to 2030-04-01"
    assert "67% of runs" in view.loc["wide", "note"]
    assert view.loc["before", "ci_low"] <= view.loc["before", "mean"] <= view.loc["before", "ci_high"]
    assert view.loc["late", "ci_low"] <= view.loc["late", "mean"] <= view.loc["late", "ci_high"]  # past a longer run
    sweep_chart(table, ["k"], "go_live_day", Path(tempfile.mkdtemp()) / "s.png", "Moveshire",
                start=dt.date(2026, 4, 1), bounds_days=span)  # no negative error bar


def test_a_sweep_that_fixes_a_distribution_says_so() -> None:
    """`--set ...time_to_hire_days=150,240` silently turned lognormal(150, 50) into a fixed 150, so the
    '150' variant was not the scenario (found by a newcomer trial): the sweep notes it and names the
    key that keeps the distribution; setting that key, or a plain number, gives no note."""
    from cfc_sim.scenario.keys import replaced_distributions

    raw = {"defaults": {"workforce": {"time_to_hire_days": {"dist": "lognormal", "mean": 150, "sd": 50},
                                      "fcas": 10}},
           "areas": [{"name": "Moveshire", "workforce": {"induction_days": {"dist": "fixed", "value": 30}}}]}
    notes = replaced_distributions(raw, ["defaults.workforce.time_to_hire_days"])
    assert len(notes) == 1 and "lognormal" in notes[0] and "defaults.workforce.time_to_hire_days.mean" in notes[0]
    assert replaced_distributions(raw, ["defaults.workforce.time_to_hire_days.mean", "defaults.workforce.fcas",
                                        "areas.Moveshire.workforce.induction_days"]) == []
    # an area key the area inherits from defaults (or its region) is noted too (a review found it silent)
    for key in ("areas.*.workforce.time_to_hire_days", "areas.Moveshire.workforce.time_to_hire_days"):
        assert len(replaced_distributions(raw, [key])) == 1, key
    regional = {**raw, "regions": {"North": {"workforce": {"time_to_hire_days": {"dist": "fixed", "value": 90}}}},
                "areas": [{"name": "Moveshire", "region": "North"}]}
    assert replaced_distributions(regional, ["areas.Moveshire.workforce.time_to_hire_days"]) == []
