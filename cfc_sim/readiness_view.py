"""Readiness as people read it: the one place that says an area's status at its planned go-live or
in a given month, and why, for `readiness`, `report` and `rollout` alike.

`cfc_sim.readiness` holds the pure criteria the model applies inside a replication; this module
holds the table code on top of them (pandas): `readiness.csv` from the monthly series, the
earliest ready month, and `status_at`, whose verdict and wording every command shows. An area
whose planned go-live lies after the run has no status there ("n/a"), wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cfc_sim.calendar import SimCalendar, add_months
from cfc_sim.readiness import (
    CRITERIA,
    GATING,
    HIGHER_IS_BETTER,
    POOLED,
    ROLLING_MONTHS,
    AreaState,
    assess,
    criterion_status,
    go_live_month,
    interval_status,
    overall_status,
    passes,
    review_date_of,
)
from cfc_sim.results_files import READINESS_COLUMNS
from cfc_sim.scenario.schema import AreaConfig, ReadinessConfig, ScenarioConfig
from cfc_sim.stats import jeffreys_rate_interval, jeffreys_share_interval

COLUMNS = [*READINESS_COLUMNS, "margin", "go_live_month", "pass_share", "on_time_share_first_months", "ci_low",
           "ci_high", "live"]
NO_CIRS_YET = "the CIR target once live: not judged (no run has CIRs from this area yet)"
NO_STATUS = "n/a"  # no readiness row for the month asked (e.g. a planned go-live after the run)
LIVE = "live"  # at its planned go-live, an area already live when the run starts (nothing to judge)

CRITERION_NAMES = {
    "capacity": "enough CFC-trained FCAs",
    "vacancy": "vacancy rate",
    "training": "CFC training",
    "stability": "staff stability (turnover)",
    "partnerships": "partnerships in place",
    "performance": "likely to meet the CIR target",
}
# One letter per failing criterion (the report's month-by-month grid).
CRITERION_CODES = {"capacity": "C", "vacancy": "V", "training": "T", "stability": "S", "partnerships": "P",
                   "performance": "O"}
ALREADY_LIVE = "already live when the run starts: no go-live to judge"
AFTER_RUN = "planned go-live is after the end of the run"
MONTH_NOT_IN_RUN = "month not in the run"


@dataclass(frozen=True)
class AreaStatus:
    """One area's readiness verdict in one month, with the failing criteria in words."""

    area: str
    region: str
    planned: str  # planned go-live date, ISO
    month: str | None  # the month judged; None when there is none in the run
    status: str  # green / amber / red, or NO_STATUS
    failing: tuple[str, ...]  # failing criteria in words, value vs threshold
    failing_criteria: tuple[str, ...]  # their names (CRITERIA)
    codes: str  # one letter per failing criterion
    go_live: bool  # `month` is the planned go-live month
    note: str
    earliest_ready: str | None  # the one ready month (`earliest_ready`); None if none in the run
    uncertain: tuple[str, ...] = ()  # passing criteria whose interval straddles the threshold, in words
    uncertain_criteria: tuple[str, ...] = ()  # their names (CRITERIA)
    live: bool = False  # `month` is judged on performance: live in every replication for its last performance_months
    live_before_run: bool = False  # live when the run starts: no go-live, so no ready month or slip, whatever the month

    @property
    def failing_text(self) -> str:
        """The failing criteria joined for a table cell ("none" when a status has nothing failing)."""
        if self.failing:
            return "; ".join(self.failing)
        return "none" if self.status not in (NO_STATUS, LIVE) else ""

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the status, part by part: what fails, then what passes but not certainly (amber)."""
        doubts = ("passes, not yet certain: " + "; ".join(self.uncertain),) if self.uncertain else ()
        return self.failing + doubts

    @property
    def reason(self) -> str:
        """Why the status, in the words every view shows (`reasons` joined), never a pass worded as
        a failure; "none" when a status has nothing to say."""
        if self.reasons:
            return "; ".join(self.reasons)
        return "none" if self.status not in (NO_STATUS, LIVE) else ""

    @property
    def ready_text(self) -> str:
        """The ready month in words: 'already live', 'Apr 2027' (ISO month) or 'not within the run'."""
        if self.live_before_run:
            return "already live"
        return self.earliest_ready or "not within the run"

    @property
    def slip_months(self) -> int | None:
        """Months from the planned go-live month to the ready month (0: ready on time); None when
        already live, or when there is no ready month in the run."""
        if self.live_before_run or not self.earliest_ready:
            return None
        return month_gap(self.planned[:7], self.earliest_ready)


def slip_text(months: int | None) -> str:
    """A slip in words: '' (none to show), 'on time', '+3 months'."""
    if months is None:
        return ""
    if months <= 0:
        return "on time"
    return f"+{months} month{'s' if months != 1 else ''}"


def readiness_rule_text(rules: ReadinessConfig, runs: int) -> str:
    """How the readiness table judges, in one paragraph every view prints under it."""
    return (f"capacity and training pass when they hold in at least {rules.performance_confidence:.0%} of the "
            f"{runs} run(s) (readiness.performance_confidence), together with the partnerships; vacancy and "
            f"turnover are rates over the last {ROLLING_MONTHS} months pooled across the runs, amber while their "
            f"95% interval straddles the threshold; every criterion must hold for {rules.hold_months} monthly "
            f"review(s) in a row (readiness.hold_months). Areas live for the last {rules.performance_months} months "
            f"are judged on their CIRs on time over those months. Ready month: the first month on or after the planned "
            "go-live in which criteria 1-5 all pass; ready after plan: how many months after the planned go-live "
            "that is."
            + (" Under readiness.policy planned every area goes live on its planned date, ready or not: the ready "
               "month is when it would have been ready, not when it went live." if rules.policy == "planned" else ""))


def rates_window(config: ScenarioConfig, month: str) -> tuple[int, str]:
    """(months, since when) that a pooled rate judged in `month` covers: its judged months, from the
    warm-up's end (the run's start without one), up to ROLLING_MONTHS. In a run's first year it had
    said "over the last 12 months" of a window of three."""
    header = config.header
    first = month_gap(f"{header.start.year:04d}-{header.start.month:02d}", month[:7]) + 1 - header.warmup_months
    return max(first, 1), ("the warm-up's end" if header.warmup_months else "the run's start")


def month_gap(first: str, later: str) -> int:
    """Whole months from one 'YYYY-MM' to another (negative when `later` is earlier)."""
    return (int(later[:4]) - int(first[:4])) * 12 + int(later[5:7]) - int(first[5:7])


def _isnan(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def is_true(value: Any) -> bool:
    """A `passed` / `go_live_month` cell as read back from CSV ("True") or built in memory (True)."""
    return value is True or str(value) == "True"


def _measure(criterion: str, v: float, t: float) -> tuple[str, str, str]:
    """(what is measured, the value, the threshold with its direction) of one criterion, in words."""
    if criterion == "capacity":
        return "CFC-trained FCAs", f"{v:.1f}", f"at least {t:.1f} needed"
    if criterion == "vacancy":
        return "vacancy rate", f"{v:.1%}", f"at most {t:.1%}"
    if criterion == "training":
        return "CFC-trained share", f"{v:.1%}", f"at least {t:.1%}"
    if criterion == "stability":
        return "12-month turnover", f"{v:.1%}", f"at most {t:.1%}"
    if criterion == "partnerships":
        return "partnerships in place", f"{round(v * 3)} of 3", "all 3"
    return criterion, f"{v:.3g}", f"{t:.3g}"


def months_live_in_run(config: ScenarioConfig, area: str) -> int | None:
    """Months from an area's go-live to the run's end where every run goes live on the planned date
    (`readiness.policy: planned`); None under the readiness policy, where each run has its own go-live."""
    if config.header.readiness.policy != "planned":
        return None
    return config.header.horizon_months - go_live_month(config, area)


def criterion_words(criterion: str, value: Any, threshold: Any, performance_months: int | None = None,
                    pass_share: Any = None, confidence: float | None = None, on_time: Any = None,
                    together: Any = None, interval: tuple[Any, Any] | None = None, live: bool = False,
                    hold_months: int | None = None, rates_over: tuple[int, str] | None = None,
                    months_in_run: int | None = None) -> str:
    """One criterion in plain words: what it measures, its value against the threshold and, across
    replications, in what share of runs it holds against the share needed, or (pooled criteria) its
    95% interval. A criterion whose value passes is never worded as if that value failed: it fails on
    how often it holds, or is said to pass without certainty. `months_in_run`: the months from the
    area's go-live to the run's end, when fewer than `performance_months` (its chance is judged on those)."""
    if _isnan(value):
        if criterion == "performance":
            return NO_CIRS_YET
        return f"{CRITERION_NAMES.get(criterion, criterion)}: no data yet"
    v, t = float(value), float(threshold)
    needs = f"needs {confidence:.0%}" if confidence is not None else ""
    low, high = interval if interval is not None else (math.nan, math.nan)
    ci = ("" if _isnan(low) or _isnan(high) else
          f" (95% interval {float(low):.1%} to {float(high):.1%})")
    if criterion == "performance" and live:
        months = f"last {performance_months} months" if performance_months else "recent months"
        return f"CIRs on time over the {months} {v:.1%}{ci} vs at least {t:.0%}"
    if criterion == "performance":
        window = f" in the first {performance_months} months live" if performance_months else ""
        if performance_months and months_in_run is not None and 0 < months_in_run < performance_months:
            window = (f" in its first {months_in_run} month{'s' if months_in_run != 1 else ''} live (the run ends "
                      f"then; the rule asks for {performance_months})")
        own = f" (its CIRs on time in those months: {float(on_time):.0%})" if not _isnan(on_time) else ""
        return f"chance of meeting the CIR target{window}: {v:.0%}, needs {t:.0%}{own}"
    what, shown, limit = _measure(criterion, v, t)
    if criterion in POOLED:
        what = "turnover" if criterion == "stability" else what  # leavers per FTE-year: already a 12-month rate
        count, since = rates_over if rates_over is not None else (ROLLING_MONTHS, "")
        span = (f"the last {ROLLING_MONTHS} months" if count >= ROLLING_MONTHS else
                f"the {count} month{'s' if count != 1 else ''} since {since}")
        return f"{what} over {span} {shown}{ci} vs {limit}"
    share = None if _isnan(pass_share) else float(pass_share)
    enough = share is not None and share >= (confidence or 0) - 1e-12
    if enough:  # holds in enough runs this month: it fails on holding together, or on holding long enough
        text = f"{what} {shown} vs {limit}, met in {share:.0%} of runs ({needs or 'enough'})"
        if not _isnan(together) and float(together) < (confidence or 0) - 1e-12:
            return text + f", but criteria 1-5 hold together in only {float(together):.0%} of runs"
        return text + (f", but not yet for {hold_months} monthly reviews in a row" if hold_months else "")
    if share is not None and passes(criterion, v, t):  # passes on average, not often enough
        return f"{what} {limit} in only {share:.0%} of runs ({needs}; {shown} on average)"
    text = f"{what} {shown} vs {limit}"
    if share is not None and 0 < share < 1:
        text += f" (met in {share:.0%} of runs, {needs})" if needs else f" (met in {share:.0%} of runs)"
    return text


class _Verdict(NamedTuple):
    status: str
    failing: tuple[str, ...]
    failing_criteria: tuple[str, ...]
    uncertain: tuple[str, ...]
    uncertain_criteria: tuple[str, ...]
    go_live: bool
    live: bool


class _Index:
    """A readiness frame split once: its columns as lists, each (area, month)'s and each area's
    go-live-flagged row positions (in frame order), and per area the months whose criteria 1-5
    all pass. Every verdict below reads these lists instead of filtering the frame per call (a
    national grid of 40 areas x 13 months was 500 boolean filters of 13,000 rows)."""

    def __init__(self, readiness: pd.DataFrame) -> None:
        frame = readiness.reset_index(drop=True)
        self.size = len(readiness)

        def column(name: str) -> list[Any] | None:
            return frame[name].tolist() if name in frame else None

        self.area = [str(a) for a in frame["area"].tolist()]
        self.month = frame["month"].tolist()
        self.criterion = [str(c) for c in frame["criterion"].tolist()]
        self.value, self.threshold, self.status = column("value"), column("threshold"), column("status")
        self.pass_share, self.on_time = column("pass_share"), column("on_time_share_first_months")
        self.passed = frame["passed"].map(is_true).tolist()
        self.ci_low, self.ci_high = column("ci_low"), column("ci_high")
        self.live = frame["live"].map(is_true).tolist() if "live" in frame else [False] * len(frame)
        flagged = frame["go_live_month"].map(is_true) if "go_live_month" in frame else None
        self.go_live = None if flagged is None else flagged.tolist()
        keys = pd.Series(self.area, dtype=object)
        self.cells: dict[tuple[str, str], list[int]] = {
            (str(a), str(m)): list(pos) for (a, m), pos in frame.groupby([keys, frame["month"].astype(str)],
                                                                       sort=False).indices.items()}
        self.months: dict[str, list[str]] = {}
        for a, m in self.cells:
            self.months.setdefault(a, []).append(m)
        for months in self.months.values():
            months.sort()
        self.flagged: dict[str, list[int]] = {}
        if flagged is not None:
            for p in np.flatnonzero(flagged.to_numpy(dtype=bool)).tolist():
                self.flagged.setdefault(self.area[p], []).append(p)
        gating = frame["criterion"].isin(GATING).to_numpy()
        ok = (pd.Series(self.passed, dtype=bool)[gating]
              .groupby([keys[gating], frame["month"].astype(str)[gating]], sort=True).all())
        self.ready_months: dict[str, list[tuple[str, bool]]] = {}
        for (a, m), passed in ok.items():
            self.ready_months.setdefault(str(a), []).append((str(m), bool(passed)))
        self.earliest: dict[str, str | None] = {}
        for a in dict.fromkeys(self.area):
            planned = self.flagged.get(a)
            start = str(self.month[planned[0]]) if planned else None
            self.earliest[a] = None if start is None else next(
                (m for m, ok_m in self.ready_months.get(a, []) if ok_m and m >= start), None)

    def words(self, p: int, config: ScenarioConfig, together: Any) -> str:
        """`criterion_words` of the criterion row at position p."""
        rules = config.header.readiness
        shares, on_time = self.pass_share, self.on_time
        interval = (self.ci_low[p], self.ci_high[p]) if self.ci_low is not None and self.ci_high is not None else None
        return criterion_words(self.criterion[p], (self.value or [])[p], (self.threshold or [])[p],
                               rules.performance_months, shares[p] if shares is not None else None,
                               rules.performance_confidence, on_time[p] if on_time is not None else None, together,
                               interval, self.live[p], rules.hold_months, rates_window(config, str(self.month[p])),
                               months_live_in_run(config, self.area[p]))

    def verdict(self, rows: Sequence[int], config: ScenarioConfig) -> _Verdict:
        """The status, failing and uncertain criteria in words, and the flags of an area-month's rows.
        In a live month only performance is judged: the workforce criteria are not its reason."""
        overall = [p for p in rows if self.criterion[p] == "overall"]
        if not overall:
            return _Verdict(NO_STATUS, (), (), (), (), False, False)
        first = overall[0]
        live = self.live[first]
        judged = [p for p in rows if self.criterion[p] != "overall"
                  and (not live or self.criterion[p] == "performance")]
        bad = [p for p in judged if not self.passed[p]]
        doubtful = [p for p in judged if self.passed[p] and self.status is not None and self.status[p] == "amber"]
        together = self.pass_share[first] if self.pass_share is not None else None
        go_live = self.go_live is not None and self.go_live[first]
        status = self.status[first] if self.status is not None else None
        return _Verdict(str(status), tuple(self.words(p, config, together) for p in bad),
                        tuple(self.criterion[p] for p in bad), tuple(self.words(p, config, together) for p in doubtful),
                        tuple(self.criterion[p] for p in doubtful), bool(go_live), bool(live))

    def status_at(self, config: ScenarioConfig, area: AreaConfig, month: str | None,
                  earliest: dict[str, str | None]) -> AreaStatus:
        """`status_at` on this frame."""
        note = ""
        if month is not None:
            at = self.cells.get((area.name, str(month)), [])
            if not at:
                note = MONTH_NOT_IN_RUN
        else:
            at = self.flagged.get(area.name, [])
            months = self.months.get(area.name, [])
            if not at and months and area.go_live.strftime("%Y-%m") <= months[0]:
                at = self.cells[(area.name, months[0])]
            if area.go_live <= config.header.start:
                note = ALREADY_LIVE
            elif not at:
                note = AFTER_RUN
        v = self.verdict(at, config)
        status, words, names, doubts = v.status, v.failing, v.failing_criteria, v.uncertain
        doubt_names = v.uncertain_criteria
        judged = str(self.month[at[0]]) if status != NO_STATUS else None
        if month is None and note == ALREADY_LIVE:  # live before the run: no go-live to judge
            status, words, names, doubts, doubt_names = LIVE, (), (), (), ()
        return AreaStatus(area=area.name, region=area.region or "", planned=area.go_live.isoformat(), month=judged,
                          status=status, failing=words, failing_criteria=names,
                          codes="".join(CRITERION_CODES.get(c, "?") for c in names), go_live=v.go_live, note=note,
                          earliest_ready=earliest.get(area.name), uncertain=doubts,
                          uncertain_criteria=doubt_names, live=v.live,
                          live_before_run=area.go_live <= config.header.start)


_LAST_INDEX: list[tuple[pd.DataFrame, _Index]] = []


def _index(readiness: pd.DataFrame) -> _Index:
    """The frame's `_Index`, built once: the last one is kept while the same frame (unchanged in
    length) is asked again, as `report`, `run` and `rollout` ask one frame per area and month."""
    for frame, index in _LAST_INDEX:
        if frame is readiness and index.size == len(readiness):
            return index
    index = _Index(readiness)
    _LAST_INDEX[:] = [(readiness, index)]
    return index


def status_at(readiness: pd.DataFrame, config: ScenarioConfig, area: AreaConfig, month: str | None = None,
              earliest: dict[str, str | None] | None = None) -> AreaStatus:
    """The area's status in `month`, or (None) at its planned go-live month.

    At the planned go-live: the month flagged `go_live_month`; an area live before the first
    month with statistics is judged in that first month; one planned after the run has NO_STATUS.
    """
    index = _index(readiness)
    return index.status_at(config, area, month, earliest if earliest is not None else index.earliest)


def area_statuses(readiness: pd.DataFrame, config: ScenarioConfig, month: str | None = None) -> list[AreaStatus]:
    """`status_at` for every area of the scenario, in scenario order."""
    index = _index(readiness)
    return [index.status_at(config, area, month, index.earliest) for area in config.areas]


def monthly_statuses(readiness: pd.DataFrame, config: ScenarioConfig,
                     months: Sequence[str]) -> dict[tuple[str, str], AreaStatus]:
    """(area, month) -> `status_at` for the listed months (months without rows left out), in
    scenario order of the areas, then month order."""
    index = _index(readiness)
    wanted = {str(m) for m in months}
    return {(area.name, month): index.status_at(config, area, month, index.earliest)
            for area in config.areas for month in index.months.get(area.name, []) if month in wanted}


def went_live(replications: pd.DataFrame, config: ScenarioConfig) -> dict[str, str]:
    """Per area when it went live, for tables, from the replications' own go-live days: the date when
    they all agree (the planned policy), else the median run's date with the range and how many runs
    went live (a readiness-gated go-live differs run by run: the mean of the days was a date no run
    went live on)."""
    rows = replications[(replications["pathway"] == "all") & (replications["metric"] == "go_live_day")]
    runs = int(replications["replication"].nunique())
    start = config.header.start
    days_of = {str(area): sorted(float(v) for v in group["value"] if v == v) for area, group in rows.groupby("area")}

    def date(day: float) -> str:
        return (start + dt.timedelta(days=round(day))).isoformat()

    out = {}
    for area in config.areas:
        days = days_of.get(area.name, [])
        if not days:
            out[area.name] = "not within the horizon"
        elif days[0] == days[-1] and len(days) == runs:
            out[area.name] = date(days[0])
        else:
            median = days[(len(days) - 1) // 2]  # a day some run went live on (the lower median)
            out[area.name] = (f"{date(median)} (median of {len(days)} of {runs} runs; {date(days[0])} to "
                              f"{date(days[-1])})")
    return out


def earliest_ready(readiness: pd.DataFrame) -> dict[str, str | None]:
    """The one "ready month" of every area: the first month, on or after its planned go-live month
    (the first month judged for an area live before the run), in which criteria 1-5 all pass; None
    when there is none in the run (or the planned go-live is after it). Every view shows this one
    month, and a slip is its distance from the planned month."""
    if readiness.empty:
        return {}
    return dict(_index(readiness).earliest)


def ready_from(readiness: pd.DataFrame, area: str, month: str) -> str | None:
    """The first month on or after `month` in which the area's criteria 1-5 all pass (None if none in
    the run): when an area not ready at its planned go-live could go live, unlike `earliest_ready`,
    which may lie before a planned month at which the area is no longer ready."""
    return next((m for m, ok in _index(readiness).ready_months.get(area, []) if ok and m >= month), None)


def performance_probability(series: pd.DataFrame, area: str, months: int, labels: Sequence[str],
                            target_share: float) -> float:
    """Share of replications meeting the on-time target over the area's first `months` months live.

    Each replication's window starts at the month the area actually went live in it (the
    `live_areas` series), so a readiness-gated go-live is judged on its own first months.
    """
    return performance_window(series, area, months, labels, target_share)[0]


def performance_window(series: pd.DataFrame, area: str, months: int, labels: Sequence[str],
                       target_share: float) -> tuple[float, float]:
    """(`performance_probability`, the area's CIR on-time share over those first months across all
    replications' CIRs): the criterion beside the area's own figure."""
    return _performance_window(series[series["area"] == area], months, labels, target_share)


_PERFORMANCE_METRICS = ("live_areas", "cirs_filed", "cir_on_time_share")


def _performance_cube(rows: pd.DataFrame, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(live, CIRs filed, CIRs on time), each replications x months of `labels` (no CIRs: 0), from
    one area's series rows; None without rows."""
    rows = rows[rows["metric"].isin(_PERFORMANCE_METRICS)]
    month_k = rows["month"].map({label: k for k, label in enumerate(labels)}).to_numpy(dtype=float)
    known = ~np.isnan(month_k)
    if not known.any():
        return None
    replications, rep_k = np.unique(rows["replication"].to_numpy()[known], return_inverse=True)
    metric_k = rows["metric"].map({m: i for i, m in enumerate(_PERFORMANCE_METRICS)}).to_numpy()[known]
    cube = np.full((len(_PERFORMANCE_METRICS), len(replications), len(labels)), math.nan)
    cube[metric_k.astype(int), rep_k, month_k[known].astype(int)] = rows["value"].to_numpy(dtype=float)[known]
    live, cirs, share = cube
    filed = np.where(np.isnan(cirs), 0.0, cirs)
    return live, filed, np.where(np.isnan(share), 0.0, share) * filed


def _performance_window(rows: pd.DataFrame, months: int, labels: Sequence[str],
                        target_share: float) -> tuple[float, float]:
    """`performance_window` on one area's rows, as arrays (replication x month) rather than a
    reindex per replication: readiness asks it of every area of a national run."""
    return _first_months(_performance_cube(rows, labels), months, target_share)


def _first_months(cube: tuple[np.ndarray, np.ndarray, np.ndarray] | None, months: int,
                  target_share: float) -> tuple[float, float]:
    """`_performance_window` from the area's `_performance_cube`, which readiness also reads."""
    if cube is None:
        return math.nan, math.nan
    live, cirs, on_time_cirs = cube
    met = []
    all_on_time = all_filed = 0.0
    for r in range(live.shape[0]):
        is_live = live[r] > 0
        if not is_live.any():
            continue
        first = int(np.argmax(is_live))
        filed = cirs[r, first:first + months]
        on_time = on_time_cirs[r, first:first + months].sum()
        if filed.sum() > 0:
            met.append(on_time / filed.sum() >= target_share - 1e-12)
            all_on_time += on_time
            all_filed += filed.sum()
    if not met:
        return math.nan, math.nan
    return sum(met) / len(met), all_on_time / all_filed


def _column_nanmeans(values: np.ndarray) -> np.ndarray:
    """`np.nanmean` of each column (replications x months: a month's mean across replications) in
    one call, bit for bit as column by column: each column is made contiguous, so numpy sums it in
    the same (pairwise) order as a single column."""
    with warnings.catch_warnings():  # a month no replication measured is NaN, without numpy's "Mean of empty slice"
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.ascontiguousarray(values.T), axis=1)


def _held(flags: Sequence[bool], months: int) -> list[bool]:
    """Each month's flag only when it also held in the `months - 1` reviews before it (fewer at the start)."""
    return [all(flags[max(0, k - months + 1):k + 1]) for k in range(len(flags))]


def readiness_frame(config: ScenarioConfig, calendar: SimCalendar, series: pd.DataFrame) -> pd.DataFrame:
    """`readiness.csv`: per area and month the six criteria plus an `overall` row; `go_live_month`
    marks the month of the planned go-live, `live` the months judged on performance (`_judged_live`).

    Capacity and training: `value` is the criterion on the mean state across replications and the
    criterion **passes** when it holds in at least a share `readiness.performance_confidence` of the
    replications (`pass_share`, each judged on its own monthly state by `readiness.assess`).
    Vacancy and stability (`readiness.POOLED`): `value` is the rate over the last 12 months pooled
    across replications (vacant post-months per funded post-month; leavers per FTE-year in post),
    `ci_low`/`ci_high` its 95% Jeffreys interval (posts x replications, leavers as Poisson counts);
    it passes when the rate does, and its status is green, amber or red as the interval lies below,
    across or above the threshold (`readiness.interval_status`). Every criterion 1-5 must have held
    for `readiness.hold_months` reviews in a row; capacity, training and partnerships must also hold
    *together* in that share of replications (the `overall` row's `pass_share`), else the one holding
    in the fewest is marked failing.

    Performance: before the area is live, the share of replications meeting the CIR target in their
    first `performance_months` months live (`on_time_share_first_months`: the area's own share
    then), and so until it has been live that long. Then, how it performs: its CIRs on time over
    the last `performance_months` months,
    pooled across replications, with the interval judged against the target; the `overall` status
    of a live month is that one (live areas are judged on how they perform, not on going live).
    """
    header = config.header
    rules = header.readiness
    labels = calendar.month_labels
    first = header.warmup_months
    rows = series[series["metric"].isin(_STATE_METRICS)]
    cube = rows.pivot_table(index=["area", "replication"], columns=["metric", "month"], values="value",
                            aggfunc="first") if not rows.empty else pd.DataFrame()
    performance_rows = series[series["metric"].isin(_PERFORMANCE_METRICS)]
    by_area = dict(tuple(performance_rows.groupby("area", sort=False))) if not performance_rows.empty else {}
    out: list[dict[str, object]] = []
    for area in config.areas:
        go_live_day = calendar.day_of(area.go_live)
        if go_live_day >= calendar.horizon_days:
            live_month = None  # planned after the horizon
        else:
            live_month = calendar.month_index(go_live_day) if go_live_day > 0 else first
        mine_rows = by_area.get(area.name, performance_rows.iloc[:0])
        cirs = _performance_cube(mine_rows, labels)
        performance, on_time = _first_months(cirs, rules.performance_months, header.targets.cir_on_time_share)
        if cube.empty or area.name not in cube.index.get_level_values(0):
            continue
        mine = cube.loc[area.name]
        position = {column: i for i, column in enumerate(mine.columns)}
        present = [k for k in range(first, calendar.horizon_months)
                   if all((m, labels[k]) in position for m in _STATE_METRICS)]
        if not present:
            continue
        values = mine.to_numpy(dtype=float)
        grids = {m: values[:, [position[(m, labels[k])] for k in present]] for m in _STATE_METRICS}
        if cirs is not None and cirs[1].shape[0] == values.shape[0]:
            grids["cirs_filed"], grids["cirs_on_time"] = cirs[1][:, present], cirs[2][:, present]
        state = _AreaMonths(area, present, grids)
        months = _assess_months(state, calendar, rules, performance, on_time, header.targets.cir_on_time_share)
        for j, k in enumerate(present):
            for row in months[j]:
                out.append({"area": area.name, "month": labels[k], **row, "go_live_month": k == live_month})
    return pd.DataFrame(out, columns=COLUMNS)


_STATE_METRICS = ["trained_fte", "trained_share", "leavers", "fte_in_post", "vacancies", "establishment",
                  "live_areas"]


@dataclass(frozen=True)
class _AreaMonths:
    """One area's monthly state for the months judged (`present`): per metric, replications x months."""

    area: AreaConfig
    present: list[int]
    grids: dict[str, np.ndarray]

    def window(self, j: int, months: int) -> slice:
        """The judged months among the last `months` up to the j-th (fewer at the start of the run)."""
        start = j
        while start > 0 and self.present[start - 1] > self.present[j] - months:
            start -= 1
        return slice(start, j + 1)

    def total(self, metric: str, window: slice) -> float:
        """A metric summed over the window's months and every replication."""
        grid = self.grids.get(metric)
        return math.nan if grid is None else float(np.nansum(grid[:, window]))


def _judged_live(state: _AreaMonths, calendar: SimCalendar, months_live: int) -> list[bool]:
    """Per judged month, whether it is judged on performance: the area has been live in every
    replication for the whole of the `months_live` months up to it (live at the end of the month
    before them; before the run's first judged month, by its planned go-live date). The planned
    go-live month and the months until a full window of CIRs are judged on readiness to go live: in
    its first weeks live an area files only the CIRs finished soonest, nearly all on time, so
    judging it on them showed an area that went live short of staff green the month after."""
    live = state.grids["live_areas"]
    planned = calendar.day_of(state.area.go_live)
    planned_k = calendar.month_index(planned) if 0 < planned < calendar.horizon_days else -1
    judged = {k: j for j, k in enumerate(state.present)}
    out = []
    for k in state.present:
        since = k - months_live  # the month before the window
        if k <= planned_k:
            out.append(False)
        elif since in judged:
            out.append(bool(live.size) and bool(live[:, judged[since]].min() > 0))
        else:  # the window starts before the months judged: live by its first day, by the planned date
            out.append(planned <= _month_start_day(calendar, since + 1))
    return out


def _month_start_day(calendar: SimCalendar, month: int) -> float:
    """The first day of run month `month` (the run's start for month 0), before the run when negative."""
    return calendar.month_start_days[month] if month >= 0 else calendar.day_of(add_months(calendar.start, month))


def pooled_rates(state: _AreaMonths, j: int, performance_months: int) -> dict[str, tuple[float, float, float]]:
    """(rate, 95% low, high) of the pooled criteria in the j-th judged month: the vacancy rate and
    12-month turnover over the last 12 months, and the CIR on-time share over the last
    `performance_months` months, all pooled across replications."""
    window = state.window(j, ROLLING_MONTHS)
    out: dict[str, tuple[float, float, float]] = {}
    vacant, funded = state.total("vacancies", window), state.total("establishment", window)
    posts = funded / (window.stop - window.start)  # funded posts x replications: one observation each
    rate = vacant / funded if funded > 0 else math.nan
    out["vacancy"] = (rate, *jeffreys_share_interval(rate * posts, posts))
    leavers, fte_years = state.total("leavers", window), state.total("fte_in_post", window) / 12
    out["stability"] = (leavers / fte_years if fte_years > 0 else math.nan,
                        *jeffreys_rate_interval(leavers, fte_years))
    recent = state.window(j, performance_months)
    on_time, filed = state.total("cirs_on_time", recent), state.total("cirs_filed", recent)
    out["performance"] = (on_time / filed if filed > 0 else math.nan, *jeffreys_share_interval(on_time, filed))
    return out


def _pooled_row(row: dict[str, object], judged: tuple[float, float, float]) -> bool:
    """Set a criterion row from its pooled rate and interval; returns whether the rate passes."""
    name, threshold = str(row["criterion"]), float(row["threshold"])  # type: ignore[arg-type]
    value, low, high = judged
    row["value"], row["ci_low"], row["ci_high"] = value, low, high
    row["margin"] = (value - threshold) if HIGHER_IS_BETTER[name] else (threshold - value)
    row["passed"] = passes(name, value, threshold)
    row["status"] = interval_status(name, low, high, threshold) if value == value else "amber"
    row["pass_share"] = math.nan
    return bool(row["passed"])


def _assess_months(state: _AreaMonths, calendar: SimCalendar, rules: ReadinessConfig, performance: float,
                   on_time: float, target_share: float) -> list[list[dict[str, object]]]:
    """Each judged month's criteria rows (plus `overall`): capacity and training on the mean state
    with their `pass_share` across replications, vacancy and stability on pooled rates, performance
    as `readiness_frame` says; then the hold and together rules."""
    confidence = rules.performance_confidence
    grids = state.grids
    per_rep = {"capacity": grids["trained_fte"], "training": grids["trained_share"]}
    means = {name: _column_nanmeans(per_rep[name]) for name in per_rep}
    live_all = _judged_live(state, calendar, rules.performance_months)
    months: list[list[dict[str, object]]] = []
    raw: dict[str, list[bool]] = {c: [] for c in GATING}
    together: list[float] = []
    for j, k in enumerate(state.present):
        mean_state = AreaState(float(means["capacity"][j]), math.nan, float(means["training"][j]), math.nan,
                               performance)
        crit = assess(state.area, calendar, k, review_date_of(calendar, k), mean_state, rules)
        rates = pooled_rates(state, j, rules.performance_months)
        ok_all = np.ones(per_rep["capacity"].shape[0], dtype=bool)
        for row in crit:
            name = str(row["criterion"])
            row["ci_low"] = row["ci_high"] = math.nan
            row["on_time_share_first_months"] = math.nan
            if name in POOLED:
                raw[name].append(_pooled_row(row, rates[name]))
                continue
            if name == "performance":
                if bool(live_all[j]):
                    row["threshold"] = target_share
                    _pooled_row(row, rates["performance"])
                else:
                    row["pass_share"], row["on_time_share_first_months"] = math.nan, on_time
                continue
            threshold = float(row["threshold"])  # type: ignore[arg-type]
            if name in per_rep:
                held = np.array([passes(name, v, threshold) for v in per_rep[name][:, j]])
            else:  # partnerships: the same in every replication
                held = np.full(ok_all.shape, bool(row["passed"]))
            ok_all &= held
            share = np.count_nonzero(held) / held.size if held.size else math.nan  # = held.mean(), bit for bit
            row["pass_share"] = share
            raw[name].append(bool(held.size) and share >= confidence - 1e-12)
        together.append(np.count_nonzero(ok_all) / ok_all.size if ok_all.size else math.nan)
        months.append(crit)
    _apply_hold_rules(months, raw, together, rules, [bool(x) for x in live_all])
    return months


def _apply_hold_rules(months: list[list[dict[str, object]]], raw: dict[str, list[bool]], together: list[float],
                      rules: ReadinessConfig, live: Sequence[bool]) -> None:
    """Criteria 1-5 pass only when they held for `hold_months` reviews in a row, and capacity,
    training and partnerships together in enough replications (else the one holding in the fewest
    fails); then each month's `overall` row (a live month's by its performance)."""
    confidence = rules.performance_confidence
    held_by = {c: _held(raw[c], rules.hold_months) for c in GATING}
    jointly = _held([t == t and t >= confidence - 1e-12 for t in together], rules.hold_months)
    for j, crit in enumerate(months):
        for row in crit:
            name = str(row["criterion"])
            if name in held_by and row["passed"] != held_by[name][j]:
                row["passed"] = held_by[name][j]
                _restatus(row, rules.amber_tolerance)
        joint = [r for r in crit if r["criterion"] in GATING and r["criterion"] not in POOLED]
        if all(r["passed"] for r in joint) and not jointly[j]:
            weakest = min(joint, key=lambda r: float(r["pass_share"]))  # type: ignore[arg-type]
            weakest["passed"] = False
            _restatus(weakest, rules.amber_tolerance)
        passed_count = sum(bool(r["passed"]) for r in crit)
        is_live = bool(live[j]) if j < len(live) else False
        crit.append({"criterion": "overall", "value": float(passed_count), "threshold": float(len(CRITERIA)),
                     "passed": all(bool(r["passed"]) for r in crit if r["criterion"] in GATING),
                     "status": overall_status(crit, live=is_live),
                     "margin": float(passed_count - len(CRITERIA)), "pass_share": together[j],
                     "on_time_share_first_months": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                     "live": is_live})
        for row in crit[:-1]:
            row["live"] = is_live


def _restatus(row: dict[str, object], tolerance: float) -> None:
    """A criterion's status after the replication and hold rules: by the one amber rule on its mean
    value's margin; a pooled criterion that passes on its rate but has not held long enough is amber."""
    if row["criterion"] in POOLED:
        row["status"] = "amber" if row["status"] == "green" and not row["passed"] else row["status"]
        return
    row["status"] = criterion_status(str(row["criterion"]), bool(row["passed"]),
                                     float(row["margin"]), tolerance)  # type: ignore[arg-type]
