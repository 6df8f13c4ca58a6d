"""History matching, wave by wave (docs/calibrating.md).

Wave 1 runs a Latin hypercube over the space. After each wave an emulator is fitted per figure on
every point run so far; candidates drawn from a fresh Latin hypercube are kept where they are
non-implausible under every wave's emulators so far, and the next wave runs a choice of them.
After the last wave the same refocusing picks a final set of points, the check, which is run
too: every simulated point whose figures are all inside their bands and whose conditions all
hold is an accepted assumption set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cfc_sim.calibrate.design import (
    CANDIDATES,
    CHOICE,
    DESIGN,
    EMULATOR,
    choose,
    latin_hypercube,
    seed_int,
    stream,
    to_unit,
    to_values,
)
from cfc_sim.calibrate.emulator import Emulator, combined, fit_emulator, implausibility, replication_variance
from cfc_sim.calibrate.evaluate import ScenarioBase, load_bases, measure_of, settings_for, variant
from cfc_sim.calibrate.measure import run_point
from cfc_sim.calibrate.space import Space
from cfc_sim.errors import UserError
from cfc_sim.executor import run_tasks

Progress = Callable[[str, int, int], None]  # (stage, points finished, points in the stage)
Stage = Callable[[str], None]  # what the procedure does next between the simulated stages
MAX_CANDIDATE_BATCHES = 5  # more Latin hypercubes drawn while too few candidates survive


@dataclass
class Run:
    """One simulated assumption set: its stage, parameter values and each figure's replications."""

    wave: int
    stage: str  # "design" (waves 1..W) or "check" (after the last wave)
    values: np.ndarray  # every parameter, in the space's order
    figures: list[np.ndarray]  # per figure, one value per replication
    implausibility: float  # the combined implausibility predicted when it was chosen (NaN in wave 1)
    settings: dict[str, float] = field(default_factory=dict)  # the dotted settings it made (first scenario wins)

    @property
    def means(self) -> np.ndarray:
        return np.array([np.nanmean(v) if np.isfinite(v).any() else np.nan for v in self.figures])


@dataclass
class Wave:
    """What one wave did: points run, and the share of candidates non-implausible after it."""

    wave: int
    points_run: int
    candidates: int = 0
    non_implausible: int = 0

    @property
    def non_implausible_share(self) -> float:
        return self.non_implausible / self.candidates if self.candidates else float("nan")


@dataclass
class Calibration:
    """The whole procedure's outcome."""

    space: Space
    seed: int
    points: int
    waves: int
    runs: list[Run] = field(default_factory=list)
    wave_log: list[Wave] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def accepted(self) -> list[int]:
        """Runs whose figures are all in band and conditions all hold (indices into `runs`); a known
        gap is measured but does not decide."""
        return [i for i, run in enumerate(self.runs)
                if all(f.within(m) or not f.gates for f, m in zip(self.space.figures, run.means, strict=True))]


def run_calibration(space: Space, *, points: int | None = None, waves: int | None = None, seed: int | None = None,
                    workers: int = 1, scheduler: str | None = None,
                    progress: Progress = lambda stage, done, total: None,
                    on_stage: Stage = lambda text: None) -> Calibration:
    """Run the waves and the check; see the module's docstring."""
    clock = time.perf_counter()
    result = Calibration(space, space.seed if seed is None else seed, points or space.points, waves or space.waves)
    bases = load_bases(space)
    _check_corners(space, bases, result.seed)
    sampled = len(space.sampled)
    unit = latin_hypercube(result.points, sampled, stream(result.seed, DESIGN, 1))
    _simulate(result, bases, unit, np.full(len(unit), np.nan), 1, "design", workers, scheduler, progress)
    _check_measured(space, result.runs)
    history: list[tuple[list[Emulator], np.ndarray]] = []
    for wave in range(1, result.waves + 1):
        on_stage(f"after wave {wave}: fitting {len(space.figures)} emulators on {len(result.runs)} points, "
                 f"screening candidates")
        history.append(_fit(result))
        kept, scores, drawn = _screen(result, history, wave)
        result.wave_log[-1].candidates, result.wave_log[-1].non_implausible = drawn, len(kept)
        if len(kept) == 0:
            break
        chosen = choose(result.points, len(kept), stream(result.seed, CHOICE, wave))
        stage = "design" if wave < result.waves else "check"
        _simulate(result, bases, kept[chosen], scores[chosen], wave + 1, stage, workers, scheduler, progress)
    result.wall_seconds = time.perf_counter() - clock
    return result


def _check_corners(space: Space, bases: dict[str, ScenarioBase], seed: int) -> None:
    """Build every scenario at the space's two corners, so a bad key or value is named before any run."""
    for name, corner in (("low", np.zeros((1, len(space.sampled)))), ("high", np.ones((1, len(space.sampled))))):
        values = to_values(corner, space.parameters)[0]
        for base in bases.values():
            try:
                variant(base, settings_for(base, space.parameters, values), space.replications, seed)
            except UserError as exc:
                raise UserError(f"every parameter at its {name} end: {exc}", file=str(space.path),
                                key="parameters") from None


def _simulate(result: Calibration, bases: dict[str, ScenarioBase], unit: np.ndarray, scores: np.ndarray,
              wave: int, stage: str, workers: int, scheduler: str | None, progress: Progress) -> None:
    """Run the points (unit-cube rows) on every scenario, in parallel, and record them in order."""
    space = result.space
    values = to_values(unit, space.parameters)
    names = list(bases)
    measures = {s: [measure_of(f) for f in space.figures if f.scenario == s] for s in names}
    settings = [{s: settings_for(bases[s], space.parameters, row) for s in names} for row in values]
    tasks = [(variant(bases[s], made[s], space.replications, result.seed), measures[s])
             for made in settings for s in names]
    label = f"wave {wave}" if stage == "design" else "check"
    done = {"tasks": 0}

    def tick(i: int, output: object) -> None:
        done["tasks"] += 1
        if done["tasks"] % len(names) == 0:
            progress(label, done["tasks"] // len(names), len(values))

    progress(label, 0, len(values))
    outputs = run_tasks(run_point, tasks, workers=workers, scheduler=scheduler, on_result=tick)
    for p, row in enumerate(values):
        by_scenario = {s: iter(outputs[p * len(names) + k]) for k, s in enumerate(names)}
        figures = [np.asarray(next(by_scenario[f.scenario]), float) for f in space.figures]
        made = {s: settings_for(bases[s], space.parameters, row, every_area=True) for s in names}
        merged: dict[str, float] = {}
        for s in reversed(names):
            merged.update(made[s])
        ordered = {k: merged[k] for s in names for k in made[s]}
        result.runs.append(Run(wave, stage, row, figures, float(scores[p]), ordered))
    result.wave_log.append(Wave(wave, len(values)))


def _check_measured(space: Space, runs: Sequence[Run]) -> None:
    """A figure with no value at any point of wave 1 has a wrong metric, area or window."""
    for i, figure in enumerate(space.figures):
        if not any(np.isfinite(run.figures[i]).any() for run in runs):
            raise UserError(f"{figure.name!r}: no value at any point of wave 1 (is the metric "
                            f"{figure.target.metric!r} written for area {figure.target.area!r}, pathway "
                            f"{figure.target.pathway!r}, and the months inside the run?)", file=str(space.path))


def _fit(result: Calibration) -> tuple[list[Emulator], np.ndarray]:
    """Every figure's emulator on all runs so far, and its replication variance."""
    space = result.space
    unit = to_unit(np.array([run.values for run in result.runs]), space.parameters)
    emulators, variances = [], []
    for i, _ in enumerate(space.figures):
        y = np.array([run.means[i] for run in result.runs])
        emulator = fit_emulator(unit, y, seed_int(result.seed, EMULATOR, len(result.wave_log) * 1000 + i))
        reps = np.array([run.figures[i] for run in result.runs])
        var = replication_variance(reps) if space.replications > 1 else emulator.noise_variance
        emulators.append(emulator)
        variances.append(var)
    return emulators, np.array(variances)


def implausibilities(space: Space, emulators: Sequence[Emulator], var_replication: np.ndarray,
                     unit: np.ndarray) -> np.ndarray:
    """I(x) of every figure (columns) at unit-cube candidates (rows)."""
    columns = []
    for figure, emulator, var in zip(space.figures, emulators, var_replication, strict=True):
        if not figure.gates:  # a known gap rules nothing out
            columns.append(np.zeros(len(unit)))
            continue
        mean, var_em = emulator.predict(unit)
        columns.append(implausibility(figure.value, mean, var_em, figure.sd_observation ** 2, float(var)))
    return np.column_stack(columns)


def _screen(result: Calibration, history: Sequence[tuple[list[Emulator], np.ndarray]],
            wave: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Candidates non-implausible under every wave's emulators: (unit rows, their combined I under
    the latest wave, candidates drawn). More batches are drawn while fewer than `points` survive."""
    space = result.space
    kept, scores, drawn = [], [], 0
    for batch in range(MAX_CANDIDATE_BATCHES):
        unit = latin_hypercube(space.candidates, len(space.sampled), stream(result.seed, CANDIDATES,
                                                                             wave * 100 + batch))
        keep = np.ones(len(unit), bool)
        latest = np.zeros(len(unit))
        for emulators, var in history:
            latest = combined(implausibilities(space, emulators, var, unit), space.rule)
            keep &= latest < space.cutoff
        kept.append(unit[keep])
        scores.append(latest[keep])
        drawn += len(unit)
        if sum(len(k) for k in kept) >= result.points or not keep.any():
            break
    return np.concatenate(kept), np.concatenate(scores), drawn
