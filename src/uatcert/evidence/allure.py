"""
Allure evidence: every exchange a client reports is attached, redacted, under the running step.

The provider's request ids are those the client read (`Exchange.request_ids`, with its API's own
`REQUEST_ID_HEADERS`); the evidence keeps no header list of its own.

Allure is imported lazily so that the library works without it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from uatcert.events import Exchange
from uatcert.evidence._redact import Redactor


def exchange_document(exchange: Exchange, redactor: Redactor) -> dict[str, Any]:
    """The redacted JSON evidence of one exchange."""
    return {
        "api": exchange.api,
        "method": exchange.method,
        "url": redactor.text(exchange.url),
        "outcome": exchange.outcome,
        "attempt": exchange.attempt,
        "idempotency_key": exchange.idempotency_key,
        "duration_ms": round(exchange.duration_s * 1000, 1),
        "request": {
            "headers": redactor.headers(exchange.request_headers),
            "body": redactor.body(exchange.request_body),
        },
        "response": {
            "status": exchange.status,
            "headers": redactor.headers(exchange.response_headers),
            "body": redactor.body(exchange.response_body),
            "received_by_client": exchange.delivered,
        },
        "provider_request_ids": list(exchange.request_ids),
        "error": redactor.text(exchange.error) if exchange.error else None,
    }


def exchange_title(exchange: Exchange) -> str:
    """A short attachment name: method, path and what came back."""
    path = urlsplit(exchange.url).path
    if exchange.outcome == "response":
        result = str(exchange.status)
    elif exchange.outcome == "lost_response":
        result = f"{exchange.status} LOST before reaching the client"
    else:
        result = exchange.outcome.replace("_", " ").upper()
    retry = f" (attempt {exchange.attempt})" if exchange.attempt > 1 else ""
    return f"{exchange.method} {path} → {result}{retry}"


class AllureEvidence:
    """An observer that attaches each exchange as JSON to the current Allure step."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    def __call__(self, exchange: Exchange) -> None:
        import allure

        self.redactor.learn(exchange)
        document = exchange_document(exchange, self.redactor)
        allure.attach(
            json.dumps(document, indent=2, ensure_ascii=False),
            name=self.redactor.text(exchange_title(exchange)),
            attachment_type=allure.attachment_type.JSON,
        )
