"""
The requirement x product matrix of a certificate, and the verdict rule it adds.

Each per-product requirement has one cell per product of its profile's catalogue (per product and face
value for the open-value requirements); a cell that never ran blocks the verdict as a failure does, so a
run narrowed with `-k` cannot look complete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from uatcert.pack._allure import AllureResult, example_id, match_scenarios
from uatcert.suite.requirements import REQUIREMENTS
from uatcert.suite.results import RunResults, ScenarioResult
from uatcert.verdict import RequirementSummary, RunVerdict, judge, summarise

Cells = dict[str, list[dict[str, Any]]]
"""Requirement id -> its cells (product, face value, verdict, reason, scenarios)."""


def per_product(requirement: str) -> bool:
    known = REQUIREMENTS.get(requirement)
    return bool(known and known.per_product)


def _face_values(requirement: str) -> bool:
    known = REQUIREMENTS.get(requirement)
    return bool(known and known.face_values)


def _covers_catalogue(requirement: str) -> bool:
    known = REQUIREMENTS.get(requirement)
    return bool(known and known.covers_catalogue)


def profile_of(requirement: str) -> str:
    """The profile (API) a requirement belongs to; its catalogue is the one its cells cover."""
    return str(getattr(REQUIREMENTS.get(requirement), "profile", "v3"))


def catalogue_products(catalogue: dict[str, Any]) -> list[dict[str, Any]]:
    """A catalogue description's products (code, kind, open value?), each code once, in catalogue order."""
    products = catalogue.get("products") or []
    seen: dict[str, dict[str, Any]] = {}
    for p in products:
        if isinstance(p, dict) and p.get("code") is not None:
            seen.setdefault(str(p["code"]), {"code": str(p["code"]), "kind": str(p.get("kind", "")),
                                             "open_value": p.get("open_value") is True})
    return list(seen.values())


def _face_value(scenario: ScenarioResult, allure: AllureResult | None) -> str | None:
    ident = example_id(scenario.nodeid)
    if ident and scenario.product and ident.startswith(f"{scenario.product}-"):
        return ident[len(scenario.product) + 1:]
    if allure is not None:
        return allure.parameter("face_value")
    return None


def _sort_value(value: str | None) -> tuple[int, str]:
    if value is None:
        return (0, "")
    return (int(value), "") if value.isdigit() else (10**18, value)


def _cells(
    requirement: str, results: RunResults, matched: dict[str, AllureResult]
) -> list[dict[str, Any]]:
    catalogue = catalogue_products(results.catalogue_of(profile_of(requirement)))
    scenarios = [s for s in results.scenarios if s.requirement == requirement and s.product]
    values_of = {s.nodeid: _face_value(s, matched.get(s.nodeid)) for s in scenarios}
    face_valued = _face_values(requirement) or any(v is not None for v in values_of.values())
    groups: dict[tuple[str, str | None], list[ScenarioResult]] = {}
    for scenario in scenarios:
        value = values_of[scenario.nodeid] if face_valued else None
        groups.setdefault((str(scenario.product), value), []).append(scenario)
    if face_valued:
        expected_products = [p["code"] for p in catalogue if p["open_value"]]
        values: list[str | None] = [*sorted({v for _, v in groups if v is not None}, key=_sort_value)]
        expected: list[tuple[str, str | None]] = [(code, v) for code in expected_products for v in values or [None]]
    else:
        expected = [(p["code"], None) for p in catalogue]
    keys = expected + sorted((k for k in groups if k not in expected), key=lambda k: (k[0], _sort_value(k[1])))
    cells = []
    for product, value in keys:
        members = groups.get((product, value), [])
        summary = summarise(requirement, members)
        verdict: str = summary.verdict
        if verdict == "not_run":
            reason = "no scenario ran"
        elif verdict == "passed":
            reason = ""
        elif verdict == "not_met":  # a cell is not a requirement: N/A with its reason (the requirement decides)
            verdict, reason = "not_applicable", "; ".join(dict.fromkeys(s.message for s in members))
        else:
            reason = "; ".join(dict.fromkeys(summary.reasons)) or verdict
        cells.append({
            "product": product,
            "face_value": value,
            "verdict": verdict,
            "reason": reason,
            "scenarios": [s.nodeid for s in members],
        })
    return cells


def matrix_cells(results: RunResults, verdict: RunVerdict, matched: dict[str, AllureResult]) -> Cells:
    """The matrix cells of each per-product requirement of the verdict."""
    return {
        s.requirement: _cells(s.requirement, results, matched)
        for s in verdict.requirements if per_product(s.requirement)
    }


def complete_verdict(
    results: RunResults, verdict: RunVerdict, allure: Iterable[AllureResult] = ()
) -> RunVerdict:
    """The run's verdict with the matrix rule added: a per-product cell that never ran blocks too.

    `judge` already blocks a catalogue product that ISS-EVERY (a `covers_catalogue` requirement) never
    issued; here the same holds for every catalogue product of the other per-product requirements (CAT)
    and every open-value product x face value of ISS-OPEN (a run narrowed with `-k` must not look complete).
    """
    matched, _ = match_scenarios(results.scenarios, allure)
    return with_matrix_rule(verdict, matrix_cells(results, verdict, matched))


def _at(face_value: str) -> str:
    """A cell's face value as the API states it: cents on v3, SGD dollars with cents on v2."""
    return f" at {face_value} cents" if face_value.isdigit() else f" at SGD {face_value}"


def with_matrix_rule(verdict: RunVerdict, cells: Cells) -> RunVerdict:
    """`verdict` where a per-product requirement with a cell that never ran is incomplete (and blocks)."""
    extra: list[str] = []
    summaries: list[RequirementSummary] = []
    for summary in verdict.requirements:
        summary = dataclasses.replace(summary, reasons=list(summary.reasons))
        if summary.requirement in cells and not _covers_catalogue(summary.requirement):
            gaps = [
                f"{summary.requirement}: {c['product']}"
                + (_at(c["face_value"]) if c["face_value"] else "")
                + ": not run"
                for c in cells[summary.requirement]
                if c["verdict"] == "not_run"
            ]
            if gaps and summary.verdict == "passed":
                summary.verdict = "incomplete"
                summary.reasons = gaps
            extra.extend(g for g in gaps if g not in verdict.reasons)
        summaries.append(summary)
    reasons = [*verdict.reasons, *extra]
    return RunVerdict(certified=verdict.certified and not reasons, requirements=summaries, reasons=reasons)


def certificate_verdict(
    results: RunResults, required: Iterable[str], allure: Iterable[AllureResult] = ()
) -> RunVerdict:
    """What the certificate says for a run: `judge` plus the matrix rule."""
    return complete_verdict(results, judge(results, required), allure)
