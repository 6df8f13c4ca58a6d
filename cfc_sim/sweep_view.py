"""The swept metric per variant as people read it: every variant kept (one with no value says why,
e.g. "not live within the run"), and a metric counted in days from the start shown as a date.

`sweep.csv` keeps the numbers; this module is what `cfc-sim sweep` prints and `sweep_chart` draws,
so the terminal and the chart show the same variants with the same words.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd

from cfc_sim.metric_catalogue import BY_NAME, NATIONAL, whole_run_name

DATE_METRICS = ("go_live_day",)  # values are days from the scenario start: shown as dates
NOT_LIVE = "not live within the run"


def is_date_metric(metric: str) -> bool:
    """Whether the metric's values are days from the start (shown and drawn as dates)."""
    return metric in DATE_METRICS


def run_span_days(config: object) -> tuple[float, float]:
    """The days a go-live within the run can fall on: from its start to its end. A mean go-live over a
    few runs has a t-interval that can reach years outside them (two runs live gave "2017-02-26 to
    2038-05-06" for a run of 2026-2030). A variant's own go-live or horizon may differ from the base
    scenario's, so the interval is cut to the span without ever crossing its mean (`metric_view`)."""
    start = config.header.start  # type: ignore[attr-defined]
    return 0.0, float((config.end - start).days)  # type: ignore[attr-defined]


def day_to_date(start: dt.date, day: float) -> dt.date:
    """A day from the start as a date."""
    return start + dt.timedelta(days=round(day))


def _value_text(metric: str, value: float, start: dt.date) -> str:
    if value != value:
        return ""
    if is_date_metric(metric):
        return day_to_date(start, value).isoformat()
    shown = BY_NAME.get(metric)
    return shown.format(value) if shown is not None else f"{value:,.4g}"


def metric_view(table: pd.DataFrame, keys: Sequence[str], metric: str, area: str, start: dt.date,
                bounds_days: tuple[float, float] | None = None) -> pd.DataFrame:
    """One row per variant of the sweep (all of them, in sweep order): the swept values, the metric's
    mean and 95% interval (NaN when none), the same as text (dates for date metrics) and a note: for
    go-live, the share of runs live by the end when below 1, or NOT_LIVE when no run went live. A date
    metric's interval is cut to `bounds_days` (`run_span_days`), never across its mean (an area live
    before the run has a go-live day below the span's start)."""
    variants = table.drop_duplicates("variant")[["variant", *keys]]
    mine = table[(table["area"] == area) & (table["pathway"] == "all")]
    values = mine[mine["metric"] == metric].set_index("variant")
    live = mine[mine["metric"] == "live_at_end"].set_index("variant")["mean"]
    rows = []
    for variant in variants.itertuples(index=False):
        name = variant[0]
        mean, low, high = ((float(values.loc[name, c]) for c in ("mean", "ci_low", "ci_high"))
                           if name in values.index else (math.nan,) * 3)
        if bounds_days is not None and is_date_metric(metric) and low == low and mean == mean:
            low, high = min(mean, max(low, bounds_days[0])), max(mean, min(high, bounds_days[1]))
        note = ""
        if metric == "go_live_day":
            share = float(live.get(name, math.nan))
            if mean != mean or share == 0:
                note = NOT_LIVE
            elif share == share and share < 1:
                note = f"live by the end in {share:.0%} of runs (the date is over those)"
        elif mean != mean:
            note = "no value (e.g. no CIRs in this area within the run)"
        text = NOT_LIVE if note == NOT_LIVE else _value_text(metric, mean, start)
        interval = ("" if low != low or high != high or note == NOT_LIVE
                    else f"{_value_text(metric, low, start)} to {_value_text(metric, high, start)}")
        rows.append({"variant": name, **dict(zip(keys, variant[1:], strict=True)), "mean": mean, "ci_low": low,
                     "ci_high": high, "value": text, "95% interval": interval, "note": note})
    return pd.DataFrame(rows)


def where_label(area: str, run_areas: Sequence[str] = ()) -> str:
    """The area's name, or for the `ALL` rows what they are (`whole_run_name` of `run_areas`:
    England only when every English court area is modelled; "the ALL rows" when not given)."""
    if area != NATIONAL:
        return area
    return whole_run_name(run_areas) if run_areas else "the ALL rows"
