"""One retry loop, one idempotency key: what is retried, how long it waits, what it raises at the end."""

from __future__ import annotations

import httpx
import pytest

from uatcert.v3 import (
    ApiConnectionError,
    ApiTimeoutError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    UnprocessableEntityError,
)

from .fakes import FakeApi, MakeClient, error_json, reply, voucher_json

KEY = "5f0c7a9e-2b2d-4c47-9a55-0d0a3c1f4b11"


def ok(n: int = 1) -> httpx.Response:
    return reply(200, {"data": [voucher_json() for _ in range(n)]})


def test_policy_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.backoff_base_s, policy.backoff_cap_s) == (5, 0.25, 4.0)
    assert policy.retry_after_cap_s == 30.0 and policy.jitter is True


def test_same_key_on_every_attempt_and_attempts_counted(make_client: MakeClient, api: FakeApi,
                                                        sleeps: list[float]) -> None:
    client = make_client()
    api.queue(
        httpx.ReadTimeout("lost"),
        reply(500, error_json("500-XXX")),
        reply(503, None),
        httpx.ConnectError("refused"),
        ok(2),
    )
    issuance = client.issue("P1", 2)
    keys = {r.headers["idempotency-key"] for r in api.api_requests}
    assert len(api.api_requests) == 5
    assert keys == {issuance.idempotency_key}
    assert issuance.attempts == 5
    assert sleeps == [0.25, 0.5, 1.0, 2.0]
    bodies = {r.content for r in api.api_requests}
    assert bodies == {b'{"quantity":2}'}


def test_passed_key_is_used(make_client: MakeClient, api: FakeApi) -> None:
    api.queue(reply(409, error_json("409-001")), ok())
    issuance = make_client().issue("P1", 1, idempotency_key=KEY)
    assert issuance.idempotency_key == KEY
    assert [r.headers["idempotency-key"] for r in api.api_requests] == [KEY, KEY]


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, BadRequestError), (404, NotFoundError), (422, UnprocessableEntityError)],
)
def test_no_retry_on_other_4xx(make_client: MakeClient, api: FakeApi, sleeps: list[float], status: int,
                               error: type[Exception]) -> None:
    api.queue(reply(status, error_json(f"{status}-XYZ")))
    with pytest.raises(error) as caught:
        make_client().issue("P1", 1, idempotency_key=KEY)
    assert len(api.api_requests) == 1 and sleeps == []
    assert getattr(caught.value, "attempts", None) == 1
    assert getattr(caught.value, "idempotency_key", None) == KEY


@pytest.mark.parametrize(
    ("make_reply", "error"),
    [
        (lambda: reply(500, error_json("500-001")), InternalServerError),
        (lambda: reply(409, error_json("409-001")), ConflictError),
        (lambda: reply(429, None), RateLimitError),
        (lambda: httpx.ReadTimeout("slow"), ApiTimeoutError),
        (lambda: httpx.RemoteProtocolError("dropped"), ApiConnectionError),
    ],
)
def test_last_error_raised_after_last_attempt(make_client: MakeClient, api: FakeApi, sleeps: list[float],
                                              make_reply: object, error: type[Exception]) -> None:
    assert callable(make_reply)
    api.queue(*[make_reply() for _ in range(5)])
    with pytest.raises(error) as caught:
        make_client().issue("P1", 3, idempotency_key=KEY)
    assert len(api.api_requests) == 5
    assert len(sleeps) == 4
    assert getattr(caught.value, "attempts", None) == 5
    assert getattr(caught.value, "idempotency_key", None) == KEY


def test_send_never_retries(make_client: MakeClient, api: FakeApi, sleeps: list[float]) -> None:
    client = make_client()
    api.queue(reply(500, None))
    assert client.send("GET", "/products").status_code == 500
    assert len(api.api_requests) == 1 and sleeps == []
    api.queue(httpx.ReadTimeout("slow"))
    with pytest.raises(ApiTimeoutError):
        client.send("POST", "/products/P1", json={"quantity": 1})
    assert len(api.api_requests) == 2 and sleeps == []


def test_send_does_not_raise_on_error_status(make_client: MakeClient, api: FakeApi) -> None:
    api.queue(reply(400, error_json("400-4C3")))
    response = make_client().send("POST", "/products/P1", content=b"{bad", headers={"Idempotency-Key": KEY})
    assert response.status_code == 400
    assert api.api_requests[0].headers["content-type"] == "application/json"
    assert api.api_requests[0].content == b"{bad"


def test_reads_retry_too(make_client: MakeClient, api: FakeApi, sleeps: list[float]) -> None:
    api.queue(reply(502, None), httpx.ConnectError("x"), reply(200, {"data": []}))
    assert make_client().products() == []
    assert len(api.api_requests) == 3 and sleeps == [0.25, 0.5]


def test_hopeless_connection_error_not_retried(make_client: MakeClient, api: FakeApi) -> None:
    api.queue(httpx.UnsupportedProtocol("nope"))
    with pytest.raises(ApiConnectionError) as caught:
        make_client().products()
    assert caught.value.should_retry is False
    assert len(api.api_requests) == 1
