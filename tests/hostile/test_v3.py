"""The v3 client against hostile answers: only its own typed errors, never a credential to another host."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile.hostile import (
    HOST,
    HOSTILE,
    OTHER_HOST,
    REDIRECTS,
    Answer,
    Server,
    answers,
    drip_answer,
    huge_answer,
    no_sleep,
    redirect_answer,
)
from uatcert.v3 import ApiError, ApiStatusError, ApiTimeoutError, RetryPolicy, V3Client

TOKEN_PATH = "/oauth2/token"
VOUCHER_ID = "1b5a607b-e5eb-4b17-80b0-5739c041e81b"
PRODUCT = {"code": "MAMVDDMMYY01", "name": "$10 Voucher", "description": "", "currency": "SGD", "face_value": 1000,
           "is_value_based": True, "is_open_value": False, "is_status_available": True, "is_multiple_use": False}
VOUCHER = {"voucher_code": "UG2884133732", "voucher_id": VOUCHER_ID, "name": "$10 Voucher", "status": "active",
           "expiration": "2030-10-12T22:59:59+00:00", "currency": "SGD", "remaining_amount": 1000,
           "product_code": "MAMVDDMMYY01", "product_name": "$10 Voucher", "is_value_based": True,
           "is_status_available": True, "is_multiple_use": False, "url": "https://v.test/1",
           "short_url": "https://s.test/v/1", "short_url_pin": "2708"}
TOKEN = {"access_token": "token-1", "expires_in": 3600, "token_type": "Bearer"}

CALLS: dict[str, tuple[Callable[[V3Client], object], Any]] = {
    "products": (lambda c: c.products(), {"data": [PRODUCT]}),
    "product": (lambda c: c.product("MAMVDDMMYY01"), {"data": PRODUCT}),
    "issue": (lambda c: c.issue("MAMVDDMMYY01", 1), {"data": [VOUCHER]}),
    "voucher": (lambda c: c.voucher(VOUCHER_ID), {"data": VOUCHER}),
    "vouchers": (lambda c: c.vouchers([VOUCHER_ID]), {"data": [VOUCHER]}),
    "token": (lambda c: c.access_token(), TOKEN),
}


def _honest_token(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=TOKEN)


def _client(server: Server, timeout: float = 5.0) -> V3Client:
    return V3Client(f"https://{HOST}/v3", f"https://{HOST}{TOKEN_PATH}", "client-id", "client-secret-value",
                    transport=server.transport(), sleep=no_sleep, timeout=timeout,
                    retry=RetryPolicy(max_attempts=2, jitter=False, backoff_base_s=0))


def _server(call: str, answer: Answer) -> Server:
    return Server(answer, honest={} if call == "token" else {TOKEN_PATH: _honest_token})


def _outcome(call: str, answer: Answer, timeout: float = 5.0) -> tuple[Server, object]:
    """Run one call against the answer: its result or its error (anything else escapes and fails the test)."""
    server = _server(call, answer)
    with _client(server, timeout) as client:
        try:
            result: object = CALLS[call][0](client)
        except ApiError as error:
            result = error
    server.assert_credentials_stayed_home()
    return server, result


@given(data=st.data(), call=st.sampled_from(sorted(CALLS)))
@HOSTILE
def test_any_answer_gives_a_result_or_a_typed_error(data: st.DataObject, call: str) -> None:
    answer = data.draw(answers(CALLS[call][1]), label="answer")
    _, result = _outcome(call, answer)
    if isinstance(result, ApiError):
        assert str(result) and "\n" not in str(result)
        assert "client-secret-value" not in str(result)


@given(status=st.sampled_from(REDIRECTS), call=st.sampled_from(sorted(CALLS)))
@HOSTILE
def test_a_redirect_to_another_host_is_reported_not_followed(status: int, call: str) -> None:
    server, result = _outcome(call, redirect_answer(status))
    assert isinstance(result, ApiStatusError) and result.status == status
    assert str(result).endswith(f"{status} {result.response.reason_phrase} (redirect to {OTHER_HOST} not followed)")
    assert all(r.url.host == HOST for r in server.seen)


@pytest.mark.parametrize("call", ["products", "issue", "token"])
def test_a_slow_drip_ends_in_the_clients_own_timeout(call: str) -> None:
    started = time.monotonic()
    server, result = _outcome(call, drip_answer(), timeout=0.3)
    assert isinstance(result, ApiTimeoutError), result
    assert time.monotonic() - started < 3.0  # two attempts of 0.3 s each, not the drip's 10 s
    assert all(r.url.host == HOST for r in server.seen)


def test_a_body_past_the_size_cap_is_a_connection_error() -> None:
    _, result = _outcome("products", huge_answer())
    assert isinstance(result, ApiError) and "larger than" in str(result)


def test_issue_keeps_one_key_whatever_the_answers() -> None:
    server, _ = _outcome("issue", Answer(502, (("content-type", "text/html"),), b"<html>bad gateway</html>"))
    keys = {r.headers["idempotency-key"] for r in server.seen if r.url.path.startswith("/v3/products/")}
    assert len(keys) == 1 and uuid.UUID(keys.pop())
