"""The workbook's `Area inputs` sheet: each area's main planning inputs as the scenario sets them
(after `defaults` and its region), with headers in words, so a leader can check what a run assumed
without reading YAML."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cfc_sim.calendar import DAYS_PER_YEAR
from cfc_sim.scenario.schema import AreaConfig, ScenarioConfig

# (header in words, the value from an area, Excel number format)
COLUMNS: tuple[tuple[str, Any, str | None], ...] = (
    ("Area", lambda a: a.name, None),
    ("Region", lambda a: a.region or "", None),
    ("Planned go-live", lambda a: a.go_live, "d mmm yyyy"),
    ("FCAs in post at the start", lambda a: a.workforce.fcas, "#,##0"),
    ("Funded posts (establishment)", lambda a: a.workforce.establishment, "#,##0"),
    ("Caseload cap (open cases per FCA)", lambda a: a.workforce.caseload_cap, "#,##0"),
    ("FCAs leaving a year (share of those in post)", lambda a: a.workforce.annual_turnover, "0.0%"),
    ("Time to hire (mean days)", lambda a: a.workforce.time_to_hire_days.mean_value(), "#,##0"),
    ("Hires that succeed (share)", lambda a: a.workforce.hire_success, "0.0%"),
    ("Induction (days)", lambda a: a.workforce.induction_days, "#,##0"),
    ("Trained for CFC at the start (share)", lambda a: a.workforce.training.trained_share_at_start, "0.0%"),
    ("Applications a week", lambda a: a.demand.applications_per_week, "#,##0.0"),
    ("Growth in applications a year (share)", lambda a: a.demand.annual_growth, "0.0%"),
    ("Court sitting days a week (blank: unlimited)",
     lambda a: None if a.court is None else a.court.sitting_days_per_week, "#,##0.0"),
    ("Cost of one FCA a year (£)", lambda a: a.workforce.cost_per_fte_day * DAYS_PER_YEAR, "£#,##0"),
)
FORMATS: dict[str, str | None] = {header: fmt for header, _, fmt in COLUMNS}


def area_inputs_frame(config: ScenarioConfig) -> pd.DataFrame:
    """One row per area, one worded column per input (in the scenario's area order)."""
    def row(area: AreaConfig) -> dict[str, Any]:
        return {header: value(area) for header, value, _ in COLUMNS}

    return pd.DataFrame([row(a) for a in config.areas], columns=[header for header, _, _ in COLUMNS])
