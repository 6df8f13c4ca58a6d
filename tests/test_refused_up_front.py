"""What cannot be met or would be ignored is refused before any simulation (issue 27, items 4-5):
impossible and contradictory targets, options with no effect, a scheduler that is no address, a
sweep of `extends` or of too many variants; and an interruption says what was kept."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
import yaml
from cli_runner import invoke, refused

from cfc_sim.scenario.examples import scenario_dict


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    data = scenario_dict(horizon_months=4, replications=2)
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str))), encoding="utf-8")
    return path


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any batch of replications started makes the test fail: refusals come before the work."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a simulation ran before the refusal")

    for name in ("experiment", "plan", "rollout", "sensitivity", "need"):
        module = importlib.import_module(f"cfc_sim.{name}")
        if hasattr(module, "run_tasks"):
            monkeypatch.setattr(module, "run_tasks", refuse)


@pytest.mark.parametrize("targets, words", [
    (["cir_on_time_share>=1.5"], ["cannot be met", "between 0 and 1"]),
    (["cir_on_time_share>=90"], ["cannot be met", "a share is written as a fraction: 0.9 for 90%"]),
    (["cir_on_time_share>=1e308"], ["cannot be met"]),
    (["weeks_to_decision_mean<=-1"], ["cannot be met", "at least 0"]),
    (["children_seen_share@cfc<=-0.2"], ["cannot be met"]),
    (["cir_on_time_share>=0.9", "cir_on_time_share<=0.1"], ["contradict"]),
], ids=["share-above-1", "share-as-percent", "share-1e308", "weeks-negative", "pathway-share-negative",
        "contradictory"])
def test_targets_no_plan_can_meet_are_refused_before_any_simulation(targets: list[str], words: list[str],
                                                                    scenario: Path, tmp_path: Path,
                                                                    no_simulation: None,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["plan", str(scenario), *[x for t in targets for x in ("--target", t)], "--out", str(tmp_path / "p")]
    refused(argv, capsys, "--target", *words)
    assert not (tmp_path / "p").exists()


def test_a_target_at_the_edge_of_its_range_is_still_accepted() -> None:
    from cfc_sim.plan import Target, check_reachable

    check_reachable([Target.parse("cir_on_time_share>=1"), Target.parse("go_live_day<=-30")])
    check_reachable([Target.parse("cir_on_time_share>=0.5"), Target.parse("cir_on_time_share<=0.5"),
                     Target.parse("cir_on_time_share@cap<=0.1")])


@pytest.mark.parametrize("argv, words", [
    (["plan", "{scenario}", "--cap-metric", "weeks_to_decision_mean"], ["--cap-metric", "--need"]),
    (["plan", "{scenario}", "--cap-tolerance", "0.2"], ["--cap-tolerance", "--need"]),
    (["run", "{scenario}", "--precision", "0.1"], ["--precision", "--reps auto"]),
    (["run", "{scenario}", "--max-reps", "50"], ["--max-reps", "--reps auto"]),
    (["run", "{scenario}", "--scheduler", ""], ["--scheduler", "empty"]),
    (["run", "{scenario}", "--scheduler", "not a url"], ["--scheduler", "not a Dask scheduler address"]),
    (["plan", "{scenario}", "--scheduler", "not a url"], ["--scheduler"]),
    (["sweep", "{scenario}", "--set", "extends=other.yaml"], ["extends"]),
    (["run", "{scenario}", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], ["--workers", "--scheduler"]),
    (["plan", "{scenario}", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], ["--workers"]),
], ids=["cap-metric", "cap-tolerance", "precision", "max-reps", "scheduler-empty", "scheduler-not-url",
        "plan-scheduler", "sweep-extends", "run-workers-with-scheduler", "plan-workers-with-scheduler"])
def test_options_with_no_effect_arerefused(argv: list[str], words: list[str], scenario: Path, tmp_path: Path,
                                            no_simulation: None, capsys: pytest.CaptureFixture[str]) -> None:
    filled = [str(scenario) if a == "{scenario}" else a for a in argv]
    refused([*filled, "--out", str(tmp_path / "o")], capsys, *words)
    assert not (tmp_path / "o").exists()


def test_a_sweep_grid_above_the_cap_is_refused_before_any_variant_is_built(scenario: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import cfc_sim.sweep

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a variant was built")

    monkeypatch.setattr(cfc_sim.sweep, "load_variant", refuse)
    fcas = ",".join(str(n) for n in range(1, 101))
    seeds = ",".join(str(n) for n in range(1, 101))
    refused(["sweep", str(scenario), "--set", f"defaults.workforce.fcas={fcas}", "--set", f"seed={seeds}",
              "--out", str(tmp_path / "sw")], capsys, "10,000 variants", "at most 1,000")


def test_a_large_grid_says_how_its_validation_goes(scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import cfc_sim.sweep
    from cfc_sim.errors import UserError

    built: list[int] = []
    real = cfc_sim.sweep.load_variant

    def counted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        built.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cfc_sim.sweep, "load_variant", counted)
    monkeypatch.setattr(cfc_sim.sweep, "open_folder", lambda *a, **k: (_ for _ in ()).throw(UserError("stop here")))
    fcas = ",".join(map(str, range(5, 30)))
    code, _, err = invoke(["sweep", str(scenario), "--set", f"defaults.workforce.fcas={fcas}", "--out",
                           str(tmp_path / "sw")], capsys)
    assert code == 2 and "stop here" in err
    assert len(built) == 25 and "25/25 variants validated" in err


# --------------------------------------------------------------------------- interruption says what was kept


def test_an_interrupted_sweep_says_which_variants_were_kept(scenario: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import cfc_sim.sweep

    real = cfc_sim.sweep.run_scenario
    calls: list[int] = []

    def interrupted_on_the_third(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cfc_sim.sweep, "run_scenario", interrupted_on_the_third)
    out = tmp_path / "sw"
    argv = ["sweep", str(scenario), "--set", "defaults.workforce.fcas=11,12,13", "--out", str(out)]
    code, _, err = invoke(argv, capsys)
    assert code == 130, err
    assert "2 variants finished and kept" in err and str(out) in err and "reuses them" in err
    assert "nothing written" not in err
    monkeypatch.setattr(cfc_sim.sweep, "run_scenario", real)
    code, stdout, err = invoke(argv, capsys)
    assert code == 0, err
    assert stdout.count("reused") == 2  # the rerun reuses what the message said it would


def test_an_interrupted_plan_says_what_the_cache_holds(scenario: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import cfc_sim.cache

    real = cfc_sim.cache.Cache.put
    stored: list[str] = []

    def put_then_interrupt(self, key, value):  # type: ignore[no-untyped-def]
        real(self, key, value)
        stored.append(key)
        raise KeyboardInterrupt

    monkeypatch.setattr(cfc_sim.cache.Cache, "put", put_then_interrupt)
    out = tmp_path / "plan"
    code, _, err = invoke(["plan", str(scenario), "--target", "cir_on_time_share>=0.0", "--confidence", "0.5",
                           "--max-extra", "2", "--out", str(out)], capsys)
    assert code == 130, err
    assert "1 simulated run is cached in" in err and f"--out {out}" in err and "reuses it" in err
    assert "nothing written" not in err


def test_an_interruption_before_anything_was_written_says_so() -> None:
    from cfc_sim import kept

    kept.reset()
    assert kept.said() == "nothing written"
    kept.wrote(Path("results/x/report.html"))
    assert "report.html" in kept.said()


# --------------------------------------------------------------------------- no library warnings on valid input


def test_a_month_no_replication_measured_gives_nan_without_a_numpy_warning() -> None:
    import math
    import warnings

    import numpy as np

    from cfc_sim.readiness_view import _column_nanmeans

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        means = _column_nanmeans(np.array([[math.nan, 1.0], [math.nan, 3.0]]))
    assert math.isnan(means[0]) and means[1] == 2.0


def test_a_valid_run_and_its_report_raise_no_library_warning(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import warnings

    repo = Path(__file__).resolve().parent.parent
    out = tmp_path / "r"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning a library raises becomes an error (exit 1)
        warnings.filterwarnings("ignore", category=DeprecationWarning)  # libraries' own deprecations
        for argv in (["run", str(repo / "scenarios" / "example-small.yaml"), "--reps", "2", "--workers", "1",
                      "--out", str(out)], ["report", str(out)], ["readiness", str(out)]):
            code, _, err = invoke(argv, capsys)
            assert code == 0, err
            assert "Warning" not in err and "empty slice" not in err


@pytest.mark.parametrize("argv, words", [
    (["sweep", "{scenario}", "--set", "areas.Testshire.go_live=2026-02-30"],
     ["Testshire", "go_live", "real date", "2026-02-30"]),
    (["sweep", "{scenario}", "--set", "start=2026-13-01"], ["start", "real date", "2026-13-01"]),
], ids=["sweep-area-date", "sweep-start"])
def test_an_impossible_date_typed_on_the_command_line_is_refused_naming_its_key(
        argv: list[str], words: list[str], scenario: Path, tmp_path: Path, no_simulation: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A date typed with --set is read as a scenario file reads it: it was an internal error (exit 1)."""
    filled = [str(scenario) if a == "{scenario}" else a for a in argv]
    refused([*filled, "--out", str(tmp_path / "o")], capsys, *words)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("extra", [[], ["--need"]], ids=["plan", "plan-need"])
def test_a_misspelt_area_is_refused_before_the_plan_prints_anything(extra: list[str], scenario: Path, tmp_path: Path,
                                                                     no_simulation: None,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The plan's header line came before the area check (a newcomer's `plan --area cumbria`)."""
    refused(["plan", str(scenario), "--area", "testshire", *extra, "--out", str(tmp_path / "p")], capsys,
            "--area", "no area named 'testshire'", "did you mean 'Testshire'?")
    assert not (tmp_path / "p").exists()
