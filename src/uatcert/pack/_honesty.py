"""
The honesty checks of `uatcert verify`: run.json against the Allure results, and the certificate rebuilt
from the bundle's results, Allure results and ledger against the certificate files inside.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from uatcert.pack._allure import AllureResult, compatible, match_scenarios
from uatcert.pack._bundle import Bundle, LedgerRecords, read_json
from uatcert.pack._certificate import build_document, mask_client_id, render_all
from uatcert.pack._ledger import totals_of
from uatcert.pack._verify_report import MAX_LINES, Check, VerifyReport
from uatcert.suite.results import RunResults
from uatcert.verdict import judge


def check_results(results: RunResults, allure: list[AllureResult], problems: list[str],
                  report: VerifyReport) -> None:
    """run.json and the Allure results record the same scenarios with compatible outcomes."""
    matched, leftover = match_scenarios(results.scenarios, allure)
    missing_evidence = 0
    for scenario in results.scenarios:
        evidence = matched.get(scenario.nodeid)
        if evidence is None:
            if scenario.outcome == "passed":
                problems.append(f"run.json: scenario '{scenario.name}' ({scenario.nodeid}) passed, "
                                "but no Allure result records it (removed?)")
            else:
                missing_evidence += 1
        elif not compatible(scenario.outcome, evidence.status):
            problems.append(f"run.json says '{scenario.name}' {scenario.outcome}, but "
                            f"allure-results/{evidence.file} says {evidence.status} (one of them was edited)")
    for result in leftover:
        problems.append(f"allure-results/{result.file}: '{result.name}' ({result.status}) "
                        "has no scenario in run.json (removed from run.json?)")
    summary = f"{len(results.scenarios)} scenarios agree with {len(allure)} Allure results"
    if missing_evidence:
        summary += f" ({missing_evidence} skipped or broken before starting, no Allure result)"
    report.checks.append(Check("results", not problems, problems, "" if problems else summary))


def _diff(said: Any, derived: Any, path: str, out: list[str]) -> None:
    if len(out) >= MAX_LINES:
        return
    if isinstance(said, dict) and isinstance(derived, dict):
        for key in sorted(set(said) | set(derived), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in derived:
                out.append(f"{where}: not expected (added)")
            elif key not in said:
                out.append(f"{where}: missing")
            else:
                _diff(said[key], derived[key], where, out)
    elif isinstance(said, list) and isinstance(derived, list):
        if len(said) != len(derived):
            out.append(f"{path}: {len(said)} entries, the results give {len(derived)}")
        for index, (a, b) in enumerate(zip(said, derived, strict=False)):
            _diff(a, b, f"{path}[{_label(b, index)}]", out)
    elif said != derived:
        out.append(f"{path}: says {json.dumps(said, ensure_ascii=False)[:120]}, "
                   f"the results give {json.dumps(derived, ensure_ascii=False)[:120]}")


def _label(item: Any, index: int) -> str:
    """How a list entry is named in a difference: its requirement id, node id or product, else its index."""
    if isinstance(item, dict):
        for key in ("id", "nodeid", "product", "path"):
            if isinstance(item.get(key), str):
                value: str = item[key]
                return f"{value} {item['face_value']}" if key == "product" and item.get("face_value") else value
    return str(index)


def _parse_time(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_certificate(bundle: Bundle, results: RunResults, allure: list[AllureResult],
                      ledger_records: LedgerRecords | None, report: VerifyReport, now: dt.datetime) -> None:
    """certificate.json and its renderings equal the certificate rebuilt from the bundle; then its expiry."""
    certificate = read_json(bundle.read("certificate.json"))
    if not isinstance(certificate, dict):
        report.checks.append(Check("certificate", False, ["certificate.json: missing or not valid JSON"]))
        return
    report.certificate_verdict = str(certificate.get("verdict"))
    issued = _parse_time(certificate.get("issued_at"))
    required = certificate.get("required")
    days = certificate.get("expiry_days")
    if issued is None or not isinstance(required, list) or not isinstance(days, int) or days < 1:
        report.checks.append(Check("certificate", False, [
            "certificate.json: no readable issued_at, expiry_days or required list"]))
        return
    ledger = totals_of(*ledger_records) if ledger_records is not None else None
    verdict = judge(results, [str(r) for r in required])
    derived = build_document(results, verdict, client=str(certificate.get("client_id")), issued_at=issued,
                             expiry_days=days, ledger=ledger, allure=allure)
    report.verdict = str(derived["verdict"])
    problems: list[str] = []
    if certificate.get("verdict") != derived["verdict"]:
        problems.append(f"certificate.json says {certificate.get('verdict')}, but the bundle's results give "
                        f"{derived['verdict']} (the certificate was edited)")
    differences: list[str] = []
    _diff(certificate, derived, "", differences)
    problems += [f"certificate.json: {d}" for d in differences if not d.startswith("verdict:")]
    run_client = results.target_of(results.lead_api).get("client_id")
    if run_client and mask_client_id(str(run_client)) != certificate.get("client_id"):
        problems.append("certificate.json: client_id does not match the client of run.json")
    if results.finished and (finished := _parse_time(results.finished)) and issued < finished - dt.timedelta(
        minutes=5
    ):
        problems.append("certificate.json: issued before the run finished")
    problems += _renderings_differ(bundle, derived)
    summary = f"{derived['verdict']}, rebuilt from {len(results.scenarios)} scenarios"
    report.checks.append(Check("certificate", not problems, problems, "" if problems else summary))
    _check_expiry(certificate, report, now)


def _renderings_differ(bundle: Bundle, derived: dict[str, Any]) -> list[str]:
    """The certificate's Markdown and HTML files that differ from the rendering of the rebuilt document."""
    problems = []
    for name, text in render_all(derived).items():
        if name == "certificate.json":
            continue
        rendered = bundle.read(name)
        if rendered is None:
            problems.append(f"{name}: missing from the bundle")
        elif rendered != text.encode("utf-8"):
            problems.append(f"{name}: does not match the certificate rebuilt from the results (edited?)")
    return problems


def _check_expiry(certificate: dict[str, Any], report: VerifyReport, now: dt.datetime) -> None:
    expires = _parse_time(certificate.get("expires_at"))
    report.expires_at = str(certificate.get("expires_at")) if expires else None
    if expires is None:
        report.checks.append(Check("expiry", False, ["certificate.json: no readable expires_at"]))
    elif now > expires:
        report.checks.append(Check("expiry", False, [f"the certificate expired on {expires:%Y-%m-%d}"]))
    else:
        report.checks.append(Check("expiry", True, summary=f"valid until {expires:%Y-%m-%d}"))
