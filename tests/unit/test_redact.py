"""Redaction of secrets and voucher values before anything is written."""

from __future__ import annotations

import base64
import json

from uatcert.events import Exchange
from uatcert.evidence import Redactor, exchange_document, mask

VOUCHER = {
    "voucher_code": "UG2884133732", "voucher_id": "1b5a607b-e5eb-4b17-80b0-5739c041e81b",
    "url": "https://vouchers.example/v/AMJSHc0M2d0XYZ", "short_url": "https://s.example/v/AMJSHc0M2d0",
    "short_url_pin": "2708", "remaining_amount": 5000,
}


def _exchange(**overrides: object) -> Exchange:
    basic = base64.b64encode(b"client-id:super-secret-value").decode()
    fields: dict[str, object] = {
        "api": "v3", "method": "POST", "url": "http://127.0.0.1/v3/products/X",
        "request_headers": {"Authorization": "Bearer eyJhbGciOi.payload.sig", "X-Other": "fine"},
        "request_body": b'{"quantity": 1}', "outcome": "response", "status": 200,
        "response_headers": {"X-Request-Id": "req-1"}, "response_body": json.dumps({"data": [VOUCHER]}).encode(),
        "request_ids": ("req-1",),
    }
    fields.update(overrides)
    token_exchange = Exchange(
        api="token", method="POST", url="http://127.0.0.1/oauth2/token",
        request_headers={"Authorization": f"Basic {basic}"},
        request_body=b"grant_type=client_credentials&scope=a", outcome="response", status=200,
        response_body=b'{"access_token": "eyJhbGciOi.payload.sig", "expires_in": 3600}',
    )
    return token_exchange if overrides.get("token") else Exchange(**fields)  # type: ignore[arg-type]


def test_mask_keeps_last_four_of_long_values_only() -> None:
    assert mask("UG2884133732") == "…3732"
    assert mask("2708") == "***"


def test_exchange_document_hides_credentials_and_voucher_values() -> None:
    redactor = Redactor(["super-secret-value"])
    exchange = _exchange()
    redactor.learn(exchange)
    document = exchange_document(exchange, redactor)
    text = json.dumps(document)
    assert document["request"]["headers"]["Authorization"] == "Bearer ***"
    assert document["request"]["headers"]["X-Other"] == "fine"
    voucher = document["response"]["body"]["data"][0]
    assert voucher["voucher_code"] == "…3732"
    assert voucher["short_url_pin"] == "***"
    assert voucher["url"] == "…0XYZ" and voucher["short_url"] == "…M2d0"
    assert voucher["voucher_id"] == VOUCHER["voucher_id"]  # ids correlate; they are not secrets
    assert document["provider_request_ids"] == ["req-1"]
    for secret in ("UG2884133732", "2708", "AMJSHc0M2d0", "eyJhbGciOi.payload.sig"):
        assert secret not in text


def test_values_learned_once_are_masked_in_free_text_later() -> None:
    redactor = Redactor()
    redactor.learn(_exchange())
    message = "voucher UG2884133732 failed with token eyJhbGciOi.payload.sig"
    assert redactor.text(message) == "voucher …3732 failed with token ***"


def test_basic_credentials_and_token_responses_are_learned() -> None:
    redactor = Redactor()
    token = _exchange(token=True)
    redactor.learn(token)
    assert "super-secret-value" in redactor.known_values()
    assert "eyJhbGciOi.payload.sig" in redactor.known_values()
    document = json.dumps(exchange_document(token, redactor))
    assert "super-secret-value" not in document and "eyJhbGciOi" not in document
    assert "Basic ***" in document


def test_non_json_bodies_are_redacted_as_text() -> None:
    redactor = Redactor(["hunter2-secret"])
    assert redactor.body(b"client_secret=hunter2-secret&grant_type=x") == "client_secret=***&grant_type=x"
    assert redactor.body(b"") is None
