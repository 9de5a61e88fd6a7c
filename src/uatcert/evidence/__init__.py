"""Evidence: redaction of everything written, and Allure attachments built from client events."""

from __future__ import annotations

from uatcert.evidence._redact import Redactor, mask
from uatcert.evidence.allure import AllureEvidence, exchange_document

__all__ = ["AllureEvidence", "Redactor", "exchange_document", "mask"]
