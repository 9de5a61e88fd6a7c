"""The v3 client against the real embedded sandbox over 127.0.0.1: endpoints, errors, token, recovery."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from uatcert.sandbox import READONLY_CLIENT_ID, READONLY_CLIENT_SECRET
from uatcert.v3 import (
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    TokenError,
    UnprocessableEntityError,
    new_idempotency_key,
)
from uatcert.v3._exceptions import make_status_error
from uatcert.v3._parsing import parse_error_body

from .conftest import Live

FIXED = "MAMVDDMMYY01"
OPEN = "UNIVGROCERIESDYNAMIC01"
GIFT = "SUV050ECARD03"
ITEMS = "SAMPLECAFE5CUPS01"
STOCKED = "LTDBOOKS20SGD01"
NO_STATUS = "TPCINEMA12SGD01"
NEEDS_ACTIVATION = "ACTIVATE25SGD01"
ISSUE_PATH = r"^/v3/products/[^/]+$"


def wait_until(condition: Callable[[], object], what: str, limit_s: float = 10.0) -> None:
    """Poll a server-side condition (bounded; never asserts on elapsed time)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"sandbox never reached: {what}")
        time.sleep(0.01)


def ledger_ids(live: Live, key: str) -> list[list[str]]:
    return [entry["voucher_ids"] for entry in live.ctl.ledger(idempotency_key=key)]


def code_of(response: httpx.Response) -> str | None:
    body = parse_error_body(response)
    return body.code if body is not None else None


# -- endpoints -------------------------------------------------------------------------------------


def test_catalogue_and_product_details(live: Live) -> None:
    client = live.client()
    products = client.products()
    assert {p.code for p in products} >= {FIXED, OPEN, GIFT, ITEMS}
    for product in products:
        assert client.product(product.code) == product
    kinds = {p.code: p.kind for p in products}
    assert kinds[FIXED] == "fixed value"
    assert kinds[OPEN] == "open value"
    assert kinds[GIFT] == "gift card"
    assert kinds[ITEMS] == "product based"
    assert {p.code: p.is_multiple_use for p in products}[GIFT] is True


def test_every_product_issued_and_read_back(live: Live) -> None:
    client = live.client()
    issued: dict[str, str] = {}
    for product in client.products():
        face_value = 2500 if product.needs_face_value else None
        issuance = client.issue(product.code, 1, face_value)
        assert issuance.status_code == 200 and not issuance.replayed and issuance.attempts == 1
        [voucher] = issuance.vouchers
        assert voucher.product_code == product.code
        assert voucher.is_value_based == product.is_value_based
        if face_value is not None:
            assert voucher.remaining_amount == face_value and voucher.currency == "SGD"
        if product.is_value_based is False:
            assert voucher.currency == ""
        assert len(issuance.request_ids) == 1
        assert ledger_ids(live, issuance.idempotency_key) == [[voucher.voucher_id]]
        issued[voucher.voucher_id] = product.code
    ids = list(issued)
    read = client.vouchers(ids)
    assert [v.voucher_id for v in read] == ids
    assert all(v.product_code == issued[v.voucher_id] for v in read)
    for voucher_id in ids:
        assert client.voucher(voucher_id).voucher_id == voucher_id
    statuses = {v.product_code: v.status for v in read}
    assert statuses[NEEDS_ACTIVATION] == "inactive"
    assert statuses[FIXED] == "active"


@pytest.mark.parametrize("face_value", [100, 100000, 1051])
def test_open_value_boundaries(live: Live, face_value: int) -> None:
    issuance = live.client().issue(OPEN, 2, face_value)
    assert [v.remaining_amount for v in issuance.vouchers] == [face_value, face_value]


def test_quantity_20_and_batches(live: Live) -> None:
    client = live.client()
    first = client.issue(FIXED, 20)
    second = client.issue(GIFT, 5)
    assert len(first.vouchers) == 20
    live.recorder.exchanges.clear()
    assert [v.voucher_id for v in client.vouchers(first.voucher_ids)] == first.voucher_ids
    everything = second.voucher_ids + first.voucher_ids
    assert [v.voucher_id for v in client.vouchers(everything)] == everything
    assert [e.method for e in live.recorder.api()] == ["GET"] * 3


def test_voucher_states_follow_the_sandbox(live: Live) -> None:
    client = live.client()
    voucher = client.issue(GIFT, 1).vouchers[0]
    live.ctl.set_voucher_state(voucher.voucher_id, "redeem", 1000)
    assert client.voucher(voucher.voucher_id).remaining_amount == 4000
    live.ctl.set_voucher_state(voucher.voucher_id, "void")
    assert client.voucher(voucher.voucher_id).status == "voided"
    hidden = client.issue(NO_STATUS, 1).vouchers[0]
    live.ctl.set_voucher_state(hidden.voucher_id, "use")
    assert client.voucher(hidden.voucher_id).status == "active"  # snapshot: status not available


# -- documented errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "args"),
    [
        ("400-056", (OPEN, 1, None)),
        ("400-056", (OPEN, 1, 99)),
        ("400-056", (OPEN, 1, 100001)),
        ("400-0C6", (STOCKED, 6, None)),
    ],
)
def test_issue_refusals(live: Live, code: str, args: tuple[str, int, int | None]) -> None:
    client = live.client()
    key = new_idempotency_key()
    with pytest.raises(BadRequestError) as caught:
        client.issue(*args, idempotency_key=key)
    assert caught.value.code == code
    assert caught.value.attempts == 1 and caught.value.idempotency_key == key
    assert caught.value.request_id
    assert live.ctl.ledger() == []


def test_malformed_key_refused(live: Live) -> None:
    with pytest.raises(BadRequestError) as caught:
        live.client().issue(FIXED, 1, idempotency_key="not-a-uuid")
    assert caught.value.code == "400-BB4"


def _send_cases() -> list[tuple[str, str, str, dict[str, Any]]]:
    key = "7d1f3a52-61b6-4f7c-8d9e-0a1b2c3d4e5f"
    many = ",".join(str(uuid.uuid4()) for _ in range(21))
    same = str(uuid.uuid4())
    return [
        ("400-5DC", "POST", f"/products/{FIXED}", {"json": {"quantity": 0}, "headers": {"Idempotency-Key": key}}),
        ("400-5DC", "POST", f"/products/{FIXED}", {"json": {"quantity": 21}, "headers": {"Idempotency-Key": key}}),
        ("400-5DC", "POST", f"/products/{FIXED}", {"json": {}, "headers": {"Idempotency-Key": key}}),
        ("400-4C3", "POST", f"/products/{FIXED}", {"content": b'{"quantity": 1', "headers": {"Idempotency-Key": key}}),
        ("400-9A0", "POST", f"/products/{FIXED}", {"json": {"quantity": 1}}),
        ("400-BB4", "POST", f"/products/{FIXED}", {"json": {"quantity": 1}, "headers": {"Idempotency-Key": "x"}}),
        ("400-215", "GET", f"/vouchers?id={same},{same}", {}),
        ("400-67B", "GET", "/vouchers?id=abc,def", {}),
        ("400-B32", "GET", f"/vouchers?id={many}", {}),
    ]


@pytest.mark.parametrize(("code", "method", "path", "options"), _send_cases(), ids=lambda v: str(v)[:24])
def test_documented_400_codes_via_send(live: Live, code: str, method: str, path: str, options: dict[str, Any]) -> None:
    response = live.client().send(method, path, **options)
    assert response.status_code == 400 and code_of(response) == code
    error = make_status_error(response, parse_error_body(response))
    assert isinstance(error, BadRequestError) and error.code == code
    assert live.ctl.ledger() == []
    assert len(live.recorder.api()) == 1


def test_unknown_product_and_voucher(live: Live) -> None:
    client = live.client()
    with pytest.raises(NotFoundError) as product_error:
        client.product("NOSUCHPRODUCT")
    with pytest.raises(NotFoundError):
        client.issue("NOSUCHPRODUCT", 1)
    with pytest.raises(NotFoundError) as voucher_error:
        client.voucher(str(uuid.uuid4()))
    with pytest.raises(NotFoundError):
        client.vouchers([str(uuid.uuid4())])
    assert product_error.value.code and voucher_error.value.code
    assert live.ctl.ledger() == []


def test_missing_scope_is_403(live: Live) -> None:
    reader = live.client(scopes=("read_catalogue", "read_vouchers"))
    assert reader.products()
    with pytest.raises(PermissionDeniedError) as caught:
        reader.issue(FIXED, 1)
    assert caught.value.status == 403 and caught.value.code
    readonly = live.client(READONLY_CLIENT_ID, READONLY_CLIENT_SECRET, scopes=("read_catalogue", "read_vouchers"))
    with pytest.raises(PermissionDeniedError):
        readonly.issue(FIXED, 1)
    assert live.ctl.ledger() == []


def test_key_reused_with_another_request_is_422(live: Live) -> None:
    client = live.client()
    key = new_idempotency_key()
    first = client.issue(FIXED, 1, idempotency_key=key)
    with pytest.raises(UnprocessableEntityError) as caught:
        client.issue(FIXED, 2, idempotency_key=key)
    assert caught.value.code and caught.value.attempts == 1
    assert ledger_ids(live, key) == [first.voucher_ids]


def test_same_key_replays(live: Live) -> None:
    client = live.client()
    key = new_idempotency_key()
    first = client.issue(OPEN, 3, 1051, idempotency_key=key)
    again = client.issue(OPEN, 3, 1051, idempotency_key=key)
    assert again.replayed and again.idempotency_record and not first.replayed
    assert again.voucher_ids == first.voucher_ids
    assert ledger_ids(live, key) == [first.voucher_ids]


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
