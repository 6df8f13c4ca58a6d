"""The results contract (DESIGN 5.1) as the tests state it, independently of the package's catalogue."""

from __future__ import annotations

METRICS = [  # DESIGN 5.1, in the contract's order
    "applications", "children", "closed_cases", "open_cases_end", "cirs_filed", "cir_on_time_share",
    "cir_working_days_mean", "cir_working_days_p90", "children_seen_share", "weeks_to_decision_mean",
    "weeks_to_decision_p90", "weeks_to_decision_reported_mean", "wait_to_allocation_days_mean",
    "wait_to_allocation_days_p90", "unallocated_queue_mean", "unallocated_queue_max", "caseload_mean",
    "caseload_p90", "fca_utilisation", "reallocations_per_case", "single_practitioner_share",
    "fte_in_post_mean", "vacancy_rate_mean", "leavers", "turnover_rate", "sickness_days_share",
    "training_share_at_go_live", "prioritisation_days", "flexible_fte_days", "go_live_day",
]
