"""The one disk cache of simulation outputs (plan evaluations, rollout runs, sensitivity points).

An entry is keyed by what determines the numbers: the resolved variant scenario (its sha256),
the seed, the replications, the code version (a hash of the package's source, so editing the
model never serves stale numbers) and what was kept of the run (`purpose`). Entries are written
atomically (`cfc_sim.output_folder.write_file`) and sealed: the file holds its own key and the
SHA-256 of its value, so an entry cut short, edited, or copied under another entry's name is
recomputed (and named in `rejected`), never served. An entry that cannot be read, is not valid JSON,
was written before sealing or fails the caller's shape check is recomputed too, never a crash.
"""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cfc_sim.kept import cached
from cfc_sim.output_folder import write_file
from cfc_sim.scenario.resolved import scenario_sha256
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.seal import FolderWarning

MAX_ENTRY_BYTES = 64 * 1024 * 1024  # an entry larger than any the tool writes is not read
RUN_KEY = "run"  # the purpose of a whole run's results folder (a sweep variant's manifest `cache_key`)


@functools.cache
def code_version() -> str:
    """sha256 (first 12 hex digits) of the package's Python sources, in path order."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run_key(config: ScenarioConfig, purpose: str) -> str:
    """The cache key of `config`'s replications kept for `purpose` (a short word: plan, rollout, ...)."""
    return f"{purpose}-{scenario_sha256(config)[:20]}-{config.seed}-{config.replications}-{code_version()}"


class Cache:
    """JSON values on disk under `folder` (nothing on disk when None) and in memory."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.memory: dict[str, Any] = {}
        self.rejected: list[Path] = []  # entries on disk that failed their seal (and were recomputed)

    def _path(self, key: str) -> Path | None:
        return self.folder / f"{key}.json" if self.folder is not None else None

    def get(self, key: str, valid: Callable[[Any], bool] = lambda value: True) -> Any | None:
        """The stored value, or None when absent, unreadable, corrupt or failing `valid`."""
        if key in self.memory:
            return self.memory[key]
        path = self._path(key)
        if path is None:
            return None
        try:
            if not path.is_file() or path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(path.read_text(encoding="utf-8"))
            value = _unsealed(entry, key)
            if value is _BROKEN:
                self.rejected.append(path)
                warnings.warn(f"{path}: cache entry is not the one cfc-sim sealed (cut short, edited, another "
                              "entry's, or from before sealing); it is recomputed", FolderWarning, stacklevel=2)
                return None
            if not valid(value):
                return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # corrupt or unreadable: compute again (and overwrite it)
        self.memory[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        """Store `value` (JSON; NaN must already be None) in memory and atomically on disk."""
        self.memory[key] = value
        path = self._path(key)
        if path is None:
            return
        text = json.dumps({"key": key, "sha256": _digest(value), "value": value}, sort_keys=True, allow_nan=False)
        write_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        cached(path.parent)  # an interruption says a rerun reuses it


_BROKEN = object()


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, allow_nan=False).encode()).hexdigest()


def _unsealed(entry: Any, key: str) -> Any:
    """The value of a sealed entry of `key`, or `_BROKEN` (another key's entry, an edited value, an
    entry from before sealing)."""
    if not isinstance(entry, dict) or set(entry) != {"key", "sha256", "value"} or entry["key"] != key:
        return _BROKEN
    if _digest(entry["value"]) != entry["sha256"]:
        return _BROKEN
    return entry["value"]


def number_list(value: Any) -> bool:
    """Shape check: a list of numbers or None (NaN)."""
    return isinstance(value, list) and all(v is None or (isinstance(v, int | float) and not isinstance(v, bool))
                                           for v in value)


def lists_by_name(value: Any) -> bool:
    """Shape check: {name: list of numbers or None}."""
    return isinstance(value, dict) and all(isinstance(k, str) and number_list(v) for k, v in value.items())
