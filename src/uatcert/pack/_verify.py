"""
`uatcert verify BUNDLE.zip [--provider-records CSV]`: is this evidence pack intact, and is its verdict honest?

Checks, each reported PASS or FAIL with the files concerned:
  manifest       the manifest's own digest matches its entries
  files          every file's SHA-256 and size match the manifest; the manifest covers the whole zip
  results        run.json agrees with the Allure results (an edited outcome or a removed result shows)
  certificate    the certificate rebuilt from the bundle's results, Allure results and ledger equals
                 certificate.json, and its Markdown and HTML renderings equal the ones in the bundle
  expiry         the certificate has not expired
  secrets        nothing in the bundle looks like a token, credential or unmasked voucher value
  reconciliation (with --provider-records) the ledger and the provider's export agree, both ways

Exit codes: 0 every check passed (the pack is intact and its verdict honest; the verdict itself may be
NOT CERTIFIED), 1 a check failed, 2 unusable input (not a zip, no manifest, unreadable CSV).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from uatcert.evidence import open_intents
from uatcert.pack._bundle import Bundle, LedgerRecords, allure_results, read_ledger_records, run_results
from uatcert.pack._errors import BundleError
from uatcert.pack._honesty import check_certificate, check_results
from uatcert.pack._integrity import check_files, check_manifest, check_secrets
from uatcert.pack._ledger import ProviderRecords, read_provider_csv, reconcile
from uatcert.pack._manifest import MANIFEST
from uatcert.pack._verify_report import Check, VerifyReport

__all__ = ["Check", "VerifyReport", "verify_bundle", "verify_main"]


def _check_reconciliation(ledger_records: LedgerRecords | None, provider: ProviderRecords,
                          report: VerifyReport) -> None:
    if ledger_records is None:
        report.checks.append(Check("reconciliation", False, ["ledger.jsonl: missing from the bundle"]))
        return
    problems = reconcile(ledger_records[0], provider)
    summary = f"ledger agrees with {provider.rows} provider records"
    report.checks.append(Check("reconciliation", not problems, problems, "" if problems else summary))


def _check_ledger(ledger_records: LedgerRecords | None, report: VerifyReport) -> None:
    """The ledger's open intents and torn lines: reported (what support reconciles), never a failure."""
    if ledger_records is None:
        return
    records, unreadable = ledger_records
    still_open = open_intents(records)
    intents = sum(1 for r in records if r.get("event") in ("intent", "raw_intent") and not r.get("reconciliation"))
    lines = [f"open: {o.api} {o.key or '(no key)'} {o.intent.get('product_code') or o.intent.get('path') or ''} "
             f"x{o.intent.get('quantity') or 1}, {o.state}" for o in still_open]
    if unreadable:
        lines.append(f"{unreadable} unreadable line(s) skipped (a torn line: a process killed mid-write)")
    summary = f"{intents} intent(s), {len(still_open) or 'none'} open"
    if still_open:
        summary += " (uatcert reconcile settles v3/v2 ones; AllSafe ones go to AllSafe support)"
    report.checks.append(Check("ledger", True, lines, summary))


def verify_bundle(
    path: Path, *, provider_records: Path | None = None, now: dt.datetime | None = None
) -> VerifyReport:
    """Check an evidence bundle; raises BundleError (exit 2) only when the input is unusable."""
    # unusable records are a usage error, before any work
    provider = read_provider_csv(provider_records) if provider_records is not None else None
    bundle = Bundle(path)
    try:
        if MANIFEST not in bundle:
            raise BundleError(f"{path}: not a uatcert evidence bundle (it has no {MANIFEST})")
        report = VerifyReport(bundle=path)
        entries = check_manifest(bundle, report)
        if entries is not None:
            check_files(bundle, entries, report)
        problems: list[str] = []
        ledger_records = read_ledger_records(bundle)
        results = run_results(bundle.read("run.json"))
        allure = allure_results(bundle, problems)
        if results is None:
            report.checks.append(Check("results", False, ["run.json: missing or not a uatcert run record"]))
        else:
            check_results(results, allure, problems, report)
            check_certificate(bundle, results, allure, ledger_records, report, now or dt.datetime.now(dt.UTC))
        _check_ledger(ledger_records, report)
        check_secrets(bundle, report)
        if provider is not None:
            _check_reconciliation(ledger_records, provider, report)
        return report
    finally:
        bundle.close()


def verify_main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`uatcert verify BUNDLE.zip [--provider-records CSV]`; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="uatcert verify",
        description="Check that an evidence bundle is intact and that its certificate's verdict is honest.",
        epilog="Exit codes: 0 intact and honest, 1 a check failed (tampering, mismatch, expiry, leak), "
               "2 unusable input.",
    )
    parser.add_argument("bundle", type=Path, help="the uatcert-evidence-….zip to check")
    parser.add_argument("--provider-records", type=Path, metavar="CSV",
                        help="the provider's export of issued vouchers (idempotency_key, voucher_id columns)")
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        report = verify_bundle(args.bundle, provider_records=args.provider_records)
    except BundleError as exc:
        err.write(f"uatcert verify: {exc}\n")
        return exc.exit_code
    out.write(report.render())
    return report.exit_code

