"""
Verdicts: from scenario results to requirement verdicts and the run's overall verdict.

A requirement is PASSED only when at least one of its scenarios passed and none failed, broke or was
skipped for any reason other than "not applicable". A requirement whose scenarios are all not applicable
is NOT MET (and blocks), unless it declares why that is acceptable (`Requirement.na_acceptable`; then it is
N/A and does not block). A run is CERTIFIED only when every requirement of the profiles run PASSED (or is
an accepted N/A), no scenario failed to collect and every product a catalogue description expects is
listed. Nothing else can yield CERTIFIED.

The reasons of a NOT CERTIFIED run come in this order: what the catalogue lacks (a generated outline with
no rows: no open-value product, ...; then expected products not listed), then everything else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Literal

from uatcert.suite.requirements import REQUIREMENTS
from uatcert.suite.results import RunResults, ScenarioResult, catalogue_precondition

RequirementVerdict = Literal[
    "passed", "failed", "broken", "not_met", "not_applicable", "not_run", "incomplete"
]


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


def _not_applicable_reasons(requirement: str, scenarios: list[ScenarioResult]) -> list[str]:
    """Why every scenario of a requirement was not applicable: catalogue preconditions first, in their words."""
    messages = list(dict.fromkeys(s.message for s in scenarios))
    catalogue = [text for m in messages if (text := catalogue_precondition(m)) is not None]
    others = sorted(m for m in messages if catalogue_precondition(m) is None)
    reasons = [f"{requirement}: not met: {text}" for text in catalogue]
    if others and not catalogue:  # what the catalogue lacks explains the rest
        reasons.append(f"{requirement}: not met: every scenario was not applicable ({'; '.join(others)})")
    return reasons


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
        known = REQUIREMENTS.get(requirement)
        if known is not None and known.na_acceptable:
            verdict = "not_applicable"
            reasons = [*sorted({s.message for s in scenarios}), f"{requirement}: N/A accepted: {known.na_acceptable}"]
        else:
            verdict, reasons = "not_met", _not_applicable_reasons(requirement, scenarios)
    else:
        verdict = "passed"
    return RequirementSummary(requirement, verdict, scenarios, reasons)


def missing_expected(catalogue: dict[str, Any]) -> list[str]:
    """The codes a catalogue description expects (`expected`) that it does not list (and its own `missing`)."""
    expected = [str(code) for code in catalogue.get("expected") or []]
    listed = {str(p.get("code")) for p in catalogue.get("products") or [] if isinstance(p, dict)}
    declared = [str(code) for code in catalogue.get("missing") or []]
    return list(dict.fromkeys([*(c for c in expected if c not in listed), *declared]))


def catalogue_reasons(results: RunResults) -> list[str]:
    """One reason per API whose catalogue does not list every product the integrator expects to sell."""
    reasons = []
    for api, catalogue in results.catalogues.items():
        missing = missing_expected(catalogue)
        if missing:
            reasons.append(f"{api} catalogue: expected product(s) not listed: {', '.join(missing)} (the integrator "
                           f"will sell them: ask the provider to add them to the UAT catalogue)")
    return reasons


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
    first = [r for summary in summaries if summary.verdict == "not_met" for r in _catalogue_lacks(summary)]
    first += catalogue_reasons(results)
    reasons = [*first, *(r for r in reasons if r not in first)]
    return RunVerdict(certified=not reasons, requirements=summaries, reasons=reasons)


def _catalogue_lacks(summary: RequirementSummary) -> list[str]:
    """The reasons of a NOT MET requirement that say what the catalogue lacks (a generated outline with no rows)."""
    texts = [text for s in summary.scenarios if (text := catalogue_precondition(s.message)) is not None]
    return [f"{summary.requirement}: not met: {text}" for text in dict.fromkeys(texts)]
