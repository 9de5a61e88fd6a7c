"""Verdict rules: CERTIFIED only when every required cell passed."""

from __future__ import annotations

from uatcert.suite.results import RunResults, ScenarioResult
from uatcert.verdict import judge

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
