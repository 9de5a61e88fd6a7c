"""Verdict rules: CERTIFIED only when every required cell passed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from uatcert.suite.requirements import REQUIREMENTS
from uatcert.suite.results import CATALOGUE_PRECONDITION, RunResults, ScenarioResult
from uatcert.verdict import judge, missing_expected

REQUIRED = ["AUTH", "ISS-EVERY"]


def _scenario(requirement: str, outcome: str, product: str | None = None, message: str = "") -> ScenarioResult:
    return ScenarioResult(f"n::{requirement}::{product}::{outcome}", "name", requirement, product,
                          outcome, message)  # type: ignore[arg-type]


def _results(*scenarios: ScenarioResult, products: tuple[str, ...] = ("P1", "P2")) -> RunResults:
    return RunResults("0", "start", scenarios=list(scenarios),
                      catalogues={"v3": {"products": [{"code": p} for p in products]}})


def test_all_passed_is_certified() -> None:
    verdict = judge(_results(_scenario("AUTH", "passed"), _scenario("ISS-EVERY", "passed", "P1"),
                             _scenario("ISS-EVERY", "passed", "P2")), REQUIRED)
    assert verdict.certified and verdict.label == "CERTIFIED"


def test_a_failure_is_not_certified_and_named_first() -> None:
    verdict = judge(_results(_scenario("AUTH", "failed", message="AUTH: expected x; got y"),
                             _scenario("ISS-EVERY", "passed", "P1"), _scenario("ISS-EVERY", "passed", "P2")), REQUIRED)
    assert not verdict.certified
    assert verdict.reasons == ["AUTH: expected x; got y"]


def test_skipped_broken_and_missing_requirements_are_not_certified() -> None:
    skipped = judge(_results(_scenario("AUTH", "skipped", message="wip"), _scenario("ISS-EVERY", "passed", "P1"),
                             _scenario("ISS-EVERY", "passed", "P2")), REQUIRED)
    assert not skipped.certified and skipped.requirements[0].verdict == "incomplete"
    broken = judge(_results(_scenario("AUTH", "broken", message="ConnectError"),
                            _scenario("ISS-EVERY", "passed", "P1"), _scenario("ISS-EVERY", "passed", "P2")), REQUIRED)
    assert not broken.certified and broken.requirements[0].verdict == "broken"
    missing = judge(_results(_scenario("ISS-EVERY", "passed", "P1"), _scenario("ISS-EVERY", "passed", "P2")), REQUIRED)
    assert not missing.certified and missing.requirements[0].verdict == "not_run"


def test_a_catalogue_product_never_issued_blocks_certification() -> None:
    verdict = judge(_results(_scenario("AUTH", "passed"), _scenario("ISS-EVERY", "passed", "P1"),
                             products=("P1", "P2")), REQUIRED)
    assert not verdict.certified
    assert verdict.reasons == ["ISS-EVERY: never issued: P2"]


def test_not_applicable_alone_does_not_block_but_is_listed() -> None:
    verdict = judge(_results(_scenario("AUTH", "passed"), _scenario("AUTH", "not_applicable", message="n/a: x"),
                             _scenario("ISS-EVERY", "passed", "P1"), _scenario("ISS-EVERY", "passed", "P2")), REQUIRED)
    assert verdict.certified
    assert verdict.requirements[0].verdict == "passed"
    assert verdict.requirements[0].count("not_applicable") == 1


def test_collection_errors_block_certification() -> None:
    results = _results(_scenario("AUTH", "passed"), _scenario("ISS-EVERY", "passed", "P1"),
                       _scenario("ISS-EVERY", "passed", "P2"))
    results.collection_errors.append("steps/x.py: boom")
    assert not judge(results, REQUIRED).certified


NO_OPEN = ("the UAT catalogue holds no open-value product: open-value support is the first go-live requirement; "
           "ask UNIQREWARDS to add one")


def _everything_else_passed(*extra: ScenarioResult) -> RunResults:
    return _results(_scenario("AUTH", "passed"), _scenario("ISS-EVERY", "passed", "P1"),
                    _scenario("ISS-EVERY", "passed", "P2"), *extra)


def test_a_requirement_whose_scenarios_are_all_not_applicable_is_not_met() -> None:
    results = _everything_else_passed(
        _scenario("STS", "not_applicable", message="not applicable on UAT: needs the sandbox control API"))
    verdict = judge(results, [*REQUIRED, "STS"])

    assert not verdict.certified
    sts = verdict.requirements[-1]
    assert sts.verdict == "not_met"
    assert verdict.reasons == ["STS: not met: every scenario was not applicable (not applicable on UAT: needs the "
                               "sandbox control API)"]


def test_a_requirement_may_declare_all_not_applicable_acceptable(monkeypatch: pytest.MonkeyPatch) -> None:
    accepted = dataclasses.replace(REQUIREMENTS["STS"], na_acceptable="nothing to prove on a target without X")
    monkeypatch.setitem(REQUIREMENTS, "STS", accepted)
    results = _everything_else_passed(_scenario("STS", "not_applicable", message="not applicable: no X"))
    verdict = judge(results, [*REQUIRED, "STS"])

    assert verdict.certified, verdict.reasons
    sts = verdict.requirements[-1]
    assert sts.verdict == "not_applicable"
    assert sts.reasons == ["not applicable: no X", "STS: N/A accepted: nothing to prove on a target without X"]


def test_every_requirement_declaring_not_applicable_acceptable_is_listed_in_the_docs() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "evidence.md").read_text(encoding="utf-8")
    section = doc.split("### Requirements that may be met while not applicable", 1)[1].split("\n## ", 1)[0]
    for requirement in REQUIREMENTS.values():
        listed = f"| `{requirement.id}` |" in section
        assert listed == bool(requirement.na_acceptable), requirement.id


def test_a_catalogue_precondition_comes_first_in_the_integrators_words() -> None:
    results = _everything_else_passed(
        _scenario("IDEM", "failed", message="IDEM: expected a replay; got a fresh response"),
        _scenario("ISS-OPEN", "not_applicable", message=f"{CATALOGUE_PRECONDITION}{NO_OPEN}"),
    )
    results.collection_errors.append("steps/x.py: boom")
    verdict = judge(results, [*REQUIRED, "IDEM", "ISS-OPEN"])

    assert not verdict.certified
    assert verdict.reasons[0] == f"ISS-OPEN: not met: {NO_OPEN}"
    assert verdict.reasons[1:] == ["collection error: steps/x.py: boom",
                                   "IDEM: expected a replay; got a fresh response"]
    assert verdict.requirements[-1].verdict == "not_met"


def test_a_catalogue_precondition_in_a_requirement_that_otherwise_passed_does_not_block() -> None:
    """One generated outline with no rows among scenarios that ran and passed: the requirement is proven."""
    results = _everything_else_passed(
        _scenario("ISS-VALID", "passed"),
        _scenario("ISS-VALID", "not_applicable", message=f"{CATALOGUE_PRECONDITION}no product with limited stock"),
    )
    verdict = judge(results, [*REQUIRED, "ISS-VALID"])
    assert verdict.certified and verdict.requirements[-1].verdict == "passed"


def test_an_expected_product_missing_from_the_catalogue_blocks_even_when_every_scenario_passed() -> None:
    results = _everything_else_passed()
    results.catalogues["v3"].update(expected=["P1", "P9"], missing=["P9"])
    verdict = judge(results, REQUIRED)

    assert not verdict.certified
    assert verdict.reasons == ["v3 catalogue: expected product(s) not listed: P9 (the integrator will sell them: "
                               "ask the provider to add them to the UAT catalogue)"]


def test_missing_expected_products_are_computed_from_the_listing_too() -> None:
    assert missing_expected({"expected": ["A", "B"], "products": [{"code": "A"}]}) == ["B"]
    assert missing_expected({"expected": ["A"], "products": [{"code": "A"}], "missing": []}) == []
    assert missing_expected({"expected": [], "products": []}) == []
    assert missing_expected({}) == []


def test_expected_products_all_listed_certify() -> None:
    results = _everything_else_passed()
    results.catalogues["v3"].update(expected=["P1", "P2"], missing=[])
    assert judge(results, REQUIRED).certified


def test_what_the_catalogue_lacks_comes_before_a_missing_expected_product() -> None:
    results = _everything_else_passed(
        _scenario("ISS-OPEN", "not_applicable", message=f"{CATALOGUE_PRECONDITION}{NO_OPEN}"))
    results.catalogues["v3"].update(expected=["P9"], missing=["P9"])
    reasons = judge(results, [*REQUIRED, "ISS-OPEN"]).reasons
    assert reasons[0].startswith("ISS-OPEN: not met: the UAT catalogue holds no open-value product")
    assert reasons[1].startswith("v3 catalogue: expected product(s) not listed: P9")
