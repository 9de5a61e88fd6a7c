"""
The certificate: the run's verdict, targets, requirement x product matrix and evidence references.

`build_document` is a pure function of the run's results, the Allure results, the ledger totals and
the issue date, so `uatcert verify` can rebuild the document from a bundle and compare it with the
`certificate.json` inside: an edited certificate, run.json or ledger shows as a difference.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from uatcert.pack._allure import AllureResult, load_results, match_scenarios
from uatcert.pack._html import render_html
from uatcert.pack._ledger import ledger_totals as _ledger_totals
from uatcert.pack._markdown import render_markdown
from uatcert.pack._matrix import (
    Cells,
    catalogue_products,
    matrix_cells,
    per_product,
    profile_of,
    with_matrix_rule,
)
from uatcert.suite.requirements import REQUIREMENTS
from uatcert.suite.results import RunResults, ScenarioResult
from uatcert.verdict import RequirementSummary, RunVerdict, missing_expected

SCHEMA = "uatcert.certificate/1"


def mask_client_id(client_id: str | None) -> str:
    """First four and last four characters of a long client id (`uatc…dbox`), less of a short one."""
    if not client_id:
        return "(not configured)"
    if len(client_id) > 10:
        return f"{client_id[:4]}…{client_id[-4:]}"
    if len(client_id) > 4:
        return f"{client_id[:2]}…{client_id[-2:]}"
    return "***"


def safe_url(url: Any) -> str:
    """A URL without user info, query or fragment (nothing secret can ride along)."""
    if not url:
        return ""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


# the document -----------------------------------------------------------------------------------
def target_fields(target: dict[str, Any]) -> dict[str, Any]:
    """What the evidence shows of a target (its base URL made safe, its environment named)."""
    return {
        "api": target.get("api", ""),
        "api_version": target.get("api_version", ""),
        "label": target.get("label", ""),
        "environment": target.get("environment") or ("sandbox" if target.get("sandbox") else ""),
        "base_url": safe_url(target.get("base_url")),
        "sandbox": bool(target.get("sandbox", False)),
        **({"system": str(target["system"])} if target.get("system") else {}),  # a client-under-test profile
    }


def build_document(
    results: RunResults,
    verdict: RunVerdict,
    *,
    client: str,
    issued_at: dt.datetime,
    expiry_days: int,
    ledger: dict[str, Any] | None,
    allure: list[AllureResult],
) -> dict[str, Any]:
    """The certificate as a JSON-ready dict (deterministic for given inputs).

    `target` and `catalogue` describe the run's first API (the one the headline names); `targets` and
    `catalogues` describe every API of the run.
    """
    matched, _ = match_scenarios(results.scenarios, allure)
    cells = matrix_cells(results, verdict, matched)
    verdict = with_matrix_rule(verdict, cells)
    lead = results.lead_api
    return {
        "schema": SCHEMA,
        "verdict": verdict.label,
        "certified": verdict.certified,
        "reasons": _counted(verdict.reasons),
        "target": target_fields(results.target_of(lead)),
        "targets": {
            api: {**target_fields(t), "client_id": mask_client_id(t.get("client_id"))}
            for api, t in results.targets.items()
        },
        "client_id": client,
        "suite_version": results.suite_version,
        "catalogue": _catalogue_entry(results.catalogue_of(lead)),
        "catalogues": {api: _catalogue_entry(described) for api, described in results.catalogues.items()},
        "run": {"started": results.started, "finished": results.finished},
        "issued_at": iso(issued_at),
        "expiry_days": expiry_days,
        "expires_at": iso(issued_at + dt.timedelta(days=expiry_days)),
        "required": [s.requirement for s in verdict.requirements],
        "requirements": [_requirement_entry(summary, cells) for summary in verdict.requirements],
        "scenarios": [_scenario_entry(scenario, matched.get(scenario.nodeid)) for scenario in results.scenarios],
        "collection_errors": list(results.collection_errors),
        "issuance": ledger,
    }


def _catalogue_entry(described: dict[str, Any]) -> dict[str, Any]:
    products = catalogue_products(described)
    entry: dict[str, Any] = {
        "size": described.get("size", len(products)), "sha256": described.get("sha256", ""), "products": products,
    }
    expected = [str(code) for code in described.get("expected") or []]
    if expected:  # the products the integrator will sell (v3: UATCERT_V3__EXPECTED_PRODUCTS)
        entry["expected"] = expected
        entry["missing"] = missing_expected(described)
    return entry


def _requirement_entry(summary: RequirementSummary, cells: Cells) -> dict[str, Any]:
    known = REQUIREMENTS.get(summary.requirement)
    counts: dict[str, int] = {}
    for scenario in summary.scenarios:
        counts[scenario.outcome] = counts.get(scenario.outcome, 0) + 1
    return {
        "id": summary.requirement,
        "profile": profile_of(summary.requirement),
        "title": known.title if known else summary.requirement,
        "api": known.api if known else "",
        "area": known.area if known else "",
        "per_product": per_product(summary.requirement),
        "verdict": summary.verdict,
        "reasons": _counted(summary.reasons) if summary.verdict != "passed" else [],
        "counts": dict(sorted(counts.items())),
        "cells": cells.get(summary.requirement, []),
    }


def _scenario_entry(scenario: ScenarioResult, evidence: AllureResult | None) -> dict[str, Any]:
    return {
        "nodeid": scenario.nodeid,
        "name": scenario.name,
        "title": evidence.name if evidence else scenario.name,
        "feature": scenario.feature,
        "requirement": scenario.requirement,
        "product": scenario.product,
        "outcome": scenario.outcome,
        "message": scenario.message,
        "duration_s": scenario.duration_s,
        "evidence": {
            "allure_result": f"allure-results/{evidence.file}" if evidence else None,
            "allure_status": evidence.status if evidence else None,
            "attachments": [f"allure-results/{a}" for a in evidence.attachments] if evidence else [],
        },
    }


def _counted(reasons: Iterable[str]) -> list[str]:
    """Reasons in order, each once, with how many scenarios gave it when more than one did."""
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return [f"{reason} ({count} scenarios)" if count > 1 else reason for reason, count in counts.items()]


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_all(document: dict[str, Any]) -> dict[str, str]:
    """The three certificate files' text, keyed by file name."""
    return {
        "certificate.json": dump(document),
        "certificate.md": render_markdown(document),
        "certificate.html": render_html(document),
    }


def write_certificate(
    results: RunResults,
    verdict: RunVerdict,
    reports: Path,
    *,
    client_id: str | None,
    expiry_days: int = 90,
    ledger_totals: dict[str, Any] | None = None,
    issued_at: dt.datetime | None = None,
) -> list[Path]:
    """Write certificate.json, certificate.md and certificate.html into `reports`; returns their paths.

    `verdict` is `judge(results, required)`; the certificate adds the matrix rule (see
    `complete_verdict`). `ledger_totals` defaults to the totals of `reports/ledger.jsonl` if it exists.
    """
    if expiry_days < 1:
        raise ValueError("expiry_days must be at least 1")
    allure, _ = load_results(reports / "allure-results")
    if ledger_totals is None and (reports / "ledger.jsonl").exists():
        ledger_totals = _ledger_totals(reports / "ledger.jsonl")
    moment = (issued_at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    document = build_document(
        results, verdict, client=mask_client_id(client_id), issued_at=moment, expiry_days=expiry_days,
        ledger=ledger_totals, allure=allure,
    )
    reports.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all(document).items():
        path = reports / name
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
