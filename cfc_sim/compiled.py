"""Which model code runs: the compiled build of the model (mypyc) when it was built from exactly
these sources, else the pure-Python modules.

`pip install -e .` compiles the model's hot modules (`cfc_sim/model/*.py`, `cfc_sim/metrics.py`)
with mypyc into C extensions beside them, about twice as fast for the same numbers (the sources
are the same code; `benchmarks/check_identity.py` and a test check that both give identical
results). An extension module would shadow its source, so an edited source would silently run the
old compiled code: `setup.py` records a digest of the sources it compiled, and when they no longer
match (or `CFC_SIM_PURE_PYTHON=1`) a finder makes Python import the sources instead. No compiler,
no build: the pure modules run, slower.

Imports only the standard library: `setup.py` loads this file on its own to compute the digest.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parent
DIGEST_FILE = PACKAGE_DIR / "model" / "compiled_from.sha256"
PURE_ENV = "CFC_SIM_PURE_PYTHON"


def compiled_sources(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The modules mypyc compiles: the model (the event loop's code) and its streaming statistics."""
    model = sorted(p for p in (package_dir / "model").glob("*.py") if p.name != "__init__.py")
    return [*model, package_dir / "metrics.py"]


def sources_digest(paths: Sequence[Path], package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 of the sources' names and bytes: what the compiled build was made from."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts)


def _extension_beside(source: Path) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_suffix(suffix)
        if candidate.exists():
            return candidate
    return None


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Imports the listed modules from their `.py` files, ahead of the extension beside them."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        return None if source is None else importlib.util.spec_from_file_location(fullname, source)


def decide(package_dir: Path = PACKAGE_DIR, pure_env: str = "") -> tuple[str, dict[str, Path]]:
    """Which build runs, and the modules to import from source (none when the compiled build runs)."""
    sources = compiled_sources(package_dir)
    built = {_module_name(p, package_dir): p for p in sources if _extension_beside(p) is not None}
    if not built:
        return "pure Python (no compiled build)", {}
    if pure_env not in ("", "0"):
        return f"pure Python ({PURE_ENV} is set)", built
    digest_file = package_dir / DIGEST_FILE.relative_to(PACKAGE_DIR)
    recorded = digest_file.read_text().strip() if digest_file.exists() else ""
    if len(built) == len(sources) and recorded == sources_digest(sources, package_dir):
        return "compiled (mypyc)", {}
    # all or none: compiled modules call each other natively, so one stale module sends all to source
    return "pure Python (the compiled build is not of these sources: rerun pip install -e .)", built


@functools.cache
def choose_build() -> str:
    """Decide once a process, before any model module is imported, which build runs; returns what runs."""
    build, from_source = decide(PACKAGE_DIR, os.environ.get(PURE_ENV, ""))
    if from_source:
        sys.meta_path.insert(0, _SourceFinder(from_source))
    return build


def model_build() -> str:
    """What runs: "compiled (mypyc)" or "pure Python (why)" (for the manifest and --version)."""
    return choose_build()
