"""Progress with time left (`cfc_sim.progress`) for sweep and sensitivity, and the search progress
that plan and rollout share; "did you mean" for names typed on the command line."""

from __future__ import annotations

import pytest

from cfc_sim.errors import UserError
from cfc_sim.progress import CountProgress, PlanProgress
from cfc_sim.suggest import check_area, check_metric, closest, did_you_mean


def test_count_progress_estimates_the_time_left_from_simulated_items() -> None:
    said: list[str] = []
    now = [0.0]
    progress = CountProgress(5, "variants", said.append, "sweep", clock=lambda: now[0])
    progress.item(reused=True, name="v01")  # from the cache: no time estimate yet
    assert progress.seconds_left() is None and "time left not estimated yet" in said[-1]
    now[0] = 10.0
    progress.item(name="v02")  # one simulated item took 10 s; three remain
    assert progress.seconds_left() == 30.0
    assert said[-1] == "sweep: 2/5 variants done (v02: done) in 10s, about 30s left"
    now[0] = 20.0
    progress.item()
    now[0] = 30.0
    progress.item()
    now[0] = 40.0
    progress.item()
    assert said[-1] == "sweep: 5/5 variants done, 1 reused in 40s"


def test_count_progress_without_names_speaks_at_most_every_quiet_seconds() -> None:
    said: list[str] = []
    now = [0.0]
    progress = CountProgress(100, "design points", said.append, "sensitivity", clock=lambda: now[0])
    for _ in range(10):
        now[0] += 1.0
        progress.item()
    assert said == []
    now[0] += CountProgress.QUIET
    progress.item()
    assert len(said) == 1 and said[0].startswith("sensitivity: 11/100 design points done") and "left" in said[0]


def test_rollout_progress_uses_the_plan_searches_line_with_its_own_label() -> None:
    said: list[str] = []
    progress = PlanProgress(said.append, clock=lambda: 1.0, label="rollout")
    progress.expect(2)
    progress.start(1)
    progress.round(1, 0)
    assert said[-1].startswith("rollout: 0/2 searches done, 1 evaluations")


def test_did_you_mean_names_the_closest_names_ignoring_case() -> None:
    assert closest("essx", ["Essex", "Kent", "Sussex"]) == ["Essex", "Sussex"]
    assert did_you_mean("East Londn", ["East London", "West London"]).startswith(" (did you mean 'East London'")
    assert did_you_mean("Cornwall", ["Essex"]) == ""
    areas = ["Bedfordshire & Luton", "Dorset", "Hertfordshire", "Cambridgeshire & Peterborough"]
    assert closest("Bedford", areas) == ["Bedfordshire & Luton"]  # the start of a name, not only a spelling
    assert closest("bedfordshire & luton", areas) == ["Bedfordshire & Luton"]  # the name in other case
    assert closest("Peterborough", areas) == ["Cambridgeshire & Peterborough"]  # a word of it
    # not inside a word: Hull is in Humberside, Chester in Cheshire
    assert "Birmingham & Solihull" not in closest("Hull", ["Birmingham & Solihull", "Humberside"])
    assert closest("Chester", ["Greater Manchester", "Cheshire"]) == ["Cheshire"]
    assert closest("fte", ["fte_in_post_mean", "open_cases_fall_18m_after_go_live"]) == ["fte_in_post_mean"]


def test_an_unknown_metric_is_refused_with_the_closest_name() -> None:
    check_metric("cir_on_time_share", "--target")
    with pytest.raises(UserError) as err:
        check_metric("cir_ontime_share", "--target")
    assert "--target" in str(err.value) and "did you mean 'cir_on_time_share'" in str(err.value)


def test_an_unknown_area_is_refused_with_the_closest_name() -> None:
    check_area("Kent", ["Kent"], "--area")
    with pytest.raises(UserError) as err:
        check_area("Knet", ["Kent", "Essex"], "--area", "s.yaml")
    assert "--area" in str(err.value) and "s.yaml" in str(err.value) and "did you mean 'Kent'" in str(err.value)


def test_commands_answer_misspelt_names_before_running(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from cli_runner import invoke

    scenario = str(Path(__file__).resolve().parent.parent / "scenarios" / "example-small.yaml")
    cases = [
        (["sweep", scenario, "--set", "defaults.workforce.fcas=3,4", "--metric", "cir_ontime_share"],
         "did you mean 'cir_on_time_share'"),
        (["sweep", scenario, "--set", "defaults.workforce.fcas=3,4", "--area", "Dorst"], "did you mean 'Dorset'"),
        (["sweep", scenario, "--set", "areas.Dorst.workforce.fcas=3,4"], "did you mean 'Dorset'"),
        (["plan", scenario, "--target", "cir_on_time_shar>=0.9"], "did you mean 'cir_on_time_share'"),
        (["plan", scenario, "--area", "Dorst"], "did you mean 'Dorset'"),
    ]
    for argv, hint in cases:
        code, _, err = invoke([*argv, "--out", str(tmp_path / "out")], capsys)
        assert code == 2 and hint in err and "Traceback" not in err, (argv, err)
        assert not (tmp_path / "out").exists()
