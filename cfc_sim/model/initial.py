"""Open work at the start (`initial_state`): cases already in each pathway stage, with ages, and
report-stage cases on FCAs' caseloads, so a run starts from today rather than from empty.

A steady-state total (`open_cases_per_weekly_application`) is spread over the stages of the
area's pathway at the start in proportion to how long cases spend in each (Little's law: cases in
a stage = arrival rate into it x its mean duration). A case found part-way through a stage has
done a uniform share of a fresh draw of that stage's duration; its age is the mean time to reach
the stage plus that share (unless `age_days` is given), and the rest of the draw remains.
"""

from __future__ import annotations

from cfc_sim.model.area import Area
from cfc_sim.model.case import CAP, CFC
from cfc_sim.model.pathways import CaseFlow
from cfc_sim.scenario.schema import AreaConfig


def stage_weights(area: AreaConfig, pathway: str) -> dict[str, float]:
    """Relative numbers of open cases per stage in steady state (rate into stage x mean duration)."""
    if pathway == CAP:
        cap = area.cap
        share = cap.further_report_share
        return {"first_hearing": cap.first_hearing_days.mean_value(),
                "report": share * cap.report_work_days.mean_value(),
                "final_hearing": share * cap.final_hearing_wait_days.mean_value()}
    cfc = area.cfc
    cir, la = cfc.cafcass_cir_share, cfc.la_cir_share
    wait = cfc.decision_hearing_wait_days.mean_value()
    return {"intake": cfc.intake_days.mean_value(),
            "cir": cir * cfc.cir_work_days.mean_value(),
            # every case waits for the decision hearing; LA CIRs are written during this stage too
            "decision_hearing": wait + la * cfc.cir_work_days.mean_value() + cir * cfc.second_report_share * wait,
            "second_report": cir * cfc.second_report_share * cfc.second_report_work_days.mean_value()}


def days_before_stage(area: AreaConfig, pathway: str, stage: str) -> float:
    """Mean days from the application to the start of a stage (for default ages)."""
    if pathway == CAP:
        before = {"first_hearing": 0.0, "awaiting_allocation": area.cap.first_hearing_days.mean_value()}
        before["report"] = before["awaiting_allocation"]
        before["final_hearing"] = before["report"] + area.cap.report_work_days.mean_value()
        return before[stage]
    cfc = area.cfc
    before = {"intake": 0.0, "awaiting_allocation": cfc.intake_days.mean_value()}
    before["cir"] = before["awaiting_allocation"]
    before["decision_hearing"] = before["cir"] + cfc.cir_work_days.mean_value()
    before["second_report"] = before["decision_hearing"] + cfc.decision_hearing_wait_days.mean_value()
    return before[stage]


def split_total(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Whole-case counts in proportion to the weights (largest remainders, so they add up)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return {stage: 0 for stage in weights}
    exact = {stage: total * w / weight_sum for stage, w in weights.items()}
    counts = {stage: int(x) for stage, x in exact.items()}
    for stage in sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)[: total - sum(counts.values())]:
        counts[stage] += 1
    return counts


def seed_open_cases(area: Area, flow: CaseFlow) -> int:
    """Create the area's open cases at day 0; returns how many."""
    config = area.config
    state = config.initial_state
    pathway = CFC if area.planned_go_live_day <= 0 else CAP
    groups: list[tuple[str, str, int, object]] = [(g.pathway, g.stage, g.count, g.age_days) for g in state.open_cases]
    total = round(state.open_cases_per_weekly_application * config.demand.applications_per_week)
    for stage, count in split_total(total, stage_weights(config, pathway)).items():
        groups.append((pathway, stage, count, None))
    created = 0
    rng = area.rng("initial.ages")
    for group_pathway, stage, count, age_dist in groups:
        if count <= 0:
            continue
        shares = rng.random(count).tolist()
        ages = age_dist.sample(rng, count).tolist() if age_dist is not None else None  # type: ignore[attr-defined]
        for i in range(count):
            duration = flow.stage_duration(group_pathway, stage)
            done = shares[i] * duration
            age = ages[i] if ages is not None else days_before_stage(config, group_pathway, stage) + done
            flow.seed(group_pathway, stage, age_days=age, remaining_days=duration - done,
                      remaining_share=1.0 - shares[i])
            created += 1
    return created
