"""The space file of `cfc-sim calibrate`: which scenarios to run, which assumptions to vary over
which ranges, and which published figures and conditions an assumption set must meet.

Checked like a scenario file: every problem names the space file and its key path, exit 2. A
figure is a `cfc_sim.calibration.Target` (the published figure, its summary metric and band) with
its definition; it may name a row of `TARGETS` by label instead of repeating it. A condition is
the same with no published value (a band the model must keep, e.g. stationarity as the ratio of a
monthly series over two windows, or a utilisation ceiling).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cfc_sim.calibration import TARGETS, Target
from cfc_sim.errors import ScenarioError
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.scenario.keys import EVERY_AREA
from cfc_sim.scenario.reading import read_yaml

SIGMA_PER_HALF_BAND = 3.0  # observation sd = half the band / 3: with an exact emulator, I < 3 is "in band"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioEntry(_Strict):
    """A scenario the figures are measured on (path relative to the space file), optionally cut to areas."""

    file: str
    areas: list[str] | None = Field(default=None, min_length=1)
    settings: dict[str, Any] = {}  # fixed dotted settings for every run (e.g. horizon_months: 72)


class ParameterEntry(_Strict):
    """One assumption: a dotted scenario key (as `--set` takes it) and its range, or a tie to another."""

    key: str = Field(min_length=1)
    low: float | None = None
    high: float | None = None
    log: bool = False  # sample the range on a log scale (for ranges spanning an order of magnitude)
    integer: bool = False  # round (fields that take whole numbers)
    relative: bool = False  # a factor on the scenario's own value at the key (per area for areas.* keys)
    follows: str | None = None  # a tie: this key is `factor` x the value of the parameter `follows`
    factor: float = 1.0
    scenarios: list[str] | None = None  # the scenarios it applies to (default: all)
    label: str = ""  # in words, for the docs

    @model_validator(mode="after")
    def _range_or_tie(self) -> ParameterEntry:
        if self.follows is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("a tied parameter (follows) takes no low/high: its value follows the other's")
            return self
        if self.low is None or self.high is None:
            raise ValueError("give low and high (or follows: KEY to tie it to another parameter)")
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be less than high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError("a log-scale range needs low > 0")
        return self


class RatioEntry(_Strict):
    """A monthly series' mean over `months` divided by its mean over `over` (months from 1, inclusive)."""

    months: tuple[int, int]
    over: tuple[int, int]

    @model_validator(mode="after")
    def _windows(self) -> RatioEntry:
        for name, (first, last) in (("months", self.months), ("over", self.over)):
            if first < 1 or last < first:
                raise ValueError(f"{name}: a window [first, last] of months counted from 1, got [{first}, {last}]")
        return self


class FigureEntry(_Strict):
    """A published figure (or a condition): its metric, definition and band."""

    name: str = Field(min_length=1)
    target: str | None = None  # the label of a row of cfc_sim.calibration.TARGETS to take the rest from
    scenario: str | None = None
    definition: str = ""
    area: str | None = None
    pathway: str | None = None
    metric: str | None = None
    ratio: RatioEntry | None = None  # a monthly series' ratio over two windows instead of a summary metric
    each: tuple[float, float] | None = None  # with area "*": the figure is the share of areas within this band
    published: str | None = None
    value: float | None = None  # the published value (default: the band's centre)
    low: float | None = None
    high: float | None = None
    source: str = ""
    known_gap: str | None = None  # measured and shown, never gating (default: the target's known gap)


class SpaceFile(_Strict):
    """The whole space file."""

    name: str = "calibration"
    seed: int = Field(default=20261206, ge=0, lt=2**63)
    points: int = Field(default=40, ge=2, le=100_000)  # simulated assumption sets per wave
    waves: int = Field(default=2, ge=1, le=20)
    replications: int = Field(default=2, ge=1, le=1000)
    cutoff: float = Field(default=3.0, gt=0)
    implausibility: Literal["max", "second_max"] = "max"
    candidates: int = Field(default=2000, ge=10, le=10_000_000)  # LHS candidates screened per later wave
    scenarios: dict[str, ScenarioEntry] = Field(min_length=1)
    parameters: list[ParameterEntry] = Field(min_length=1)
    figures: list[FigureEntry] = Field(min_length=1)
    conditions: list[FigureEntry] = []


@dataclass(frozen=True)
class Parameter:
    """A checked parameter; `follows` names the sampled parameter a tied one follows."""

    key: str
    low: float
    high: float
    log: bool
    integer: bool
    relative: bool
    follows: str | None
    factor: float
    scenarios: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Figure:
    """A figure to fit (or a condition to keep): the Target, its definition, the value aimed at, and
    how it is measured (`ratio`: a monthly series over two windows; None: the summary metric)."""

    target: Target
    kind: str  # "figure" or "condition"
    scenario: str  # the space's name for the scenario it is measured on
    definition: str
    value: float
    ratio: tuple[tuple[int, int], tuple[int, int]] | None
    each: tuple[float, float] | None = None  # the figure is the share of areas whose measure is in this band
    known_gap: str = ""  # a figure the model cannot reach yet (why): measured and shown, but it neither
    # rules a point out nor stops a set being accepted, so no parameter is pushed to force it

    @property
    def gates(self) -> bool:
        """Whether the figure rules points out and decides acceptance (not a known gap)."""
        return not self.known_gap

    @property
    def name(self) -> str:
        return self.target.label

    @property
    def sd_observation(self) -> float:
        """The observation sd read from the band (half-width / 3)."""
        return (self.target.high - self.target.low) / 2 / SIGMA_PER_HALF_BAND

    def within(self, value: float) -> bool:
        return math.isfinite(value) and self.target.low <= value <= self.target.high


@dataclass(frozen=True)
class Space:
    """The checked space file."""

    path: Path
    sha256: str
    name: str
    seed: int
    points: int
    waves: int
    replications: int
    cutoff: float
    rule: str
    candidates: int
    scenarios: dict[str, ScenarioEntry]
    parameters: tuple[Parameter, ...]
    figures: tuple[Figure, ...]  # figures first, then conditions

    @property
    def sampled(self) -> tuple[Parameter, ...]:
        """The parameters the design samples (not tied)."""
        return tuple(p for p in self.parameters if p.follows is None)

    def scenario_file(self, name: str) -> Path:
        return (self.path.parent / self.scenarios[name].file).resolve()


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for error in exc.errors():
        parts: list[str] = []
        for seg in error["loc"]:
            if isinstance(seg, int) and parts:
                parts[-1] = f"{parts[-1]}[{seg}]"
            elif not str(seg).startswith("function-"):
                parts.append(str(seg))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see docs/calibrating.md for the space file's keys)"
        elif error["type"] == "missing":
            message = "required key is missing"
        out.append((".".join(parts), message))
    return out


def load_space(path: str | Path) -> Space:
    """Read and check the space file at `path` (ScenarioError naming the file and key path)."""
    path = Path(path)
    raw = read_yaml(path)
    try:
        parsed = SpaceFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(str(path), _problems(exc)) from None
    problems: list[tuple[str, str]] = []
    parameters = _parameters(parsed, problems)
    figures = [*_figures(parsed, "figures", problems), *_figures(parsed, "conditions", problems)]
    problems += _scenario_files(parsed, path)
    names = [f.name for f in figures]
    for i, name in enumerate(names):
        if name in names[:i] or name in {p.key for p in parameters}:
            problems.append((_figure_key(parsed, i), f"the name {name!r} is used twice (figures, conditions "
                                                     "and parameter keys need distinct names)"))
    if problems:
        raise ScenarioError(str(path), problems)
    return Space(path, hashlib.sha256(path.read_bytes()).hexdigest(), parsed.name, parsed.seed, parsed.points,
                 parsed.waves, parsed.replications, parsed.cutoff, parsed.implausibility, parsed.candidates,
                 dict(parsed.scenarios), tuple(parameters), tuple(figures))


def _figure_key(parsed: SpaceFile, i: int) -> str:
    n = len(parsed.figures)
    return f"figures[{i}].name" if i < n else f"conditions[{i - n}].name"


def _scenario_files(parsed: SpaceFile, path: Path) -> list[tuple[str, str]]:
    problems = []
    for name, entry in parsed.scenarios.items():
        if not (path.parent / entry.file).is_file():
            problems.append((f"scenarios.{name}.file", f"no scenario file {entry.file} (paths are relative to "
                                                       "the space file)"))
    return problems


def _parameters(parsed: SpaceFile, problems: list[tuple[str, str]]) -> list[Parameter]:
    keys = [p.key for p in parsed.parameters]
    sampled = {p.key for p in parsed.parameters if p.follows is None}
    out = []
    for i, entry in enumerate(parsed.parameters):
        where = f"parameters[{i}]"
        if entry.key in keys[:i]:
            problems.append((f"{where}.key", f"{entry.key} is given more than once"))
        if entry.follows is not None and entry.follows not in sampled:
            problems.append((f"{where}.follows", f"{entry.follows!r} is not a parameter with a range "
                                                 "(a tie follows a sampled parameter)"))
        unknown = [s for s in entry.scenarios or [] if s not in parsed.scenarios]
        if unknown:
            problems.append((f"{where}.scenarios", f"no scenario named {unknown[0]!r} under scenarios"))
        scenarios = tuple(entry.scenarios or parsed.scenarios)
        out.append(Parameter(entry.key, entry.low if entry.low is not None else math.nan,
                             entry.high if entry.high is not None else math.nan, entry.log, entry.integer,
                             entry.relative, entry.follows, entry.factor, scenarios, entry.label))
    return out


def _figures(parsed: SpaceFile, block: str, problems: list[tuple[str, str]]) -> list[Figure]:
    known = {t.label: t for t in TARGETS}
    out = []
    for i, entry in enumerate(getattr(parsed, block)):
        where = f"{block}[{i}]"
        base = known.get(entry.target) if entry.target is not None else None
        if entry.target is not None and base is None:
            problems.append((f"{where}.target", f"no published target labelled {entry.target!r} in "
                                                "cfc_sim/calibration.py"))
            continue
        scenario = entry.scenario or (next(iter(parsed.scenarios)) if len(parsed.scenarios) == 1 else None)
        if scenario not in parsed.scenarios:
            problems.append((f"{where}.scenario", "name one of the scenarios under scenarios"
                             if scenario is not None else "required when the space has several scenarios"))
            continue
        fields: dict[str, Any] = {k: getattr(entry, k) if getattr(entry, k) is not None else getattr(base, k, None)
                  for k in ("area", "pathway", "metric", "published", "low", "high")}
        fields["area"] = fields["area"] or NATIONAL
        fields["pathway"] = fields["pathway"] or "all"
        missing = [k for k in ("metric", "low", "high") if fields[k] is None]
        if block == "figures" and fields["published"] is None:
            missing.append("published")
        if missing:
            problems.append((f"{where}.{missing[0]}", "required key is missing"))
            continue
        if not fields["low"] < fields["high"]:
            problems.append((f"{where}.low", f"low ({fields['low']}) must be less than high ({fields['high']})"))
            continue
        if (entry.each is not None) != (fields["area"] == EVERY_AREA):
            problems.append((f"{where}.each", "each: [LOW, HIGH] and area: '*' go together (the share of "
                                              "areas whose value is within LOW to HIGH)"))
            continue
        value = entry.value if entry.value is not None else (fields["low"] + fields["high"]) / 2
        target = Target(str(parsed.scenarios[scenario].file), entry.name, fields["area"], fields["pathway"],
                        fields["metric"], fields["published"] or "", float(fields["low"]), float(fields["high"]),
                        entry.source or (base.source if base else ""))
        ratio = (entry.ratio.months, entry.ratio.over) if entry.ratio else None
        gap = entry.known_gap if entry.known_gap is not None else (base.known_gap if base else "")
        out.append(Figure(target, "figure" if block == "figures" else "condition", scenario, entry.definition,
                          float(value), ratio, entry.each, gap))
    return out


def space_summary(space: Space) -> dict[str, Any]:
    """What the manifest records about the space."""
    return {"file": str(space.path), "sha256": space.sha256, "name": space.name,
            "parameters": [p.key for p in space.parameters], "figures": [f.name for f in space.figures]}
