"""The OAuth client-credentials token cache: reuse, renewal near expiry and once per call on 401, refusals."""

from __future__ import annotations

from collections import deque
from typing import Any

import httpx
import pytest

from tests.support import FakeClock
from uatcert._http.exchange import CallState

from .core import TOKEN_URL, DemoInvalid, DemoStatusError, DemoToken, DemoTokenError


class TokenEndpoint:
    """Answers token requests: scripted replies first, else a fresh token each time."""

    def __init__(self) -> None:
        self.replies: deque[httpx.Response] = deque()
        self.expires_in: Any = 3600
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.replies:
            return self.replies.popleft()
        body: dict[str, Any] = {"access_token": f"token-{len(self.sent)}"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return httpx.Response(200, json=body, request=request)


@pytest.fixture
def endpoint() -> TokenEndpoint:
    return TokenEndpoint()


@pytest.fixture
def make_token(endpoint: TokenEndpoint, clock: FakeClock) -> Any:
    http = httpx.Client()

    def make(margin: float = 60.0) -> DemoToken:
        return DemoToken(token_url=TOKEN_URL, client_id="id", client_secret="secret-never-shown", scope=None,
                         clock=clock, refresh_margin_s=margin, http=http, send=endpoint)

    yield make
    http.close()


@pytest.fixture
def token(make_token: Any) -> DemoToken:
    return make_token()  # type: ignore[no-any-return]


def test_fetched_on_first_use_and_reused_while_valid(token: DemoToken, clock: FakeClock) -> None:
    assert token.get() == "token-1"
    clock.advance(3000)
    assert token.get() == "token-1" and token.fetches == 1 and token.last_expires_in == 3600


def test_renewed_when_less_than_the_margin_is_left(token: DemoToken, clock: FakeClock) -> None:
    token.get()
    clock.advance(3600 - 60 - 0.001)
    assert token.get() == "token-1"
    clock.advance(0.002)
    assert token.get() == "token-2" and token.fetches == 2


def test_margin_configurable(make_token: Any, clock: FakeClock) -> None:
    token = make_token(margin=600)
    token.get()
    clock.advance(3000)
    assert token.get() == "token-2"


@pytest.mark.parametrize(("expires_in", "lives"), [(None, 3600), ("900", 900), ("soon", 3600), (-5, 3600)])
def test_expires_in_missing_or_unreadable_means_the_default(token: DemoToken, endpoint: TokenEndpoint,
                                                            clock: FakeClock, expires_in: Any, lives: float) -> None:
    endpoint.expires_in = expires_in
    token.get()
    clock.advance(lives - 60 - 1)
    assert token.fetches == 1 and token.get() == "token-1"
    clock.advance(2)
    assert token.get() == "token-2"


def test_a_short_lived_token_keeps_half_its_life(token: DemoToken, endpoint: TokenEndpoint, clock: FakeClock) -> None:
    endpoint.expires_in = 30
    token.get()
    clock.advance(10)
    assert token.get() == "token-1"
    clock.advance(6)
    assert token.get() == "token-2"


def test_a_zero_lifetime_token_is_never_cached(token: DemoToken, endpoint: TokenEndpoint) -> None:
    endpoint.expires_in = 0
    assert [token.get(), token.get()] == ["token-1", "token-2"]


def test_forget_expiry_and_renew(token: DemoToken) -> None:
    token.get()
    token.forget_expiry()
    assert token.get() == "token-2" and token.get() == "token-2"
    assert token.renew() == "token-3" and token.fetches == 3


def test_renewed_once_per_call_on_401(token: DemoToken) -> None:
    seen: list[str] = []
    answers = deque([401, 401, 401, 200])

    def attempt(bearer: str) -> httpx.Response:
        seen.append(bearer)
        return httpx.Response(answers.popleft())

    state = CallState()
    assert token.authorised(state, attempt).status_code == 401  # the renewed token got 401 too
    assert seen == ["token-1", "token-2"] and state.renewed
    assert token.authorised(state, attempt).status_code == 401  # no second renewal in the same call
    assert token.authorised(CallState(), attempt).status_code == 200 and seen[-1] == "token-2"


@pytest.mark.parametrize(("status", "body", "error", "description"), [
    (400, {"error": "invalid_client"}, "invalid_client", None),
    (401, {"error": "invalid_scope", "error_description": "scope x"}, "invalid_scope", "scope x"),
    (400, None, None, None),
])
def test_a_refusal_is_the_apis_token_error(token: DemoToken, endpoint: TokenEndpoint, status: int, body: Any,
                                           error: str | None, description: str | None) -> None:
    request = httpx.Request("POST", TOKEN_URL)
    endpoint.replies.append(httpx.Response(status, json=body, request=request) if body else
                            httpx.Response(status, request=request))
    with pytest.raises(DemoTokenError) as caught:
        token.get()
    assert (caught.value.status, caught.value.error, caught.value.error_description) == (status, error, description)
    assert f"token refused ({error or 'no OAuth error code'})" in str(caught.value)
    assert "secret-never-shown" not in str(caught.value) and token.fetches == 0


def test_another_failure_is_the_apis_status_error(token: DemoToken, endpoint: TokenEndpoint) -> None:
    endpoint.replies.append(httpx.Response(503, request=httpx.Request("POST", TOKEN_URL)))
    with pytest.raises(DemoStatusError) as caught:
        token.get()
    assert caught.value.status == 503


@pytest.mark.parametrize("body", [{"token_type": "Bearer"}, {"access_token": ""}, {"access_token": 5}, [1]])
def test_a_success_without_a_token_is_invalid(token: DemoToken, endpoint: TokenEndpoint, body: Any) -> None:
    endpoint.replies.append(httpx.Response(200, json=body, request=httpx.Request("POST", TOKEN_URL)))
    with pytest.raises(DemoInvalid) as caught:
        token.get()
    assert caught.value.paths == ["$.access_token"]


def test_the_token_never_shows_in_the_repr(token: DemoToken, clock: FakeClock) -> None:
    assert "token=none" in repr(token)
    value = token.get()
    assert value not in repr(token) and "token=valid" in repr(token)
    clock.advance(4000)
    assert "token=due" in repr(token)
