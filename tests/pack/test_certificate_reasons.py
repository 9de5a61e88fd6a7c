"""The certificate's reasons: not applicable shown with its reason, NOT MET first, the expected catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.pack.builders import Run, Spec, default_specs
from uatcert.suite.results import CATALOGUE_PRECONDITION

NO_OPEN = ("the UAT catalogue holds no open-value product: open-value support is the first go-live requirement; "
           "ask UNIQREWARDS to add one")


def _certify(run: Run) -> tuple[dict[str, Any], str, str]:
    run.certify(bundle=False)
    doc: dict[str, Any] = json.loads((run.reports / "certificate.json").read_text(encoding="utf-8"))
    return (doc, (run.reports / "certificate.md").read_text(encoding="utf-8"),
            (run.reports / "certificate.html").read_text(encoding="utf-8"))


def _requirement(doc: dict[str, Any], requirement: str) -> dict[str, Any]:
    return next(r for r in doc["requirements"] if r["id"] == requirement)


def _without_open_value(specs: list[Spec]) -> list[Spec]:
    """A catalogue without GIFT-OPEN-1: ISS-OPEN is its outline's one not-applicable example."""
    kept = [s for s in specs if s.requirement != "ISS-OPEN" and s.product != "GIFT-OPEN-1"]
    kept.append(Spec("test_issuance.py", "Open-value product <code> is issued at <face_value> cents", "ISS-OPEN",
                     {"code": "none"}, outcome="not_applicable", allure=False,
                     message=f"{CATALOGUE_PRECONDITION}{NO_OPEN}"))
    for spec in kept:
        if spec.requirement == "ISS-OPEN":
            spec.parameters = {}  # recorded without a product, as the plugin records the placeholder example
    return kept


def test_every_not_applicable_scenario_shows_its_reason(make_run: Callable[..., Run]) -> None:
    doc, markdown, page = _certify(make_run())
    not_applicable = [s for s in doc["scenarios"] if s["outcome"] == "not_applicable"]
    assert not_applicable
    for scenario in not_applicable:
        assert scenario["message"] == "not applicable on UAT: needs the sandbox control API"
        assert f"| N/A | {scenario['requirement']} |" in markdown
        assert scenario["message"] in markdown and scenario["message"] in page
    assert doc["verdict"] == "CERTIFIED"  # STS has other scenarios that ran and passed


def test_a_requirement_all_not_applicable_is_not_met_with_its_reason(make_run: Callable[..., Run]) -> None:
    specs = [s for s in default_specs() if s.requirement != "STS"]
    specs.append(Spec("test_status.py", "Every voucher issued in the run is retrieved on its own", "STS",
                      outcome="not_applicable", allure=False, message="not applicable: no voucher was issued"))
    doc, markdown, page = _certify(make_run(specs))

    sts = _requirement(doc, "STS")
    assert doc["verdict"] == "NOT CERTIFIED" and sts["verdict"] == "not_met"
    reason = "STS: not met: every scenario was not applicable (not applicable: no voucher was issued)"
    assert doc["reasons"] == [reason] and sts["reasons"] == [reason]
    assert "| STS | Voucher status |" in markdown and "NOT MET" in markdown
    assert '<span class="badge b-not_met">NOT MET</span>' in page


def test_no_open_value_product_is_not_certified_with_that_reason_first(make_run: Callable[..., Run]) -> None:
    specs = _without_open_value(default_specs())
    for spec in specs:
        if "test_the_response_is_lost" in spec.nodeid:
            spec.outcome, spec.message = "failed", "IDEM: expected a replay; got a fresh response"
    run = make_run(specs)
    catalogue = run.results.catalogues["v3"]
    catalogue["products"] = [p for p in catalogue["products"] if p["code"] != "GIFT-OPEN-1"]
    catalogue["size"] = 2
    run.results.write(run.reports / "run.json")
    doc, markdown, page = _certify(run)

    first = f"ISS-OPEN: not met: {NO_OPEN}"
    assert doc["verdict"] == "NOT CERTIFIED"
    assert doc["reasons"] == [first, "IDEM: expected a replay; got a fresh response"]
    assert _requirement(doc, "ISS-OPEN")["verdict"] == "not_met"
    assert _requirement(doc, "ISS-OPEN")["cells"] == []  # no "(none)" product in the matrix
    assert f"1. {first}" in markdown
    assert page.index(first) < page.index("IDEM: expected a replay")
    assert page.index(first) < page.index("<h2>Summary</h2>")


def test_what_the_catalogue_lacks_is_the_one_reason_of_its_requirement(make_run: Callable[..., Run]) -> None:
    """A second scenario of the requirement, not applicable for the same cause, adds no reason of its own,
    and the products that are not open-value give the face-value matrix no cell that "never ran"."""
    specs = _without_open_value(default_specs())
    specs.append(Spec("test_issuance.py", "Every open-value voucher is named with its amount", "ISS-OPEN",
                      outcome="not_applicable", allure=False, message=f"not applicable: {NO_OPEN}"))
    run = make_run(specs)
    catalogue = run.results.catalogues["v3"]
    catalogue["products"] = [p for p in catalogue["products"] if p["code"] != "GIFT-OPEN-1"]
    run.results.write(run.reports / "run.json")
    doc, _, _ = _certify(run)

    assert doc["reasons"] == [f"ISS-OPEN: not met: {NO_OPEN}"]
    assert _requirement(doc, "ISS-OPEN")["cells"] == []


def test_the_expected_catalogue_is_listed_against_the_listing(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.results.catalogues["v3"].update(expected=["GIFT-OPEN-1", "GIFT-NEW-9"], missing=["GIFT-NEW-9"])
    run.results.write(run.reports / "run.json")
    doc, markdown, page = _certify(run)

    assert doc["catalogues"]["v3"]["expected"] == ["GIFT-OPEN-1", "GIFT-NEW-9"]
    assert doc["catalogues"]["v3"]["missing"] == ["GIFT-NEW-9"]
    assert doc["catalogue"]["missing"] == ["GIFT-NEW-9"]
    # every scenario passed, yet the product the integrator will sell is not in the UAT catalogue
    assert all(s["outcome"] in ("passed", "not_applicable") for s in doc["scenarios"])
    assert doc["verdict"] == "NOT CERTIFIED"
    assert doc["reasons"][0].startswith("v3 catalogue: expected product(s) not listed: GIFT-NEW-9")
    assert "## Expected catalogue (v3)" in markdown
    assert "| GIFT-OPEN-1 | listed |" in markdown and "| GIFT-NEW-9 | MISSING |" in markdown
    assert "Listed, not expected: `GIFT-FIX-25`, `EXP-PRD-7`" in markdown
    assert "Expected catalogue (v3)" in page
    assert '<span class="mono">GIFT-NEW-9</span></td><td><span class="badge b-failed">MISSING</span>' in page


def test_no_expected_list_no_expected_section(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.results.catalogues["v3"].update(expected=[], missing=[])
    run.results.write(run.reports / "run.json")
    doc, markdown, page = _certify(run)
    assert doc["verdict"] == "CERTIFIED"
    assert "expected" not in doc["catalogues"]["v3"]
    assert "Expected catalogue" not in markdown and "Expected catalogue" not in page


def test_the_expected_catalogue_survives_verify(make_run: Callable[..., Run]) -> None:
    from uatcert.pack import verify_bundle

    run = make_run()
    run.results.catalogues["v3"].update(expected=["GIFT-NEW-9"], missing=["GIFT-NEW-9"])
    run.results.write(run.reports / "run.json")
    bundle = run.certify()
    assert bundle is not None
    report = verify_bundle(bundle)
    assert report.ok, [c for c in report.checks if not c.ok]
    assert report.verdict == "NOT CERTIFIED"
