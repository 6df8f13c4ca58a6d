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
    slow: bool = False  # a national run with hours and court: `pytest -m slow`
    known_gap: str = ""  # not reproduced yet: why (the test expects the miss, docs say so)

    def check(self, summary: pd.DataFrame) -> tuple[float, float, float, bool]:
        """(mean, ci_low, ci_high, within band) of the target's metric in a run's summary."""
        row = summary[(summary["area"] == self.area) & (summary["pathway"] == self.pathway)
                      & (summary["metric"] == self.metric)]
        if row.empty:
            return float("nan"), float("nan"), float("nan"), False
        mean, low, high = (float(row.iloc[0][c]) for c in ("mean", "ci_low", "ci_high"))
        return mean, low, high, self.low <= mean <= self.high


# Weeks to final order are counted as the family court statistics count them (CALIBRATION.md, "how
# weeks to final order is counted"): per child, all cases, by when and where they ended. The pilots'
# "before" and "after" figures are the quarter before go-live and the quarter a year after it.
# Court counts (51,473 new cases a year) exceed Cafcass's applications (752 a week): a court stock is
# compared per week of demand, so at the model's demand.
OUTSTANDING_WEEKS = 37_541 / (51_473 / 52)  # cases outstanding in court, in weeks of new cases (37.9)
CAFCASS_APPLICATIONS_PER_WEEK = 752.0  # national-rollout.yaml's demand (header: DEMAND SPLIT)
BASELINE, BIRMINGHAM = "national-baseline.yaml", "pilot-birmingham-court.yaml"
WALES = "pilot-south-east-wales-court.yaml"

TARGETS = [
    # National, CAP only (national-baseline.yaml: a six-year national run, `pytest -m slow`)
    Target(BASELINE, "CAP, all cases, weeks to final order (per child)", NATIONAL, "cap",
           "weeks_to_final_order_mean", "39-41 weeks (+-15%)", 39 * 0.85, 41 * 1.15, "FCSQ 2025 (high)", slow=True),
    Target(BASELINE, "CAP cases with a further report, weeks to decision", NATIONAL, "cap",
           "weeks_to_decision_reported_mean", "55-59 weeks (+-15%)", 55 * 0.85, 59 * 1.15,
           "board-2024-02, review-2025", slow=True),
    Target(BASELINE, "CAP hearings per case", NATIONAL, "cap", "hearings_per_case",
           "about 5 (read as 4-6)", 4.0, 6.0, "MoJ statistics Nov 2025 (medium-high)", slow=True),
    Target(BASELINE, "children seen under CAP", NATIONAL, "cap", "children_seen_share",
           "about 30% (+-10 points)", 0.20, 0.40, "family-law press Oct 2025 (medium-high)", slow=True),
    Target(BASELINE, "cases outstanding in court, England, at Cafcass's demand", NATIONAL, "all", "open_cases_end",
           "37,541 against 51,473 new cases a year = 37.9 weeks of demand; x 752 a week = 28,520 (+-15%)",
           OUTSTANDING_WEEKS * CAFCASS_APPLICATIONS_PER_WEEK * 0.85,
           OUTSTANDING_WEEKS * CAFCASS_APPLICATIONS_PER_WEEK * 1.15, "NAO May 2025 (high)", slow=True),
    Target(BASELINE, "FCAs in post (FTE)", NATIONAL, "all", "fte_in_post_mean",
           "1,473 (+-10%)", 1473 * 0.9, 1473 * 1.1, "Annual Report 2024-25 (high)", slow=True),
    Target(BASELINE, "mean FCA caseload", NATIONAL, "all", "caseload_mean",
           "19.3 open cases (+-15%)", 19.3 * 0.85, 19.3 * 1.15, "board-2024-02", slow=True),
    Target(BASELINE, "12-month turnover", NATIONAL, "all", "turnover_rate",
           "15.4% (+-2 points)", 0.134, 0.174, "review-2025", slow=True),
    Target(BASELINE, "sickness absence", NATIONAL, "all", "sickness_days_share",
           "5.4% of working time (+-1 point)", 0.044, 0.064, "Annual Report 2024-25 (medium)", slow=True),
    Target(BASELINE, "vacancy rate", NATIONAL, "all", "vacancy_rate_mean",
           "7.7%-11.7% (2023-2025)", 0.077 - 0.02, 0.117 + 0.02, "Annual Report 2024-25", slow=True),
    Target(BASELINE, "London slower: East London CAP weeks to final order (per child)", "East London", "cap",
           "weeks_to_final_order_mean", "about 70 weeks in London, private law 2024 (read as 60-80)", 60.0, 80.0,
           "NAO 2024 via PAC Sep 2025 (medium)", slow=True),
    # Pilots (one area each, from a year before go-live to two years after)
    Target(BIRMINGHAM, "Birmingham-like pilot: weeks to final order, quarter before go-live", NATIONAL, "all",
           "weeks_to_final_order_quarter_before_go_live_mean", "53 weeks (+-15%)", 53 * 0.85, 53 * 1.15,
           "MoJ statistics Nov 2025",
           known_gap="about 36 weeks, and still rising then: the pilot starts a year before go-live with 53 weeks "
                     "of open work that a court below saturation clears, so the quarter before is made of those "
                     "cases; outside London the model's CAP cases take about 32 weeks (England's 36.5 includes "
                     "London's 62). Tried on the shipped set (7 December 2026): a saturated court before (1.77 "
                     "sitting days a week per weekly application, settling as London, three years of run-in) holds "
                     "about 51 weeks before (in band) and the open caseload falls 66% in 18 months (in band), but "
                     "the quarter a year after is about 35 (published 23): legacy CAP cases, which stay on CAP "
                     "(PD36Z), are still a quarter of those ending then at about 84 weeks, and CFC cases take 20-24 "
                     "weeks (15 once the backlog is gone) as they wait behind them in the one listing queue "
                     "(Cafcass's 16.4 for CIR cases closed in Q3 2024/25 says they did not). At that court's "
                     "capacity the model reaches 23 only after 18 months live. Reading the published 23 in "
                     "the quarter that ends 18 months after go-live, the date of the open caseload it was "
                     "published with, does not close the gap either (measured 7 December 2026 in the evening, "
                     "10 replications): 31 weeks with the saturated court (CIR cases 20 against 16.4), 18.5 with "
                     "the shipped one (band 19.6-26.5). Listing CFC hearings ahead of the backlog alone (tried as "
                     "a ring-fenced list "
                     "with no wait, the rest of the court for legacy cases) brings CFC cases to 15 weeks but "
                     "leaves the legacy slower: 37-40 a year after. The published figures need that and the "
                     "backlog cleared within about a year (more court time, or legacy cases ended with fewer "
                     "hearings), and nothing published says which"),
    Target(BIRMINGHAM, "Birmingham-like pilot: weeks to final order, quarter a year after go-live", NATIONAL,
           "all", "weeks_to_final_order_year_live_mean", "23 weeks (+-15%)", 23 * 0.85, 23 * 1.15,
           "MoJ statistics Nov 2025"),
    Target(BIRMINGHAM, "Birmingham-like pilot: open caseload fall in 18 months live", "Birmingham & Solihull", "all",
           "open_cases_fall_18m_after_go_live", "1,846 -> 648 (-65%; read as 55%-75%)", 0.55, 0.75,
           "MoJ statistics Nov 2025"),
    Target(BIRMINGHAM, "Birmingham-like pilot: children seen under CFC", NATIONAL, "cfc", "children_seen_share",
           "about 80% (+-10 points)", 0.70, 0.90, "family-law press Oct 2025 (medium-high)"),
    Target(BIRMINGHAM, "Birmingham-like pilot: CFC cases with a Cafcass CIR, weeks to decision", NATIONAL, "cfc",
           "weeks_to_decision_reported_mean", "16.4 weeks (+-15%)", 16.4 * 0.85, 16.4 * 1.15, "review-2025"),
    Target(WALES, "South-East-Wales-like pilot: weeks to final order, quarter before go-live", NATIONAL, "all",
           "weeks_to_final_order_quarter_before_go_live_mean", "37 weeks (+-15%)", 37 * 0.85, 37 * 1.15,
           "MoJ statistics Nov 2025",
           known_gap="about 31 weeks: as for Birmingham, the "
                     "model's CAP pace outside London (about 32 weeks) is below the published 37, and this pilot's "
                     "own sitting days barely matter below saturation. Calibrating with it as a gating figure (the "
                     "national space plus this pilot, seed 20261206, 40 points x 2 waves and a check, on the model "
                     "and ranges before the re-calibration of 7 December 2026) accepted none of 109 sets: it moves "
                     "with the national CAP pace (correlation 0.88 over the sets), and none of the sets that "
                     "reached 31.5 weeks kept every area stationary and Birmingham's CIR weeks and children seen in "
                     "band at once"),
    Target(WALES, "South-East-Wales-like pilot: weeks to final order, quarter a year after go-live", NATIONAL,
           "all", "weeks_to_final_order_year_live_mean", "12 weeks (+-15%)", 12 * 0.85, 12 * 1.15,
           "MoJ statistics Nov 2025",
           known_gap="about 20 weeks: CFC cases alone take about 15, near the published 12; the rest is legacy "
                     "CAP cases still ending a year after go-live, at about 72 weeks and about 9% of the children "
                     "whose cases end in that quarter. Birmingham's 23 (in band) has the same share. The published "
                     "12 means South East Wales had closed nearly all its legacy cases within the year (\"areas "
                     "clear backlogs as they move\"); the model keeps them at CAP's pace, and nothing published "
                     "gives a rate of clearance to model. A definition may also differ: the model closes a CFC case "
                     "after its review hearing (59% of cases, 8 weeks' notice), while practitioners describe the "
                     "pathfinder's review stage as checking that orders work; if the final order is made at the "
                     "decision hearing, the statistics stop the clock there. Counted so (measured 7 December 2026), "
                     "CFC cases take about 8-9 weeks and this quarter about 15, but Birmingham's CIR cases 9.5 "
                     "against Cafcass's 16.4: the calibrated review share stands in for a wait for the decision "
                     "hearing the model does not have, and no published figure tells the two apart"),
]
