"""The `uatcert reconcile` command line: arguments, the lock, one line per error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from uatcert.config import get_settings
from uatcert.errors import ConfigError, UatCertError
from uatcert.evidence import LedgerLock
from uatcert.reconcile._pass import EXIT_SETTLED, EXIT_USAGE, MAX_AGE_HOURS, Reconciliation


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uatcert reconcile",
                                     description="settle the issuances a run left open (same key, never twice)")
    parser.add_argument("--reports", metavar="DIR", help="the run's output folder (default: reports)")
    parser.add_argument("--ledger", metavar="FILE", help="a ledger file (default: DIR/ledger.jsonl), e.g. one "
                                                         "a later run moved to previous-ledgers/")
    parser.add_argument("--allow-production", action="store_true",
                        help="replay intents of a target that looks like production")
    parser.add_argument("--max-age-hours", type=float, default=MAX_AGE_HOURS, metavar="H",
                        help=f"replay only intents younger than this (default {MAX_AGE_HOURS:g}: the provider's "
                             "idempotency retention is undocumented); older ones are listed for manual reconciliation")
    return parser


def reconcile_main(argv: Sequence[str], out: TextIO | None = None) -> int:
    """`uatcert reconcile`: see the module docstring; errors are one line on stderr."""
    out = out or sys.stdout
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:
        return EXIT_SETTLED if exc.code == 0 else EXIT_USAGE
    if args.reports:
        os.environ["UATCERT_RUN__REPORTS_DIR"] = args.reports
    if args.allow_production:
        os.environ["UATCERT_GUARD__ALLOW_PRODUCTION"] = "true"
    try:
        settings = get_settings()
        ledger = Path(args.ledger) if args.ledger else settings.run.reports_dir / "ledger.jsonl"
        if not ledger.is_file():
            raise ConfigError(f"no ledger at {ledger}: nothing to reconcile (a run writes reports/ledger.jsonl)")
        with LedgerLock(ledger.parent, what="uatcert reconcile"):
            return Reconciliation(settings, ledger, out, max_age_hours=args.max_age_hours).run()
    except UatCertError as exc:
        sys.stderr.write(f"uatcert reconcile: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("uatcert reconcile: interrupted (what was settled is in the ledger; run it again)\n")
        return 130
