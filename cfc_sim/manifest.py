"""manifest.json of an output folder, built in one place: the scenario (name, sha256, source), seed,
replications, the model's mechanisms by area, the versions that made it, when (UTC) and how long,
and the command that reproduces it.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from cfc_sim.compiled import model_build
from cfc_sim.results_files import MANIFEST_JSON
from cfc_sim.scenario.resolved import scenario_sha256
from cfc_sim.scenario.schema import ScenarioConfig
from cfc_sim.version import __version__


def utc_now() -> dt.datetime:
    """Now, in UTC: every time a manifest records is UTC."""
    return dt.datetime.now(dt.UTC)


def calibration_line(config: ScenarioConfig) -> str:
    """One line naming the calibration the scenario's assumptions come from ('' if it names none)."""
    note = config.header.calibration
    if note is None:
        return "not stated: the scenario names no calibration"
    parts = [f"version {note.version}"]
    if note.procedure:
        parts.append(f"rerun with cfc-sim calibrate {note.procedure}")
    if note.fit:
        parts.append(note.fit)
    return "; ".join(parts)


def build_manifest(config: ScenarioConfig, *, source: str | None, started: dt.datetime, wall_seconds: float,
                   command: str, **fields: Any) -> dict[str, Any]:
    """The manifest of a folder made from `config` (`fields`, the kind's own, follow the replications),
    finished now."""
    return {
        "scenario_name": config.name,
        "scenario_sha256": scenario_sha256(config),
        "scenario_source": source,
        "seed": config.seed,
        "replications": config.replications,
        "mechanisms": config.mechanisms(),  # how FCAs work and hearings are listed -> the areas
        "calibration": calibration_line(config),  # what the unpublished assumptions rest on
        **fields,
        "cfc_sim_version": __version__,
        "model_build": model_build(),  # compiled (mypyc) or pure Python: the same numbers, at different speeds
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        "started": started.isoformat(timespec="seconds"),
        "finished": utc_now().isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "command": command,
    }


def write_manifest(folder: Path, body: dict[str, Any]) -> None:
    """`folder`/manifest.json (inside a folder being written atomically)."""
    (folder / MANIFEST_JSON).write_text(json.dumps(body, indent=2, default=str) + "\n", encoding="utf-8")
