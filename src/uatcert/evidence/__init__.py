"""Evidence: redaction of everything written, Allure attachments built from client events, the issuance
ledger, and the secrets canary that proves no secret of the run reached an artifact."""

from __future__ import annotations

from uatcert.evidence._ledger import (
    IssuanceLedger,
    LedgerContents,
    LedgerLock,
    LedgerLocked,
    client_fingerprint,
    read_ledger,
    read_ledger_file,
    voucher_ids_of,
    write_ledger_csv,
)
from uatcert.evidence._open import SETTLED, OpenIntent, open_intents
from uatcert.evidence._redact import Redactor, mask
from uatcert.evidence.allure import AllureEvidence, exchange_document
from uatcert.evidence.canary import (
    CANARY_REPORT,
    SecretHit,
    recorded_hits,
    run_canary,
    scan_bytes,
    scan_for_secrets,
    scan_patterns,
)

__all__ = [
    "CANARY_REPORT",
    "AllureEvidence",
    "SETTLED",
    "IssuanceLedger",
    "LedgerContents",
    "LedgerLock",
    "LedgerLocked",
    "OpenIntent",
    "Redactor",
    "SecretHit",
    "client_fingerprint",
    "exchange_document",
    "mask",
    "open_intents",
    "read_ledger",
    "read_ledger_file",
    "recorded_hits",
    "run_canary",
    "scan_bytes",
    "scan_for_secrets",
    "scan_patterns",
    "voucher_ids_of",
    "write_ledger_csv",
]
