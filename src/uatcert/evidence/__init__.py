"""Evidence: redaction of everything written, and Allure attachments built from client events."""

from __future__ import annotations

from uatcert.evidence._ledger import IssuanceLedger, read_ledger, write_ledger_csv
from uatcert.evidence._redact import Redactor, mask
from uatcert.evidence.allure import AllureEvidence, exchange_document

__all__ = [
    "AllureEvidence",
    "IssuanceLedger",
    "Redactor",
    "exchange_document",
    "mask",
    "read_ledger",
    "write_ledger_csv",
]
