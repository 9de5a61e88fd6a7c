"""One retry loop, one idempotency key: what is retried, how long it waits, what it raises at the end."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from uatcert._http.headers import parse_retry_after
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
    V3Client,
)

from .fakes import FakeApi, MakeClient, error_json, reply, voucher_json

KEY = "5f0c7a9e-2b2d-4c47-9a55-0d0a3c1f4b11"


def ok(n: int = 1) -> httpx.Response:
    return reply(200, {"data": [voucher_json() for _ in range(n)]})


def test_policy_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.backoff_base_s, policy.backoff_cap_s) == (5, 0.25, 4.0)
    assert policy.retry_after_cap_s == 30.0 and policy.jitter is True


def test_policy_validates() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(backoff_base_s=-1)


def test_backoff_doubles_up_to_cap() -> None:
    policy = RetryPolicy(jitter=False)
    assert [policy.backoff_s(n) for n in range(1, 8)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.999, 1.0])
def test_full_jitter_stays_within_ceiling(fraction: float) -> None:
    policy = RetryPolicy()
    for n in range(1, 10):
        delay = policy.backoff_s(n, fraction)
        assert 0.0 <= delay <= min(4.0, 0.25 * 2 ** (n - 1))
        assert delay == pytest.approx(min(4.0, 0.25 * 2 ** (n - 1)) * fraction)


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


def test_jittered_sleeps_bounded(make_client: MakeClient, api: FakeApi, sleeps: list[float]) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=6))
    api.queue(*[reply(500, None)] * 5, ok())
    client.issue("P1", 1)
    assert len(sleeps) == 5
    for n, delay in enumerate(sleeps, start=1):
        assert 0.0 <= delay <= min(4.0, 0.25 * 2 ** (n - 1))


def test_retry_after_honoured_and_capped(make_client: MakeClient, api: FakeApi, sleeps: list[float]) -> None:
    client = make_client(retry=RetryPolicy(jitter=False, retry_after_cap_s=10))
    api.queue(
        reply(429, error_json("429-001"), {"Retry-After": "3"}),
        reply(503, None, {"Retry-After": "120"}),
        reply(429, None, {"Retry-After": "soon"}),
        ok(),
    )
    client.issue("P1", 1)
    assert sleeps == [3.0, 10.0, 1.0]


def test_retry_after_http_date_understood() -> None:
    now = dt.datetime(2024, 1, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("Mon, 01 Jan 2024 01:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:59:00 GMT", now=now) == 0.0
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None


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


def test_max_attempts_one_disables_retry(make_client: MakeClient, api: FakeApi) -> None:
    client: V3Client = make_client(retry=RetryPolicy(max_attempts=1))
    api.queue(reply(503, None))
    with pytest.raises(InternalServerError):
        client.issue("P1", 1)
    assert len(api.api_requests) == 1


def test_hopeless_connection_error_not_retried(make_client: MakeClient, api: FakeApi) -> None:
    api.queue(httpx.UnsupportedProtocol("nope"))
    with pytest.raises(ApiConnectionError) as caught:
        make_client().products()
    assert caught.value.should_retry is False
    assert len(api.api_requests) == 1
