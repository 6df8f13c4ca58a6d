"""The compiled model (mypyc, `cfc_sim/compiled.py`): it runs only when built from exactly these
sources, `CFC_SIM_PURE_PYTHON=1` turns it off, and it gives the same numbers as the pure modules."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cfc_sim
from cfc_sim.compiled import PURE_ENV, compiled_sources, decide, sources_digest

ROOT = Path(__file__).resolve().parents[1]


def _fake_package(tmp_path: Path, *, built: bool, digest: str | None) -> Path:
    package = tmp_path / "cfc_sim"
    (package / "model").mkdir(parents=True)
    for name in ("model/__init__.py", "model/area.py", "model/court.py", "metrics.py"):
        (package / name).write_text(f"# {name}\n")
    if built:
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        for name in ("model/area", "model/court", "metrics"):
            (package / (name + suffix)).write_bytes(b"")
    if digest is not None:
        (package / "model" / "compiled_from.sha256").write_text(digest + "\n")
    return package


def test_the_compiled_build_runs_only_when_made_from_these_sources(tmp_path: Path) -> None:
    package = _fake_package(tmp_path / "a", built=True, digest=None)
    digest = sources_digest(compiled_sources(package), package)
    assert [p.name for p in compiled_sources(package)] == ["area.py", "court.py", "metrics.py"]

    build, from_source = decide(_fake_package(tmp_path / "b", built=True, digest=digest))
    assert build == "compiled (mypyc)" and from_source == {}

    stale = _fake_package(tmp_path / "c", built=True, digest=digest)
    (stale / "model" / "court.py").write_text("# edited since the build\n")
    build, from_source = decide(stale)
    assert build.startswith("pure Python (the compiled build is not of these sources")
    assert sorted(from_source) == ["cfc_sim.metrics", "cfc_sim.model.area", "cfc_sim.model.court"]  # all, not one

    build, from_source = decide(_fake_package(tmp_path / "d", built=True, digest=digest), pure_env="1")
    assert build == f"pure Python ({PURE_ENV} is set)" and len(from_source) == 3

    assert decide(_fake_package(tmp_path / "e", built=False, digest=None)) == ("pure Python (no compiled build)", {})


def test_pure_python_is_imported_from_source_when_asked() -> None:
    code = "import cfc_sim, cfc_sim.model.area as a, cfc_sim.metrics as m; print(a.__file__); print(m.__file__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, PURE_ENV: "1"}).stdout.split()
    assert all(path.endswith(".py") for path in out), out


def _summary(pure: bool) -> list[list[object]]:
    code = ("import json, numbers, cfc_sim\n"
            "from cfc_sim.model import simulate\n"
            "config = cfc_sim.load_scenario('scenarios/example-small.yaml')\n"
            "out = simulate(config, 0, trace=True)\n"
            "real = lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool)\n"
            "number = lambda v: repr(float(v)) if real(v) else repr(v)\n"
            "print(json.dumps([cfc_sim.MODEL_BUILD, [[a, p, m, number(v)] for a, p, m, v in out.metrics],"
            " [[number(v) for v in row] for row in out.events]]))\n")
    env = {**os.environ, PURE_ENV: "1" if pure else "0"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.skipif(not cfc_sim.MODEL_BUILD.startswith("compiled"),
                    reason="no compiled build of these sources installed (pip install -e . makes one)")
def test_compiled_and_pure_models_give_identical_numbers() -> None:
    compiled, pure = _summary(pure=False), _summary(pure=True)
    assert compiled[0] == "compiled (mypyc)" and pure[0].startswith("pure Python")
    assert compiled[1] == pure[1]  # every metric, to the last bit
    assert compiled[2] == pure[2] and len(compiled[2]) > 1000  # every traced event


def test_the_manifest_names_the_build(tmp_path: Path) -> None:
    import datetime as dt

    from cfc_sim.manifest import build_manifest

    config = cfc_sim.load_scenario(ROOT / "scenarios" / "example-small.yaml")
    manifest = build_manifest(config, source=None, started=dt.datetime.now(dt.UTC), wall_seconds=0.0, command="x")
    assert manifest["model_build"] == cfc_sim.MODEL_BUILD
