"""
The certificate rendered as a self-contained HTML page (a pure function of the certificate document).

Inline CSS only: no script, no image, no font or link to anything outside the file.
"""

from __future__ import annotations

from html import escape
from typing import Any

from uatcert.pack._render import (
    OPEN_INTENT_HEADERS,
    OPEN_INTENTS_NOTE,
    WORDS,
    counts_text,
    date_text,
    evidence_text,
    expected_catalogues,
    expected_title,
    face_value_unit,
    issuance_lines,
    matrices,
    matrix_title,
    open_intent_rows,
    summary_rows,
    systems_under_test,
    verdict_word,
)

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
.b-incomplete, .b-not_run, .b-not_met, .b-skipped { color: var(--warn); background: var(--warn-bg); }
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
    return f'<span class="badge b-{key}">{_e(verdict_word(verdict))}</span>'


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
        f'{_e(date_text(str(doc.get("issued_at", ""))))} · valid until '
        f'{_e(date_text(str(doc.get("expires_at", ""))))}</div>',
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
             _e(counts_text(r.get("counts") or {})), "<br>".join(_e(x) for x in r.get("reasons") or [])]
            for r in doc.get("requirements") or []
        ],
    ) + "</section>")
    for title, facts, cut_rows in systems_under_test(doc):
        parts.append(f"<section><h2>{_e(title)}</h2><table class=\"kv\"><tbody>"
                     + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts) + "</tbody></table>"
                     + _html_table(["Requirement", "Behaviour", "Verdict", "Notes"],
                                   [[f"<strong>{_e(i)}</strong>", _e(t), _badge(v), _e(n)]
                                    for i, t, v, n in cut_rows]) + "</section>")
    for api, expected, unexpected in expected_catalogues(doc):
        parts.append(f"<section><h2>{_e(expected_title(api))}</h2>" + _html_table(
            ["Expected product", "In the listing"],
            [[f'<span class="mono">{_e(code)}</span>',
              f'<span class="badge b-{"passed" if state == "listed" else "failed"}">{_e(state)}</span>']
             for code, state in expected],
        ) + '<p class="muted">Listed, not expected: '
            + (", ".join(f'<span class="mono">{_e(c)}</span>' for c in unexpected) or "none") + "</p></section>")
    tables = matrices(doc)
    for profile, headers, rows in tables:
        parts.append(f"<section><h2>{_e(matrix_title(profile, len(tables)))}</h2>" + _html_table(
            ["Product", "Kind", *headers],
            [[f'<span class="mono">{_e(code)}</span>', f'<span class="muted">{_e(kind)}</span>',
              *(_badge(c) if c else '<span class="muted">—</span>' for c in cells)] for code, kind, cells in rows],
            "matrix",
        ) + f'<p class="muted">— : not required for this product. {_e(face_value_unit(profile))}</p></section>')
    issuance = issuance_lines(doc)
    if issuance:
        keys = (doc.get("issuance") or {}).get("reconciliation_keys") or []
        extra = ("<p>Idempotency keys to reconcile: " + ", ".join(f'<span class="mono">{_e(k)}</span>' for k in keys)
                 + "</p>") if keys else ""
        parts.append('<section><h2>Issuance (from the ledger)</h2><table class="kv"><tbody>'
                     + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in issuance)
                     + f"</tbody></table>{extra}</section>")
    open_rows = open_intent_rows(doc)
    if open_rows is not None:
        parts.append(f"<section><h2>Open issuance intents</h2><p>{_e(OPEN_INTENTS_NOTE)}</p>"
                     + (_html_table(OPEN_INTENT_HEADERS, [[_e(c) for c in row] for row in open_rows], "open")
                        if open_rows else "<p>none</p>") + "</section>")
    if doc.get("collection_errors"):
        parts.append("<section><h2>Collection errors</h2><ul>"
                     + "".join(f"<li>{_e(e)}</li>" for e in doc["collection_errors"]) + "</ul></section>")
    parts.append("<section><h2>Scenarios</h2>" + _html_table(
        ["Outcome", "Requirement", "Product", "Scenario", "Message", "Evidence"],
        [
            [_badge(s["outcome"]), _e(s.get("requirement") or "—"),
             f'<span class="mono">{_e(s.get("product") or "")}</span>', _e(s.get("title") or s.get("name")),
             _e(s.get("message")),
             f'<span class="mono">{_e(evidence_text(s))}</span>']
            for s in doc.get("scenarios") or []
        ],
    ) + "</section>")
    parts.append(f"<footer>Generated by uatcert {_e(doc.get('suite_version'))}. This page is part of an evidence "
                 "bundle; check it with <span class=\"mono\">uatcert verify uatcert-evidence-….zip</span>."
                 "</footer></main></body></html>\n")
    return "\n".join(parts)

