"""The certificate: CERTIFIED only when every required requirement and product cell passed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from tests.pack.builders import REQUIRED, Run, Spec, default_specs, with_outcome
from uatcert.pack import certificate_verdict, ledger_totals, mask_client_id
from uatcert.pack._markdown import render_markdown
from uatcert.pack._render import matrices
from uatcert.verdict import judge


def _certificate(run: Run, **kwargs: Any) -> dict[str, Any]:
    run.certify(bundle=False, **kwargs)
    document: dict[str, Any] = json.loads((run.reports / "certificate.json").read_text(encoding="utf-8"))
    return document


def _requirement(doc: dict[str, Any], requirement: str) -> dict[str, Any]:
    return next(r for r in doc["requirements"] if r["id"] == requirement)


def test_everything_passed_is_certified(make_run: Callable[..., Run]) -> None:
    issued = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
    doc = _certificate(make_run(), issued_at=issued)

    assert doc["verdict"] == "CERTIFIED" and doc["certified"] is True and doc["reasons"] == []
    assert doc["client_id"] == "uatc…dbox"
    assert doc["target"] == {"api": "UNIQREWARDS Client API v3", "api_version": "v3", "label": "UAT",
                             "environment": "uat", "base_url": "https://uat.example.test/v3", "sandbox": False}
    assert doc["catalogue"]["size"] == 3 and doc["catalogue"]["sha256"] == "ab" * 32
    assert doc["issued_at"] == "2026-11-21T12:00:00+00:00"
    assert doc["expires_at"] == "2027-02-19T12:00:00+00:00"
    assert doc["required"] == list(REQUIRED)
    assert _requirement(doc, "STS")["verdict"] == "passed"
    cells = _requirement(doc, "ISS-OPEN")["cells"]
    assert [(c["product"], c["face_value"], c["verdict"]) for c in cells] == [
        ("GIFT-OPEN-1", "100", "passed"), ("GIFT-OPEN-1", "1051", "passed"), ("GIFT-OPEN-1", "100000", "passed")]
    assert {c["product"] for c in _requirement(doc, "CAT")["cells"]} == {"GIFT-OPEN-1", "GIFT-FIX-25", "EXP-PRD-7"}


def test_scenarios_reference_their_allure_evidence(make_run: Callable[..., Run]) -> None:
    run = make_run()
    doc = _certificate(run)
    by_node = {s["nodeid"]: s for s in doc["scenarios"]}
    for nodeid, result_file in run.result_files.items():
        evidence = by_node[nodeid]["evidence"]
        assert evidence["allure_result"] == f"allure-results/{result_file}"
        assert len(evidence["attachments"]) == 1 and evidence["attachments"][0].endswith("-attachment.json")
    not_applicable = next(s for s in doc["scenarios"] if s["outcome"] == "not_applicable")
    assert not_applicable["evidence"]["allure_result"] is None


def test_a_failure_is_not_certified_with_the_reasons_first(make_run: Callable[..., Run]) -> None:
    specs = with_outcome(default_specs(), "every_voucher_issued_in_the_run_is_retrieved_on_its_own", "failed",
                         "STS: expected status 200 for voucher v-1, got 500")
    run = make_run(specs)
    doc = _certificate(run)

    assert doc["verdict"] == "NOT CERTIFIED"
    assert doc["reasons"] == ["STS: expected status 200 for voucher v-1, got 500"]
    assert list(doc)[:4] == ["schema", "verdict", "certified", "reasons"]
    markdown = (run.reports / "certificate.md").read_text(encoding="utf-8")
    assert markdown.index("Why this run is not certified") < markdown.index("## Summary")
    assert "1. STS: expected status 200 for voucher v-1, got 500" in markdown
    page = (run.reports / "certificate.html").read_text(encoding="utf-8")
    assert 'class="banner fail"' in page
    assert page.index("Why this run is not certified") < page.index("<h2>Summary</h2>")


def test_a_skip_that_is_not_not_applicable_blocks(make_run: Callable[..., Run]) -> None:
    specs = with_outcome(default_specs(), "test_the_response_is_lost", "skipped", "the fault proxy is not configured")
    doc = _certificate(make_run(specs))

    assert doc["verdict"] == "NOT CERTIFIED"
    assert _requirement(doc, "IDEM")["verdict"] == "incomplete"
    assert any("skipped" in r and "fault proxy" in r for r in doc["reasons"])


def test_a_requirement_that_never_ran_blocks(make_run: Callable[..., Run]) -> None:
    specs = [s for s in default_specs() if s.requirement != "IDEM"]
    doc = _certificate(make_run(specs))

    assert doc["verdict"] == "NOT CERTIFIED"
    assert _requirement(doc, "IDEM")["verdict"] == "not_run"
    assert "IDEM: no scenario ran" in doc["reasons"]


def test_a_product_never_issued_blocks(make_run: Callable[..., Run]) -> None:
    specs = [s for s in default_specs() if not (s.requirement == "ISS-EVERY" and s.product == "EXP-PRD-7")]
    doc = _certificate(make_run(specs))

    assert doc["verdict"] == "NOT CERTIFIED"
    assert "ISS-EVERY: never issued: EXP-PRD-7" in doc["reasons"]
    cell = next(c for c in _requirement(doc, "ISS-EVERY")["cells"] if c["product"] == "EXP-PRD-7")
    assert cell["verdict"] == "not_run" and cell["scenarios"] == []


def test_a_product_cell_that_never_ran_blocks_even_when_judge_passes(make_run: Callable[..., Run]) -> None:
    """A run narrowed with -k: CAT for one product and ISS-OPEN at one face value never ran."""
    specs = [s for s in default_specs()
             if not (s.requirement == "CAT" and s.product == "GIFT-FIX-25") and "GIFT-OPEN-1-1051" not in s.nodeid]
    run = make_run(specs)
    assert judge(run.results, REQUIRED).certified  # the gap is the matrix rule's to catch
    doc = _certificate(run)

    assert doc["verdict"] == "NOT CERTIFIED"
    assert "CAT: GIFT-FIX-25: not run" in doc["reasons"]
    assert "ISS-OPEN: GIFT-OPEN-1 at 1051 cents: not run" not in doc["reasons"]  # no scenario names 1051 at all
    assert not certificate_verdict(run.results, REQUIRED).certified


def test_an_open_value_cell_that_never_ran_blocks(make_run: Callable[..., Run]) -> None:
    specs = default_specs()
    specs.append(Spec("test_issuance.py", "Product <code> (<kind>) is issued", "ISS-EVERY",
                      {"code": "GIFT-OPEN-2", "kind": "value based, open value"}))
    run = make_run(specs)
    run.results.catalogues["v3"]["products"].append(
        {"code": "GIFT-OPEN-2", "kind": "value based, open value", "open_value": True})
    run.results.catalogues["v3"]["size"] = 4
    run.results.write(run.reports / "run.json")
    doc = _certificate(run)

    assert doc["verdict"] == "NOT CERTIFIED"
    assert "ISS-OPEN: GIFT-OPEN-2 at 100 cents: not run" in doc["reasons"]
    assert _requirement(doc, "ISS-OPEN")["verdict"] == "incomplete"
    assert "CAT: GIFT-OPEN-2: not run" in doc["reasons"]


def test_the_issuance_totals_come_from_the_ledger(make_run: Callable[..., Run]) -> None:
    run = make_run()
    doc = _certificate(run)

    assert doc["issuance"] == ledger_totals(run.reports / "ledger.jsonl")
    assert doc["issuance"]["vouchers"] == 8
    assert doc["issuance"]["face_value"] == [{"currency": "EUR", "unit": "cents", "total": 105702, "vouchers": 6}]
    assert doc["issuance"]["replays"] == 1
    assert "1,057.02 over 6 vouchers" in (run.reports / "certificate.md").read_text(encoding="utf-8")


def test_the_html_is_self_contained(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.certify(bundle=False)
    page = (run.reports / "certificate.html").read_text(encoding="utf-8")

    assert page.startswith("<!DOCTYPE html>") and 'class="banner pass"' in page
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=|url\(|@import|<link|<img|<iframe""", page, re.I)
    assert "uatc…dbox" in page and "uatcert-client-sandbox" not in page
    assert "GIFT-OPEN-1" in page and "ISS-OPEN 100000" in page


def test_text_from_the_run_is_escaped(make_run: Callable[..., Run]) -> None:
    specs = with_outcome(default_specs(), "test_wrong_client_credentials", "failed",
                         "AUTH: expected 401, got <b>200</b> | 'oops'")
    run = make_run(specs)
    run.certify(bundle=False)

    page = (run.reports / "certificate.html").read_text(encoding="utf-8")
    assert "<b>200</b>" not in page and "&lt;b&gt;200&lt;/b&gt;" in page
    assert "got <b>200</b> \\| 'oops'" in (run.reports / "certificate.md").read_text(encoding="utf-8")


def test_client_ids_are_masked() -> None:
    assert mask_client_id("uatcert-client-sandbox") == "uatc…dbox"
    assert mask_client_id("abcdefgh") == "ab…gh"
    assert mask_client_id("abc") == "***"
    assert mask_client_id(None) == "(not configured)"


def test_evidence_is_matched_whichever_name_run_json_records(make_run: Callable[..., Run]) -> None:
    specs = default_specs()
    for spec in specs:
        spec.gherkin_name_in_run = True
    run = make_run(specs)
    doc = _certificate(run)

    by_node = {s["nodeid"]: s for s in doc["scenarios"]}
    for nodeid, result_file in run.result_files.items():
        assert by_node[nodeid]["evidence"]["allure_result"] == f"allure-results/{result_file}"
    titles = [s["title"] for s in doc["scenarios"]]
    assert "Open-value product GIFT-OPEN-1 is issued at 1051 cents" in titles
    assert titles == [s["name"] for s in doc["scenarios"]]


def test_the_certificate_shows_the_gherkin_title_of_each_scenario(make_run: Callable[..., Run]) -> None:
    run = make_run()
    doc = _certificate(run)
    scenario = next(s for s in doc["scenarios"] if s["nodeid"].endswith("[GIFT-OPEN-1-1051]"))
    assert scenario["name"] == "test_openvalue_product_code_is_issued_at_face_value_cents[GIFT-OPEN-1-1051]"
    assert scenario["title"] == "Open-value product GIFT-OPEN-1 is issued at 1051 cents"
    assert "Open-value product GIFT-OPEN-1 is issued at 1051 cents" in (run.reports / "certificate.html").read_text(
        encoding="utf-8")


def test_one_matrix_per_api_profile() -> None:
    def requirement(rid: str, profile: str, product: str) -> dict[str, Any]:
        return {"id": rid, "profile": profile, "per_product": True, "verdict": "passed",
                "cells": [{"product": product, "face_value": None, "verdict": "passed"}]}

    doc = {"requirements": [requirement("CAT", "v3", "SKU-1"), requirement("V2-CAT", "v2", "P-9")],
           "catalogues": {"v3": {"products": [{"code": "SKU-1", "kind": "k"}]},
                          "v2": {"products": [{"code": "P-9", "kind": "dynamic"}]}}}
    assert matrices(doc) == [("v3", ["CAT"], [("SKU-1", "k", ["passed"])]),
                             ("v2", ["V2-CAT"], [("P-9", "dynamic", ["passed"])])]
    assert "## Requirement × product matrix (v2)" in render_markdown({**doc, "reasons": ["x"]})


def test_a_reason_given_by_several_scenarios_is_listed_once(make_run: Callable[..., Run]) -> None:
    specs = with_outcome(default_specs(), "test_recovery.py", "failed", "IDEM: expected a replay; got a fresh response")
    doc = _certificate(make_run(specs))
    assert doc["reasons"] == ["IDEM: expected a replay; got a fresh response (2 scenarios)"]
    assert _requirement(doc, "IDEM")["reasons"] == doc["reasons"]
