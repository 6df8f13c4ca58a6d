"""One replication of a scenario: build each area's SimPy environment, run it, read out the metrics.

`simulate(config, r)` is a pure function of the scenario and the replication number: all
randomness comes from `Streams(seed, r)`, so any executor on any machine gives the same output.

Areas never interact (each has its own FCAs, court, end-of-day clock and random streams), so each
area runs in an environment of its own and the national metrics are read from the areas' counts
afterwards. An area's numbers are the same to the last bit as with several areas in one
environment, and a replication takes half the CPU: one area's few thousand live objects stay in
the processor's cache, where 40 areas' half a million did not (`benchmarks/bench_area_environments.py`).
"""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import simpy

from cfc_sim.calendar import DAYS_PER_MONTH, SimCalendar
from cfc_sim.metric_catalogue import NATIONAL
from cfc_sim.metrics import finite, summed
from cfc_sim.model.area import Area
from cfc_sim.model.arrivals import Arrivals, segment_bounds
from cfc_sim.model.initial import seed_open_cases
from cfc_sim.model.monitor import (
    AreaReadout,
    add_snapshots,
    area_metrics,
    month_values,
    national_metrics,
    readout,
    snapshot,
)
from cfc_sim.model.pathways import CaseFlow
from cfc_sim.model.workforce import Workforce
from cfc_sim.readiness import AreaState, assess, gate_passes, trailing_turnover
from cfc_sim.scenario.keys import area_variant
from cfc_sim.scenario.schema import Intervention, ScenarioConfig, thaw
from cfc_sim.streams import Streams

URGENT = 0  # simpy.events.URGENT: parameter changes happen before anything else that day


@dataclass
class ReplicationOutput:
    """What one replication sends back: metric values and monthly series, nothing per case."""

    replication: int
    metrics: list[tuple[str, str, str, float]] = field(default_factory=list)  # area, pathway, metric, value
    monthly: list[tuple[str, int, str, float]] = field(default_factory=list)  # area, month, metric, value
    events: list[tuple[float, str, int, str, str]] | None = None  # only with trace


@dataclass
class AreasRun:
    """What a run of some of a replication's areas (in one environment) gives the replication."""

    metrics: list[tuple[str, str, str, float]]  # the areas' own rows
    monthly: list[list[tuple[str, int, str, float]]]  # the areas' rows, month by month from the end of warm-up
    snapshot_sums: list[dict[str, float]]  # the areas' snapshots summed, at each month boundary and the end
    readouts: list[AreaReadout]
    events: list[tuple[float, str, int, str, str]] | None

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent back from a worker process (`simulate_areas`): a compiled class is rebuilt from its
        fields, since pickle's default would call its `__init__` with none."""
        return (AreasRun, (self.metrics, self.monthly, self.snapshot_sums, self.readouts, self.events))


def make_calendar(config: ScenarioConfig) -> SimCalendar:
    header = config.header
    return SimCalendar(header.start, header.horizon_months, header.calendar.bank_holidays)


class Replication:
    """The model of one replication's areas in one environment: their case flows, workforce and
    the monthly monitor. `simulate` gives each area its own; tests may run several together. Each
    area has its own end-of-day clock: a clock shared by the areas made one SimPy event a day for
    all of them, whose place among an area's own events of that day (a hub review, say) then
    depended on the other areas' requests."""

    def __init__(self, config: ScenarioConfig, replication: int, trace: bool = False,
                 area_names: Sequence[str] | None = None, calendar: SimCalendar | None = None) -> None:
        self.config = config
        self.replication = replication
        self.env = simpy.Environment()
        self.calendar = calendar if calendar is not None else make_calendar(config)  # read-only: shareable
        self.streams = Streams(config.seed, replication)
        self.areas: list[Area] = []
        self.workforces: dict[str, Workforce] = {}
        self.events: list[tuple[float, str, int, str, str]] | None = [] if trace else None
        self.warmup_day = self.calendar.month_start_days[config.header.warmup_months]
        self._snapshots: dict[str, dict[str, float]] = {}
        self._monthly: list[list[tuple[str, int, str, float]]] = []
        self._snapshot_sums: list[dict[str, float]] = []
        self.policy = config.header.readiness.policy
        configs = [a for a in config.areas if area_names is None or a.name in area_names]
        here = {a.name for a in configs}  # the areas this environment runs
        # per area: leavers in each past month and FCAs in post at each month end (trailing turnover)
        self._turnover_history: dict[str, tuple[list[float], list[float]]] = {a.name: ([], []) for a in configs}
        cir_days = config.header.targets.cir_working_days
        for area_config in configs:
            area = Area(self.env, area_config, self.calendar, self.streams)  # with its own end-of-day clock
            area.trace = self.events
            # the cohort whose hearings per case are counted to the end: the first half after warm-up
            area.cohort_start_day = self.warmup_day
            area.cohort_end_day = self.warmup_day + (self.calendar.horizon_days - self.warmup_day) / 2
            flow = CaseFlow(area, cir_days)
            staffing = self.workforces[area.name] = Workforce(area)
            staffing.staff_at_start()
            seed_open_cases(area, flow)
            self.env.process(self._hub_reviews(area))
            intervention_days = [self.calendar.day_of(i.at) for i in config.interventions
                                 if i.area == area_config.name]
            bounds = segment_bounds(self.calendar, intervention_days)
            Arrivals(self.env, area, flow, bounds)
            self._schedule_go_live(area)
            self.areas.append(area)
        for intervention in config.interventions:
            if intervention.area in here:
                self._schedule_intervention(intervention)
        for k, day in enumerate(self.calendar.month_start_days[:-1]):
            self._at(day, lambda ev, k=k: self._month_start(k))

    def _at(self, day: float, callback: Any, priority: int = 1) -> None:
        event = simpy.Event(self.env)
        event.callbacks.append(callback)
        event._ok = True
        event._value = None
        self.env.schedule(event, priority, max(0.0, day))

    def _schedule_go_live(self, area: Area) -> None:
        """Planned policy: live on the planned day. Readiness policy: live at the first review on or
        after it (the planned day itself, then each month start) at which criteria 1-5 hold."""
        planned = area.planned_go_live_day
        if planned <= 0:
            self._go_live(area, planned)
        elif planned < self.calendar.horizon_days:
            if self.policy == "planned":
                self._at(planned, lambda _, area=area: self._go_live(area, self.env.now), URGENT)
            else:
                area.go_live_day = math.inf
                self._at(planned, lambda _, area=area: self._review(area), URGENT)
        else:
            area.go_live_day = math.inf  # planned after the horizon: not live within it

    def _go_live(self, area: Area, day: float) -> None:
        area.go_live_day = day
        area.training_share_at_go_live = area.trained_share()
        area.open_cap_at_go_live = float(area.open_cases["cap"])
        if day >= 0:  # the pilots' figure: how far the open caseload falls in 18 months live
            area.open_at_go_live = float(area.open_cases["cap"] + area.open_cases["cfc"])
            later = simpy.events.Timeout(self.env, 18 * DAYS_PER_MONTH + max(0.0, day - self.env.now))
            later.callbacks.append(lambda _, area=area: setattr(
                area, "open_18m_after_go_live", area.open_cases["cap"] + area.open_cases["cfc"]))

    def _review(self, area: Area) -> None:
        """A readiness review: under the readiness policy, go live now if criteria 1-5 hold."""
        now = self.env.now
        if area.go_live_day <= now or now < area.planned_go_live_day:
            return
        month = self.calendar.month_index(now)
        history = self._turnover_history[area.name]
        state = AreaState(
            trained_fte=float(sum(1 for f in area.staff() if f.trained)),
            vacancy_rate=area.vacancies.value / area.establishment.value if area.establishment.value else 0.0,
            trained_share=area.trained_share(),
            turnover_12m=trailing_turnover(history[0], history[1]) if history[0] else 0.0,
        )
        rows = assess(area.config, self.calendar, month, self.calendar.date_of(now), state,
                      self.config.header.readiness)
        if gate_passes(rows):
            self._go_live(area, now)

    def _schedule_intervention(self, intervention: Intervention) -> None:
        day = self.calendar.day_of(intervention.at)
        if day >= self.calendar.horizon_days:
            return
        area = next(a for a in self.areas if a.name == intervention.area)

        def apply(_: Any) -> None:
            old_fcas = area.config.workforce.fcas
            area.set_config(area_variant(area.config, thaw(intervention.set)))
            if area.config.workforce.fcas != old_fcas:
                self.workforces[area.name].change_headcount(self.env.now, area.config.workforce.fcas)

        self._at(day, apply, URGENT)

    def _hub_reviews(self, area: Area):  # type: ignore[no-untyped-def]
        """While the prioritisation protocol is active, hub cases are allocated at each review."""
        while True:
            yield self.env.timeout(area.config.prioritisation.hub_review_days)
            if area.protocol_on:
                area.fill_all(self.env.now, hub_review=True)

    def _month_start(self, k: int) -> None:
        now = self.env.now
        warmup = self.config.header.warmup_months
        if k > 0:
            for area in self.areas:
                leavers, fte = self._turnover_history[area.name]
                leavers.append(area.leavers_total - sum(leavers))
                fte.append(area.in_post.value)
        if k == warmup:
            for area in self.areas:
                area.reset_stats(now)
        if k > warmup:
            self._record_month(k - 1, now)
        if k >= warmup:
            self._take_snapshots(now, first=k == warmup)
        if self.policy == "readiness":
            for area in self.areas:
                self._review(area)
        for staffing in self.workforces.values():
            staffing.start_training(now)

    def _take_snapshots(self, now: float, first: bool) -> None:
        for area in self.areas:
            self._snapshots[area.name] = snapshot(area, now)
        if first:
            self._snapshot_sums.append(add_snapshots([self._snapshots[a.name] for a in self.areas]))

    def _record_month(self, month: int, now: float) -> None:
        days = now - self.calendar.month_start_days[month]
        before = self._snapshots
        after = {area.name: snapshot(area, now) for area in self.areas}
        self._snapshot_sums.append(add_snapshots(list(after.values())))
        rows: list[tuple[str, int, str, float]] = []
        for name, snap in after.items():
            rows.extend((name, month, metric, value) for metric, value in
                        finite(month_values(before[name], snap, days)).items())
        self._monthly.append(rows)

    def run_areas(self) -> AreasRun:
        """Run to the horizon and read out the areas (their rows, and what the national ones need)."""
        end = self.calendar.horizon_days
        self.env.run(until=end)
        for area in self.areas:
            area.flush(end)
        self._record_month(self.calendar.horizon_months - 1, end)
        span = end - self.warmup_day
        readouts = [readout(area, end) for area in self.areas]
        rows: list[tuple[str, str, str, float]] = []
        for counts in readouts:
            for pathway, values in area_metrics(counts, end, span).items():
                rows.extend((counts.name, pathway, m, v) for m, v in finite(values).items())
        return AreasRun(rows, self._monthly, self._snapshot_sums, readouts, self.events)

    def run(self) -> ReplicationOutput:
        """Run these areas together in one environment and read out their and the national metrics."""
        return combine(self.config, self.replication, [self.run_areas()], self.calendar)


def combine(config: ScenarioConfig, replication: int, runs: Sequence[AreasRun],
            calendar: SimCalendar) -> ReplicationOutput:
    """One replication's output from its areas' runs: their rows in area order, month by month, each
    month's national row from the areas' summed snapshots, and the national metrics from their counts."""
    warmup = config.header.warmup_months
    end = calendar.horizon_days
    warmup_day = calendar.month_start_days[warmup]
    traced = [run.events for run in runs if run.events is not None]
    events = sorted((e for log in traced for e in log), key=lambda e: e[0]) if traced else None
    output = ReplicationOutput(replication, events=events)
    boundaries = [*calendar.month_start_days[warmup:calendar.horizon_months], end]
    for m in range(len(boundaries) - 1):
        for run in runs:
            output.monthly.extend(run.monthly[m])
        before = add_snapshots([run.snapshot_sums[m] for run in runs])
        after = add_snapshots([run.snapshot_sums[m + 1] for run in runs])
        values = month_values(before, after, boundaries[m + 1] - boundaries[m])
        output.monthly.extend((NATIONAL, warmup + m, metric, value) for metric, value in finite(values).items())
    readouts = [counts for run in runs for counts in run.readouts]
    for run in runs:
        output.metrics.extend(run.metrics)
    queue = summed([counts.queue_log for counts in readouts], warmup_day)
    national = national_metrics(readouts, queue.mean(end), queue.maximum, end, end - warmup_day)
    for pathway, values in national.items():
        output.metrics.extend((NATIONAL, pathway, m, v) for m, v in finite(values).items())
    return output


_PAUSE_LOCK = threading.Lock()
_pause = {"running": 0, "was_enabled": False}  # replications running now (threads), the collector's state before


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a replication runs, its youngest generation collected after.

    A national replication keeps about half a million objects alive (open cases, pending events,
    the event heap's entries), and the collector rescanned them again and again: about 15% of the
    replication's CPU time (4.8 CPU s paused against 5.7 s, `benchmarks/bench_machinery.py`
    "pause"). The run makes no cyclic garbage while it runs (a national replication peaks at the
    same 89 MB with the collector off), only the replication's own structure at the end (the
    environment and its pending events refer to each other), which one collection of the youngest
    generation after the run frees (a full one would rescan everything the calling process holds).
    Numbers are unchanged: nothing in the model depends on when memory is reclaimed
    (`tests/test_determinism.py` runs a replication both ways).

    The collector is process-wide, so replications running in threads (a Dask worker with several
    threads) share one pause: the first to start turns it off, the last to end restores what was
    there before (a caller that had turned it off keeps it off), and each one's end collects."""
    with _PAUSE_LOCK:
        if _pause["running"] == 0:
            _pause["was_enabled"] = gc.isenabled()
            gc.disable()
        _pause["running"] += 1
        was_enabled = _pause["was_enabled"]
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _pause["running"] -= 1
            if _pause["running"] == 0 and _pause["was_enabled"]:
                gc.enable()
        if was_enabled:
            gc.collect(0)  # the replication's objects are young: nothing was collected, so promoted, meanwhile


def simulate(config: ScenarioConfig, replication: int, trace: bool = False, *,
             pause_collector: bool = True) -> ReplicationOutput:
    """Run replication `replication` of `config` (with its parameter draw, if any) and return its
    metrics: each area in its own environment, one after another (see the module's docstring).
    `pause_collector=False` leaves the garbage collector as it is (to show the pause changes nothing)."""
    from cfc_sim.uncertainty import sample_config

    config = sample_config(config, replication)
    calendar = make_calendar(config)  # built once: a working-day table of about ten years
    runs = _area_runs(config, replication, [a.name for a in config.areas], trace, calendar, pause_collector)
    return combine(config, replication, runs, calendar)


def simulate_areas(config: ScenarioConfig, replication: int, area_names: Sequence[str],
                   trace: bool = False) -> list[AreasRun]:
    """The named areas of replication `replication`, each run in its own environment: a part of
    `simulate`, so that a replication's areas can run in several worker processes at once, and
    `combine_areas` of the parts gives exactly what `simulate` gives."""
    from cfc_sim.uncertainty import sample_config

    config = sample_config(config, replication)
    return _area_runs(config, replication, area_names, trace, make_calendar(config), True)


def combine_areas(config: ScenarioConfig, replication: int, parts: Sequence[Sequence[AreasRun]]) -> ReplicationOutput:
    """A replication's output from `simulate_areas` parts holding each area once, however split:
    the areas' runs go back in the scenario's order before they are combined."""
    from cfc_sim.uncertainty import sample_config

    config = sample_config(config, replication)
    order = {a.name: i for i, a in enumerate(config.areas)}
    runs = sorted((run for part in parts for run in part), key=lambda run: order[run.readouts[0].name])
    if [run.readouts[0].name for run in runs] != list(order):
        raise ValueError(f"replication {replication}'s parts do not hold each of its areas once")
    return combine(config, replication, runs, make_calendar(config))


def _area_runs(config: ScenarioConfig, replication: int, area_names: Sequence[str], trace: bool,
               calendar: SimCalendar, pause_collector: bool) -> list[AreasRun]:
    """The named areas of `config` (a replication's draw applied), in scenario order, each alone."""
    wanted = set(area_names)
    runs = []
    for area in config.areas:
        if area.name in wanted:
            with collector_paused() if pause_collector else nullcontext():
                runs.append(Replication(config, replication, trace, (area.name,), calendar).run_areas())
    return runs
