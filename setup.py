"""Compiles the model's hot modules with mypyc (see `cfc_sim/compiled.py`); everything else about
the package is in `pyproject.toml`.

The extensions are optional: without a C compiler (or with `CFC_SIM_PURE_PYTHON=1`) the install
goes on and the pure-Python modules run, with the same numbers, about half as fast. Only a build
that made every extension records the digest of its sources, which is what lets them run.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def _compiled_module() -> Any:
    """`cfc_sim/compiled.py` on its own (the package's dependencies are not in the build env)."""
    spec = importlib.util.spec_from_file_location("_cfc_sim_compiled", HERE / "cfc_sim" / "compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildModel(build_ext):
    """Builds the extensions, then records the digest of the sources beside them if all were made."""

    def run(self) -> None:
        self.force = True  # an extension left from an earlier build must not pass for this one
        started = time.time()
        super().run()
        made = [Path(self.get_ext_fullpath(extension.name)) for extension in self.extensions]
        if made and all(path.exists() and path.stat().st_mtime >= started - 1 for path in made):
            compiled = _compiled_module()
            digest = compiled.sources_digest(compiled.compiled_sources(HERE / "cfc_sim"), HERE / "cfc_sim")
            target = Path(self.get_ext_fullpath("cfc_sim.model.hours")).parent / "compiled_from.sha256"
            target.write_text(digest + "\n")


def _ext_modules() -> list[Any]:
    if os.environ.get("CFC_SIM_PURE_PYTHON", "") not in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    sources = _compiled_module().compiled_sources(HERE / "cfc_sim")
    # the build env lacks the package's dependencies (matplotlib, pydantic...): their types are Any
    # there, so an ignore that `mypy cfc_sim` needs would be "unused" to mypyc
    options = ["--no-warn-unused-ignores"]
    extensions = mypycify([*options, *(str(p.relative_to(HERE)) for p in sources)],
                          group_name="cfc_sim.model.native", opt_level="3")
    for extension in extensions:
        extension.optional = True  # a failed compile leaves the pure-Python modules
    return list(extensions)


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": BuildModel})
