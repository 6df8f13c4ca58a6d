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
from typing import Any

import numpy as np
import pandas as pd

from cfc_sim.calendar import SimCalendar
from cfc_sim.readiness import (
    CRITERIA,
    GATING,
    AreaState,
    assess,
    criterion_status,
    overall_status,
    passes,
    review_date_of,
)
from cfc_sim.results_files import READINESS_COLUMNS
from cfc_sim.scenario.schema import AreaConfig, ReadinessConfig, ScenarioConfig

COLUMNS = [*READINESS_COLUMNS, "margin", "go_live_month", "pass_share", "on_time_share_first_months"]
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
    earliest_ready: str | None  # first month criteria 1-5 all pass; None if never in the run

    @property
    def failing_text(self) -> str:
        """The failing criteria joined for a table cell ("none" when a status has nothing failing)."""
        if self.failing:
            return "; ".join(self.failing)
        return "none" if self.status not in (NO_STATUS, LIVE) else ""


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


def criterion_words(criterion: str, value: Any, threshold: Any, performance_months: int | None = None,
                    pass_share: Any = None, confidence: float | None = None, on_time: Any = None,
                    together: Any = None) -> str:
    """One failing criterion in plain words: what it measures, its value against the threshold and,
    across replications, in what share of runs it holds against the share needed. A criterion
    whose mean value passes is never worded as if that value failed: it fails on how often it holds."""
    if _isnan(value):
        return f"{CRITERION_NAMES.get(criterion, criterion)}: no data yet"
    v, t = float(value), float(threshold)
    needs = f"needs {confidence:.0%}" if confidence is not None else ""
    if criterion == "performance":
        window = f" in the first {performance_months} months live" if performance_months else ""
        own = f" (its CIRs on time in those months: {float(on_time):.0%})" if not _isnan(on_time) else ""
        return f"chance of meeting the CIR target{window}: {v:.0%}, needs {t:.0%}{own}"
    what, shown, limit = _measure(criterion, v, t)
    share = None if _isnan(pass_share) else float(pass_share)
    if passes(criterion, v, t) and share is not None:  # passes on average, not often enough
        text = f"{what} {limit} in only {share:.0%} of runs ({needs}; {shown} on average)"
    else:
        text = f"{what} {shown} vs {limit}"
        if share is not None and 0 < share < 1:
            text += f" (met in {share:.0%} of runs, {needs})" if needs else f" (met in {share:.0%} of runs)"
    if not _isnan(together) and share is not None and share >= (confidence or 0) - 1e-12:
        text += f"; criteria 1-5 hold together in only {float(together):.0%} of runs ({needs})"
    return text


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
        self.earliest = earliest_ready(readiness)

    def verdict(self, rows: Sequence[int],
                config: ScenarioConfig) -> tuple[str, tuple[str, ...], tuple[str, ...], bool]:
        """(status, failing in words, failing criteria, planned go-live month) of an area-month's rows."""
        overall = [p for p in rows if self.criterion[p] == "overall"]
        if not overall:
            return NO_STATUS, (), (), False
        first = overall[0]
        rules = config.header.readiness
        bad = [p for p in rows if self.criterion[p] != "overall" and not self.passed[p]]
        shares, on_time = self.pass_share, self.on_time
        together = shares[first] if shares is not None else None
        value, threshold = self.value or [], self.threshold or []
        words = tuple(criterion_words(self.criterion[p], value[p], threshold[p], rules.performance_months,
                                      shares[p] if shares is not None else None, rules.performance_confidence,
                                      on_time[p] if on_time is not None else None, together)
                      for p in bad)
        go_live = self.go_live is not None and self.go_live[first]
        status = self.status[first] if self.status is not None else None
        return str(status), words, tuple(self.criterion[p] for p in bad), bool(go_live)

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
        status, words, names, go_live = self.verdict(at, config)
        judged = str(self.month[at[0]]) if status != NO_STATUS else None
        if month is None and note == ALREADY_LIVE:  # live before the run: no go-live to judge
            status, words, names = LIVE, (), ()
        return AreaStatus(area=area.name, region=area.region or "", planned=area.go_live.isoformat(), month=judged,
                          status=status, failing=words, failing_criteria=names,
                          codes="".join(CRITERION_CODES.get(c, "?") for c in names), go_live=go_live, note=note,
                          earliest_ready=earliest.get(area.name))


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


def went_live(summary: pd.DataFrame, config: ScenarioConfig) -> dict[str, str]:
    """Per area when it went live (mean go-live day across replications), for tables."""
    went = summary[(summary["pathway"] == "all") & (summary["metric"] == "go_live_day")].set_index("area")
    live_share = summary[(summary["pathway"] == "all") & (summary["metric"] == "live_at_end")].set_index("area")
    start = config.header.start
    out = {}
    for area in config.areas:
        if area.name not in went.index:
            out[area.name] = "not within the horizon"
            continue
        day = float(went.loc[area.name, "mean"])
        share = float(live_share.loc[area.name, "mean"]) if area.name in live_share.index else 1.0
        text = (start + dt.timedelta(days=round(day))).isoformat()
        out[area.name] = text + (f" (live in {share:.0%} of runs)" if share < 1 else "")
    return out


def earliest_ready(readiness: pd.DataFrame) -> dict[str, str | None]:
    """First month per area in which criteria 1-5 all pass (None if never within the horizon)."""
    if readiness.empty:
        return {}
    gating = readiness[readiness["criterion"].isin(GATING)]
    ok = gating.assign(passed=gating["passed"].map(is_true)).groupby(["area", "month"], sort=False)["passed"].all()
    result: dict[str, str | None] = {}
    for area in readiness["area"].drop_duplicates():
        if area not in ok.index.get_level_values(0):
            result[str(area)] = None
            continue
        months = ok.loc[area]
        ready = months[months]
        result[str(area)] = str(ready.index[0]) if len(ready) else None
    return result


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


def _performance_window(rows: pd.DataFrame, months: int, labels: Sequence[str],
                        target_share: float) -> tuple[float, float]:
    """`performance_window` on one area's rows, as arrays (replication x month) rather than a
    reindex per replication: readiness asks it of every area of a national run."""
    rows = rows[rows["metric"].isin(_PERFORMANCE_METRICS)]
    month_k = rows["month"].map({label: k for k, label in enumerate(labels)}).to_numpy(dtype=float)
    known = ~np.isnan(month_k)
    if not known.any():
        return math.nan, math.nan
    replications, rep_k = np.unique(rows["replication"].to_numpy()[known], return_inverse=True)
    metric_k = rows["metric"].map({m: i for i, m in enumerate(_PERFORMANCE_METRICS)}).to_numpy()[known]
    cube = np.full((len(_PERFORMANCE_METRICS), len(replications), len(labels)), math.nan)
    cube[metric_k.astype(int), rep_k, month_k[known].astype(int)] = rows["value"].to_numpy(dtype=float)[known]
    live, cirs, share = cube
    met = []
    all_on_time = all_filed = 0.0
    for r in range(len(replications)):
        is_live = live[r] > 0
        if not is_live.any():
            continue
        first = int(np.argmax(is_live))
        filed = cirs[r, first:first + months]
        filed = np.where(np.isnan(filed), 0.0, filed)
        on_share = share[r, first:first + months]
        on_time = (np.where(np.isnan(on_share), 0.0, on_share) * filed).sum()
        if filed.sum() > 0:
            met.append(on_time / filed.sum() >= target_share - 1e-12)
            all_on_time += on_time
            all_filed += filed.sum()
    if not met:
        return math.nan, math.nan
    return sum(met) / len(met), all_on_time / all_filed


def _trailing_turnover(leavers: np.ndarray, fte: np.ndarray) -> np.ndarray:
    """`readiness.trailing_turnover` for every replication (rows) and month (columns) at once."""
    out = np.full(leavers.shape, math.nan)
    for k in range(leavers.shape[1]):
        window = slice(max(0, k - 11), k + 1)
        total_fte = fte[:, window].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, k] = np.where(total_fte > 0, leavers[:, window].sum(axis=1) * 12 / total_fte, math.nan)
    return out


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
    marks the month of the planned go-live.

    `value` is the criterion on the mean state across replications. A criterion **passes** when it
    holds in at least a share `readiness.performance_confidence` of the replications (`pass_share`,
    each replication judged on its own monthly state by `readiness.assess`) and has done so for
    `readiness.hold_months` reviews in a row (fewer at the start of the run). Criteria 1-5 must
    also hold *together* in that share of replications (the `overall` row's `pass_share`; the rule
    the `readiness` go-live policy and `rollout` apply): when each holds but not together, the one
    holding in the fewest replications is marked failing. `on_time_share_first_months` (performance
    rows) is the area's own CIR on-time share over its first `performance_months` months live.
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
        performance, on_time = _performance_window(by_area.get(area.name, performance_rows.iloc[:0]),
                                                   rules.performance_months, labels, header.targets.cir_on_time_share)
        if cube.empty or area.name not in cube.index.get_level_values(0):
            continue
        mine = cube.loc[area.name]
        position = {column: i for i, column in enumerate(mine.columns)}
        present = [k for k in range(first, calendar.horizon_months)
                   if all((m, labels[k]) in position for m in _STATE_METRICS)]
        if not present:
            continue
        values = mine.to_numpy(dtype=float)
        state = _AreaMonths(area, present, {m: values[:, [position[(m, labels[k])] for k in present]]
                                            for m in _STATE_METRICS})
        months = _assess_months(state, calendar, rules, performance, on_time)
        for j, k in enumerate(present):
            for row in months[j]:
                out.append({"area": area.name, "month": labels[k], **row, "go_live_month": k == live_month})
    return pd.DataFrame(out, columns=COLUMNS)


_STATE_METRICS = ["trained_fte", "vacancy_rate", "trained_share", "leavers", "fte_in_post"]


@dataclass(frozen=True)
class _AreaMonths:
    """One area's monthly state for the months judged (`present`): per metric, replications x months."""

    area: AreaConfig
    present: list[int]
    grids: dict[str, np.ndarray]


def _assess_months(state: _AreaMonths, calendar: SimCalendar, rules: ReadinessConfig, performance: float,
                   on_time: float) -> list[list[dict[str, object]]]:
    """Each judged month's criteria rows (plus `overall`): each criterion on the mean state, its
    `pass_share` across replications, then the hold and together rules (see `readiness_frame`)."""
    confidence = rules.performance_confidence
    grids = state.grids
    leavers, fte = grids["leavers"], grids["fte_in_post"]
    turnover = _trailing_turnover(leavers, fte)
    mean_turnover = _trailing_turnover(leavers.mean(axis=0, keepdims=True), fte.mean(axis=0, keepdims=True))[0]
    per_rep = {"capacity": grids["trained_fte"], "vacancy": grids["vacancy_rate"], "training": grids["trained_share"],
               "stability": turnover}
    means = {name: _column_nanmeans(per_rep[name]) for name in ("capacity", "vacancy", "training")}
    months: list[list[dict[str, object]]] = []
    raw: dict[str, list[bool]] = {c: [] for c in GATING}
    together: list[float] = []
    for j, k in enumerate(state.present):
        mean_state = AreaState(float(means["capacity"][j]), float(means["vacancy"][j]),
                               float(means["training"][j]), float(mean_turnover[j]), performance)
        review = review_date_of(calendar, k)
        crit = assess(state.area, calendar, k, review, mean_state, rules)
        ok_all = np.ones(per_rep["capacity"].shape[0], dtype=bool)
        for row in crit:
            name = str(row["criterion"])
            threshold = float(row["threshold"])  # type: ignore[arg-type]
            if name in per_rep:
                held = np.array([passes(name, v, threshold) for v in per_rep[name][:, j]])
            elif name == "partnerships":
                held = np.full(ok_all.shape, bool(row["passed"]))
            else:
                row["pass_share"], row["on_time_share_first_months"] = math.nan, on_time
                continue
            ok_all &= held
            share = np.count_nonzero(held) / held.size if held.size else math.nan  # = held.mean(), bit for bit
            row["pass_share"], row["on_time_share_first_months"] = share, math.nan
            raw[name].append(bool(held.size) and share >= confidence - 1e-12)
        together.append(np.count_nonzero(ok_all) / ok_all.size if ok_all.size else math.nan)
        months.append(crit)
    _apply_hold_rules(months, raw, together, rules)
    return months


def _apply_hold_rules(months: list[list[dict[str, object]]], raw: dict[str, list[bool]], together: list[float],
                      rules: ReadinessConfig) -> None:
    """Criteria 1-5 pass only when they held for `hold_months` reviews in a row, and together in
    enough replications (else the one holding in the fewest fails); then each month's `overall` row."""
    confidence = rules.performance_confidence
    held_by = {c: _held(raw[c], rules.hold_months) for c in GATING}
    jointly = _held([t == t and t >= confidence - 1e-12 for t in together], rules.hold_months)
    for j, crit in enumerate(months):
        for row in crit:
            name = str(row["criterion"])
            if name in held_by:
                row["passed"] = held_by[name][j]
                _restatus(row, rules.amber_tolerance)
        gating = [r for r in crit if r["criterion"] in GATING]
        if all(r["passed"] for r in gating) and not jointly[j]:
            weakest = min(gating, key=lambda r: float(r["pass_share"]))  # type: ignore[arg-type]
            weakest["passed"] = False
            _restatus(weakest, rules.amber_tolerance)
        passed_count = sum(bool(r["passed"]) for r in crit)
        crit.append({"criterion": "overall", "value": float(passed_count), "threshold": float(len(CRITERIA)),
                     "passed": passed_count == len(CRITERIA), "status": overall_status(crit),
                     "margin": float(passed_count - len(CRITERIA)), "pass_share": together[j],
                     "on_time_share_first_months": math.nan})


def _restatus(row: dict[str, object], tolerance: float) -> None:
    """A criterion's status after the replication and hold rules, by the one amber rule (on its
    mean value's margin)."""
    row["status"] = criterion_status(str(row["criterion"]), bool(row["passed"]),
                                     float(row["margin"]), tolerance)  # type: ignore[arg-type]
