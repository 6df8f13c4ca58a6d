"""One readiness view: `readiness`, `report` and `rollout` give the same verdict in the same words."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import invoke
from scenario_factory import config, scenario_dict

import cfc_sim
from cfc_sim.experiment import run_replications
from cfc_sim.model.simulation import make_calendar
from cfc_sim.readiness_view import NO_STATUS, area_statuses, status_at
from cfc_sim.report.views import monthly_status, readiness_overview
from cfc_sim.results import RunResult
from cfc_sim.results_reader import read_results
from cfc_sim.rollout import _Area, _blockers

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


@pytest.mark.parametrize("month", ["2026-05", "2026-07", "2026-10"])
def test_cli_report_and_rollout_agree_in_a_month(month: str, run_dir: Path, result: RunResult,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(["readiness", str(run_dir), "--month", month, "--out", str(run_dir.parent / "h.png")],
                          capsys)
    assert code == 0
    area = result.config.areas[0]
    view = status_at(result.readiness, result.config, area, month)
    assert view.status in ("green", "amber", "red")
    assert view.status in _cli_line(out, area.name)
    grid = monthly_status(result, [month])[(area.name, month)]
    assert (grid.status, grid.failing) == (view.status, list(view.failing))
    # rollout's step 2 judges each replication at the month with the same view: one replication,
    # same seed and policy, so its failing workforce criteria are the view's.
    scenario = _scenario()
    calendar = make_calendar(scenario)
    outputs = run_replications(scenario, range(1))
    planned = next(d for d in range(int(calendar.horizon_days))
                   if calendar.month_labels[calendar.month_index(d)] == month)
    names, text = _blockers(scenario, calendar, outputs, [_Area(config=area, planned_day=float(planned))])[area.name]
    workforce = [c for c in view.failing_criteria if c not in ("partnerships", "performance")]
    assert names == workforce
    for words in view.failing:
        if words.split(" ")[0] in ("capacity:", "vacancy", "CFC-trained"):
            assert words.split(" vs ")[0] in text or len(names) > 2


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
