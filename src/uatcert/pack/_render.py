"""
What the certificate's people-facing renderings share: verdict words, the summary rows, one matrix per
profile, the issuance lines. Markdown (`_markdown`) and HTML (`_html`) are laid out from these.

Every function here is pure (no clock, no file access), so `uatcert verify` can render the certificate
again from `certificate.json` and compare the files byte for byte.
"""

from __future__ import annotations

from typing import Any

from uatcert.pack._ledger import format_amount, value_unit

WORDS = {
    "passed": "PASSED", "failed": "FAILED", "broken": "BROKEN", "not_met": "NOT MET", "not_applicable": "N/A",
    "not_run": "NOT RUN", "incomplete": "INCOMPLETE", "skipped": "SKIPPED",
}


def verdict_word(verdict: str | None) -> str:
    return WORDS.get(verdict or "", (verdict or "—").upper())


def date_text(value: str) -> str:
    return value[:10] if value else "—"


def time_text(value: str) -> str:
    return value.replace("T", " ").replace("+00:00", " UTC") if value else "—"


def face_value_unit(profile: str) -> str:
    return "Face values of V2-ISS-OPEN are in SGD dollars." if profile == "v2" else \
        "Face values of ISS-OPEN are in cents."


def summary_rows(doc: dict[str, Any]) -> list[tuple[str, str]]:
    target = doc.get("target") or {}
    catalogue = doc.get("catalogue") or {}
    run = doc.get("run") or {}
    api = target.get("api") or "—"
    if target.get("api_version"):
        api += f" ({target['api_version']})"
    environment = target.get("environment") or "—"
    if target.get("sandbox"):
        environment += " (embedded sandbox)"
    targets = doc.get("targets") or {}
    if len(targets) > 1:  # one row per API of a multi-profile run
        where = [
            (f"Target ({t.get('api') or name})",
             f"{t.get('label') or '—'} — {t.get('base_url') or '—'} — {t.get('environment') or '—'}"
             f" — client {t.get('client_id') or '—'}")
            for name, t in targets.items()
        ]
    else:
        where = [
            ("API", api),
            ("Target", f"{target.get('label') or '—'} — {target.get('base_url') or '—'}"),
            ("Environment", environment),
            ("Client id", str(doc.get("client_id"))),
        ]
    return [
        ("Verdict", str(doc.get("verdict"))),
        *where,
        ("Suite version", f"uatcert {doc.get('suite_version')}"),
        ("Catalogue", f"{catalogue.get('size', 0)} products, SHA-256 {catalogue.get('sha256') or '—'}"),
        ("Run", f"{time_text(run.get('started', ''))} → {time_text(run.get('finished', ''))}"),
        ("Issued", time_text(str(doc.get("issued_at", "")))),
        ("Valid until", f"{date_text(str(doc.get('expires_at', '')))} ({doc.get('expiry_days')} days)"),
        ("Requirements certified", ", ".join(doc.get("required") or []) or "—"),
    ]


Matrix = tuple[str, list[str], list[tuple[str, str, list[str | None]]]]


def matrices(doc: dict[str, Any]) -> list[Matrix]:
    """One requirement x product matrix per profile: (profile, column headers, rows of product cells)."""
    catalogues = doc.get("catalogues") or {}
    out: list[Matrix] = []
    requirements = [r for r in doc.get("requirements") or [] if r.get("per_product")]
    profiles = list(dict.fromkeys(r.get("profile", "v3") for r in requirements))
    for profile in profiles:
        columns: list[tuple[str, str | None]] = []
        cells: dict[tuple[str, str | None, str], str] = {}
        described = catalogues.get(profile) or {}
        products: dict[str, str] = {p["code"]: p.get("kind", "") for p in described.get("products", [])}
        for requirement in doc.get("requirements") or []:
            if not requirement.get("per_product") or requirement.get("profile", "v3") != profile:
                continue
            values = list(dict.fromkeys(c.get("face_value") for c in requirement.get("cells") or []))
            for value in values or [None]:
                columns.append((requirement["id"], value))
            for cell in requirement.get("cells") or []:
                products.setdefault(cell["product"], "")
                cells[(requirement["id"], cell.get("face_value"), cell["product"])] = cell["verdict"]
        headers = [f"{r} {v}" if v else r for r, v in columns]
        rows = [(code, kind, [cells.get((r, v, code)) for r, v in columns]) for code, kind in products.items()]
        out.append((profile, headers, rows))
    return out


def matrix_title(profile: str, count: int) -> str:
    return "Requirement × product matrix" + (f" ({profile})" if count > 1 else "")


def expected_catalogues(doc: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]], list[str]]]:
    """Per API whose catalogue expects products: (API, [(expected code, "listed" or "MISSING")], listed
    codes nobody expected)."""
    out = []
    for api, catalogue in (doc.get("catalogues") or {}).items():
        expected = catalogue.get("expected") or []
        if not expected:
            continue
        missing = set(catalogue.get("missing") or [])
        listed = [p["code"] for p in catalogue.get("products") or []]
        rows = [(code, "MISSING" if code in missing else "listed") for code in expected]
        out.append((api, rows, [code for code in listed if code not in expected]))
    return out


def expected_title(api: str) -> str:
    return f"Expected catalogue ({api}): the products the integrator will sell, against the listing"


def issuance_lines(doc: dict[str, Any]) -> list[tuple[str, str]]:
    ledger = doc.get("issuance")
    if not ledger:
        return []
    rows = [
        ("Logical issuances", str(ledger.get("issuances", 0))),
        ("Vouchers issued", str(ledger.get("vouchers", 0))),
    ]
    for total in ledger.get("face_value") or []:
        unit = total.get("unit", "")
        label = f"Face value ({total.get('currency')})"
        rows.append((label, f"{format_amount(total.get('total', 0), unit)} over {total.get('vouchers')} vouchers"
                     + ("" if unit == "cents" else f" ({unit})")))
    if ledger.get("vouchers_without_value"):
        rows.append(("Vouchers of fixed or unknown value", str(ledger["vouchers_without_value"])))
    rows += [
        ("Idempotent replays", str(ledger.get("replays", 0))),
        ("Refused issuances", str(ledger.get("refused", 0))),
        ("Attempts needing reconciliation", str(ledger.get("needing_reconciliation", 0))),
    ]
    if ledger.get("unreadable_lines"):
        rows.append(("Unreadable ledger lines (torn by a crash, skipped)", str(ledger["unreadable_lines"])))
    return rows


OPEN_INTENT_HEADERS = ["Time", "API", "Key", "Request", "State", "Request ids"]
OPEN_INTENTS_NOTE = ("Issuances without a settled outcome: `uatcert reconcile` replays v3/v2 ones with their own key "
                     "(never a second issuance); AllSafe allocations go to AllSafe support.")


def open_intent_rows(doc: dict[str, Any]) -> list[list[str]] | None:
    """The certificate's open intents (None: the run had no ledger; []: none open)."""
    ledger = doc.get("issuance")
    if not ledger:
        return None
    rows = []
    for intent in ledger.get("open_intents") or []:
        request = f"{intent.get('product_code') or 'raw request'} x{intent.get('quantity') or '?'}"
        value = intent.get("face_value")
        if isinstance(value, int) and not isinstance(value, bool):
            unit = value_unit(str(intent.get("api") or ""))
            request += f", {format_amount(value, unit)} {intent.get('currency') or ''}".rstrip()
        api = str(intent.get("api") or "") + (" (embedded sandbox: void once the run ended)"
                                              if intent.get("embedded_sandbox") else "")
        rows.append([str(intent.get("time") or ""), api,
                     str(intent.get("idempotency_key") or "(none)"), request, str(intent.get("state") or ""),
                     ", ".join(intent.get("request_ids") or []) or "—"])
    return rows


def evidence_text(scenario: dict[str, Any]) -> str:
    evidence = scenario.get("evidence") or {}
    if evidence.get("allure_result"):
        count = len(evidence.get("attachments") or [])
        return f"{evidence['allure_result']} ({count} attachment{'s' if count != 1 else ''})"
    return f"no Allure result; {scenario.get('nodeid')}"



def counts_text(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    na = counts.get("not_applicable", 0)
    text = f"{counts.get('passed', 0)}/{total - na} passed"
    others = [f"{n} {verdict_word(k).lower()}" for k, n in counts.items() if k not in ("passed",) and n]
    return text + (f" ({', '.join(others)})" if others else "")



SystemSection = tuple[str, list[tuple[str, str]], list[tuple[str, str, str, str]]]


def systems_under_test(doc: dict[str, Any]) -> list[SystemSection]:
    """One section per client-under-test profile of the run: (title, facts, rows of requirement id, behaviour,
    verdict (as recorded: passed, failed, ...), notes)."""
    sections: list[SystemSection] = []
    for profile, target in (doc.get("targets") or {}).items():
        if not target.get("system"):
            continue
        facts = [("System", str(target["system"])),
                 ("Upstream", f"{target.get('label') or '—'} — {target.get('base_url') or '—'}"),
                 ("Judged from", "what the system sent through the recording fault proxy, and what it reported")]
        rows = [(str(r["id"]), str(r.get("title") or ""), str(r.get("verdict") or ""),
                 "; ".join(r.get("reasons") or []))
                for r in doc.get("requirements") or [] if r.get("profile") == profile]
        sections.append((str(target.get("api") or profile), facts, rows))
    return sections
