"""One readiness view: `readiness`, `report` and `rollout` give the same verdict in the same words."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from cli_runner import invoke
from scenario_factory import config, scenario_dict

import cfc_sim
from cfc_sim.experiment import run_replications
from cfc_sim.model.simulation import make_calendar
from cfc_sim.readiness_view import LIVE, NO_STATUS, _held, area_statuses, criterion_words, earliest_ready, status_at
from cfc_sim.report.views import monthly_status, readiness_overview
from cfc_sim.results import RunResult
from cfc_sim.results_reader import read_results
from cfc_sim.rollout import _Area, _blockers, readiness_verdicts

AREAS = ["Lateshire", "Afterland"]


def _scenario():  # type: ignore[no-untyped-def]
    return config(scenario_dict(
        horizon_months=12, replications=1, readiness__policy="readiness",
        defaults__workforce__fcas=3, defaults__workforce__establishment=5,
        areas=[{"name": "Lateshire", "go_live": "2026-07-06",
                "partnerships": {"idva": "2026-04-01", "local_authority": "2026-04-01", "police": "2026-09-16"}},
               {"name": "Afterland", "go_live": "2028-01-10"}]))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("view") / "run"
    cfc_sim.run(_scenario(), out=out)
    return out


@pytest.fixture(scope="module")
def result(run_dir: Path) -> RunResult:
    return read_results(run_dir)


def _cli_line(out: str, area: str) -> str:
    return next(line for line in out.splitlines() if area in line)


def test_planned_after_the_run_is_n_a_in_the_cli_and_the_report(run_dir: Path, result: RunResult,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(["readiness", str(run_dir), "--out", str(run_dir.parent / "h.png")], capsys)
    assert code == 0
    view = {v.area: v for v in area_statuses(result.readiness, result.config)}
    assert view["Afterland"].status == NO_STATUS and view["Afterland"].month is None
    report = {r["area"]: r for r in readiness_overview(result)}
    for area in AREAS:
        assert report[area]["status"] == view[area].status
        assert report[area]["failing"] == list(view[area].failing)
        assert view[area].status in _cli_line(out, area)
    assert "amber" not in _cli_line(out, "Afterland") and "red" not in _cli_line(out, "Afterland")


def _varied():  # type: ignore[no-untyped-def]
    """Three replications with turnover and recruitment, so criteria hold in some runs and not others."""
    return config(scenario_dict(
        horizon_months=12, replications=3, readiness__policy="readiness",
        defaults__workforce__fcas=4, defaults__workforce__establishment=5, defaults__workforce__annual_turnover=0.4,
        defaults__workforce__training={"days": 5, "seats_per_month": 1, "trained_share_at_start": 0.5},
        areas=[{"name": "Lateshire", "go_live": "2026-07-06",
                "partnerships": {"idva": "2026-04-01", "local_authority": "2026-04-01", "police": "2026-09-16"}},
               {"name": "Wobbleton", "go_live": "2026-09-07"},
               {"name": "Livesey", "go_live": "2025-01-06"}]))


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    out = tmp_path_factory.mktemp("varied") / "run"
    cfc_sim.run(_varied(), out=out)
    return out, read_results(out)


def _verdict(status) -> tuple:  # type: ignore[no-untyped-def]
    """What every view must show alike: the verdict, its reason in words and the ready month."""
    return status.status, status.reason, status.ready_text


def test_readiness_report_rollout_and_board_agree_for_every_area_and_month(
        varied: tuple[Path, RunResult], capsys: pytest.CaptureFixture[str]) -> None:
    """Acceptance (issue 26): the verdict, reason and ready month of every area and month are the same
    in `readiness` (CLI), the report, `rollout` and the board page."""
    import html

    from cfc_sim.report.comparison import area_comparisons, render_comparison
    from cfc_sim.rollout import plan_rollout

    run_dir, result = varied
    scenario = _varied()
    plan = plan_rollout(scenario, confidence=scenario.header.readiness.performance_confidence, max_extra=0)
    assert plan.readiness is not None and plan.readiness_config is not None
    months = sorted(result.readiness["month"].unique())
    grid = monthly_status(result, months)
    overview = {r["area"]: r for r in readiness_overview(result)}
    for month in [None, *months]:
        argv = ["readiness", str(run_dir), "--out", str(run_dir.parent / "h.png")]
        code, out, _ = invoke(argv + (["--month", month] if month else []), capsys)
        assert code == 0
        flat = " ".join(out.replace("│", " ").split())
        for area in scenario.areas:
            view = status_at(result.readiness, result.config, area, month)
            planner = status_at(plan.readiness, plan.readiness_config, plan.readiness_config.area(area.name), month)
            assert _verdict(planner) == _verdict(view), (area.name, month)
            assert view.status in _cli_line(out, area.name)
            assert view.ready_text in _cli_line(out, area.name)
            for words in (view.failing + view.uncertain):  # the table wraps cells: each value is in it
                number = next((w for w in words.split() if w[0].isdigit()), None)
                assert number is None or number in flat
            if month is not None:
                cell = grid[(area.name, month)]
                assert (cell.status, cell.failing) == (view.status, list(view.reasons))
            else:
                report = overview[area.name]
                assert (report["status"], report["reason"], report["earliest_ready"]) == (
                    view.status, view.reason, view.earliest_ready)
    # rollout's table: each planned area's verdict, reason and ready month at its planned go-live
    table = plan.table.set_index("area")
    for area in scenario.areas:
        view = status_at(result.readiness, result.config, area)
        if area.name in table.index:
            row = table.loc[area.name]
            assert (row["status_at_planned"], row["readiness_reason"], row["ready_month"]) == _verdict(view)
    # the board page (the run against itself): the same verdicts, and each reason and ready month on the page
    page = render_comparison([result, result], ["a", "b"], [run_dir, run_dir])
    for row in area_comparisons([result, result]):
        cell = row.runs[0]
        assert cell is not None
        view = status_at(result.readiness, result.config, result.config.area(row.area))
        assert _verdict(cell.status) == _verdict(view)
        if view.reason and view.reason != "none" and view.note == "":
            assert html.escape(view.reason) in page
        assert not any(row.ready_moved) and not any(row.need_changed)


def test_rollout_reasons_are_the_readiness_words(varied: tuple[Path, RunResult]) -> None:
    _, result = varied
    scenario = _varied()
    calendar = make_calendar(scenario)
    outputs = run_replications(scenario, range(scenario.replications))  # what rollout's readiness run gets
    sub, frame = readiness_verdicts(scenario, calendar, outputs, [a.name for a in scenario.areas])
    lateshire = scenario.areas[0]
    planned = float(calendar.day_of(lateshire.go_live))
    area = _Area(config=lateshire, planned_day=planned, status=status_at(frame, sub, lateshire))
    names, text = _blockers(area)
    view = status_at(result.readiness, result.config, lateshire)
    workforce = [w for c, w in zip(view.failing_criteria, view.failing, strict=True)
                 if c not in ("partnerships", "performance")]
    assert names == [c for c in view.failing_criteria if c not in ("partnerships", "performance")]
    for words in workforce[:2]:
        assert words in text


def test_an_area_live_before_the_run_is_labelled_live_not_judged(varied: tuple[Path, RunResult]) -> None:
    _, result = varied
    view = {v.area: v for v in area_statuses(result.readiness, result.config)}
    assert view["Livesey"].status == LIVE and view["Livesey"].failing == ()
    assert "already live" in view["Livesey"].note
    assert status_at(result.readiness, result.config, result.config.areas[2], "2026-05").status in (
        "green", "amber", "red")


def test_a_criterion_passes_only_when_it_holds_in_enough_runs(varied: tuple[Path, RunResult]) -> None:
    _, result = varied
    frame = result.readiness
    rows = frame[frame["criterion"].isin(["capacity", "training"])]
    confidence = result.config.header.readiness.performance_confidence
    for row in rows.itertuples():
        if row.passed:
            assert row.pass_share >= confidence - 1e-9  # hold_months 1: raw rule
    assert ((rows["pass_share"] > 0) & (rows["pass_share"] < 1)).any()  # the scenario varies between runs


def test_vacancy_and_turnover_are_pooled_rates_amber_while_their_interval_straddles(
        varied: tuple[Path, RunResult]) -> None:
    _, result = varied
    frame = result.readiness
    rows = frame[frame["criterion"].isin(["vacancy", "stability"]) & frame["value"].notna()]
    assert len(rows) and rows["ci_low"].notna().all()
    for row in rows.itertuples():
        assert row.ci_low <= row.value <= row.ci_high
        assert bool(row.passed) == (row.value <= row.threshold + 1e-12)  # hold_months 1: the rate decides
        expected = ("green" if row.ci_high <= row.threshold else "red" if row.ci_low > row.threshold else "amber")
        assert row.status == expected, row
    assert (rows["status"] == "amber").any()  # three runs of a team of five cannot tell every month


def test_a_passing_value_is_never_worded_as_the_reason() -> None:
    words = criterion_words("training", 0.85, 0.80, pass_share=0.6, confidence=0.8)
    assert words == "CFC-trained share at least 80.0% in only 60% of runs (needs 80%; 85.0% on average)"
    assert "85.0% vs" not in words
    failing = criterion_words("training", 0.7, 0.8, pass_share=0.4, confidence=0.8)
    assert failing == "CFC-trained share 70.0% vs at least 80.0% (met in 40% of runs, needs 80%)"
    # holds in enough runs this month: the reason is the together or hold rule, never "only 80% (needs 80%)"
    enough = criterion_words("capacity", 6.0, 5.0, pass_share=0.8, confidence=0.8, together=0.6)
    assert enough == ("CFC-trained FCAs 6.0 vs at least 5.0 needed, met in 80% of runs (needs 80%), but criteria "
                      "1-5 hold together in only 60% of runs")
    held = criterion_words("capacity", 6.0, 5.0, pass_share=1.0, confidence=0.8, together=1.0, hold_months=3)
    assert held.endswith("but not yet for 3 monthly reviews in a row") and "only" not in held
    pooled = criterion_words("vacancy", 0.12, 0.10, interval=(0.05, 0.25))
    assert pooled == "vacancy rate over the last 12 months 12.0% (95% interval 5.0% to 25.0%) vs at most 10.0%"
    # three months into the run the rate is over three months, and says so (it had said "the last 12 months")
    early = criterion_words("vacancy", 0.12, 0.10, interval=(0.05, 0.25), rates_over=(3, "the run's start"))
    assert early.startswith("vacancy rate over the 3 months since the run's start 12.0%")
    assert criterion_words("stability", 0.2, 0.18, rates_over=(1, "x")).startswith("turnover over the 1 month since")


def test_a_rate_judged_early_counts_its_months_from_the_warm_ups_end() -> None:
    """The pooled rates cover judged months only: with a warm-up of 3 months from April, October's rate
    is over 4 months (a review found '7 months since the run's start' there, and 'the last 12 months'
    in the first judged month of a run with a 12-month warm-up)."""
    from scenario_factory import config, scenario_dict

    from cfc_sim.readiness_view import rates_window

    warm = config(scenario_dict(name="w", horizon_months=24, warmup_months=3, replications=2,
                                areas=[{"name": "Moveshire", "go_live": "2026-06-01"}]))
    assert rates_window(warm, "2026-10") == (4, "the warm-up's end")
    cold = config(scenario_dict(name="c", horizon_months=24, replications=2,
                                areas=[{"name": "Moveshire", "go_live": "2026-06-01"}]))
    assert rates_window(cold, "2026-10") == (7, "the run's start")
    assert rates_window(cold, "2027-06")[0] >= 12
    unknown = criterion_words("performance", float("nan"), 0.8, 6)  # never live in any run: not "likely: no data"
    assert unknown == "the CIR target once live: not judged (no run has CIRs from this area yet)"
    performance = criterion_words("performance", 0.1, 0.8, 6, on_time=0.92)
    assert performance == ("chance of meeting the CIR target in the first 6 months live: 10%, needs 80% "
                           "(its CIRs on time in those months: 92%)")
    live = criterion_words("performance", 0.85, 0.9, 6, interval=(0.8, 0.9), live=True)
    assert live == "CIRs on time over the last 6 months 85.0% (95% interval 80.0% to 90.0%) vs at least 90%"


def test_hold_months_smooths_flicker_in_the_readiness_table() -> None:
    flicker = [True, False, True, True, True, False, True]
    assert _held(flicker, 1) == flicker
    assert _held(flicker, 3) == [True, False, False, False, True, False, False]


def test_hold_months_is_a_scenario_setting_that_delays_the_earliest_ready_month() -> None:
    base = scenario_dict(horizon_months=12, replications=1,
                         areas=[{"name": "Lateshire", "go_live": "2026-07-06",
                                 "partnerships": {"idva": "2026-04-01", "local_authority": "2026-04-01",
                                                  "police": "2026-09-16"}}])
    one = cfc_sim.run(config(base)).readiness
    held = cfc_sim.run(config(dict(base, readiness={**base["readiness"], "hold_months": 3}))).readiness
    assert earliest_ready(one)["Lateshire"] == "2026-10"
    assert earliest_ready(held)["Lateshire"] == "2026-12"  # partnerships must hold three reviews in a row


def test_a_worker_replication_loads_neither_pandas_nor_matplotlib(tmp_path: Path) -> None:
    """What a worker process does: unpickle the scenario, import the model, run one replication."""
    pickled = tmp_path / "config.pickle"
    pickled.write_bytes(pickle.dumps(_scenario()))
    code = ("import pickle, sys\n"
            "from cfc_sim.model import simulate\n"
            "import cfc_sim.readiness, cfc_sim.uncertainty\n"
            f"simulate(pickle.loads(open({str(pickled)!r}, 'rb').read()), 0, False)\n"
            "bad = sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules)\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_performance_window_judges_each_replication_from_its_own_go_live() -> None:
    """Replication 0 goes live in month 1, replication 1 in month 2; each is judged on its own first
    two months live (missing months count as no CIRs; a NaN share with no CIRs is no CIR on time)."""
    import math

    import pandas as pd

    from cfc_sim.readiness_view import performance_window

    labels = ["2026-04", "2026-05", "2026-06", "2026-07"]
    rows = []
    for rep, live_from, filed, on_time in ((0, 1, [0, 10, 10, 10], [math.nan, 1.0, 0.8, 0.0]),
                                           (1, 2, [5, 5, 0, 20], [1.0, 1.0, math.nan, 0.5])):
        for k, label in enumerate(labels):
            rows += [(rep, "Northshire", label, "live_areas", float(k >= live_from)),
                     (rep, "Northshire", label, "cirs_filed", float(filed[k])),
                     (rep, "Northshire", label, "cir_on_time_share", on_time[k])]
    rows.append((2, "Northshire", "2026-04", "cirs_filed", 3.0))  # never live: not judged
    series = pd.DataFrame(rows, columns=["replication", "area", "month", "metric", "value"])
    probability, share = performance_window(series, "Northshire", 2, labels, 0.85)
    # rep 0: months 1-2, 18 of 20 on time (90%: meets 85%); rep 1: months 2-3, 10 of 20 (50%: misses)
    assert probability == 0.5
    assert share == (18 + 10) / 40
    assert all(math.isnan(v) for v in performance_window(series, "Southshire", 2, labels, 0.85))


@pytest.mark.parametrize("replications", [1, 2, 7, 8, 9, 17, 30, 129])
def test_column_means_are_bit_for_bit_the_means_taken_column_by_column(replications: int) -> None:
    """readiness takes each month's mean across replications in one call; numpy sums a column of
    more than eight values pairwise, so the one call must add them in the same order."""
    from cfc_sim.readiness_view import _column_nanmeans

    rng = np.random.default_rng(replications)
    values = rng.lognormal(0, 3, size=(replications, 40)) * rng.choice([1.0, -1.0], size=(replications, 40))
    values[rng.random(values.shape) < 0.1] = np.nan
    values[:, 0] = np.nan  # a month with no data in any replication
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the all-nan month
        one_by_one = np.array([np.nanmean(values[:, j]) for j in range(values.shape[1])])
        together = _column_nanmeans(values)
    assert np.array_equal(one_by_one, together, equal_nan=True)
    assert one_by_one.tobytes() == together.tobytes()


def test_an_area_live_before_the_run_has_no_ready_month_or_slip_in_any_month(
        varied: tuple[Path, RunResult], capsys: pytest.CaptureFixture[str]) -> None:
    """`readiness --month` judges a live area on its CIRs, but it has no go-live to be ready for: no
    ready month and no slip, as at its planned month (it said '+N months' from its 2025 go-live)."""
    run_dir, result = varied
    livesey = result.config.area("Livesey")
    for month in sorted(result.readiness["month"].unique()):
        view = status_at(result.readiness, result.config, livesey, month)
        assert (view.ready_text, view.slip_months) == ("already live", None), month
        code, out, _ = invoke(["readiness", str(run_dir), "--month", month], capsys)
        assert code == 0 and "month" not in _cli_line(out, "Livesey").split("already live")[1]


@pytest.mark.parametrize("name", ["outdir", "heat.csv", "heat.pdf"])
def test_readiness_out_that_is_not_a_png_is_refused_before_the_table(
        name: str, varied: tuple[Path, RunResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The heatmap is a PNG: another name was an internal error after the table was printed."""
    run_dir, _ = varied
    code, out, err = invoke(["readiness", str(run_dir), "--out", str(tmp_path / name)], capsys)
    assert code == 2 and "--out" in err and ".png" in err and "internal error" not in err
    assert out == "" and not (tmp_path / name).exists()


def test_went_live_gives_a_date_some_run_went_live_on_with_the_range_when_runs_differ() -> None:
    """Under the readiness gate each run goes live on its own day: the mean of 188, 214, 214 and 487
    days was a Saturday no run went live on. The table gives the median run's day, the range and how
    many runs went live; under the planned policy (all runs alike), the date alone."""
    import pandas as pd

    from cfc_sim.at_risk import _gated
    from cfc_sim.readiness_view import went_live

    scenario = _varied()  # the readiness policy
    rows = [(r, "Lateshire", "all", "go_live_day", day) for r, day in enumerate([188.0, 214.0, 214.0, 487.0])]
    rows += [(r, "Wobbleton", "all", "go_live_day", 159.0) for r in range(4)]
    replications = pd.DataFrame(rows, columns=["replication", "area", "pathway", "metric", "value"])
    went = went_live(replications, scenario)
    assert went["Lateshire"] == "2026-11-01 (median of 4 of 4 runs; 2026-10-06 to 2027-08-01)"
    assert went["Wobbleton"] == "2026-09-07" and went["Livesey"] == "not within the horizon"
    planned = scenario.model_copy(update={"header": scenario.header.model_copy(update={
        "readiness": scenario.header.readiness.model_copy(update={"policy": "planned"})})})
    assert "the readiness gate took it live in 75% of runs" in _gated(scenario, {"go_live_day": (200.0,) * 3,
                                                                                 "live_at_end": (0.75,) * 3})
    assert _gated(planned, {"go_live_day": (200.0,) * 3}) == ""  # the planned policy: nothing to add


def test_a_live_area_is_judged_on_performance_only_once_it_has_a_full_window_of_cirs() -> None:
    """In its first weeks live an area files only the CIRs finished soonest, nearly all on time: judged
    on them, an area that went live short of staff showed green the month after its go-live. A month
    is judged on performance only once the area has been live for the whole `performance_months`
    before it; until then, as at its go-live, on readiness (the `live` column says which)."""
    scenario = config(scenario_dict(
        horizon_months=10, replications=2, readiness__performance_months=3,
        areas=[{"name": "Early", "go_live": "2026-05-04"},  # run month 1
               {"name": "Before", "go_live": "2026-02-02"}]))  # two months before the run starts
    frame = cfc_sim.run(scenario).readiness
    overall = frame[frame["criterion"] == "overall"]
    live = {area: [bool(v) for v in rows.sort_values("month")["live"]] for area, rows in overall.groupby("area")}
    assert live["Early"] == [False] * 4 + [True] * 6  # the go-live month, then 3 months to fill the window
    assert live["Before"] == [False] + [True] * 9  # live 2 months at the start: a full window after one more
    performance = frame[(frame["criterion"] == "performance") & (frame["area"] == "Early")].sort_values("month")
    target = scenario.header.targets.cir_on_time_share
    assert (performance["threshold"].iloc[4:] == target).all()  # judged on the CIR target once live long enough
    assert performance["ci_low"].iloc[1:4].isna().all()  # before that, the forecast of the first months live
    # a go-live on the 1st makes its month a live one: live 3 whole months by the run's first month
    on_first = config(scenario_dict(horizon_months=3, replications=1, readiness__performance_months=3,
                                    areas=[{"name": "First", "go_live": "2026-01-01"}]))
    rows = cfc_sim.run(on_first).readiness
    assert [bool(v) for v in rows[rows["criterion"] == "overall"].sort_values("month")["live"]] == [True] * 3
    # with a one-month window the rule is the old one: live at the start (on the run's first day too)
    # is judged on performance from the first month, a go-live in the run from the month after it
    one = config(scenario_dict(horizon_months=4, replications=1, readiness__performance_months=1,
                               areas=[{"name": "Start", "go_live": "2026-04-01"},
                                      {"name": "In", "go_live": "2026-05-04"}]))
    rows = cfc_sim.run(one).readiness
    overall = rows[rows["criterion"] == "overall"]
    live = {area: [bool(v) for v in r.sort_values("month")["live"]] for area, r in overall.groupby("area")}
    assert live == {"Start": [True] * 4, "In": [False, False, True, True]}


def test_the_months_after_a_go_live_say_they_are_judged_on_readiness_until_a_full_window(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`readiness --area`: a month after the go-live but before a full window of CIRs is not called
    'readiness to go live' (the area is live), but says why it is not judged on its CIRs yet."""
    scenario = config(scenario_dict(horizon_months=8, replications=1, readiness__performance_months=3,
                                    areas=[{"name": "Early", "go_live": "2026-05-04"}]))
    cfc_sim.run(scenario, out=tmp_path / "run")
    code, out, _ = invoke(["readiness", str(tmp_path / "run"), "--area", "Early"], capsys)
    assert code == 0
    judged = {line.split("│")[1].strip(): line.split("│")[3].strip() for line in out.splitlines()
              if line.startswith("│ 2026")}
    assert judged["2026-04"] == judged["2026-05 *"] == "readiness to go live"
    assert judged["2026-06"] == judged["2026-07"] == "readiness (not yet live 3 months)"
    assert judged["2026-08"] == "its CIRs on time (live)"  # June to August: three whole months live


def test_an_amber_month_with_nothing_failing_names_what_is_not_yet_certain() -> None:
    """`readiness --area`'s month table: an amber month had read "failing: none" (a trial found it
    contradicting its colour); it now names the criterion that passes but not yet certainly."""
    from cfc_sim.cli.results import failing_cell
    from cfc_sim.readiness_view import AreaStatus

    def status(failing: tuple[str, ...], uncertain: tuple[str, ...], live: bool) -> AreaStatus:
        return AreaStatus(area="A", region="", planned="2026-10-06", month="2029-08", status="amber",
                          failing=(), failing_criteria=failing, codes="", go_live=False, note="", earliest_ready=None,
                          uncertain_criteria=uncertain, live=live)

    assert failing_cell(status((), ("performance",), True)) == "none failing; not yet certain: CIRs on time"
    assert failing_cell(status(("vacancy",), ("stability",), False)) == (
        "vacancy rate; not yet certain: staff stability (turnover)")
    assert failing_cell(status((), (), False)) == "none"


def test_a_go_live_too_late_for_the_whole_performance_window_says_how_many_months_it_is_judged_on() -> None:
    """Central London goes live four months before the run ends: its chance of meeting the CIR target
    was worded as over "the first 6 months live" (found by a newcomer's trial)."""
    from cfc_sim.readiness_view import criterion_words

    short = criterion_words("performance", 0.0, 0.8, 6, confidence=0.8, on_time=0.63, months_in_run=4)
    assert short.startswith("chance of meeting the CIR target in its first 4 months live (the run ends then; "
                            "the rule asks for 6): 0%")
    whole = criterion_words("performance", 0.0, 0.8, 6, confidence=0.8, on_time=0.63, months_in_run=30)
    assert whole.startswith("chance of meeting the CIR target in the first 6 months live: 0%")


def test_the_months_live_in_the_run_are_counted_only_where_every_run_goes_live_on_the_planned_date() -> None:
    from cfc_sim.readiness_view import months_live_in_run

    data = scenario_dict(horizon_months=24, areas=[{"name": "Late", "go_live": "2027-12-06"}])
    assert months_live_in_run(config(data), "Late") == 4  # 2026-04 + 24 months: Dec, Jan, Feb, Mar
    data["readiness"] = {**data.get("readiness", {}), "policy": "readiness"}
    assert months_live_in_run(config(data), "Late") is None  # each run has its own go-live
