"""
The certificate rendered for people: Markdown and a self-contained HTML page.

Both are pure functions of the certificate document (no clock, no file access), so `uatcert verify`
can render them again from `certificate.json` and compare them byte for byte. The HTML page has
inline CSS only: no script, no image, no font or link to anything outside the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from uatcert.pack._ledger import format_amount

WORDS = {
    "passed": "PASSED", "failed": "FAILED", "broken": "BROKEN", "not_applicable": "N/A",
    "not_run": "NOT RUN", "incomplete": "INCOMPLETE", "skipped": "SKIPPED",
}


def word(verdict: str | None) -> str:
    return WORDS.get(verdict or "", (verdict or "—").upper())


def _date(value: str) -> str:
    return value[:10] if value else "—"


def _time(value: str) -> str:
    return value.replace("T", " ").replace("+00:00", " UTC") if value else "—"


def _face_value_unit(profile: str) -> str:
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
        ("Run", f"{_time(run.get('started', ''))} → {_time(run.get('finished', ''))}"),
        ("Issued", _time(str(doc.get("issued_at", "")))),
        ("Valid until", f"{_date(str(doc.get('expires_at', '')))} ({doc.get('expiry_days')} days)"),
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
        described = catalogues.get(profile) or (doc.get("catalogue") if len(profiles) == 1 else None) or {}
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


def _matrix_title(profile: str, count: int) -> str:
    return "Requirement × product matrix" + (f" ({profile})" if count > 1 else "")


def _issuance_lines(doc: dict[str, Any]) -> list[tuple[str, str]]:
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
    return rows


def _evidence_text(scenario: dict[str, Any]) -> str:
    evidence = scenario.get("evidence") or {}
    if evidence.get("allure_result"):
        count = len(evidence.get("attachments") or [])
        return f"{evidence['allure_result']} ({count} attachment{'s' if count != 1 else ''})"
    return f"no Allure result; {scenario.get('nodeid')}"


# Markdown ---------------------------------------------------------------------------------------
def _md(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    headers = list(headers)
    lines = ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(doc: dict[str, Any]) -> str:
    target = doc.get("target") or {}
    lines = [f"# UAT certificate: {doc.get('verdict')}", ""]
    lines.append(f"**{doc.get('verdict')}** — {target.get('api') or 'API'} on {target.get('label') or '—'}, "
                 f"issued {_date(str(doc.get('issued_at', '')))}, valid until {_date(str(doc.get('expires_at', '')))}.")
    lines.append("")
    if not doc.get("certified"):
        lines += ["## Why this run is not certified", ""]
        lines += [f"{i}. {_md(reason)}" for i, reason in enumerate(doc.get("reasons") or [], 1)] or ["1. (no reason)"]
        lines.append("")
    lines += ["## Summary", ""]
    lines += _md_table(["", ""], summary_rows(doc))
    lines += ["", "## Requirements", ""]
    lines += _md_table(
        ["Requirement", "Area", "Title", "Verdict", "Scenarios", "Notes"],
        [
            (r["id"], r.get("area"), r.get("title"), word(r["verdict"]), _counts(r.get("counts") or {}),
             "; ".join(r.get("reasons") or []))
            for r in doc.get("requirements") or []
        ],
    )
    tables = matrices(doc)
    for profile, headers, rows in tables:
        lines += ["", f"## {_matrix_title(profile, len(tables))}", ""]
        lines += _md_table(["Product", "Kind", *headers],
                           [(code, kind, *(word(c) if c else "—" for c in cells)) for code, kind, cells in rows])
        lines += ["", "— : not required for this product."]
    issuance = _issuance_lines(doc)
    if issuance:
        lines += ["", "## Issuance (from the ledger)", ""]
        lines += _md_table(["", ""], issuance)
        keys = (doc.get("issuance") or {}).get("reconciliation_keys") or []
        if keys:
            lines += ["", "Idempotency keys to reconcile: " + ", ".join(f"`{k}`" for k in keys)]
    if doc.get("collection_errors"):
        lines += ["", "## Collection errors", ""]
        lines += [f"- {_md(e)}" for e in doc["collection_errors"]]
    lines += ["", "## Scenarios", ""]
    lines += _md_table(
        ["Outcome", "Requirement", "Product", "Scenario", "Message", "Evidence"],
        [
            (word(s["outcome"]), s.get("requirement") or "—", s.get("product") or "", s.get("title") or s.get("name"),
             s.get("message") or "", _evidence_text(s))
            for s in doc.get("scenarios") or []
        ],
    )
    lines += ["", f"Generated by uatcert {doc.get('suite_version')}. Check the evidence bundle with "
              "`uatcert verify uatcert-evidence-….zip`.", ""]
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    na = counts.get("not_applicable", 0)
    text = f"{counts.get('passed', 0)}/{total - na} passed"
    others = [f"{n} {word(k).lower()}" for k, n in counts.items() if k not in ("passed",) and n]
    return text + (f" ({', '.join(others)})" if others else "")


# HTML -------------------------------------------------------------------------------------------
_CSS = """
:root { --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --warn:#9a6700; --warn-bg:#fff8c5;
  --muted:#57606a; --line:#d0d7de; --head:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color:#1f2328; background:#fff; }
main { max-width: 1200px; margin: 0 auto; padding: 8px 24px 40px; }
.banner { padding: 28px 24px; color:#fff; }
.banner.pass { background: var(--pass); } .banner.fail { background: var(--fail); }
.banner .inner { max-width: 1200px; margin: 0 auto; }
.banner .label { font-size: 13px; letter-spacing: .08em; text-transform: uppercase; opacity: .9; }
.banner .verdict { font-size: 34px; font-weight: 700; letter-spacing: .02em; margin: 4px 0; }
.banner .sub { font-size: 15px; opacity: .95; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.reasons { border: 1px solid var(--fail); background: var(--fail-bg); border-radius: 6px;
  padding: 4px 18px 10px; margin-top: 20px; }
.reasons h2 { border: 0; color: var(--fail); margin-top: 12px; }
.reasons li { margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
table.kv th { width: 220px; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px;
  word-break: break-all; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  white-space: nowrap; }
.b-passed { color: var(--pass); background: var(--pass-bg); }
.b-failed, .b-broken { color: var(--fail); background: var(--fail-bg); }
.b-incomplete, .b-not_run, .b-skipped { color: var(--warn); background: var(--warn-bg); }
.b-not_applicable, .b-none { color: var(--muted); background: #eaeef2; }
.matrix td, .matrix th { text-align: center; } .matrix td:first-child, .matrix th:first-child,
.matrix td:nth-child(2), .matrix th:nth-child(2) { text-align: left; }
.muted { color: var(--muted); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { .banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _e(value: Any) -> str:
    return escape(str(value if value is not None else ""), quote=True)


def _badge(verdict: str | None) -> str:
    key = verdict if verdict in WORDS else "none"
    return f'<span class="badge b-{key}">{_e(word(verdict))}</span>'


def _html_table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(doc: dict[str, Any]) -> str:
    target = doc.get("target") or {}
    certified = bool(doc.get("certified"))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(doc.get('verdict'))} — uatcert certificate — {_e(target.get('label'))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<header class="banner {"pass" if certified else "fail"}"><div class="inner">',
        '<div class="label">UAT certification</div>',
        f'<div class="verdict">{_e(doc.get("verdict"))}</div>',
        f'<div class="sub">{_e(target.get("api") or "API")} · {_e(target.get("label") or "—")} · issued '
        f'{_e(_date(str(doc.get("issued_at", ""))))} · valid until {_e(_date(str(doc.get("expires_at", ""))))}</div>',
        "</div></header><main>",
    ]
    if not certified:
        reasons = doc.get("reasons") or ["(no reason recorded)"]
        parts.append('<section class="reasons"><h2>Why this run is not certified</h2><ol>'
                     + "".join(f"<li>{_e(r)}</li>" for r in reasons) + "</ol></section>")
    summary = [[_e(k), _e(v)] for k, v in summary_rows(doc)]
    summary[0][1] = f'<span class="badge b-{"passed" if certified else "failed"}">{_e(doc.get("verdict"))}</span>'
    parts.append("<section><h2>Summary</h2><table class=\"kv\"><tbody>"
                 + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in summary) + "</tbody></table></section>")
    parts.append("<section><h2>Requirements</h2>" + _html_table(
        ["Requirement", "Area", "Title", "Verdict", "Scenarios", "Notes"],
        [
            [f"<strong>{_e(r['id'])}</strong>", _e(r.get("area")), _e(r.get("title")), _badge(r["verdict"]),
             _e(_counts(r.get("counts") or {})), "<br>".join(_e(x) for x in r.get("reasons") or [])]
            for r in doc.get("requirements") or []
        ],
    ) + "</section>")
    tables = matrices(doc)
    for profile, headers, rows in tables:
        parts.append(f"<section><h2>{_e(_matrix_title(profile, len(tables)))}</h2>" + _html_table(
            ["Product", "Kind", *headers],
            [[f'<span class="mono">{_e(code)}</span>', f'<span class="muted">{_e(kind)}</span>',
              *(_badge(c) if c else '<span class="muted">—</span>' for c in cells)] for code, kind, cells in rows],
            "matrix",
        ) + f'<p class="muted">— : not required for this product. {_e(_face_value_unit(profile))}</p></section>')
    issuance = _issuance_lines(doc)
    if issuance:
        keys = (doc.get("issuance") or {}).get("reconciliation_keys") or []
        extra = ("<p>Idempotency keys to reconcile: " + ", ".join(f'<span class="mono">{_e(k)}</span>' for k in keys)
                 + "</p>") if keys else ""
        parts.append('<section><h2>Issuance (from the ledger)</h2><table class="kv"><tbody>'
                     + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in issuance)
                     + f"</tbody></table>{extra}</section>")
    if doc.get("collection_errors"):
        parts.append("<section><h2>Collection errors</h2><ul>"
                     + "".join(f"<li>{_e(e)}</li>" for e in doc["collection_errors"]) + "</ul></section>")
    parts.append("<section><h2>Scenarios</h2>" + _html_table(
        ["Outcome", "Requirement", "Product", "Scenario", "Message", "Evidence"],
        [
            [_badge(s["outcome"]), _e(s.get("requirement") or "—"),
             f'<span class="mono">{_e(s.get("product") or "")}</span>', _e(s.get("title") or s.get("name")),
             _e(s.get("message")),
             f'<span class="mono">{_e(_evidence_text(s))}</span>']
            for s in doc.get("scenarios") or []
        ],
    ) + "</section>")
    parts.append(f"<footer>Generated by uatcert {_e(doc.get('suite_version'))}. This page is part of an evidence "
                 "bundle; check it with <span class=\"mono\">uatcert verify uatcert-evidence-….zip</span>."
                 "</footer></main></body></html>\n")
    return "\n".join(parts)
