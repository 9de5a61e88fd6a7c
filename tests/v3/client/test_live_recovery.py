"""The v3 client against the real embedded sandbox over 127.0.0.1: the token and issue recovery."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from uatcert.sandbox import READONLY_CLIENT_ID, READONLY_CLIENT_SECRET
from uatcert.v3 import (
    ApiConnectionError,
    AuthenticationError,
    ConflictError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    TokenError,
    new_idempotency_key,
)

from .conftest import Live
from .live_support import (
    FIXED,
    GIFT,
    ISSUE_PATH,
    OPEN,
    ledger_ids,
    wait_until,
)

# -- token -----------------------------------------------------------------------------------------


def test_token_reused_while_valid(live: Live) -> None:
    client = live.client()
    client.products()
    client.product(FIXED)
    client.issue(FIXED, 1)
    assert client.token_fetches == 1
    assert len({e.request_headers["authorization"] for e in live.recorder.api()}) == 1


def test_token_renewed_once_after_server_side_expiry(live: Live) -> None:
    client = live.client()
    client.products()
    live.ctl.expire_tokens()
    live.recorder.exchanges.clear()
    client.issue(FIXED, 1)
    assert client.token_fetches == 2
    assert [(e.api, e.status) for e in live.recorder.exchanges] == [("v3", 401), ("token", 200), ("v3", 200)]
    client.products()
    assert client.token_fetches == 2


def test_local_expiry_renews_without_a_401(live: Live) -> None:
    client = live.client()
    first = client.access_token()
    client.expire_token_locally()
    client.products()
    assert client.token_fetches == 2 and client.access_token() != first
    assert [e.status for e in live.recorder.api()] == [200]


class ForgedBearer(httpx.BaseTransport):
    """Replaces every bearer token with a forged one: the API answers 401 whatever the client does."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization", "").startswith("Bearer "):
            request.headers["Authorization"] = "Bearer forged.token.value"
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_persistent_401_raises_after_one_renewal(live: Live) -> None:
    client = live.client(transport=ForgedBearer())
    with pytest.raises(AuthenticationError) as caught:
        client.products()
    assert caught.value.code and caught.value.attempts == 2
    assert client.token_fetches == 2


def test_wrong_secret_is_token_error(live: Live) -> None:
    client = live.client(client_secret="wrong-secret")
    with pytest.raises(TokenError) as caught:
        client.products()
    assert caught.value.error == "invalid_client" and caught.value.status in (400, 401)
    assert "wrong-secret" not in str(caught.value)


def test_scope_not_allowed_is_token_error(live: Live) -> None:
    client = live.client(READONLY_CLIENT_ID, READONLY_CLIENT_SECRET)
    with pytest.raises(TokenError) as caught:
        client.access_token()
    assert caught.value.error == "invalid_scope"


def test_token_endpoint_unreachable(live: Live) -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = live.client(token_url=f"http://127.0.0.1:{port}/oauth2/token", retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ApiConnectionError) as caught:
        dead.products()
    assert caught.value.attempts == 0
    assert [e.outcome for e in live.recorder.exchanges] == ["lost_request", "lost_request"]


# -- recovery: client-side losses ------------------------------------------------------------------


def _lost_ids(response: httpx.Response) -> list[str]:
    return [v["voucher_id"] for v in json.loads(response.content)["data"]]


def test_lost_response_recovered_by_replay(live: Live) -> None:
    live.faults.arm("lose_response", method="POST", path=ISSUE_PATH)
    issuance = live.client().issue(OPEN, 2, 5000)
    [lost] = live.faults.lost_responses
    assert issuance.attempts == 2 and issuance.replayed
    assert issuance.voucher_ids == _lost_ids(lost)
    assert ledger_ids(live, issuance.idempotency_key) == [issuance.voucher_ids]
    first, second = live.recorder.api()
    assert (first.outcome, first.status, second.outcome, second.status) == ("lost_response", 200, "response", 200)
    assert first.idempotency_key == second.idempotency_key == issuance.idempotency_key
    assert live.sleeps and len(issuance.request_ids) == 1


def test_lost_request_recovered_without_replay(live: Live) -> None:
    live.faults.arm("lose_request", method="POST", path=ISSUE_PATH)
    issuance = live.client().issue(FIXED, 1)
    assert issuance.attempts == 2 and not issuance.replayed
    assert ledger_ids(live, issuance.idempotency_key) == [issuance.voucher_ids]
    assert [e.outcome for e in live.recorder.api()] == ["lost_request", "response"]


def test_connection_reset_recovered_by_replay(live: Live) -> None:
    live.faults.arm("reset", method="POST", path=ISSUE_PATH)
    issuance = live.client().issue(FIXED, 1)
    assert issuance.replayed and issuance.voucher_ids == _lost_ids(live.faults.lost_responses[0])
    assert len(live.ctl.ledger()) == 1


def test_repeated_losses_then_success_issue_once(live: Live) -> None:
    live.faults.arm("lose_response", method="POST", path=ISSUE_PATH, times=3)
    issuance = live.client().issue(GIFT, 2)
    assert issuance.attempts == 4 and issuance.replayed
    assert {tuple(_lost_ids(r)) for r in live.faults.lost_responses} == {tuple(issuance.voucher_ids)}
    assert ledger_ids(live, issuance.idempotency_key) == [issuance.voucher_ids]
    assert len(live.ctl.ledger()) == 1


# -- recovery: server-side faults ------------------------------------------------------------------


def test_commit_then_500_recovered(live: Live) -> None:
    live.ctl.arm_fault("commit_then_500", path=ISSUE_PATH)
    issuance = live.client().issue(FIXED, 2)
    assert issuance.attempts == 2 and issuance.replayed
    assert [e.status for e in live.recorder.api()] == [500, 200]
    assert ledger_ids(live, issuance.idempotency_key) == [issuance.voucher_ids]
    assert len(issuance.request_ids) == 2


def test_commit_then_drop_recovered(live: Live) -> None:
    live.ctl.arm_fault("commit_then_drop", path=ISSUE_PATH)
    issuance = live.client().issue(FIXED, 1)
    assert issuance.attempts == 2 and issuance.replayed
    assert [e.outcome for e in live.recorder.api()] == ["connection_error", "response"]
    assert ledger_ids(live, issuance.idempotency_key) == [issuance.voucher_ids]


def test_fail_before_commit_recovered(live: Live) -> None:
    live.ctl.arm_fault("fail_before_commit", path=ISSUE_PATH, status=503)
    issuance = live.client().issue(FIXED, 1)
    assert issuance.attempts == 2 and not issuance.replayed
    assert [e.status for e in live.recorder.api()] == [503, 200]
    assert ledger_ids(live, issuance.idempotency_key) == [issuance.voucher_ids]


def test_server_errors_until_attempts_run_out(live: Live) -> None:
    live.ctl.arm_fault("fail_before_commit", path=ISSUE_PATH, times=5)
    key = new_idempotency_key()
    with pytest.raises(InternalServerError) as caught:
        live.client().issue(FIXED, 1, idempotency_key=key)
    assert caught.value.attempts == 5 and caught.value.idempotency_key == key
    assert caught.value.code and live.ctl.ledger() == []
    assert len(live.sleeps) == 4 and all(0 <= s <= 4.0 for s in live.sleeps)


def test_slow_commit_gives_409_then_recovers(live: Live) -> None:
    live.ctl.arm_fault("slow_commit", path=ISSUE_PATH, delay_s=60)
    key = new_idempotency_key()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:  # after the 409: let the held first request commit, and wait for it
            live.ctl.clear_faults()
            wait_until(lambda: live.ctl.ledger(idempotency_key=key), "the held issuance committed")

    client = live.client(timeout=0.5, sleep=sleep)
    client.access_token()
    issuance = client.issue(FIXED, 1, idempotency_key=key)
    assert [e.outcome for e in live.recorder.api()] == ["timeout", "response", "response"]
    assert [e.status for e in live.recorder.api()] == [None, 409, 200]
    assert issuance.attempts == 3 and issuance.replayed
    assert ledger_ids(live, key) == [issuance.voucher_ids]


def test_in_flight_key_is_conflict_error(live: Live) -> None:
    live.ctl.arm_fault("slow_commit", path=ISSUE_PATH, delay_s=60)
    client = live.client(timeout=0.5, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ConflictError) as caught:
        client.issue(FIXED, 1)
    assert caught.value.status == 409 and caught.value.code and caught.value.attempts == 2


def test_rate_limit_honours_retry_after(live: Live) -> None:
    live.ctl.arm_fault("rate_limit", method="GET", path=r"^/v3/products$", retry_after=2)
    assert live.client().products()
    assert live.sleeps == [2.0]
    live.ctl.arm_fault("rate_limit", method="GET", path=r"^/v3/products$", retry_after=3)
    with pytest.raises(RateLimitError) as caught:
        live.client(retry=RetryPolicy(max_attempts=1)).products()
    assert caught.value.retry_after == 3.0 and caught.value.code


def test_partial_issuance(live: Live) -> None:
    live.ctl.arm_fault("partial", path=ISSUE_PATH, count=2)
    client = live.client()
    key = new_idempotency_key()
    issuance = client.issue(FIXED, 5, idempotency_key=key)
    assert issuance.status_code == 207 and issuance.is_partial and len(issuance.vouchers) == 2
    assert issuance.partial_error is not None and issuance.partial_error.code == "207-762"
    replay = client.issue(FIXED, 5, idempotency_key=key)
    assert replay.status_code == 207 and replay.replayed and replay.voucher_ids == issuance.voucher_ids
    assert ledger_ids(live, key) == [issuance.voucher_ids]
