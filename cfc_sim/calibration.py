"""Published figures the shipped scenarios must reproduce (CALIBRATION.md, validation targets).

One table serves the tests (tests/test_calibration.py) and the generated page
(docs/calibration.md via docs/make_calibration.py), so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cfc_sim.metric_catalogue import NATIONAL


@dataclass(frozen=True)
class Target:
    """A published figure, the summary metric that reproduces it, and the accepted band."""

    scenario: str  # file name in scenarios/
    label: str
    area: str
    pathway: str
    metric: str
    published: str  # the figure as published
    low: float  # accepted band (published range widened by the stated tolerance)
    high: float
    source: str

    def check(self, summary: pd.DataFrame) -> tuple[float, float, float, bool]:
        """(mean, ci_low, ci_high, within band) of the target's metric in a run's summary."""
        row = summary[(summary["area"] == self.area) & (summary["pathway"] == self.pathway)
                      & (summary["metric"] == self.metric)]
        if row.empty:
            return float("nan"), float("nan"), float("nan"), False
        mean, low, high = (float(row.iloc[0][c]) for c in ("mean", "ci_low", "ci_high"))
        return mean, low, high, self.low <= mean <= self.high


TARGETS = [
    Target("national-baseline.yaml", "mean FCA caseload", NATIONAL, "all", "caseload_mean",
           "19.3 open cases (+-15%)", 19.3 * 0.85, 19.3 * 1.15, "board-2024-02"),
    Target("national-baseline.yaml", "CAP cases with a further report, weeks to decision", NATIONAL, "cap",
           "weeks_to_decision_reported_mean", "55-59 weeks (+-15%)", 55 * 0.85, 59 * 1.15,
           "board-2024-02, review-2025"),
    Target("national-baseline.yaml", "12-month turnover", NATIONAL, "all", "turnover_rate",
           "15.4% (+-2 points)", 0.134, 0.174, "review-2025"),
    Target("national-baseline.yaml", "open private-law cases, England", NATIONAL, "all", "open_cases_end",
           "in the order of 16,000-18,000 (read as +-15%)", 16_000 * 0.85, 18_000 * 1.15, "review-2025"),
    Target("national-baseline.yaml", "sickness absence", NATIONAL, "all", "sickness_days_share",
           "5.4% of working time (+-1 point)", 0.044, 0.064, "Annual Report 2024-25 (medium)"),
    Target("national-baseline.yaml", "vacancy rate", NATIONAL, "all", "vacancy_rate_mean",
           "7.7%-11.7% (2023-2025)", 0.077 - 0.02, 0.117 + 0.02, "Annual Report 2024-25"),
    Target("pathfinder-birmingham.yaml", "Birmingham pathfinder: weeks to decision with a Cafcass CIR",
           NATIONAL, "cfc", "weeks_to_decision_reported_mean", "16.4 weeks (+-15%)", 16.4 * 0.85, 16.4 * 1.15,
           "review-2025"),
]
