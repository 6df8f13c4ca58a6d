"""Small complete scenarios as plain mappings, for notebooks, tests and benchmarks.

`scenario_dict(**changes)` is a valid one-area scenario (changes as keyword arguments with `__` for
dots); `mmc_dict(...)` configures the model as an M/M/c queue, the case queueing theory answers.
Validate either with `cfc_sim.scenario.loading.config_from_dict`.
"""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "schema": 1,
    "name": "test",
    "start": "2026-04-01",
    "horizon_months": 12,
    "warmup_months": 0,
    "replications": 2,
    "seed": 12345,
    "targets": {"cir_working_days": 40, "cir_on_time_share": 0.9, "children_seen_share": 0.75},
    "readiness": {
        "policy": "planned", "capacity_headroom": 1.1, "max_vacancy_rate": 0.1, "min_training_share": 0.95,
        "max_turnover_12m": 0.18, "performance_months": 6, "performance_confidence": 0.8,
    },
    "defaults": {
        "demand": {
            "applications_per_week": 10,
            "seasonality": [1.0] * 12,
            "annual_growth": 0.0,
            "children_per_case": {"dist": "shifted_poisson", "mean": 1.5},
            "domestic_abuse_share": 0.62,
            "high_risk_share": 0.2,
        },
        "cap": {
            "first_hearing_days": {"dist": "triangular", "low": 28, "mode": 42, "high": 70},
            "further_report_share": 0.4,
            "report_work_days": {"dist": "lognormal", "mean": 84, "sd": 21},
            "final_hearing_wait_days": {"dist": "lognormal", "mean": 180, "sd": 90},
        },
        "cfc": {
            "intake_days": {"dist": "triangular", "low": 5, "mode": 10, "high": 15},
            "cafcass_cir_share": 0.7,
            "la_cir_share": 0.05,
            "cir_work_days": {"dist": "lognormal", "mean": 30, "sd": 8},
            "decision_hearing_wait_days": {"dist": "lognormal", "mean": 40, "sd": 15},
            "second_report_share": 0.1,
            "second_report_work_days": {"dist": "lognormal", "mean": 42, "sd": 14},
        },
        "workforce": {
            "fcas": 10, "establishment": 10, "caseload_cap": 20, "annual_turnover": 0.0, "notice_days": 28,
            "time_to_hire_days": {"dist": "lognormal", "mean": 120, "sd": 40}, "hire_success": 0.9,
            "induction_days": 0, "induction_start_cap_share": 1.0,
            "sickness": {"episodes_per_year": 0, "episode_days": {"dist": "exponential", "mean": 7},
                         "reallocate_after_days": 28},
            "training": {"days": 0, "seats_per_month": 100, "trained_share_at_start": 1.0},
            "flexible": {"max_fte": 0, "trigger_queue": 30},
        },
        "prioritisation": {"activate_queue": 100000, "deactivate_queue": 0},
        "partnerships": {"idva": "2026-04-01", "local_authority": "2026-04-01", "police": "2026-04-01"},
    },
    "areas": [{"name": "Testshire", "region": "Test", "go_live": "2026-04-01"}],
}


# Optional mechanisms (issue 11): FCA hours with work content per activity, and court listing.
HOURS: dict[str, Any] = {
    "defaults.workforce.hours": {"contracted_per_week": 37.0, "casework_share": 0.65},
    "defaults.cap.hours": {
        "safeguarding": {"dist": "gamma", "mean": 4, "sd": 1.5},
        "safeguarding_days": {"dist": "triangular", "low": 10, "mode": 18, "high": 28},
        "report": {"dist": "gamma", "mean": 20, "sd": 6}, "child_visit": {"dist": "gamma", "mean": 5, "sd": 1.5},
        "hearing": 3, "da_extra": 4,
    },
    "defaults.cfc.hours": {
        "intake": {"dist": "gamma", "mean": 5, "sd": 1.5}, "idva_referral": 1.5,
        "child_visit": {"dist": "gamma", "mean": 6, "sd": 2}, "cir": {"dist": "gamma", "mean": 12, "sd": 4},
        "da_extra": 3, "second_report": {"dist": "gamma", "mean": 10, "sd": 3}, "hearing": 3,
        "see_children_without_cir_share": 0.3, "visit_by_working_days": 30,
    },
}
COURT: dict[str, Any] = {
    "defaults.court": {
        "sitting_days_per_week": 10.0, "hours_per_sitting_day": 5.0, "adjourned_share": 0.1,
        "hearings": {
            "first_hearing": {"hours": 1.0, "notice_days": 28}, "fact_finding": {"hours": 10.0, "notice_days": 28},
            "dra": {"hours": 2.0, "notice_days": 14}, "final": {"hours": 5.0, "notice_days": 28},
            "decision": {"hours": 2.0, "notice_days": 7}, "review": {"hours": 1.0, "notice_days": 14},
            "further": {"hours": 3.0, "notice_days": 14},
        },
    },
    "defaults.cap.continue_without_report_share": 0.25,
    "defaults.cap.fact_finding_share_of_da": 0.2,
    "defaults.cap.resolved_at_dra_share": 0.5,
    "defaults.cfc.review_hearing_share": 0.1,
}


def modelled_dict(*, hours: bool = True, court: bool = True, **changes: Any) -> dict[str, Any]:
    """BASE with FCA hours and/or court listing switched on (then `changes`, '__' for dots)."""
    data = copy.deepcopy(BASE)
    if hours:
        deep_update(data, copy.deepcopy(HOURS))
    if court:
        deep_update(data, copy.deepcopy(COURT))
    return deep_update(data, {k.replace("__", "."): v for k, v in changes.items()})


def deep_update(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply dotted-key changes, e.g. {"defaults.workforce.fcas": 3}; returns target."""
    for dotted, value in changes.items():
        node: Any = target
        keys = dotted.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(keys[-1])] = value
        else:
            node[keys[-1]] = value
    return target


def scenario_dict(**changes: Any) -> dict[str, Any]:
    """A copy of BASE with changes given as keyword args using '__' for dots."""
    data = copy.deepcopy(BASE)
    return deep_update(data, {k.replace("__", "."): v for k, v in changes.items()})


def mmc_dict(*, arrivals_per_day: float, work_mean_days: float, fcas: int, cap: int = 1,
             months: int = 60, warmup_months: int = 6, reps: int = 5, seed: int = 1) -> dict[str, Any]:
    """An M/M/c configuration: Poisson arrivals straight to a Cafcass CIR, exponential work,
    c = fcas x cap slots, no intake delay, no turnover, sickness or training."""
    data = scenario_dict()
    deep_update(data, {
        "horizon_months": months, "warmup_months": warmup_months, "replications": reps, "seed": seed,
        "defaults.demand.applications_per_week": arrivals_per_day * 7,
        "defaults.demand.high_risk_share": 0.0,
        "defaults.cfc.intake_days": 0,
        "defaults.cfc.cafcass_cir_share": 1.0,
        "defaults.cfc.la_cir_share": 0.0,
        "defaults.cfc.second_report_share": 0.0,
        "defaults.cfc.cir_work_days": {"dist": "exponential", "mean": work_mean_days},
        "defaults.cfc.decision_hearing_wait_days": 0,
        "defaults.workforce.fcas": fcas,
        "defaults.workforce.establishment": fcas,
        "defaults.workforce.caseload_cap": cap,
        "areas": [{"name": "Queue", "go_live": "2020-01-01"}],
    })
    return data
