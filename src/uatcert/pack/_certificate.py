"""
The certificate: the run's verdict, target, requirement x product matrix and evidence references.

`build_document` is a pure function of the run's results, the Allure results, the ledger totals and
the issue date, so `uatcert verify` can rebuild the document from a bundle and compare it with the
`certificate.json` inside: an edited certificate, run.json or ledger shows as a difference.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from uatcert.pack._allure import AllureResult, example_id, load_results, match_scenarios
from uatcert.pack._ledger import ledger_totals as _ledger_totals
from uatcert.pack._render import render_html, render_markdown
from uatcert.suite.requirements import REQUIREMENTS
from uatcert.suite.results import RunResults, ScenarioResult
from uatcert.verdict import RequirementSummary, RunVerdict, judge, summarise

SCHEMA = "uatcert.certificate/1"
OPEN_VALUE_REQUIREMENT = "ISS-OPEN"


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


# the matrix -------------------------------------------------------------------------------------
def _per_product(requirement: str) -> bool:
    known = REQUIREMENTS.get(requirement)
    return bool(known and known.per_product)


def _covers_catalogue(requirement: str) -> bool:
    known = REQUIREMENTS.get(requirement)
    return bool(known and known.covers_catalogue)


def profile_of(requirement: str) -> str:
    """The profile (API) a requirement belongs to; its catalogue is the one its cells cover."""
    return str(getattr(REQUIREMENTS.get(requirement), "profile", "v3"))


def _catalogue_description(results: RunResults, profile: str) -> dict[str, Any]:
    described = results.catalogues.get(profile)
    if described is None and profile == next(iter(results.targets), "v3"):
        described = results.catalogue
    return described or {}


def _products(catalogue: dict[str, Any]) -> list[dict[str, str]]:
    products = catalogue.get("products") or []
    seen: dict[str, dict[str, str]] = {}
    for p in products:
        if isinstance(p, dict) and p.get("code") is not None:
            seen.setdefault(str(p["code"]), {"code": str(p["code"]), "kind": str(p.get("kind", ""))})
    return list(seen.values())


def _catalogue_entry(described: dict[str, Any]) -> dict[str, Any]:
    products = _products(described)
    return {"size": described.get("size", len(products)), "sha256": described.get("sha256", ""), "products": products}


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
    catalogue = _products(_catalogue_description(results, profile_of(requirement)))
    scenarios = [s for s in results.scenarios if s.requirement == requirement and s.product]
    values_of = {s.nodeid: _face_value(s, matched.get(s.nodeid)) for s in scenarios}
    face_valued = requirement == OPEN_VALUE_REQUIREMENT or any(v is not None for v in values_of.values())
    groups: dict[tuple[str, str | None], list[ScenarioResult]] = {}
    for scenario in scenarios:
        value = values_of[scenario.nodeid] if face_valued else None
        groups.setdefault((str(scenario.product), value), []).append(scenario)
    if face_valued:
        expected_products = [p["code"] for p in catalogue if "open value" in p["kind"].lower()]
        values: list[str | None] = [*sorted({v for _, v in groups if v is not None}, key=_sort_value)]
        expected: list[tuple[str, str | None]] = [(code, v) for code in expected_products for v in values or [None]]
    else:
        expected = [(p["code"], None) for p in catalogue]
    keys = expected + sorted((k for k in groups if k not in expected), key=lambda k: (k[0], _sort_value(k[1])))
    cells = []
    for product, value in keys:
        members = groups.get((product, value), [])
        summary = summarise(requirement, members)
        if summary.verdict == "not_run":
            reason = "no scenario ran"
        elif summary.verdict == "passed":
            reason = ""
        else:
            reason = "; ".join(dict.fromkeys(summary.reasons)) or summary.verdict
        cells.append({
            "product": product,
            "face_value": value,
            "verdict": summary.verdict,
            "reason": reason,
            "scenarios": [s.nodeid for s in members],
        })
    return cells


def _all_cells(
    results: RunResults, verdict: RunVerdict, matched: dict[str, AllureResult]
) -> dict[str, list[dict[str, Any]]]:
    """The matrix cells of each per-product requirement of the verdict."""
    return {
        s.requirement: _cells(s.requirement, results, matched)
        for s in verdict.requirements if _per_product(s.requirement)
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
    return _complete(verdict, _all_cells(results, verdict, matched))


def _complete(verdict: RunVerdict, cells: dict[str, list[dict[str, Any]]]) -> RunVerdict:
    extra: list[str] = []
    summaries: list[RequirementSummary] = []
    for summary in verdict.requirements:
        summary = dataclasses.replace(summary, reasons=list(summary.reasons))
        if summary.requirement in cells and not _covers_catalogue(summary.requirement):
            gaps = [
                f"{summary.requirement}: {c['product']}"
                + (f" at {c['face_value']} cents" if c["face_value"] else "")
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
    """The certificate as a JSON-ready dict (deterministic for given inputs)."""
    matched, _ = match_scenarios(results.scenarios, allure)
    cells = _all_cells(results, verdict, matched)
    verdict = _complete(verdict, cells)
    target = results.target
    requirements = []
    for summary in verdict.requirements:
        known = REQUIREMENTS.get(summary.requirement)
        counts: dict[str, int] = {}
        for scenario in summary.scenarios:
            counts[scenario.outcome] = counts.get(scenario.outcome, 0) + 1
        requirements.append({
            "id": summary.requirement,
            "profile": profile_of(summary.requirement),
            "title": known.title if known else summary.requirement,
            "api": known.api if known else "",
            "area": known.area if known else "",
            "per_product": _per_product(summary.requirement),
            "verdict": summary.verdict,
            "reasons": _counted(summary.reasons) if summary.verdict != "passed" else [],
            "counts": dict(sorted(counts.items())),
            "cells": cells.get(summary.requirement, []),
        })
    scenarios = []
    for scenario in results.scenarios:
        evidence = matched.get(scenario.nodeid)
        scenarios.append({
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
        })
    catalogue = results.catalogue
    targets = results.targets or ({"v3": target} if target else {})
    catalogues = {
        profile: _catalogue_entry(described)
        for profile, described in (results.catalogues or ({"v3": catalogue} if catalogue else {})).items()
    }
    return {
        "schema": SCHEMA,
        "verdict": verdict.label,
        "certified": verdict.certified,
        "reasons": _counted(verdict.reasons),
        "target": target_fields(target),
        "targets": {
            api: {**target_fields(t), "client_id": mask_client_id(t.get("client_id"))} for api, t in targets.items()
        },
        "client_id": client,
        "suite_version": results.suite_version,
        "catalogue": _catalogue_entry(catalogue),
        "catalogues": catalogues,
        "run": {"started": results.started, "finished": results.finished},
        "issued_at": iso(issued_at),
        "expiry_days": expiry_days,
        "expires_at": iso(issued_at + dt.timedelta(days=expiry_days)),
        "required": [s.requirement for s in verdict.requirements],
        "requirements": requirements,
        "scenarios": scenarios,
        "collection_errors": list(results.collection_errors),
        "issuance": ledger,
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
