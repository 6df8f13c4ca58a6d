"""Shared helpers for the benchmark scripts (not a test module: nothing here is collected by pytest).

The M/M/c scenario is `cfc_sim.scenario.examples.mmc_dict`: Poisson arrivals straight to a Cafcass
CIR, exponential work, c = fcas x cap slots, no intake delay, no decision wait, no turnover,
sickness, training or flexible workforce.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from cfc_sim.scenario import examples

REPO = Path(__file__).resolve().parent.parent
NATIONAL_YAML = REPO / "scenarios" / "national-rollout.yaml"  # the default: FCA hours and court listing
COURT_HOURS_YAML = NATIONAL_YAML  # the national hours + court scenario (since issue 24, the default itself)
SLOT_YAML = REPO / "benchmarks" / "national-slot.yaml"  # the old slot default, kept only as a reference

def mmc_dict(*, arrivals_per_day: float, work_mean_days: float, fcas: int, cap: int = 1,
             months: int = 60, seed: int = 12345) -> dict[str, Any]:
    """One area live on CFC from before the start: an M/M/c queue with c = fcas x cap slots."""
    data = examples.mmc_dict(arrivals_per_day=arrivals_per_day, work_mean_days=work_mean_days, fcas=fcas, cap=cap,
                             months=months, warmup_months=0, reps=1, seed=seed)
    data["name"] = "bench-mmc"
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


def scenario_config(path: Path, *, horizon_months: int | None = None, replications: int | None = None) -> Any:
    """A scenario file (its `extends` chain resolved) validated as `cfc_sim.load_scenario` does, optionally
    with a different horizon or replication count (set before validation, as if written in the file)."""
    from cfc_sim.scenario.loading import build_config
    from cfc_sim.scenario.reading import resolve_extends

    raw = resolve_extends(Path(path))
    if horizon_months is not None:
        raw["horizon_months"] = horizon_months
    if replications is not None:
        raw["replications"] = replications
    return build_config(raw, str(path), Path(path).parent)


def scenario_horizon(path: Path) -> int:
    """The horizon in months a scenario file sets (its `extends` chain resolved, not validated)."""
    from cfc_sim.scenario.reading import resolve_extends

    return int(resolve_extends(Path(path))["horizon_months"])


def write_override(path: Path, target: Path, **overrides: Any) -> Path:
    """Write `target`, a scenario file that `extends` the file `path` (absolute) with `overrides` (e.g.
    horizon_months=12), so a whole `cfc-sim run` can take a shorter variant of a shipped scenario."""
    data = {"schema": 1, "name": f"{Path(path).stem}-bench", "extends": str(Path(path).resolve()), **overrides}
    target.write_text(yaml.safe_dump(data), encoding="utf-8")
    return target


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def load_line() -> str:
    """The 1-minute load average now (for figures measured on a shared machine)."""
    return f"1-min load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "load average unknown"


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


def simulate_counting(config: Any, replication: int = 0, sample_every: int = 997) -> tuple[Any, int, float]:
    """`cfc_sim.model.simulate(config, replication)` with its SimPy events counted (by wrapping
    `Environment.step`, which costs a little: time another run for CPU figures), and the mean number
    of events pending, sampled every `sample_every` steps. Returns (output, events, mean pending)."""
    import simpy

    from cfc_sim.model import simulate

    counted = [0, 0, 0]  # events, pending summed over samples, samples
    step = simpy.Environment.step

    def counting_step(env: simpy.Environment) -> None:
        counted[0] += 1
        if counted[0] % sample_every == 0:
            counted[1] += len(env._queue)  # noqa: SLF001 - the heap's depth, sampled
            counted[2] += 1
        step(env)

    simpy.Environment.step = counting_step  # type: ignore[method-assign]
    try:
        output = simulate(config, replication)
    finally:
        simpy.Environment.step = step  # type: ignore[method-assign]
    return output, counted[0], counted[1] / max(counted[2], 1)


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
