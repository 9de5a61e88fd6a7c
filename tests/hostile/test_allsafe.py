"""The AllSafe client against hostile answers: only its own typed errors, never its Basic credentials elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

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
from uatcert.allsafe import (
    AllSafeClient,
    AllSafeError,
    AllSafeStatusError,
    AllSafeTimeoutError,
    ReconciliationRequired,
    RetryPolicy,
)

VOUCHER = {"id": "b1d7c3e2-5a8f-4c1e-9d2a-0f6e4b7a9c11", "vendor": "ExampleMart", "value": 50,
           "code": "EXM-4K9P-77QZ-2M1D", "pin": "8831", "serialNumber": "000123456789",
           "expiryDate": "2026-06-30T23:59:59+02:00", "reference": "order-7f3c2a"}
CALLS: dict[str, tuple[Callable[[AllSafeClient], object], Any]] = {
    "availability": (lambda c: c.availability(), [{"vendor": "ExampleMart", "value": 50, "remaining": 120}]),
    "allocate": (lambda c: c.allocate("ExampleMart", 50, reference="order-7f3c2a"), VOUCHER),
}


def _outcome(call: str, answer: Answer, timeout: float = 5.0) -> tuple[Server, object]:
    """Run one call against the answer: its result or its error (anything else escapes and fails the test)."""
    server = Server(answer)
    with AllSafeClient(f"https://{HOST}", "integration-user", "basic-password-value", transport=server.transport(),
                       sleep=no_sleep, timeout=timeout,
                       retry=RetryPolicy(max_attempts=2, jitter=False, backoff_base_s=0)) as client:
        try:
            result: object = CALLS[call][0](client)
        except AllSafeError as error:
            result = error
    server.assert_credentials_stayed_home()
    return server, result


@given(data=st.data(), call=st.sampled_from(sorted(CALLS)))
@HOSTILE
def test_any_answer_gives_a_result_or_a_typed_error(data: st.DataObject, call: str) -> None:
    answer = data.draw(answers(CALLS[call][1]), label="answer")
    server, result = _outcome(call, answer)
    if isinstance(result, AllSafeError):
        assert str(result) and "\n" not in str(result)
        assert "basic-password-value" not in str(result)
    if call == "allocate":  # an allocation is never sent twice: its outcome may be unknown, never retried
        assert len(server.seen) == 1


@given(status=st.sampled_from(REDIRECTS), call=st.sampled_from(sorted(CALLS)))
@HOSTILE
def test_a_redirect_to_another_host_is_reported_not_followed(status: int, call: str) -> None:
    server, result = _outcome(call, redirect_answer(status))
    assert isinstance(result, AllSafeStatusError | ReconciliationRequired), result
    if isinstance(result, AllSafeStatusError):
        assert f"(redirect to {OTHER_HOST} not followed)" in str(result)
    assert all(r.url.host == HOST for r in server.seen)


@pytest.mark.parametrize(("call", "error"), [("availability", AllSafeTimeoutError),
                                              ("allocate", ReconciliationRequired)])
def test_a_slow_drip_ends_in_the_clients_own_timeout(call: str, error: type[AllSafeError]) -> None:
    started = time.monotonic()
    _, result = _outcome(call, drip_answer(), timeout=0.3)
    assert isinstance(result, error), result
    assert time.monotonic() - started < 3.0


def test_a_body_past_the_size_cap_is_an_allsafe_error() -> None:
    _, result = _outcome("availability", huge_answer())
    assert isinstance(result, AllSafeError) and "larger than" in str(result)
