"""Idempotency (reference §8.2) and fault injection: replay, 422, 409, and recovery after each fault kind."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime

import httpx
import pytest

from tests.v3.sandbox.sandbox_support import FIXED, FULL, OPEN, Api, assert_error
from uatcert.sandbox import SandboxCredentials


def _ids(response: httpx.Response) -> list[str]:
    return [v["voucher_id"] for v in response.json()["data"]]


def test_replay_returns_the_stored_response_with_idempotency_record(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.issue(OPEN, {"quantity": 2, "face_value": 1051}, key=key)
    assert first.status_code == 200 and "idempotency-record" not in first.headers
    replay = api.issue(OPEN, {"quantity": 2, "face_value": 1051}, key=key)
    assert replay.status_code == 200
    assert replay.content == first.content
    assert datetime.fromisoformat(replay.headers["idempotency-record"]).tzinfo is not None
    assert replay.headers["x-request-id"] != first.headers["x-request-id"]
    assert len(api.ctl.ledger()) == 1


def test_replay_ignores_key_order_whitespace_and_key_case(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.issue(OPEN, content=b'{"quantity":1,"face_value":500}', key=key)
    again = api.issue(OPEN, content=b'{ "face_value" : 500,\n "quantity" : 1 }', key=key.upper())
    assert again.status_code == 200 and "idempotency-record" in again.headers
    assert again.content == first.content


def test_replay_consumes_no_stock_and_survives_a_token_refresh(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.issue("LTDBOOKS20SGD01", {"quantity": 2}, key=key)
    api.ctl.expire_tokens()
    fresh = api.token_response().json()["access_token"]
    replay = api.issue("LTDBOOKS20SGD01", {"quantity": 2}, key=key, token=fresh)
    assert replay.status_code == 200 and replay.content == first.content
    assert api.ctl.stock("LTDBOOKS20SGD01") == 3


def test_replay_shows_the_issuance_snapshot_not_the_current_state(api: Api) -> None:
    key = str(uuid.uuid4())
    [voucher_id] = _ids(api.issue(FIXED, {"quantity": 1}, key=key))
    api.ctl.set_voucher_state(voucher_id, "void")
    replay = api.issue(FIXED, {"quantity": 1}, key=key)
    assert replay.json()["data"][0]["status"] == "active"
    assert api.get(f"/vouchers/{voucher_id}").json()["data"]["status"] == "voided"


@pytest.mark.parametrize(
    ("code", "body"),
    [(FIXED, {"quantity": 2}), (OPEN, {"quantity": 1, "face_value": 1000}), (FIXED, {"quantity": 1, "face_value": 5})],
    ids=["other-quantity", "other-product", "extra-field"],
)
def test_same_key_different_request_is_422_and_record_unchanged(
    api: Api, code: str, body: dict[str, int]
) -> None:
    key = str(uuid.uuid4())
    first = api.issue(FIXED, {"quantity": 1}, key=key)
    assert_error(api.issue(code, body, key=key), 422, "422-F01")
    assert len(api.ctl.ledger()) == 1
    assert api.issue(FIXED, {"quantity": 1}, key=key).content == first.content


def test_validation_errors_are_not_stored(api: Api) -> None:
    key = str(uuid.uuid4())
    assert_error(api.issue(FIXED, {"quantity": 0}, key=key), 400, "400-5DC")
    fixed = api.issue(FIXED, {"quantity": 1}, key=key)
    assert fixed.status_code == 200 and "idempotency-record" not in fixed.headers
    assert len(api.ctl.ledger()) == 1


def test_keys_are_scoped_per_client(start_sandbox: Callable[..., Api]) -> None:
    other = SandboxCredentials(client_id="second-client", client_secret="second-secret")
    sandbox = start_sandbox(clients=[SandboxCredentials(client_id=FULL[0], client_secret=FULL[1]), other])
    key = str(uuid.uuid4())
    mine = sandbox.issue(FIXED, {"quantity": 1}, key=key)
    theirs = sandbox.issue(FIXED, {"quantity": 1}, key=key, auth=("second-client", "second-secret"))
    assert theirs.status_code == 200 and "idempotency-record" not in theirs.headers
    assert _ids(theirs) != _ids(mine)
    [voucher_id] = _ids(mine)
    assert_error(sandbox.get(f"/vouchers/{voucher_id}", auth=("second-client", "second-secret")), 404, "404-F02")


def test_get_routes_ignore_the_key_header(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.token()}", "Idempotency-Key": "not-a-uuid"}
    assert api.http.get(api.srv.v3_base_url + "/products", headers=headers).status_code == 200


# -- faults ------------------------------------------------------------------------------------------
def test_409_while_in_flight_then_replay(api: Api) -> None:
    api.ctl.arm_fault("slow_commit", path=f"/products/{FIXED}$", delay_s=30)
    key = str(uuid.uuid4())
    token = api.token()
    results: dict[str, httpx.Response] = {}
    worker = threading.Thread(target=lambda: results.update(first=api.issue(FIXED, {"quantity": 1}, key=key,
                                                                             token=token)))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while api.ctl.faults()[0]["holding"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert_error(api.issue(FIXED, {"quantity": 1}, key=key), 409, "409-F01")
        assert_error(api.issue(FIXED, {"quantity": 2}, key=key), 409, "409-F01")
        assert api.ctl.ledger() == []
    finally:
        api.ctl.clear_faults()  # releases the held request
        worker.join()
    first = results["first"]
    assert first.status_code == 200 and "idempotency-record" not in first.headers
    replay = api.issue(FIXED, {"quantity": 1}, key=key)
    assert replay.status_code == 200 and replay.content == first.content
    [entry] = api.ctl.ledger()
    assert entry["fault"] == "slow_commit"


def test_commit_then_500_then_replay_recovers_the_vouchers(api: Api) -> None:
    api.ctl.arm_fault("commit_then_500")
    key = str(uuid.uuid4())
    assert_error(api.issue(OPEN, {"quantity": 2, "face_value": 700}, key=key), 500, "500-F01")
    [entry] = api.ctl.ledger()
    assert entry["fault"] == "commit_then_500" and entry["http_status"] == 200
    replay = api.issue(OPEN, {"quantity": 2, "face_value": 700}, key=key)
    assert replay.status_code == 200 and "idempotency-record" in replay.headers
    assert _ids(replay) == entry["voucher_ids"]
    assert len(api.ctl.ledger()) == 1


def test_commit_then_500_with_another_5xx_status(api: Api) -> None:
    api.ctl.arm_fault("commit_then_500", status=504)
    assert_error(api.issue(FIXED, {"quantity": 1}), 504, "504-F01")
    assert len(api.ctl.ledger()) == 1


def test_commit_then_drop_is_a_transport_error_then_replay(api: Api) -> None:
    api.ctl.arm_fault("commit_then_drop", path=f"^/v3/products/{FIXED}$")
    key = str(uuid.uuid4())
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.issue(FIXED, {"quantity": 3}, key=key)
    [entry] = api.ctl.ledger()
    assert entry["fault"] == "commit_then_drop"
    replay = api.issue(FIXED, {"quantity": 3}, key=key)
    assert replay.status_code == 200 and "idempotency-record" in replay.headers
    assert _ids(replay) == entry["voucher_ids"]


def test_fail_before_commit_stores_nothing_and_the_retry_issues(api: Api) -> None:
    api.ctl.arm_fault("fail_before_commit", status=503)
    key = str(uuid.uuid4())
    assert_error(api.issue(FIXED, {"quantity": 1}, key=key), 503, "503-F01")
    assert api.ctl.ledger() == []
    retry = api.issue(FIXED, {"quantity": 1}, key=key)
    assert retry.status_code == 200 and "idempotency-record" not in retry.headers
    assert len(api.ctl.ledger()) == 1


def test_partial_is_207_with_207_762_and_replays_the_same(api: Api) -> None:
    api.ctl.arm_fault("partial")
    key = str(uuid.uuid4())
    first = api.issue(FIXED, {"quantity": 5}, key=key)
    assert first.status_code == 207
    body = first.json()
    assert body["error"]["code"] == "207-762" and len(body["data"]) == 4
    [entry] = api.ctl.ledger()
    assert entry["quantity"] == 5 and len(entry["voucher_ids"]) == 4 and entry["http_status"] == 207
    replay = api.issue(FIXED, {"quantity": 5}, key=key)
    assert replay.status_code == 207 and replay.content == first.content
    assert "idempotency-record" in replay.headers


def test_partial_with_count_consumes_only_issued_stock(api: Api) -> None:
    api.ctl.arm_fault("partial", count=2)
    response = api.issue("LTDBOOKS20SGD01", {"quantity": 4})
    assert response.status_code == 207 and len(response.json()["data"]) == 2
    assert api.ctl.stock("LTDBOOKS20SGD01") == 3


def test_rate_limit_is_429_with_retry_after_and_nothing_issued(api: Api) -> None:
    api.ctl.arm_fault("rate_limit", retry_after=7)
    key = str(uuid.uuid4())
    response = api.issue(FIXED, {"quantity": 1}, key=key)
    assert_error(response, 429, "429-F01")
    assert response.headers["retry-after"] == "7"
    assert api.ctl.ledger() == []
    assert api.issue(FIXED, {"quantity": 1}, key=key).status_code == 200


def test_nth_and_times_select_the_matching_requests(api: Api) -> None:
    api.ctl.arm_fault("fail_before_commit", path=f"/products/{FIXED}$", nth=2, times=2)
    statuses = [api.issue(FIXED, {"quantity": 1}).status_code for _ in range(4)]
    assert api.issue(OPEN, {"quantity": 1, "face_value": 100}).status_code == 200  # path does not match
    assert statuses == [200, 500, 500, 200]
    [fault] = api.ctl.faults()
    assert (fault["matched"], fault["fired"], fault["remaining"]) == (4, 2, 0)


def test_faults_match_get_routes_and_the_token_endpoint_but_not_the_control_api(api: Api) -> None:
    api.ctl.arm_fault("rate_limit", method="GET", path="^/v3/products$")
    api.ctl.arm_fault("fail_before_commit", api="token", path="")
    api.ctl.arm_fault("fail_before_commit", method="*", path="")
    assert api.http.get(api.srv.control_url + "/info").status_code == 200
    assert api.token_response().status_code == 500
    assert api.get("/products").status_code == 429
    assert api.get(f"/products/{FIXED}").status_code == 500
    assert api.get(f"/products/{FIXED}").status_code == 200


def test_commit_then_drop_on_a_get_route(api: Api) -> None:
    api.ctl.arm_fault("commit_then_drop", method="GET", path="/products$")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/products")
    assert api.get("/products").status_code == 200


def test_ledger_filters(api: Api) -> None:
    key = str(uuid.uuid4())
    api.issue(FIXED, {"quantity": 1}, key=key)
    api.issue(OPEN, {"quantity": 1, "face_value": 100})
    assert len(api.ctl.ledger()) == 2
    assert [e["idempotency_key"] for e in api.ctl.ledger(idempotency_key=key.upper())] == [key]
    assert [e["product_code"] for e in api.ctl.ledger(product_code=OPEN)] == [OPEN]
    assert api.ctl.ledger(api="v2") == []
    assert len(api.ctl.ledger(api=None)) == 2
    raw = api.http.get(api.srv.control_url + "/ledger").json()["data"]
    assert json.dumps(raw) == json.dumps(api.ctl.ledger())
