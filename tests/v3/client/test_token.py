"""OAuth2 client credentials: request shape, reuse while valid, renewal near expiry and once on 401."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import httpx
import pytest

from uatcert.v3 import (
    ApiConnectionError,
    AuthenticationError,
    InternalServerError,
    ResponseValidationError,
    RetryPolicy,
    TokenError,
    V3Client,
)

from .fakes import CLIENT_ID, CLIENT_SECRET, TOKEN_URL, FakeApi, FakeClock, MakeClient, Recorder, reply


def test_token_request_shape(client: V3Client, api: FakeApi) -> None:
    assert client.access_token() == "token-1"
    request = api.token_requests[0]
    assert request.method == "POST" and str(request.url) == TOKEN_URL
    scheme, _, blob = request.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(blob).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = parse_qs(request.content.decode())
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"] == ["client_v3_uat/issue_vouchers client_v3_uat/read_catalogue client_v3_uat/read_vouchers"]


def test_scope_prefix_and_names_configurable(make_client: MakeClient, api: FakeApi) -> None:
    make_client(scope_prefix="client_v3_demo/", scopes=["read_catalogue"]).access_token()
    assert parse_qs(api.token_requests[0].content.decode())["scope"] == ["client_v3_demo/read_catalogue"]


def test_no_scope_sent_when_none_asked(make_client: MakeClient, api: FakeApi) -> None:
    make_client(scopes=()).access_token()
    assert "scope" not in parse_qs(api.token_requests[0].content.decode())


def test_token_renewed_when_less_than_margin_left(client: V3Client, api: FakeApi, clock: FakeClock) -> None:
    client.products()
    clock.advance(3600 - 60 - 0.001)
    client.products()
    assert client.token_fetches == 1
    clock.advance(0.002)
    client.products()
    assert client.token_fetches == 2
    assert api.bearer_tokens() == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_margin_configurable(make_client: MakeClient, api: FakeApi, clock: FakeClock) -> None:
    client = make_client(token_refresh_margin_s=600)
    client.access_token()
    clock.advance(3000)
    client.access_token()
    assert client.token_fetches == 2


def test_missing_expires_in_defaults_to_an_hour(client: V3Client, api: FakeApi, clock: FakeClock) -> None:
    api.expires_in = None
    client.access_token()
    clock.advance(3500)
    client.access_token()
    assert client.token_fetches == 1
    clock.advance(100)
    client.access_token()
    assert client.token_fetches == 2


def test_expire_token_locally_forces_renewal(client: V3Client) -> None:
    client.access_token()
    client.expire_token_locally()
    assert client.access_token() == "token-2"
    assert client.access_token() == "token-2"
    assert client.token_fetches == 2


def test_renewed_once_on_401(client: V3Client, api: FakeApi, sleeps: list[float]) -> None:
    api.queue(reply(401, {"error": {"code": "401-001", "message": "expired"}}), reply(200, {"data": []}))
    assert client.products() == []
    assert api.bearer_tokens() == ["Bearer token-1", "Bearer token-2"]
    assert client.token_fetches == 2 and sleeps == []


def test_second_401_raises(client: V3Client, api: FakeApi) -> None:
    api.queue(reply(401, None), reply(401, {"error": {"code": "401-002"}}))
    with pytest.raises(AuthenticationError) as caught:
        client.products()
    assert caught.value.code == "401-002"
    assert client.token_fetches == 2 and len(api.api_requests) == 2
    assert caught.value.attempts == 2


def test_401_renewal_keeps_the_issuance_key(client: V3Client, api: FakeApi) -> None:
    api.queue(reply(401, None), reply(200, {"data": []}))
    issuance = client.issue("P1", 1)
    assert [r.headers["idempotency-key"] for r in api.api_requests] == [issuance.idempotency_key] * 2
    assert issuance.attempts == 2


def test_send_does_not_renew_on_401(client: V3Client, api: FakeApi) -> None:
    api.queue(reply(401, None))
    assert client.send("GET", "/products").status_code == 401
    assert client.token_fetches == 1


def test_send_can_skip_or_override_authentication(client: V3Client, api: FakeApi) -> None:
    client.send("GET", "/products", authenticate=False)
    client.send("GET", "/products", headers={"Authorization": "Bearer forged"})
    assert api.bearer_tokens() == ["", "Bearer forged"]
    assert client.token_fetches == 0


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"error": "invalid_client"}, "invalid_client"),
        (400, {"error": "invalid_scope", "error_description": "scope x"}, "invalid_scope"),
        (401, {"error": "unauthorized_client"}, "unauthorized_client"),
        (400, None, None),
    ],
)
def test_token_refusal_is_token_error(client: V3Client, api: FakeApi, status: int, body: object,
                                      error: str | None) -> None:
    api.queue_token(reply(status, body))
    with pytest.raises(TokenError) as caught:
        client.products()
    assert caught.value.error == error
    assert caught.value.status == status
    assert api.api_requests == []
    assert CLIENT_SECRET not in str(caught.value)


def test_token_refusal_not_retried(client: V3Client, api: FakeApi, sleeps: list[float]) -> None:
    api.queue_token(reply(400, {"error": "invalid_client"}))
    with pytest.raises(TokenError):
        client.issue("P1", 1)
    assert len(api.token_requests) == 1 and sleeps == []


def test_token_endpoint_unreachable(make_client: MakeClient, api: FakeApi) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=2, jitter=False))
    api.queue_token(httpx.ConnectError("refused"), httpx.ConnectError("refused"))
    with pytest.raises(ApiConnectionError):
        client.products()
    assert len(api.token_requests) == 2 and api.api_requests == []
    api.queue_token(httpx.ConnectError("refused"))
    with pytest.raises(ApiConnectionError):
        client.access_token()
    assert len(api.token_requests) == 3


def test_token_endpoint_5xx_retried_by_the_call(client: V3Client, api: FakeApi) -> None:
    api.queue_token(reply(503, None))
    assert client.products() == []
    assert client.token_fetches == 1 and len(api.token_requests) == 2
    api.queue_token(reply(500, None))
    client.expire_token_locally()
    with pytest.raises(InternalServerError):
        client.access_token()


def test_token_response_without_token(client: V3Client, api: FakeApi) -> None:
    api.queue_token(reply(200, {"token_type": "Bearer"}))  # the other shapes: tests/http/test_token.py
    with pytest.raises(ResponseValidationError):
        client.access_token()


def test_token_never_in_errors_or_reprs(client: V3Client, api: FakeApi, recorder: Recorder) -> None:
    api.queue(reply(401, None), reply(403, {"error": {"code": "403-001", "message": "no scope"}}))
    with pytest.raises(Exception) as caught:
        client.products()
    token = client.access_token()
    for text in (str(caught.value), repr(caught.value), repr(client), repr(client._token)):
        assert token not in text and "token-1" not in text
        assert CLIENT_SECRET not in text
    assert "Bearer token-1" in recorder.api()[0].request_headers["authorization"]


def test_token_exchanges_observed(client: V3Client, recorder: Recorder) -> None:
    client.products()
    assert [e.api for e in recorder.exchanges] == ["token", "v3"]
    assert recorder.exchanges[0].status == 200 and recorder.exchanges[0].outcome == "response"
