"""Global sensitivity (DESIGN 7): which inputs drive the CIR on-time share and the readiness dates.

Each `--param KEY=LOW:HIGH` is a dotted scenario key (as in sweeps) varied over a range. A design
(Morris trajectories, or Saltelli samples for Sobol indices, drawn with SALib from a generator
seeded by the scenario seed) lists the points; each point is the scenario with those settings,
run for R replications with the SAME seed at every point (common random numbers), so output
differences between points come from the inputs, not from the dice. Outputs per point:

- `cir_on_time_share`: England's (ALL/all) CIR on-time share, the mean over replications;
- `earliest_ready_month:<area>`: for each area not live at the start, its ready month (index from
  the run start): the first month on or after its planned go-live month in which readiness
  criteria 1-5 all pass (`cfc_sim.readiness_view.earliest_ready`, the one definition every view
  shows); never ready within the run counts as the horizon.

Morris gives mu_star (mean absolute elementary effect: the output's change over a low-to-high
step, in the output's units) and sigma (its spread: interactions or non-linearity); Sobol gives
first-order S1 and total ST indices (shares of the output's variance) with confidence intervals.
Keys whose scenario field is a whole number (caseload_cap, fcas, establishment, seats_per_month,
activate_queue, ...) get rounded values; so do keys the schema does not type when both bounds are
whole numbers. Every point's outputs are cached on disk by the variant's resolved-scenario
sha256, seed and replications, so an interrupted or repeated analysis resumes.
"""

from __future__ import annotations

import math
import typing
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from cfc_sim.cache import Cache, run_key
from cfc_sim.calendar import SimCalendar
from cfc_sim.errors import UserError
from cfc_sim.executor import run_tasks
from cfc_sim.experiment import run_scenario
from cfc_sim.metric_catalogue import CIR_OUTPUT, NATIONAL, READY_MEAN, READY_PREFIX, whole_run_name
from cfc_sim.output_folder import write_folder
from cfc_sim.readiness_view import earliest_ready
from cfc_sim.safe_text import csv_safe
from cfc_sim.scenario.keys import parse
from cfc_sim.scenario.reading import resolve_extends
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig, ScenarioHeader
from cfc_sim.scenario.variants import build_variant, parse_value
from cfc_sim.suggest import check_area

METHODS = ("morris", "sobol")
MORRIS_LEVELS = 4
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
DEFAULT_REPS = 2
MORRIS_COLUMNS = ["output", "param", "method", "mu_star", "mu_star_conf", "sigma", "rank"]
SOBOL_COLUMNS = ["output", "param", "method", "S1", "S1_conf", "ST", "ST_conf", "rank"]

PointDone = Callable[[int, int, bool], None]  # (points finished, total, reused from cache)


@dataclass(frozen=True)
class Param:
    """One varied input: a dotted scenario key and its range; `integer` rounds sampled values."""

    key: str
    low: float
    high: float
    integer: bool

    def value(self, x: float) -> int | float:
        if self.integer:
            return int(math.floor(float(x) + 0.5))
        return float(x)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _schema_is_int(key: str) -> bool | None:
    """Whether the scenario field at `key` holds whole numbers (None: the schema does not say)."""
    parsed = parse(key)
    model: Any
    if parsed.area is not None:
        model, rest = AreaConfig, list(parsed.path)
    elif parsed.path[0] == "defaults":
        model, rest = AreaConfig, list(parsed.path[1:])
    elif parsed.path[0] == "regions" and len(parsed.path) > 2:  # regions.<name>.<area key>
        model, rest = AreaConfig, list(parsed.path[2:])
    else:
        model, rest = ScenarioHeader, list(parsed.path)
    annotation: Any = None
    for i, part in enumerate(rest):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        if i < len(rest) - 1:
            model = annotation
    if annotation is None:
        return None
    options = typing.get_args(annotation) or (annotation,)
    kinds = [o for o in options if o is not type(None)]
    if kinds and all(o is int for o in kinds):
        return True
    if any(o is float for o in kinds):
        return False
    return None


def parse_param(text: str) -> Param:
    """`KEY=LOW:HIGH` into a Param (numbers, LOW < HIGH); UserError on anything else."""
    key, sep, span = text.partition("=")
    key = key.strip()
    low_text, colon, high_text = span.partition(":")
    if not sep or not key or not colon or not low_text.strip() or not high_text.strip():
        raise UserError(f"expected KEY=LOW:HIGH, got {text!r}", key="--param")
    low, high = parse_value(low_text.strip()), parse_value(high_text.strip())
    if not (_is_number(low) and _is_number(high)):
        raise UserError(f"{key}: LOW and HIGH must be numbers, got {low_text.strip()!r} and {high_text.strip()!r}",
                        key="--param")
    if low >= high:
        raise UserError(f"{key}: LOW ({low}) must be less than HIGH ({high})", key="--param")
    typed = _schema_is_int(key)
    integer = typed if typed is not None else (isinstance(low, int) and isinstance(high, int))
    if integer and math.floor(high + 0.5) - math.floor(low + 0.5) < 1:
        raise UserError(f"{key} takes whole numbers: the range {low}:{high} holds fewer than two", key="--param")
    return Param(key, float(low), float(high), integer)


def parse_params(texts: Sequence[str]) -> list[Param]:
    params = [parse_param(t) for t in texts]
    if not params:
        raise UserError("give at least one --param KEY=LOW:HIGH", key="--param")
    keys = [p.key for p in params]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise UserError(f"{repeated[0]} is given more than once", key="--param")
    return params


def _problem(params: Sequence[Param]) -> dict[str, Any]:
    return {"num_vars": len(params), "names": [p.key for p in params], "bounds": [[p.low, p.high] for p in params]}


def _seeds(seed: int) -> tuple[int, int]:
    """Two non-zero seeds (design, analysis) derived from the run seed."""
    state = np.random.SeedSequence([seed, 0x5E45]).generate_state(2, dtype=np.uint32)
    return int(state[0]) or 1, int(state[1]) or 1


def _salib() -> None:
    try:
        import SALib  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the install
        raise UserError("sensitivity needs SALib: pip install 'cfc-sim[sensitivity]'") from None


def design(params: Sequence[Param], method: str, samples: int, seed: int) -> np.ndarray:
    """The design matrix (one row per point, in parameter units, before rounding); deterministic in seed."""
    _salib()
    problem = _problem(params)
    design_seed, _ = _seeds(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Sobol' balance notes when N is not a power of 2
        if method == "morris":
            from SALib.sample import morris

            return np.asarray(morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=design_seed), float)
        if method == "sobol":
            try:
                from SALib.sample import sobol as saltelli
            except ImportError:  # pragma: no cover - SALib before 1.4.6 names it saltelli
                from SALib.sample import saltelli

            return np.asarray(saltelli.sample(problem, samples, calc_second_order=False, seed=design_seed), float)
    raise UserError(f"unknown method {method!r} (morris or sobol)", key="--method")


def analyse(params: Sequence[Param], method: str, matrix: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Indices of one output: a row per parameter (NaN when the output is missing at some point)."""
    _salib()
    problem = _problem(params)
    _, analysis_seed = _seeds(seed)
    names = [p.key for p in params]
    y = np.asarray(y, dtype=float)
    nan = [math.nan] * len(params)
    if method == "morris":
        if not np.isfinite(y).all():
            return pd.DataFrame({"param": names, "mu_star": nan, "mu_star_conf": nan, "sigma": nan})
        from SALib.analyze import morris

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = morris.analyze(problem, matrix, y, num_levels=MORRIS_LEVELS, num_resamples=1000,
                                conf_level=0.95, seed=analysis_seed)
        return pd.DataFrame({"param": names, "mu_star": np.asarray(si["mu_star"], float),
                             "mu_star_conf": np.asarray(si["mu_star_conf"], float),
                             "sigma": np.asarray(si["sigma"], float)})
    if not np.isfinite(y).all():
        return pd.DataFrame({"param": names, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan})
    if np.ptp(y) == 0:  # a constant output depends on nothing
        zero = [0.0] * len(params)
        return pd.DataFrame({"param": names, "S1": zero, "S1_conf": zero, "ST": zero, "ST_conf": zero})
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=1000, conf_level=0.95,
                           seed=analysis_seed)
    return pd.DataFrame({"param": names, "S1": np.asarray(si["S1"], float), "S1_conf": np.asarray(si["S1_conf"], float),
                         "ST": np.asarray(si["ST"], float), "ST_conf": np.asarray(si["ST_conf"], float)})


def _ranked(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    score = "mu_star" if method == "morris" else "ST"
    order = frame[score].fillna(-math.inf).rank(method="first", ascending=False)
    return frame.assign(rank=order.astype(int)).sort_values("rank", kind="stable")


# ----------------------------------------------------------------------------------------------
# Evaluating design points
# ----------------------------------------------------------------------------------------------


def evaluate_point(config: ScenarioConfig) -> dict[str, Any]:
    """Run one design point (all its replications, in this process) and keep only its outputs.

    Top-level and pure, so local processes and Dask workers can run it with identical results.
    """
    result = run_scenario(config)
    summary = result.summary
    row = summary[(summary["area"] == NATIONAL) & (summary["pathway"] == "all") & (summary["metric"] == CIR_OUTPUT)]
    share = float(row["mean"].iloc[0]) if len(row) else math.nan
    ready = earliest_ready(result.readiness) if len(result.readiness) else {}
    return {CIR_OUTPUT: None if share != share else share, "earliest_ready": {a: ready.get(a) for a in ready}}


def _point_outputs(value: Any) -> bool:
    """Shape check of a cached point: {CIR_OUTPUT: number or None, "earliest_ready": {area: month or None}}."""
    share = value.get(CIR_OUTPUT) if isinstance(value, dict) else "missing"
    ready = value.get("earliest_ready") if isinstance(value, dict) else None
    return ((share is None or (isinstance(share, int | float) and not isinstance(share, bool)))
            and isinstance(ready, dict) and all(m is None or isinstance(m, str) for m in ready.values()))


def _run_points(configs: dict[str, ScenarioConfig], cache: Cache, workers: int, scheduler: str | None,
                done: Callable[[bool], None]) -> None:
    """Evaluate the (distinct, uncached) points on `cfc_sim.executor`, caching each as it finishes.

    The unit of work is a whole design point, so `--workers` and `--scheduler` spread points (not
    just a point's few replications) and each process or Dask task returns a few numbers only.
    """
    keys = list(configs)

    def finished(i: int, outputs: dict[str, Any]) -> None:
        cache.put(keys[i], outputs)
        done(False)

    run_tasks(evaluate_point, [(configs[k],) for k in keys], workers=workers, scheduler=scheduler,
              on_result=finished, names=[f"cfc-sens-{k}" for k in keys])


# ----------------------------------------------------------------------------------------------
# The analysis
# ----------------------------------------------------------------------------------------------


@dataclass
class SensitivityResult:
    """The design with its outputs, the indices and what was run (vs reused from the cache)."""

    scenario: str
    method: str
    samples: int
    reps: int
    seed: int
    params: list[Param]
    areas: list[str]
    design: pd.DataFrame
    indices: pd.DataFrame
    runs: int
    reused: int
    whole: str = "all areas"  # what the CIR output's ALL rows are (`metric_catalogue.whole_run_name`)


def _month_index(labels: Sequence[str]) -> Callable[[str | None], int]:
    where = {label: i for i, label in enumerate(labels)}
    horizon = len(labels)
    return lambda label: horizon if label is None else where.get(str(label), horizon)


def run_sensitivity(
    scenario: str | Path,
    params: Sequence[Param],
    method: str,
    *,
    samples: int | None = None,
    reps: int = DEFAULT_REPS,
    seed: int | None = None,
    areas: Sequence[str] | None = None,
    cache: Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    on_point: PointDone = lambda finished, total, reused: None,
) -> SensitivityResult:
    """Build the design, run (or reuse) every point with common random numbers, compute the indices."""
    if method not in METHODS:
        raise UserError(f"unknown method {method!r} (morris or sobol)", key="--method")
    samples = samples if samples is not None else DEFAULT_SAMPLES[method]
    if samples < 2:
        raise UserError("needs at least 2 samples", key="--samples")
    path = Path(scenario)
    raw = resolve_extends(path)
    base = build_variant(raw, {}, path)
    seed = base.seed if seed is None else seed
    chosen = _chosen_areas(base, areas)

    def variant(settings: dict[str, Any]) -> ScenarioConfig:
        return build_variant(raw, settings, path).with_run_options(replications=reps, seed=seed)

    # Each key alone at each bound first, so a bad key or value is named before anything runs.
    for p in params:
        for bound in (p.low, p.high):
            variant({p.key: p.value(bound)})

    matrix = design(params, method, samples, seed)
    points = [{p.key: p.value(x) for p, x in zip(params, row, strict=True)} for row in matrix]
    configs = [variant(s) for s in points]
    store = Cache(cache)
    keys = [run_key(c, "sensitivity") for c in configs]
    runs, reused = _evaluate(keys, configs, store, workers, scheduler, on_point)
    header = base.header
    to_month = _month_index(SimCalendar(header.start, header.horizon_months, header.calendar.bank_holidays)
                            .month_labels)
    table = _design_table(points, [store.get(k) or {} for k in keys], method, len(params), chosen, to_month)
    indices = _indices(params, method, matrix, table, seed, chosen)
    return SensitivityResult(str(scenario), method, samples, reps, seed, list(params), chosen, table, indices,
                             runs, reused, whole_run_name(a.name for a in base.areas))


def _chosen_areas(base: ScenarioConfig, areas: Sequence[str] | None) -> list[str]:
    """The areas whose earliest ready month is an output, in scenario order: those asked for (each
    must exist), else every area not live at the start."""
    names = [a.name for a in base.areas]
    if not areas:
        return [a.name for a in base.areas if a.go_live > base.header.start]
    for area in areas:
        check_area(area, names, "--area")
    return [n for n in names if n in set(areas)]


def _evaluate(keys: list[str], configs: list[ScenarioConfig], store: Cache, workers: int, scheduler: str | None,
              on_point: PointDone) -> tuple[int, int]:
    """Run every point not in the cache (each distinct point once), calling `on_point` as each is
    reused or finished; (points run, points reused or repeated)."""
    total = len(keys)
    finished = 0

    def tick(was_reused: bool) -> None:
        nonlocal finished
        finished += 1
        on_point(finished, total, was_reused)

    pending: dict[str, ScenarioConfig] = {}
    for k, c in zip(keys, configs, strict=True):
        if k not in pending and store.get(k, _point_outputs) is None:
            pending[k] = c
    repeats = total - len(set(keys))  # points equal to an earlier point (rounding, shared Morris points)
    reused = 0
    for k in dict.fromkeys(keys):
        if k not in pending:
            reused += 1
            tick(True)
    _run_points(pending, store, workers, scheduler, tick)
    for _ in range(repeats):
        tick(True)
    return len(pending), reused + repeats


def _design_table(points: list[dict[str, Any]], outputs: list[dict[str, Any]], method: str, n_params: int,
                  chosen: list[str], to_month: Callable[[str | None], int]) -> pd.DataFrame:
    """design.csv: one row per point, its settings and its outputs (earliest ready months as indices)."""
    rows = []
    for i, (settings, point) in enumerate(zip(points, outputs, strict=True)):
        share = point.get(CIR_OUTPUT)
        row: dict[str, Any] = {"point": i}
        if method == "morris":
            row["trajectory"] = i // (n_params + 1)
        row.update(settings)
        row[CIR_OUTPUT] = math.nan if share is None else float(share)
        ready = point.get("earliest_ready") or {}
        for area in chosen:
            row[f"{READY_PREFIX}{area}"] = to_month(ready.get(area))
        rows.append(row)
    return pd.DataFrame(rows)


def _indices(params: Sequence[Param], method: str, matrix: np.ndarray, table: pd.DataFrame, seed: int,
             chosen: list[str]) -> pd.DataFrame:
    """sensitivity.csv: each output's indices, ranked, and their mean over the chosen areas."""
    frames = []
    for output in [CIR_OUTPUT, *[f"{READY_PREFIX}{a}" for a in chosen]]:
        frame = analyse(params, method, matrix, table[output].to_numpy(dtype=float), seed)
        frames.append(frame.assign(output=output, method=method))
    if chosen:
        per_area = pd.concat(frames[1:], ignore_index=True)
        columns = ["mu_star", "mu_star_conf", "sigma"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
        mean = per_area.groupby("param", sort=False)[columns].mean().reset_index()
        frames.append(mean.assign(output=READY_MEAN, method=method))
    columns = MORRIS_COLUMNS if method == "morris" else SOBOL_COLUMNS
    return pd.concat([_ranked(f, method) for f in frames], ignore_index=True)[columns]


def write_sensitivity(result: SensitivityResult, out: Path, title: str) -> Path:
    """The folder (atomically): sensitivity.csv, design.csv, sensitivity.png."""
    from cfc_sim.charts import sensitivity_chart

    def fill(tmp: Path) -> None:
        csv_safe(result.indices).to_csv(tmp / "sensitivity.csv", index=False)
        csv_safe(result.design).to_csv(tmp / "design.csv", index=False)
        sensitivity_chart(result.indices, result.method, tmp / "sensitivity.png", title, result.whole)

    return write_folder(Path(out), "sensitivity", fill)
