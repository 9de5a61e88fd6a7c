"""
Verdicts: from scenario results to requirement verdicts and the run's overall verdict.

A requirement is PASSED only when at least one of its scenarios passed and none failed, broke or was
skipped for any reason other than "not applicable". A run is CERTIFIED only when every requirement
of the profiles run PASSED (a requirement that is entirely not applicable is listed with its reason
and does not block) and no scenario failed to collect. Nothing else can yield CERTIFIED.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Literal

from uatcert.suite.requirements import REQUIREMENTS
from uatcert.suite.results import RunResults, ScenarioResult

RequirementVerdict = Literal["passed", "failed", "broken", "not_applicable", "not_run", "incomplete"]


@dataclasses.dataclass
class RequirementSummary:
    requirement: str
    verdict: RequirementVerdict
    scenarios: list[ScenarioResult]
    reasons: list[str]

    def count(self, outcome: str) -> int:
        return sum(1 for s in self.scenarios if s.outcome == outcome)

    @property
    def products(self) -> list[str]:
        return sorted({s.product for s in self.scenarios if s.product})


@dataclasses.dataclass
class RunVerdict:
    certified: bool
    requirements: list[RequirementSummary]
    reasons: list[str]

    @property
    def label(self) -> str:
        return "CERTIFIED" if self.certified else "NOT CERTIFIED"


def summarise(requirement: str, scenarios: list[ScenarioResult]) -> RequirementSummary:
    outcomes = {s.outcome for s in scenarios}
    reasons = [s.message for s in scenarios if s.outcome in ("failed", "broken")]
    verdict: RequirementVerdict
    if not scenarios:
        verdict, reasons = "not_run", [f"{requirement}: no scenario ran"]
    elif "failed" in outcomes:
        verdict = "failed"
    elif "broken" in outcomes:
        verdict = "broken"
    elif "skipped" in outcomes:
        verdict = "incomplete"
        reasons = [f"{requirement}: skipped: {s.name}: {s.message}" for s in scenarios if s.outcome == "skipped"]
    elif outcomes == {"not_applicable"}:
        verdict = "not_applicable"
        reasons = sorted({s.message for s in scenarios})
    else:
        verdict = "passed"
    return RequirementSummary(requirement, verdict, scenarios, reasons)


def judge(results: RunResults, required: Iterable[str]) -> RunVerdict:
    """The verdict of a run over the requirements its profiles certify."""
    by_requirement: dict[str, list[ScenarioResult]] = {r: [] for r in required}
    stray: list[str] = []
    for scenario in results.scenarios:
        if scenario.requirement in by_requirement:
            by_requirement[scenario.requirement].append(scenario)
        else:
            stray.append(scenario.nodeid)
    summaries = [summarise(r, s) for r, s in by_requirement.items()]
    reasons = [f"collection error: {e}" for e in results.collection_errors]
    reasons += [f"scenario without a requirement tag: {n}" for n in stray]
    for summary in summaries:
        if summary.verdict not in ("passed", "not_applicable"):
            reasons.extend(summary.reasons or [f"{summary.requirement}: {summary.verdict}"])
    for summary in summaries:
        requirement = REQUIREMENTS.get(summary.requirement)
        if requirement is None or not requirement.covers_catalogue or summary.verdict != "passed":
            continue
        products = {p["code"] for p in results.catalogue_of(requirement.profile).get("products", [])}
        issued = {s.product for s in summary.scenarios if s.outcome == "passed"}
        never = sorted(products - issued)
        if never:
            summary.verdict = "incomplete"
            summary.reasons = [f"{summary.requirement}: never issued: {', '.join(never)}"]
            reasons.extend(summary.reasons)
    return RunVerdict(certified=not reasons, requirements=summaries, reasons=reasons)
