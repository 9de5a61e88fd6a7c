"""Evidence read back from allure-results: statuses, labels, nested attachments, and no secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Run
from uatcert.profiles import PROFILES
from uatcert.suite.requirements import REQUIREMENTS

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")


def _labels(result: dict[str, Any]) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for label in result.get("labels", []):
        labels.setdefault(label["name"], []).append(label["value"])
    return labels


def _attachments(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for step in steps:
        found.extend(step.get("attachments", []))
        found.extend(_attachments(step.get("steps", [])))
    return found


def test_every_scenario_is_labelled_with_its_requirement(certified_run: Run) -> None:
    results = certified_run.allure_results()
    assert len(results) == len(certified_run.results.scenarios)
    required = {r for p in PROFILES.values() if p.selected_by_default for r in p.requirements}
    stories = set()
    for result in results:
        labels = _labels(result)
        assert len(labels["story"]) == 1 and labels["story"][0] in required, labels
        stories.add(labels["story"][0])
        assert labels["epic"] == [REQUIREMENTS[labels["story"][0]].api], labels
        assert labels["feature"] == [REQUIREMENTS[labels["story"][0]].area], labels
        assert labels["severity"][0] in {"critical", "normal"}
        assert result["status"] == "passed"
    assert stories == required


def test_per_product_scenarios_carry_the_product_as_parameter(certified_run: Run) -> None:
    every = [r for r in certified_run.allure_results() if _labels(r)["story"] == ["ISS-EVERY"]]
    catalogue = {p["code"] for p in certified_run.results.catalogues["v3"]["products"]}
    assert {p["value"].strip("'") for r in every for p in r["parameters"] if p["name"] == "code"} == catalogue


def test_http_exchanges_are_attached_under_gherkin_steps(certified_run: Run) -> None:
    issue = next(r for r in certified_run.allure_results()
                 if _labels(r)["story"] == ["ISS-EVERY"] and "value based" in r["name"])
    when = next(s for s in issue["steps"] if s["name"].startswith("When the integrator issues"))
    attachments = _attachments([when])
    assert attachments, when
    document = json.loads((certified_run.reports / "allure-results" / attachments[0]["source"]).read_text())
    assert document["method"] == "POST"
    assert document["response"]["status"] == 200
    assert document["request"]["headers"]["authorization"] == "Bearer ***"
    for voucher in document["response"]["body"]["data"]:
        assert voucher["voucher_code"].startswith("…") and len(voucher["voucher_code"]) == 5
        assert voucher["short_url_pin"] == "***"


def test_lost_responses_are_attached_as_evidence(certified_run: Run) -> None:
    idem = [r for r in certified_run.allure_results() if _labels(r)["story"] == ["IDEM"]]
    lost = [a for r in idem for a in _attachments(r["steps"]) if "LOST before reaching the client" in a["name"]]
    assert lost, "no lost-response evidence attached"
    document = json.loads((certified_run.reports / "allure-results" / lost[0]["source"]).read_text())
    assert document["outcome"] == "lost_response" and document["response"]["received_by_client"] is False
    assert document["response"]["status"] == 200


def test_no_token_secret_or_voucher_code_in_any_artifact(certified_run: Run) -> None:
    from uatcert.sandbox import DEFAULT_CLIENT_SECRET, READONLY_CLIENT_SECRET

    files = [p for p in certified_run.reports.rglob("*") if p.is_file()]
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in files}
    assert any("voucher_code" in t for t in texts.values())  # the evidence does mention vouchers
    for path, text in texts.items():
        for secret in (DEFAULT_CLIENT_SECRET, READONLY_CLIENT_SECRET):
            assert secret not in text, f"client secret in {path}"
        assert not JWT.search(text), f"token in {path}"
        assert not re.search(r"\"voucher_code\": \"UG\d{10}\"", text), f"voucher code in {path}"
        assert not re.search(r"\"short_url_pin\": \"\d{4}\"", text), f"PIN in {path}"
        assert not re.search(r"Basic [A-Za-z0-9+/=]{12,}", text), f"Basic credentials in {path}"


def test_ledger_records_every_issuance_before_and_after(certified_run: Run) -> None:
    lines = [json.loads(line) for line in Path(certified_run.reports / "ledger.jsonl").read_text().splitlines()]
    intents = [r for r in lines if r["event"] == "intent"]
    outcomes = [r for r in lines if r["event"] == "outcome"]
    assert intents and len(outcomes) == len(intents)
    open_keys: list[str] = []  # every outcome closes an intent of its key written earlier
    for record in lines:
        if record["event"] == "intent":
            open_keys.append(record["idempotency_key"])
        elif record["event"] == "outcome":
            open_keys.remove(record["idempotency_key"])
    assert open_keys == []
    assert any(r["replayed"] for r in outcomes), "the recovery scenarios replay issuances"
    attempts = [r for r in lines if r["event"] == "attempt"]
    assert any(r["outcome"] == "lost_response" for r in attempts)


def test_step_parameters_are_gherkin_values_only(certified_run: Run) -> None:
    """Fixtures (clients, targets, outcomes) never reach Allure as step parameters; Gherkin values do."""
    seen = []
    for result in certified_run.allure_results():
        for step in result["steps"]:
            for parameter in step.get("parameters", []):
                seen.append(parameter["value"])
                assert " object at 0x" not in parameter["value"] and "Client(" not in parameter["value"]
    assert "'UNIVGROCERIESDYNAMIC01'" in seen
