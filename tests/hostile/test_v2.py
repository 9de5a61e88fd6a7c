"""The v2 client against hostile answers: only its own typed errors, never a credential to another host."""

from __future__ import annotations

import time
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
from uatcert.v2 import ApiError, ApiStatusError, ApiTimeoutError, RetryPolicy, V2Client

TOKEN_PATH = "/v2/connect/token"
REF = "3f0c9a52-7d1e-4b8a-a6c2-19e04f7b5d30"
ISSUED = {"voucher_ref": "UG5031948826", "voucher_settlement_ref": REF, "voucher_name": "$10 Voucher",
          "status": "Active", "expiration_date": "2029-12-31T23:59:59", "edenred_url": "https://s.test/v/Qm7",
          "view_code": "4417", "display_codes": []}
CHECKED = {"expiration_date": "31 Dec 2029", "remaining_value": 10, "voucher_settlement_ref": REF, "status": "Active"}
TOKEN = {"access_token": "A" * 64, "expires_in": 3600, "token_type": "Bearer", "scope": "uniqrewards-client-api-v2"}

CALLS: dict[str, tuple[Callable[[V2Client], object], Any]] = {
    "request_vouchers": (lambda c: c.request_vouchers("MAMVDDMMYY01", "202112172914", 1),
                         {"meta": {"status": "succeeded"}, "data": [ISSUED]}),
    "check_vouchers": (lambda c: c.check_vouchers([REF]), {"meta": {"status": "succeeded"}, "data": [CHECKED]}),
    "token": (lambda c: c.access_token(), TOKEN),
}


def _honest_token(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=TOKEN)


def _outcome(call: str, answer: Answer, timeout: float = 5.0) -> tuple[Server, object]:
    """Run one call against the answer: its result or its error (anything else escapes and fails the test)."""
    server = Server(answer, honest={} if call == "token" else {TOKEN_PATH: _honest_token})
    with V2Client(f"https://{HOST}/v2", f"https://{HOST}{TOKEN_PATH}", "client-id", "client-secret-value",
                  "x-client-id-value", "x-client-secret-value", transport=server.transport(), sleep=no_sleep,
                  timeout=timeout, retry=RetryPolicy(max_attempts=2, jitter=False, backoff_base_s=0)) as client:
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
        assert "secret-value" not in str(result)


@given(status=st.sampled_from(REDIRECTS), call=st.sampled_from(sorted(CALLS)))
@HOSTILE
def test_a_redirect_to_another_host_is_reported_not_followed(status: int, call: str) -> None:
    server, result = _outcome(call, redirect_answer(status))
    assert isinstance(result, ApiStatusError) and result.status == status
    assert str(result).endswith(f"{status} {result.response.reason_phrase} (redirect to {OTHER_HOST} not followed)")
    assert all(r.url.host == HOST for r in server.seen)


@pytest.mark.parametrize("call", ["request_vouchers", "check_vouchers"])
def test_a_slow_drip_ends_in_the_clients_own_timeout(call: str) -> None:
    started = time.monotonic()
    _, result = _outcome(call, drip_answer(), timeout=0.3)
    assert isinstance(result, ApiTimeoutError), result
    assert time.monotonic() - started < 3.0


def test_a_body_past_the_size_cap_is_a_connection_error() -> None:
    _, result = _outcome("check_vouchers", huge_answer())
    assert isinstance(result, ApiError) and "larger than" in str(result)
