"""Shared helpers for the benchmark scripts (not a test module: nothing here is collected by pytest).

The M/M/c scenario below is a copy of `tests/scenario_factory.mmc_dict` (benchmarks do not import
from tests/): Poisson arrivals straight to a Cafcass CIR, exponential work, c = fcas x cap slots,
no intake delay, no decision wait, no turnover, sickness, training or flexible workforce.
"""

from __future__ import annotations

import copy
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
NATIONAL_YAML = REPO / "scenarios" / "national-rollout.yaml"

_BASE: dict[str, Any] = {
    "schema": 1,
    "name": "bench-mmc",
    "start": "2026-04-01",
    "horizon_months": 12,
    "warmup_months": 0,
    "replications": 1,
    "seed": 12345,
    "targets": {"cir_working_days": 40, "cir_on_time_share": 0.9, "children_seen_share": 0.75},
    "readiness": {
        "policy": "planned", "capacity_headroom": 1.1, "max_vacancy_rate": 0.1, "min_training_share": 0.95,
        "max_turnover_12m": 0.18, "performance_months": 6, "performance_confidence": 0.8,
    },
    "defaults": {
        "demand": {
            "applications_per_week": 70,
            "seasonality": [1.0] * 12,
            "annual_growth": 0.0,
            "children_per_case": {"dist": "shifted_poisson", "mean": 1.5},
            "domestic_abuse_share": 0.62,
            "high_risk_share": 0.0,
        },
        "cap": {
            "first_hearing_days": {"dist": "triangular", "low": 28, "mode": 42, "high": 70},
            "further_report_share": 0.4,
            "report_work_days": {"dist": "lognormal", "mean": 84, "sd": 21},
            "final_hearing_wait_days": {"dist": "lognormal", "mean": 180, "sd": 90},
        },
        "cfc": {
            "intake_days": 0,
            "cafcass_cir_share": 1.0,
            "la_cir_share": 0.0,
            "cir_work_days": {"dist": "exponential", "mean": 5},
            "decision_hearing_wait_days": 0,
            "second_report_share": 0.0,
            "second_report_work_days": {"dist": "lognormal", "mean": 42, "sd": 14},
        },
        "workforce": {
            "fcas": 10, "establishment": 10, "caseload_cap": 1, "annual_turnover": 0.0, "notice_days": 28,
            "time_to_hire_days": {"dist": "lognormal", "mean": 120, "sd": 40}, "hire_success": 0.9,
            "induction_days": 0, "induction_start_cap_share": 1.0,
            "sickness": {"episodes_per_year": 0, "episode_days": {"dist": "exponential", "mean": 7},
                         "reallocate_after_days": 28},
            "training": {"days": 0, "seats_per_month": 100, "trained_share_at_start": 1.0},
            "flexible": {"max_fte": 0, "trigger_queue": 30},
        },
        "prioritisation": {"activate_queue": 100000, "deactivate_queue": 0},
        "partnerships": {"idva": "2026-04-01", "local_authority": "2026-04-01", "police": "2026-04-01"},
    },
    "areas": [{"name": "Queue", "region": "Test", "go_live": "2020-01-01"}],
}


def mmc_dict(*, arrivals_per_day: float, work_mean_days: float, fcas: int, cap: int = 1,
             months: int = 60, seed: int = 12345) -> dict[str, Any]:
    """One area live on CFC from before the start: an M/M/c queue with c = fcas x cap slots."""
    data = copy.deepcopy(_BASE)
    data["horizon_months"] = months
    data["seed"] = seed
    data["defaults"]["demand"]["applications_per_week"] = arrivals_per_day * 7
    data["defaults"]["cfc"]["cir_work_days"] = {"dist": "exponential", "mean": work_mean_days}
    workforce = data["defaults"]["workforce"]
    workforce["fcas"] = workforce["establishment"] = fcas
    workforce["caseload_cap"] = cap
    return data


def national_dict(*, horizon_months: int | None = None, replications: int | None = None) -> dict[str, Any]:
    """The national default scenario file as a plain dict, optionally with a different horizon or
    replication count (the file has no `extends`, so the dict is complete)."""
    data = yaml.safe_load(NATIONAL_YAML.read_text(encoding="utf-8"))
    if "extends" in data:
        raise RuntimeError(f"{NATIONAL_YAML} uses extends: load it with cfc_sim.load_scenario instead")
    if horizon_months is not None:
        data["horizon_months"] = horizon_months
    if replications is not None:
        data["replications"] = replications
    return data


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, list[float], Any]:
    """Call fn `repeat` times; return (best seconds, all seconds, last result)."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def metric(output: Any, name: str, area: str = "ALL", pathway: str = "all") -> float | None:
    """One value from a ReplicationOutput's metric rows (None if the replication has no such row)."""
    for row_area, row_pathway, row_metric, value in output.metrics:
        if row_area == area and row_pathway == pathway and row_metric == name:
            return value
    return None


def machine_line() -> str:
    """One line naming the machine, so figures quoted from a run can be compared later."""
    import numpy
    import simpy

    load = f", 1-min load average {os.getloadavg()[0]:.2f} at start" if hasattr(os, "getloadavg") else ""
    return (f"python {platform.python_version()} ({platform.python_implementation()}), simpy {simpy.__version__}, "
            f"numpy {numpy.__version__}, {os.cpu_count()} CPUs, {platform.machine()} {platform.system()}{load}")


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children that have been waited for."""
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def cpu_share_note(cpu: float, wall: float, processes: int) -> str:
    """How much of `processes` cores this run got; well below 1 means other work shared the machine."""
    share = cpu / (wall * processes) if wall > 0 else 0.0
    note = "" if share >= 0.9 else " -- other work shared the CPUs: timings unreliable, rerun on a quiet machine"
    return f"CPU obtained: {cpu:.1f} CPU s in {wall:.1f} s wall on {processes} process(es) = {share:.0%} of them{note}"


def table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    """A plain left-aligned text table."""
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(value: float, goal: float, higher_is_better: bool) -> str:
    met = value >= goal if higher_is_better else value <= goal
    sign = ">=" if higher_is_better else "<="
    if met:
        return f"goal {sign} {goal:g}: MET"
    miss = (goal / value if higher_is_better else value / goal) if value else float("inf")
    return f"goal {sign} {goal:g}: NOT MET (off by a factor {miss:.2f})"
