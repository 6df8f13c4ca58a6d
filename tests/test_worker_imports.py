"""Pool workers import only what the model needs: no pandas, matplotlib, pyarrow, openpyxl, dask,
scipy or the YAML loader (issue 13). A worker (`cfc_sim.executor.WorkerPool`) starts a fresh
interpreter that imports `cfc_sim.executor`, takes the parent's `sys.path`, unpickles the task
(`cfc_sim.model.simulate` and a `ScenarioConfig`) and runs it: each of those is checked here in a
subprocess, by what is in `sys.modules` afterwards. The parent's main module is not imported
again in a worker (a task's function must be importable)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import cfc_sim

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "example-small.yaml"
HEAVY = ["pandas", "matplotlib", "pyarrow", "openpyxl", "dask", "distributed", "scipy", "yaml", "rich"]

_TASK = '''
import sys

HEAVY = {heavy!r}


def probe(config, replication):
    from cfc_sim.model import simulate

    simulate(config, replication, False)
    return [name for name in HEAVY if name in sys.modules]
'''

_PROBE = '''
import json, pickle, sys
from cfc_sim.cli import main  # as the cfc-sim console script does (the parent's, not the workers')
from probe_task import probe  # beside this script: found by the workers through the parent's sys.path

if __name__ == "__main__":
    from cfc_sim.executor import run_tasks

    with open(sys.argv[1], "rb") as handle:
        config = pickle.load(handle)
    print(json.dumps(run_tasks(probe, [(config, 0), (config, 1)], workers=2)))
'''


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = cfc_sim.load_scenario(SMALL).with_run_options(replications=2)
    path = tmp_path_factory.mktemp("worker") / "config.pkl"
    path.write_bytes(pickle.dumps(config))
    return path


def _python(code_or_script: list[str], cwd: Path) -> str:
    done = subprocess.run([sys.executable, *code_or_script], capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_worker_entry_point_and_running_a_replication_loads_no_heavy_module(
        config_file: Path) -> None:
    code = ("import json, pickle, sys\n"
            "import cfc_sim.executor, cfc_sim.model\n"
            f"config = pickle.loads(open({str(config_file)!r}, 'rb').read())\n"
            "cfc_sim.model.simulate(config, 0, False)\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n")
    assert json.loads(_python(["-c", code], config_file.parent)) == []


def test_pool_workers_load_no_heavy_module(config_file: Path) -> None:
    script = config_file.parent / "probe_main.py"
    script.write_text(_PROBE, encoding="utf-8")
    (config_file.parent / "probe_task.py").write_text(_TASK.format(heavy=HEAVY), encoding="utf-8")
    assert json.loads(_python([str(script), str(config_file)], config_file.parent)) == [[], []]


def test_the_probe_would_see_a_heavy_import(config_file: Path) -> None:
    """The check is not vacuous: the same subprocess does report pandas once something imports it."""
    code = f"import sys, cfc_sim.results\nprint({HEAVY!r}[0] in sys.modules)\n"
    assert _python(["-c", code], config_file.parent).strip() == "True"
