"""
The evidence pack of a run: certificate, Allure metadata and HTML report, secrets canary, manifest,
bundle, and the verifier that support runs on a bundle (`uatcert verify`).

Typical use at the end of a run (see runner.certify):

    write_allure_metadata(results, reports / "allure-results")
    build_run_report(reports, results)                # None without Node.js: say HOW_TO_GET_HTML
    verdict = certificate_verdict(results, required)  # judge() plus the requirement x product matrix rule
    write_certificate(results, verdict, reports, client_id=...)
    hits = run_canary(reports, configured_secrets, stage="evidence")  # any hit: no bundle
    make_bundle(reports, client_id)
"""

from __future__ import annotations

from uatcert.evidence import SecretHit, recorded_hits, run_canary, scan_for_secrets, scan_patterns
from uatcert.pack._allure import AllureResult, load_results, match_scenarios
from uatcert.pack._certificate import build_document, mask_client_id, write_certificate
from uatcert.pack._commands import report_main
from uatcert.pack._errors import BundleError
from uatcert.pack._ledger import ledger_totals
from uatcert.pack._manifest import bundle_name, clean_outputs, make_bundle, manifest_digest_of, write_manifest
from uatcert.pack._matrix import certificate_verdict, complete_verdict
from uatcert.pack._render import targets_title, verdict_word
from uatcert.pack._report import (
    HOW_TO_GET_HTML,
    build_html_report,
    build_run_report,
    commit_history,
    ensure_node_modules,
    find_node_root,
    report_title,
    strip_analytics,
    write_allure_metadata,
)
from uatcert.pack._verify import Check, VerifyReport, verify_bundle, verify_main

__all__ = [
    "HOW_TO_GET_HTML",
    "AllureResult",
    "BundleError",
    "Check",
    "SecretHit",
    "VerifyReport",
    "build_document",
    "build_html_report",
    "build_run_report",
    "bundle_name",
    "certificate_verdict",
    "clean_outputs",
    "commit_history",
    "complete_verdict",
    "ensure_node_modules",
    "find_node_root",
    "ledger_totals",
    "load_results",
    "make_bundle",
    "manifest_digest_of",
    "mask_client_id",
    "match_scenarios",
    "recorded_hits",
    "report_title",
    "report_main",
    "run_canary",
    "scan_for_secrets",
    "scan_patterns",
    "strip_analytics",
    "targets_title",
    "verify_bundle",
    "verdict_word",
    "verify_main",
    "write_allure_metadata",
    "write_certificate",
    "write_manifest",
]
