"""The results folder's contract (DESIGN 5), declared once: its file names, each table's columns
and which of them hold numbers, and manifest.json's fields. `cfc_sim.results` writes to it and
`cfc_sim.results_reader` checks against it. Pure Python: importing it loads nothing else.
"""

from __future__ import annotations

MANIFEST_JSON = "manifest.json"
SCENARIO_RESOLVED_YAML = "scenario.resolved.yaml"
TIMESERIES_PARQUET = "timeseries.parquet"
TIMESERIES_CSV = "timeseries.csv"  # folders written before the Parquet series (still read)
MONTHLY_SUMMARY_CSV = "monthly_summary.csv"
EVENTS_CSV_GZ = "events.csv.gz"  # only with --trace
CHARTS = "charts"
NEED_CSV = "need.csv"  # of a plan folder (`cfc-sim plan --need`), shown by `report --need`


def csv_name(stem: str) -> str:
    """A table's file name: `summary` -> summary.csv."""
    return f"{stem}.csv"


# The contract's columns and which of them hold numbers; a reader allows extra columns.
TEXT = "text"
NUMBER = "number"
FLAG = "flag"
COLUMNS: dict[str, dict[str, str]] = {
    "replications": {"replication": NUMBER, "area": TEXT, "pathway": TEXT, "metric": TEXT, "value": NUMBER},
    "summary": {"area": TEXT, "pathway": TEXT, "metric": TEXT, "mean": NUMBER, "ci_low": NUMBER,
                "ci_high": NUMBER, "n_reps": NUMBER},
    "timeseries": {"replication": NUMBER, "area": TEXT, "month": TEXT, "metric": TEXT, "value": NUMBER},
    "readiness": {"area": TEXT, "month": TEXT, "criterion": TEXT, "value": NUMBER, "threshold": NUMBER,
                  "passed": FLAG, "status": TEXT},
    "monthly_summary": {"area": TEXT, "month": TEXT, "metric": TEXT, "mean": NUMBER, "p05": NUMBER,
                        "p50": NUMBER, "p95": NUMBER},
}
REQUIRED_CSV = ["replications", "summary", "readiness"]  # plus the series: Parquet, or CSV in older folders
OPTIONAL_FLAGS = {"go_live_month"}
NEED_COLUMNS: dict[str, str] = {"area": TEXT, "fte_now": NUMBER, "fcas_needed_cfc": NUMBER,
                                "fcas_needed_cap": NUMBER, "difference": NUMBER, "ci_low": NUMBER,
                                "ci_high": NUMBER}

REPLICATIONS_COLUMNS = list(COLUMNS["replications"])
SUMMARY_COLUMNS = list(COLUMNS["summary"])
TIMESERIES_COLUMNS = list(COLUMNS["timeseries"])
READINESS_COLUMNS = list(COLUMNS["readiness"])
MONTHLY_COLUMNS = list(COLUMNS["monthly_summary"])

# manifest.json: field -> accepted types (bool is not a number here).
MANIFEST_FIELDS: dict[str, tuple[type, ...]] = {
    "scenario_name": (str,), "scenario_sha256": (str,), "seed": (int,), "replications": (int,),
    "cfc_sim_version": (str,), "command": (str,),
}
MANIFEST_OPTIONAL: dict[str, tuple[type, ...]] = {
    "python": (str,), "simpy": (str,), "started": (str,), "finished": (str,), "wall_seconds": (int, float),
    "warnings": (list,), "scenario_source": (str, type(None)), "mechanisms": (dict,),
    "calibration": (str,), "model_build": (str,),
}
