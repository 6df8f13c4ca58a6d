"""Regenerate docs/calibration.md: published figures against the shipped scenarios' output.

    python docs/make_calibration.py [--reps N] [--workers N]
    python docs/make_calibration.py --from DIR     # from a `cfc-sim calibrate` folder
    python docs/make_calibration.py --space scenarios/calibration/national.yaml [--out DIR] [--workers N]
                                                   # run the calibration, then the page from its folder

With `--from`, the page shows that folder's fit table (each figure with its definition, band and the
model's interval over the accepted assumption sets) and each assumption's accepted range.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import cfc_sim
from cfc_sim.calibration import TARGETS

ROOT = Path(__file__).resolve().parent.parent


DEFAULT_CHOSEN = "accepted set 0"


def _shipped_values(chosen: str) -> dict[str, object]:
    """The calibrated values as the shipped national scenario states them (so the page cannot go stale)."""
    config = cfc_sim.load_scenario(ROOT / "scenarios" / "national-rollout.yaml")
    london = [a for a in config.areas if a.region == "London"]
    rest = [a for a in config.areas if a.region != "London"]
    dorset = config.area("Dorset")
    on_cap = [a for a in rest if a.go_live > config.header.start]
    cap, cfc, court = dorset.cap, dorset.cfc, dorset.court
    assert court is not None and cap.hours is not None and cfc.hours is not None
    assert dorset.workforce.hours is not None
    hearings = court.hearings
    return {
        "chosen": chosen,
        "other_per_app": sum(a.workforce.other_work_fte for a in config.areas)
        / sum(a.demand.applications_per_week for a in config.areas),
        "casework": dorset.workforce.hours.casework_share,
        "sitting_per_app": sum(a.court.sitting_days_per_week for a in rest if a.court)
        / sum(a.demand.applications_per_week for a in rest),
        "london_per_app": sum(a.court.sitting_days_per_week for a in london if a.court)
        / sum(a.demand.applications_per_week for a in london),
        "settled": court.settled_share_per_year_waiting,
        "open_cap": on_cap[0].initial_state.open_cases_per_weekly_application,
        "open_london": london[0].initial_state.open_cases_per_weekly_application,
        "open_live": dorset.initial_state.open_cases_per_weekly_application,
        "first_notice": hearings.first_hearing.notice_days, "dra_notice": hearings.dra.notice_days,
        "ff_notice": hearings.fact_finding.notice_days, "final_notice": hearings.final.notice_days,
        "decision_notice": hearings.decision.notice_days,
        "further": cap.further_report_share, "without": cap.continue_without_report_share,
        "ff": cap.fact_finding_share_of_da, "resolved": cap.resolved_at_dra_share, "repeat": cap.repeat_dra_share,
        "adjourned": court.adjourned_share, "review": cfc.review_hearing_share,
        "cfc_adjourned": hearings.decision.adjourned_share,
        "cap_safeguarding": cap.hours.safeguarding.mean_value(), "cap_report": cap.hours.report.mean_value(),
        "cap_visit": cap.hours.child_visit.mean_value(), "cap_hearing": cap.hours.hearing.mean_value(),
        "cfc_intake": cfc.hours.intake.mean_value(), "cfc_visit": cfc.hours.child_visit.mean_value(),
        "cfc_cir": cfc.hours.cir.mean_value(), "cfc_hearing": cfc.hours.hearing.mean_value(),
    }


def _one_model(chosen: str) -> list[str]:
    """The model section, its numbers filled from the shipped scenario."""
    values = _shipped_values(chosen)
    return [line.format(**values) for line in ONE_MODEL]


ONE_MODEL = [
    "## The model: FCA hours and court listing in every area",
    "",
    "Every shipped scenario runs one model: FCA casework hours (each FCA works earliest deadline first, as "
    "FCAs are told to: `workforce.hours.discipline: deadline`) and court listing in every area. Durations, "
    "hearings per case, caseloads, children seen and the FCAs an area needs are outcomes of FCA hours and "
    "sitting days. `national-baseline.yaml` (the national rollout on CAP only for six years, 12 months of "
    "warm-up) carries the national targets; the two pilot scenarios carry the before/after figures. Hours "
    "per activity, hearing lengths, the hearing structure, sitting days and the public-law load are not "
    "published: each is an assumption stated in `national-rollout.yaml` (its header gives the sizing rules) "
    "and searched jointly by `cfc-sim calibrate scenarios/calibration/national.yaml` (docs/calibrating.md).",
    "",
    "### What was calibrated, and how",
    "",
    "The shipped scenarios take **{chosen}** of the calibration above (a point that was simulated and "
    "met every gating figure); the other accepted sets and the ranges are in the tables above, and "
    "`scenarios/calibration/accepted_sets.csv` holds them for `plan --need --assumptions`. The values "
    "below are read from `scenarios/national-rollout.yaml` when this page is made. A change to the model "
    "or the files after the calibration ran can move a figure near its band's edge: `pytest -m slow "
    "tests/test_calibration.py` checks the shipped files against every gating figure, and docs/calibrating.md "
    "(Limits) says which condition sits at its edge now.",
    "",
    "- **FCAs, one rule per weekly application** in every area: 0.63 FTE of private-law work plus 1.34 in "
    "areas on CAP at the start, 1.15 plus 1.34 in areas already live on CFC (the pilots' staffing), so that "
    "England starts near the 1,473 FTE in post; establishment = FCAs x 1.11 (vacancy 7.7%-11.7%). Of their "
    "time a fixed public-law and other load (`workforce.other_work_fte`) of {other_per_app:.3f} FTE per weekly "
    "application (calibrated), the rest private-law work; {casework:.0%} of a 37-hour week is casework "
    "(calibrated).",
    "- **Sitting days, one rule per weekly application**: {sitting_per_app:.2f} sitting days a week outside "
    "London (calibrated), so those courts run below saturation with listing waits of days to weeks. Each "
    "court keeps a diary that fills free court time before hearings listed further ahead.",
    "- **London: saturated courts where parties settle while they wait.** London's three courts have "
    "{london_per_app:.2f} sitting days a week per weekly application (ASSUMPTION: about half the rest's; the "
    "published 70 weeks is a saturated court's wait) and start with 70 weeks of open work (Little's law at "
    "that figure). A case whose hearing would start later than the parties would wait ends by consent or "
    "withdrawal instead (`court.settled_share_per_year_waiting` {settled:.3g}: of those still waiting after "
    "a year, the share that have settled; calibrated, with East London's 70 weeks the figure that pins it). "
    "This is a queue with abandonment (Erlang-A, tested against M/M/1+M): the wait is long but steady.",
    "- **Notice days as the directions timetable**: {first_notice:.0f} days to the first hearing, "
    "{dra_notice:.0f} to a dispute resolution appointment (calibrated), {ff_notice:.0f} to a fact-finding "
    "hearing, {final_notice:.0f} to a final hearing (twice the DRA's), {decision_notice:.0f} to a CFC decision "
    "hearing. Below saturation the time between hearings is the timetable's, not a queue's, so CAP's 39-41 "
    "weeks to a final order come from the timetable and the hearings a case needs.",
    "- **Hearing structure**: `further_report_share` {further:.3g} (children seen under CAP), {without:.0%} "
    "continuing without a report, fact-finding for {ff:.0%} of continuing domestic-abuse cases, "
    "{resolved:.0%} resolved at a DRA and {repeat:.0%} of the rest listed for another, with {adjourned:.0%} "
    "of CAP hearings adjourned (calibrated to about 5 hearings a case); CFC: a review hearing in {review:.0%} "
    "of cases (calibrated), its hearings with their own adjournment share, {cfc_adjourned:.2f} (calibrated: "
    "Cafcass's 16.4 weeks for CIR cases needs about as many ineffective hearings as CAP's; nothing published "
    "says how many).",
    "- **Hours per piece of work** (calibrated): CAP safeguarding {cap_safeguarding:.3g}, section 7 writing "
    "{cap_report:.3g}, seeing a child {cap_visit:.3g}, a hearing {cap_hearing:.3g}; CFC intake "
    "{cfc_intake:.3g}, seeing a child {cfc_visit:.3g}, the CIR {cfc_cir:.3g}, a hearing {cfc_hearing:.3g}.",
    "- **Open work at the start**: each area at its own steady state under the calibrated set, so the first "
    "year does not drift: {open_cap:.3g} open cases per weekly application in an area on CAP, {open_london:.3g} "
    "in London's areas, {open_live:.3g} in the areas already live on CFC (together near the 37,541 "
    "outstanding in court against 51,473 new cases a year), spread over each area's stages in steady-state "
    "proportions. With court listing "
    "no hearing wait is drawn: `cap.first_hearing_days`, `cap.final_hearing_wait_days` and "
    "`cfc.decision_hearing_wait_days` only spread these open cases over the stages.",
    "- **Weeks to final order** are counted as the family court statistics count them: per child, over cases "
    "by when they end (`weeks_to_final_order_mean`); the pilots' before and after figures are the quarter "
    "before go-live (`weeks_to_final_order_quarter_before_go_live_mean`) and the quarter a year after it "
    "(`weeks_to_final_order_year_live_mean`).",
    "- `workforce.time_to_hire_days` (mean 150 days) and `hire_success: 0.75`: with 15.4% turnover these keep "
    "vacancies near 8-11%. Sickness: 2.5 episodes a year of 8 days on average, about 5.5% of calendar days "
    "(published 5.4% of working time).",
    "- Training: CFC work goes only to CFC-trained FCAs, so the seats decide whether an area can file CIRs at "
    "all. Each area trains in the six months before its go-live with a fifth of its establishment a month (an "
    "assumption: the whole team trained a month before go-live); `plan` gives the FCAs it adds seats in the "
    "same proportion.",
    "",
    "### What the model still gets wrong",
    "",
    "The figures marked as known gaps above are expected misses: the model has no mechanism for them yet. "
    "`cfc_sim/calibration.py` states each reason, `tests/test_calibration.py` expects the miss and "
    "`cfc-sim calibrate` measures them without letting them rule assumption sets out:",
    "",
] + [f"- {t.label}: {t.known_gap}." for t in TARGETS if t.known_gap] + [
    "",
    "Other approximations:",
    "",
    "- **A published figure with no row in the table**: validation target 1's open private-law cases, in "
    "the order of 16,000-18,000 nationally (Cafcass's count). In the default's first six months the FCAs "
    "hold about 13,200 private-law cases (their caseloads, 20.4 x 1,543 FTE = 31,500, less the public-law"
    " load, 917 FTE x 20 = 18,300): about a fifth below (measured 7 December 2026, not a gating figure of"
    " the calibration, which would have to run again to gate on it). The same figures show why: the "
    "calibrated public-law load is 917 of the 1,552 FCAs (59%) and 58% of the caseload, where public law "
    "is about a third of the children Cafcass works with (67.3% private law, 2023/24). The private-law "
    "pieces the model itemises, at the calibrated hours, occupy only about 0.63 FTE per weekly "
    "application under CAP; the published workforce and caseload are then met by giving the rest to the "
    "fixed public-law load. If part of that load is in fact private-law work the model does not itemise "
    "(duty and advice work, work between hearings), the FCA need's hours part, which scales CFC's extra "
    "hours from the private-law FCAs only, is understated in proportion.",
    "- **Rows close to inputs**: two rows of the table test little. FCAs in post follows the sizing rule "
    "in the scenario's header (1,586 to 1,597 over every set: the rule, not a fit, keeps it within the "
    "band); CAP children seen follows `cap.further_report_share` (the children of a case with a section 7"
    " report are seen, and only they), so that row bounds the input's range rather than testing a "
    "mechanism.",
    "- FCAs work strictly earliest deadline first. Real FCAs mix deadlines with other duties (a visit "
    "fitted round a court day, a report started early); equal sharing, the other extreme, makes every CIR "
    "late at once under load. The truth lies between, so the FCA need is a lower estimate where FCAs cannot "
    "keep to deadline order.",
    "- Public-law and other work is a fixed load per area over the whole horizon: its growth, its "
    "backlog and its own deadlines (which in practice come before private law) are not modelled. Only "
    "its size is calibrated (from the caseload and FTE figures together).",
    "- A CFC case needs more FCA hours than a CAP case (every child in a CIR case seen, with travel), so "
    "areas sized for CAP file few CIRs on time after go-live unless FCAs are added: the need is a steep "
    "function of FCAs near full use, and of the casework share of contracted hours (the sensitivity table "
    "below).",
    "- Work and hearings are recognised at the end of the day they fall in (the model's end-of-day work "
    "clock, docs/model.md section 2.6): every piece and hearing ends on a whole day, about half a day later "
    "on average than the instant its hours ran out. With several pieces and hearings a case this adds one "
    "to two days to a case's duration (well inside the bands above). The eight-week count is kept to the "
    "filing date: a CIR whose hours ran out on the last working day of its eight weeks is on time.",
    "- Attending a hearing takes the FCA's hours on the hearing day from all its open work alike; travel "
    "and waiting at court are inside the assumed hours, not modelled separately.",
    "- One pool of FCAs does all private-law work, so the published short-term (work to first hearing, "
    "about 32.5) and long-term (about 18) team caseloads cannot be told apart: only the overall mean is "
    "calibrated.",
    "- Court time is one diary per area spread over calendar days, with no priority for urgent or CFC "
    "hearings. A court below saturation adds days to a case, not months: a court that was behind (a backlog "
    "growing, as Birmingham's before its pilot) is not reproduced by a stationary model. London's long "
    "waits come from saturated courts and settling; no published figure gives London's sitting days or "
    "the share of cases settling while they wait, so the two are one assumption and one calibrated value "
    "against one figure, and London's fewer hearings a case (cases that settle skip their later hearings) "
    "are an outcome no published figure checks.",
    "- The pilot demand (35 a week in the Birmingham-like pilot) is derived from the court's own counts; the "
    "national scenario splits Cafcass's 752 a week by population, which gives Birmingham 18 a week. The two "
    "counts differ and the model does not reconcile them.",
    "- The open work at the start is spread over each pathway's stages in proportion to the stages' own "
    "durations (`cfc_sim/model/initial.py`), not to where cases wait when a court is behind. London's areas "
    "start with 70 weeks of work, so their FCAs start with about four times their steady section 7 work: in "
    "the national default about 500 cases wait for allocation in London in the first three months (the "
    "run's mean allocation queue, about 77, is nearly all of it), and caseloads start above 20. It clears by "
    "the fourth month, years before London goes live. Elsewhere the same rule puts about 1.8 times the "
    "steady report work on FCAs, which their headroom absorbs. Tried on 7 December (not shipped): each FCA "
    "stage at its steady count (arrival rate x the stage's mean duration) and the rest waiting for court. "
    "The allocation queue was gone, but the start was still not steady: the FCA stages' durations are the "
    "scenario's (a CIR 30 days), while under FCA hours a CIR takes about 40, so the areas live at the start "
    "began under-loaded (100% of CIRs on time for three months against 96% after) and London's FCAs ran "
    "out of report work in the fourth to sixth months (24-34% of their hours used, against about 57% "
    "after) while the court's backlog reached its first hearings. A steady start needs the model's own "
    "stage times (a run-in from the calibrated state), not the scenario's durations.",
    "",
    "### Which hour assumptions drive the FCA need",
    "",
    "Hours per activity are not published, so they were screened (Morris, 4 trajectories, 2 replications "
    "a point, on the Birmingham-like pilot with the shipped set, 7 December 2026: 40 points in 76 seconds):",
    "",
    "```bash",
    "cfc-sim sensitivity scenarios/pilot-birmingham-court.yaml --method morris --samples 4 --reps 2 \\",
    "    --param defaults.cfc.hours.child_visit.mean=4:8 --param defaults.cfc.hours.cir.mean=8:16 \\",
    "    --param defaults.cfc.hours.intake.mean=3:7 --param defaults.cfc.hours.hearing=1:5 \\",
    "    --param defaults.cfc.hours.da_extra=1:5 --param defaults.cfc.hours.second_report.mean=6:14 \\",
    "    --param defaults.cap.hours.report.mean=14:26 --param defaults.cap.hours.safeguarding.mean=2:6 \\",
    "    --param defaults.workforce.hours.casework_share=0.7:0.95",
    "```",
    "",
    "| rank | assumption (range) | mu* on the CIR on-time share (95% +-) | sigma |",
    "| --- | --- | --- | --- |",
    "| 1 | casework share of contracted hours (0.70-0.95) | 0.23 (0.11) | 0.13 |",
    "| 2 | CFC intake and screening, hours (3-7) | 0.10 (0.11) | 0.12 |",
    "| 3 | seeing a child, with travel, hours (4-8) | 0.09 (0.05) | 0.06 |",
    "| 4 | domestic-abuse work in a CIR, hours (1-5) | 0.08 (0.05) | 0.06 |",
    "| 5 | CIR analysis and writing, hours (8-16) | 0.06 (0.08) | 0.09 |",
    "| 6 | attending a hearing, hours (1-5) | 0.03 (0.02) | 0.02 |",
    "| 7 | CFC second report, hours (6-14) | 0.01 (0.02) | 0.02 |",
    "| 8 | CAP safeguarding, hours (2-6) | 0.01 (0.01) | 0.01 |",
    "| 9 | CAP section 7 writing, hours (14-26) | 0.01 (0.00) | 0.01 |",
    "",
    "mu* is the mean absolute change in the on-time share over a low-to-high step: the share of an FCA's "
    "week left for casework has the largest effect, then intake and screening, the visits (with travel: "
    "the extra practitioner time Cafcass names for CFC), the CIR's domestic-abuse work and the CIR itself. "
    "Four trajectories cannot settle that order (the 95% margins overlap, the first two's too), only that "
    "these matter and the rest little. The CAP hours barely move a CFC area's CIRs (its CAP work runs "
    "down). A planner should treat the FCA need as uncertain by about this much and set these six "
    "assumptions from local time recording where it exists.",
    "",
]


def _cell(text: object) -> str:
    """A table cell: pipes and line breaks would break the Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ") if text == text else ""


def _number(value: float, share: bool) -> str:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "-"
    return f"{value:.1%}" if share else f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _shown(path: Path | str) -> str:
    """A path as the page shows it: relative to the repository where it lies inside it."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def render_from(folder: Path, chosen: str = DEFAULT_CHOSEN) -> str:
    """docs/calibration.md from a `cfc-sim calibrate` folder (fit.csv, parameters.csv, waves.csv, manifest)."""
    import pandas as pd

    folder = Path(folder)
    fit = pd.read_csv(folder / "fit.csv", keep_default_na=False, na_values=[""])
    parameters = pd.read_csv(folder / "parameters.csv", keep_default_na=False, na_values=[""])
    waves = pd.read_csv(folder / "waves.csv")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    basis = fit["basis"].iloc[0] if len(fit) else "no figures"
    lines = [
        "# Calibration: published figures against the model",
        "",
        f"Generated by `python docs/make_calibration.py --from {_shown(folder)}"
        + ("" if chosen == DEFAULT_CHOSEN else f' --chosen "{chosen}"') + "` from the folder written by "
        f"`{manifest['command'].replace('{out}', _shown(folder))}` (do not edit by hand). Space file "
        f"`{_shown(manifest['space_file'])}` (sha256 `{manifest['space_sha256'][:12]}`), seed {manifest['seed']}, "
        f"{manifest['points_run']} assumption sets run with {manifest['replications']} replications each over "
        f"{manifest['waves']} wave(s) of history matching and a check (docs/calibrating.md): "
        f"**{manifest['accepted_sets']} accepted sets**. The model columns are over {basis}: the mean and the "
        "2.5% to 97.5% range of every replication of every accepted set.",
        "",
        "| figure | definition | published | accepted band | model mean | model 95% range | within | source |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in fit.itertuples():
        share = row.band_high <= 1
        published = row.published if row.kind == "figure" else f"condition: {row.metric}"
        gap = getattr(row, "known_gap", "")  # folders written before known gaps have no column
        within = f"{row.within} (known gap)" if row.within == "no" and isinstance(gap, str) and gap else row.within
        lines.append(f"| {_cell(row.figure)} | {_cell(row.definition)} | {_cell(published)} "
                     f"| {_number(row.band_low, share)} to {_number(row.band_high, share)} "
                     f"| {_number(row.model_mean, share)} | {_number(row.model_low, share)} to "
                     f"{_number(row.model_high, share)} | {within} | {_cell(row.source)} |")
    lines += ["", "## The assumptions and their accepted ranges", "",
              "| assumption | in words | range searched | accepted (min / median / max) |",
              "| --- | --- | --- | --- |"]
    for p in parameters.itertuples():
        searched = (f"follows `{p.follows}` x {p.factor:g}" if isinstance(p.follows, str) and p.follows
                    else f"{p.low:g} to {p.high:g}{' (log scale)' if p.scale == 'log' else ''}"
                    f"{' x each area' + chr(39) + 's own value' if p.relative == 'yes' else ''}")
        accepted = " / ".join(f"{v:.4g}" if math.isfinite(v) else "-" for v in
                              (p.accepted_min, p.accepted_median, p.accepted_max))
        lines.append(f"| `{_cell(p.key)}` | {_cell(p.label)} | {searched} | {accepted} |")
    lines += ["", "## The waves", "", "| wave | points run | candidates non-implausible afterwards |",
              "| --- | --- | --- |"]
    for w in waves.itertuples():
        after = (f"{w.non_implausible_share:.1%} of {w.candidates_screened}" if w.candidates_screened else "-")
        lines.append(f"| {w.wave if w.stage == 'design' else 'check'} | {w.points_run} | {after} |")
    return "\n".join(lines + [""] + _one_model(chosen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--from", dest="source", type=Path, help="a `cfc-sim calibrate` output folder")
    parser.add_argument("--space", type=Path, help="run `cfc-sim calibrate` on this space file first")
    parser.add_argument("--overwrite", action="store_true", help="with --space: replace an earlier --out")
    parser.add_argument("--chosen", default=DEFAULT_CHOSEN,
                        help="which accepted set the shipped scenarios take, in words (for the page)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "calibration",
                        help="with --space: the calibration folder (default results/calibration)")
    args = parser.parse_args()
    if args.space is not None:
        from cfc_sim.cli import main as cfc_sim_main

        code = cfc_sim_main(["calibrate", str(args.space), "--out", str(args.out), "--workers", str(args.workers),
                             *(["--overwrite"] if args.overwrite else [])])
        if code:
            raise SystemExit(code)
        args.source = args.out
    if args.source is not None:
        (ROOT / "docs" / "calibration.md").write_text(render_from(args.source, args.chosen), encoding="utf-8")
        return
    reps = {"national-baseline.yaml": min(args.reps, 3)}  # a six-year national run with hours and court
    summaries = {name: cfc_sim.run(ROOT / "scenarios" / name, reps=reps.get(name, args.reps),
                                   workers=args.workers).summary
                 for name in sorted({t.scenario for t in TARGETS})}
    lines = [
        "# Calibration: published figures against the model",
        "",
        "Generated by `python docs/make_calibration.py --reps "
        f"{args.reps}` (do not edit by hand). Each row runs the shipped scenario with "
        f"{args.reps} replications (the six-year national baseline with at most 3) and its own seed; the "
        "interval is the 95% t-interval across replications. `tests/test_calibration.py` asserts the same "
        "bands (the national ones with `pytest -m slow`). "
        "Source tags refer to CALIBRATION.md.",
        "",
        "| scenario | figure | published | accepted band | model mean | 95% CI | within | source |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in TARGETS:
        mean, low, high, ok = t.check(summaries[t.scenario])
        fmt = "{:.1%}" if t.high <= 1 else "{:,.1f}"
        verdict = "yes" if ok else ("NO (known gap)" if t.known_gap else "NO")
        lines.append(f"| `{t.scenario}` | {t.label} | {t.published} | {fmt.format(t.low)} to {fmt.format(t.high)} "
                     f"| {fmt.format(mean)} | {fmt.format(low)} to {fmt.format(high)} | {verdict} "
                     f"| {t.source} |")
    lines += [""] + _one_model(args.chosen)
    (ROOT / "docs" / "calibration.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
