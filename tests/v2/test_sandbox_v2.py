"""The sandbox's v2 API over real 127.0.0.1 sockets: token, Request Vouchers, Check Vouchers, control, faults."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from uatcert.errors import ConfigError
from uatcert.sandbox import (
    DEFECT_MODES,
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    V2_SCOPE,
    V2_X_CLIENT_ID,
    V2_X_CLIENT_SECRET,
    BackgroundServer,
    SandboxConfig,
    SandboxControl,
    create_app,
    load_v2_catalogue,
)

DYNAMIC, DYNAMIC_ORDER = "UNIVGROCERIESDYNAMIC01", "202208013226"
FIXED, FIXED_ORDER = "MAMVDDMMYY01", "202112172914"
COFFEE, COFFEE_ORDER = "SAMPLECAFE5CUPS01", "202303010001"
CINEMA, CINEMA_ORDER = "TPCINEMA12SGD01", "202303010002"
ACTIVATION, ACTIVATION_ORDER = "ACTIVATE25SGD01", "202303010003"
OTHER = SandboxConfig().v2_clients[1]


class V2:
    """Plain httpx calls against the v2 API of one sandbox."""

    def __init__(self, srv: BackgroundServer, http: httpx.Client) -> None:
        self.base = f"{srv.base_url}/v2"
        self.http = http
        self._tokens: dict[str, str] = {}

    def token_response(self, **form: str) -> httpx.Response:
        data = {"client_id": V2_CLIENT_ID, "client_secret": V2_CLIENT_SECRET, "grant_type": "client_credentials"}
        data.update(form)
        return self.http.post(f"{self.base}/connect/token", data={k: v for k, v in data.items() if v != "-"})

    def token(self, client_id: str = V2_CLIENT_ID, secret: str = V2_CLIENT_SECRET) -> str:
        if client_id not in self._tokens:
            response = self.token_response(client_id=client_id, client_secret=secret)
            assert response.status_code == 200, response.text
            self._tokens[client_id] = response.json()["access_token"]
        return self._tokens[client_id]

    def headers(self, *, token: str | None = None, x_id: str = V2_X_CLIENT_ID, x_secret: str = V2_X_CLIENT_SECRET,
                correlation_id: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token or self.token()}", "X-Client-Id": x_id,
                   "X-Client-Secret": x_secret, "Content-Type": "application/json"}
        if correlation_id is not None:
            headers["X-Correlation-Id"] = correlation_id
        return headers

    def request(self, code: str = DYNAMIC, order: str = DYNAMIC_ORDER, body: Any = None, *,
                product_class: str = "ETX_001", headers: dict[str, str] | None = None,
                correlation_id: str | None = "new", raw: bytes | None = None) -> httpx.Response:
        key = str(uuid.uuid4()) if correlation_id == "new" else correlation_id
        content = raw if raw is not None else json.dumps(
            body if body is not None else {"manual_quantity": 1, "distribution_mode": "manual", "face_value": 50}
        ).encode()
        url = f"{self.base}/catalogs/{product_class}/product_assets/{order}/products/{code}/vouchers/actions/request"
        return self.http.post(url, content=content, headers=headers or self.headers(correlation_id=key))

    def check(self, refs: list[str], *, headers: dict[str, str] | None = None,
              product_class: str = "ETX_001") -> httpx.Response:
        return self.http.post(f"{self.base}/catalogs/{product_class}/vouchers/actions/check",
                              json={"voucher_settlement_refs": refs}, headers=headers or self.headers())


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def v2(server: BackgroundServer, sandbox: SandboxControl, http: httpx.Client) -> V2:
    return V2(server, http)


def codes(response: httpx.Response) -> list[str]:
    return [m["code"] for m in response.json()["meta"]["messages"]]


def refs(response: httpx.Response) -> list[str]:
    return [v["voucher_settlement_ref"] for v in response.json()["data"]]


def assert_failed(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["meta"]["status"] == "failed" and "data" not in body
    assert codes(response)[0] == code and all(m["level"] == "error" and m["text"] for m in body["meta"]["messages"])


# -- token -----------------------------------------------------------------------------------------
def test_token(v2: V2) -> None:
    response = v2.token_response()
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer" and body["scope"] == V2_SCOPE
    assert len(body["access_token"]) == 64 and body["access_token"] == body["access_token"].upper()
    int(body["access_token"], 16)


@pytest.mark.parametrize(("form", "error"), [
    ({"client_secret": "wrong"}, "invalid_client"),
    ({"client_id": "nobody"}, "invalid_client"),
    ({"client_secret": "-"}, "invalid_request"),
    ({"grant_type": "password"}, "unsupported_grant_type"),
    ({"grant_type": "-"}, "unsupported_grant_type"),
    ({"scope": "something-else"}, "invalid_scope"),
])
def test_token_errors(v2: V2, form: dict[str, str], error: str) -> None:
    response = v2.token_response(**form)
    assert response.status_code == 400 and response.json()["error"] == error
    assert "meta" not in response.json()


def test_token_by_basic_auth_and_json_body(v2: V2) -> None:
    basic = v2.http.post(f"{v2.base}/connect/token", data={"grant_type": "client_credentials"},
                         auth=(V2_CLIENT_ID, V2_CLIENT_SECRET))
    assert basic.status_code == 200
    wrong = v2.http.post(f"{v2.base}/connect/token", data={"grant_type": "client_credentials"},
                         auth=(V2_CLIENT_ID, "wrong"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    as_json = v2.http.post(f"{v2.base}/connect/token", json={"client_id": V2_CLIENT_ID,
                           "client_secret": V2_CLIENT_SECRET, "grant_type": "client_credentials"})
    assert as_json.status_code == 200
    scoped = v2.token_response(scope=V2_SCOPE)
    assert scoped.status_code == 200


def test_v3_and_v2_tokens_do_not_cross(v2: V2, server: BackgroundServer, http: httpx.Client) -> None:
    v3 = http.get(f"{server.v3_base_url}/products", headers={"Authorization": f"Bearer {v2.token()}"})
    assert v3.status_code == 401


# -- authentication on voucher calls ----------------------------------------------------------------
@pytest.mark.parametrize(("headers", "status", "code"), [
    ({"token": "F" * 64}, 401, "SIM-AUTH-TOKEN"),
    ({"x_secret": "wrong"}, 401, "SIM-AUTH-CLIENT"),
    ({"x_id": "unknown"}, 401, "SIM-AUTH-CLIENT"),
    ({"x_id": OTHER.x_client_id, "x_secret": OTHER.x_client_secret}, 403, "SIM-AUTH-MISMATCH"),
])
def test_voucher_calls_check_token_and_client_keys(v2: V2, sandbox: SandboxControl, headers: dict[str, str],
                                                   status: int, code: str) -> None:
    assert_failed(v2.request(headers=v2.headers(**headers)), status, code)
    assert_failed(v2.check([str(uuid.uuid4())], headers=v2.headers(**headers)), status, code)
    assert sandbox.ledger(api="v2") == []


def test_missing_headers(v2: V2) -> None:
    assert_failed(v2.request(headers={"Content-Type": "application/json"}), 401, "SIM-AUTH-TOKEN")
    no_keys = {"Authorization": f"Bearer {v2.token()}"}
    assert_failed(v2.request(headers=no_keys), 401, "SIM-AUTH-CLIENT")


def test_expired_tokens_are_refused(v2: V2, sandbox: SandboxControl) -> None:
    assert v2.request().status_code == 200
    sandbox.expire_tokens()
    assert_failed(v2.request(), 401, "SIM-AUTH-TOKEN")


# -- Request Vouchers ------------------------------------------------------------------------------
def test_issue_a_dynamic_product(v2: V2, sandbox: SandboxControl) -> None:
    key = str(uuid.uuid4())
    response = v2.request(body={"manual_quantity": 2, "distribution_mode": "manual", "face_value": 61.72},
                          correlation_id=key)
    assert response.status_code == 200 and response.headers["x-correlation-id"] == key
    body = response.json()
    assert body["meta"] == {"status": "succeeded"} and len(body["data"]) == 2
    voucher = body["data"][0]
    assert set(voucher) == {"voucher_ref", "voucher_settlement_ref", "voucher_name", "status", "expiration_date",
                            "edenred_url", "view_code", "display_codes"}
    assert voucher["voucher_name"] == "$61.72 UNIQGIFT Groceries Voucher" and voucher["status"] == "Active"
    assert voucher["expiration_date"] == "2029-12-31T23:59:59" and voucher["display_codes"] == []
    assert voucher["voucher_ref"].startswith("UG") and len(voucher["voucher_ref"]) == 12
    assert len(voucher["view_code"]) == 4 and ".invalid/" in voucher["edenred_url"]
    uuid.UUID(voucher["voucher_settlement_ref"])
    [entry] = sandbox.ledger(api="v2", idempotency_key=key)
    assert entry["face_value"] == "61.72" and entry["order_number"] == DYNAMIC_ORDER and entry["quantity"] == 2
    assert entry["voucher_ids"] == refs(response) and entry["client_id"] == V2_X_CLIENT_ID
    assert sandbox.ledger(api="v3") == []


@pytest.mark.parametrize(("face_value", "name"), [(50, "$50"), ("1000.00", "$1000"), (1, "$1"), ("10.50", "$10.50")])
def test_names_of_dynamic_vouchers(v2: V2, face_value: object, name: str) -> None:
    raw = f'{{"manual_quantity":1,"distribution_mode":"manual","face_value":{face_value}}}'.encode()
    response = v2.request(raw=raw)
    assert response.json()["data"][0]["voucher_name"] == f"{name} UNIQGIFT Groceries Voucher"


def test_face_value_as_a_string_is_accepted_and_ignored_on_fixed_products(v2: V2) -> None:
    assert v2.request(body={"manual_quantity": 1, "face_value": "50.00"}).status_code == 200
    fixed = v2.request(FIXED, FIXED_ORDER, {"manual_quantity": 1, "face_value": 99})
    assert fixed.json()["data"][0]["voucher_name"] == "$10 UNIQGIFT Value Based Test Voucher"


@pytest.mark.parametrize(("body", "code"), [
    ({"manual_quantity": 0, "face_value": 50}, "SIM-QTY"),
    ({"manual_quantity": 21, "face_value": 50}, "SIM-QTY"),
    ({"manual_quantity": 1.0, "face_value": 50}, "SIM-QTY"),
    ({"manual_quantity": True, "face_value": 50}, "SIM-QTY"),
    ({"face_value": 50}, "SIM-QTY"),
    ({"manual_quantity": 1}, "SIM-FV-REQUIRED"),
    ({"manual_quantity": 1, "face_value": 0.99}, "SIM-FV-RANGE"),
    ({"manual_quantity": 1, "face_value": 1000.01}, "SIM-FV-RANGE"),
    ({"manual_quantity": 1, "face_value": 61.725}, "SIM-FV-PRECISION"),
    ({"manual_quantity": 1, "face_value": "lots"}, "SIM-FV-TYPE"),
    ({"manual_quantity": 1, "face_value": [50]}, "SIM-FV-TYPE"),
    ({"manual_quantity": 1, "face_value": 50, "distribution_mode": "auto"}, "SIM-DIST"),
    ([1], "SIM-BODY"),
])
def test_validation(v2: V2, sandbox: SandboxControl, body: Any, code: str) -> None:
    assert_failed(v2.request(body=body), 400, code)
    assert sandbox.ledger(api="v2") == []


@pytest.mark.parametrize("raw", [b'{"manual_quantity": 1', b"", b"NaN", b'{"manual_quantity": 1, "face_value": NaN}'])
def test_bodies_that_are_not_json_objects(v2: V2, raw: bytes) -> None:
    assert_failed(v2.request(raw=raw), 400, "SIM-BODY")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"product_class": "ETX_002"}, "SIM-CLASS"),
    ({"code": "NOSUCHPRODUCT"}, "SIM-PRODUCT"),
    ({"order": FIXED_ORDER}, "SIM-ORDER"),
])
def test_unknown_class_product_and_order(v2: V2, kwargs: dict[str, str], code: str) -> None:
    assert_failed(v2.request(**kwargs), 404, code)


def test_product_types(v2: V2, sandbox: SandboxControl) -> None:
    coffee = v2.request(COFFEE, COFFEE_ORDER, {"manual_quantity": 1})
    assert coffee.json()["data"][0]["voucher_name"] == "5 cups of coffee at SampleCafe"
    cinema = v2.request(CINEMA, CINEMA_ORDER, {"manual_quantity": 2}).json()["data"]
    assert all(len(v["display_codes"]) == 1 and len(v["pin_code"]) == 6 for v in cinema)
    assert cinema[0]["display_codes"] != cinema[1]["display_codes"]
    activation = v2.request(ACTIVATION, ACTIVATION_ORDER, {"manual_quantity": 1}).json()["data"][0]
    assert activation["status"] == "Inactive"


def test_stock_is_all_or_nothing_and_restored_by_reset(v2: V2, sandbox: SandboxControl) -> None:
    for _ in range(2):
        assert v2.request(CINEMA, CINEMA_ORDER, {"manual_quantity": 20}).status_code == 200
    assert_failed(v2.request(CINEMA, CINEMA_ORDER, {"manual_quantity": 11}), 400, "SIM-STOCK")
    assert v2.request(CINEMA, CINEMA_ORDER, {"manual_quantity": 10}).status_code == 200
    sandbox.reset()
    assert v2.request(CINEMA, CINEMA_ORDER, {"manual_quantity": 20}).status_code == 200


def test_unknown_routes_and_methods_answer_the_v2_envelope(v2: V2) -> None:
    assert_failed(v2.http.post(f"{v2.base}/catalogs/ETX_001/nothing"), 404, "SIM-ROUTE")
    assert_failed(v2.http.get(f"{v2.base}/catalogs/ETX_001/vouchers/actions/check"), 405, "SIM-METHOD")


# -- X-Correlation-Id --------------------------------------------------------------------------------
def test_same_correlation_id_replays_the_same_vouchers(v2: V2, sandbox: SandboxControl) -> None:
    key = "f6dc536c-82fe-bccb-8639-9cb85a4eefcd"  # the documentation's sample: not a v4 UUID
    first = v2.request(body={"manual_quantity": 3, "face_value": 50}, correlation_id=key)
    sandbox.set_voucher_state(refs(first)[0], "use")
    again = v2.request(body={"face_value": 50.00, "manual_quantity": 3, "distribution_mode": "manual"},
                       correlation_id=key)
    assert again.status_code == 200 and refs(again) == refs(first)
    assert again.json()["data"] == first.json()["data"]  # as issued, not the live status
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_correlation_ids_are_per_client_and_case_sensitive(v2: V2, sandbox: SandboxControl) -> None:
    key = "Recovery-ABC"
    first = v2.request(correlation_id=key)
    other_token = v2.token(OTHER.client_id, OTHER.client_secret)
    other = v2.request(headers=v2.headers(token=other_token, x_id=OTHER.x_client_id, x_secret=OTHER.x_client_secret,
                                          correlation_id=key))
    lower = v2.request(correlation_id=key.lower())
    assert len({*refs(first), *refs(other), *refs(lower)}) == 3


def test_a_different_request_with_the_same_id_is_a_conflict(v2: V2, sandbox: SandboxControl) -> None:
    key = str(uuid.uuid4())
    v2.request(correlation_id=key)
    assert_failed(v2.request(body={"manual_quantity": 2, "face_value": 50}, correlation_id=key), 409,
                  "SIM-CORRELATION-CONFLICT")
    assert_failed(v2.request(FIXED, FIXED_ORDER, {"manual_quantity": 1}, correlation_id=key), 409,
                  "SIM-CORRELATION-CONFLICT")
    assert len(sandbox.ledger(api="v2")) == 1


def test_refusals_store_nothing_for_the_id(v2: V2, sandbox: SandboxControl) -> None:
    key = str(uuid.uuid4())
    assert_failed(v2.request(body={"manual_quantity": 1}, correlation_id=key), 400, "SIM-FV-REQUIRED")
    assert v2.request(body={"manual_quantity": 1, "face_value": 5}, correlation_id=key).status_code == 200


def test_without_correlation_id_there_is_no_protection(v2: V2, sandbox: SandboxControl) -> None:
    first, second = v2.request(correlation_id=None), v2.request(correlation_id=None)
    assert refs(first) != refs(second) and first.headers["x-correlation-id"] != second.headers["x-correlation-id"]
    assert_failed(v2.request(correlation_id="x" * 129), 400, "SIM-CORRELATION-FORMAT")


def test_commit_then_500_answers_erv1102_and_the_retry_replays(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("commit_then_500", api="v2", path="/actions/request$")
    key = str(uuid.uuid4())
    failed = v2.request(correlation_id=key)
    assert_failed(failed, 500, "ERV1102")
    assert failed.headers["x-correlation-id"] == key
    [entry] = sandbox.ledger(api="v2", idempotency_key=key)
    retry = v2.request(correlation_id=key)
    assert retry.status_code == 200 and refs(retry) == entry["voucher_ids"]
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_fail_before_commit_answers_erv1202_and_issues_nothing(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("fail_before_commit", api="v2", path="/actions/request$")
    key = str(uuid.uuid4())
    assert_failed(v2.request(correlation_id=key), 500, "ERV1202")
    assert sandbox.ledger(api="v2") == []
    assert v2.request(correlation_id=key).status_code == 200
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_partial_issuance_is_completed_by_the_retry(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("partial", api="v2", path="/actions/request$", count=2)
    key = str(uuid.uuid4())
    body = {"manual_quantity": 5, "face_value": 50}
    assert_failed(v2.request(body=body, correlation_id=key), 500, "ERV1202")
    [partial] = sandbox.ledger(api="v2", idempotency_key=key)
    assert len(partial["voucher_ids"]) == 2 and partial["http_status"] == 500
    retry = v2.request(body=body, correlation_id=key)
    assert retry.status_code == 200 and len(refs(retry)) == 5 and refs(retry)[:2] == partial["voucher_ids"]
    again = v2.request(body=body, correlation_id=key)
    assert refs(again) == refs(retry)
    assert sum(len(e["voucher_ids"]) for e in sandbox.ledger(api="v2", idempotency_key=key)) == 5


def test_commit_then_drop_cuts_the_answer_and_the_retry_replays(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("commit_then_drop", api="v2", path="/actions/request$")
    key = str(uuid.uuid4())
    with pytest.raises(httpx.RemoteProtocolError):
        v2.request(correlation_id=key)
    [entry] = sandbox.ledger(api="v2", idempotency_key=key)
    assert refs(v2.request(correlation_id=key)) == entry["voucher_ids"]


def test_rate_limit_answers_the_v2_envelope(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("rate_limit", api="v2", path="/actions/request$", retry_after=3)
    response = v2.request()
    assert_failed(response, 429, "SIM-RATE-LIMIT")
    assert response.headers["retry-after"] == "3"


def _held(control: SandboxControl, polls: int = 5000) -> bool:
    """True once a slow_commit fault holds a request in progress (polled a bounded number of times)."""
    return any(any(f["holding"] for f in control.faults()) for _ in range(polls))


def test_a_retry_while_in_progress_waits_for_the_first(v2: V2, sandbox: SandboxControl, server: BackgroundServer,
                                                        http: httpx.Client) -> None:
    sandbox.arm_fault("slow_commit", api="v2", path="/actions/request$", delay_s=0.5)
    key = str(uuid.uuid4())
    results: dict[str, httpx.Response] = {}

    def first() -> None:
        with httpx.Client(timeout=10) as own:
            results["first"] = V2(server, own).request(correlation_id=key, headers=v2.headers(correlation_id=key))

    worker = threading.Thread(target=first)
    worker.start()
    assert _held(sandbox), "the first request was never held"
    second = v2.request(correlation_id=key)
    worker.join(10)
    assert results["first"].status_code == second.status_code == 200
    assert refs(second) == refs(results["first"])
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_a_retry_while_in_progress_past_the_wait_is_a_conflict(start_sandbox: Callable[..., BackgroundServer],
                                                                http: httpx.Client) -> None:
    srv = start_sandbox(v2_correlation_wait_s=0)
    api, key = V2(srv, http), str(uuid.uuid4())
    with SandboxControl(srv.base_url) as control:
        control.arm_fault("slow_commit", api="v2", path="/actions/request$", delay_s=5)
        results: dict[str, httpx.Response] = {}

        def first() -> None:
            with httpx.Client(timeout=10) as own:
                results["first"] = V2(srv, own).request(correlation_id=key, headers=api.headers(correlation_id=key))

        worker = threading.Thread(target=first)
        worker.start()
        assert _held(control), "the first request was never held"
        assert_failed(api.request(correlation_id=key), 409, "SIM-CORRELATION-IN-PROGRESS")
        control.clear_faults()  # releases the held request
        worker.join(10)
        assert results["first"].status_code == 200


# -- Check Vouchers --------------------------------------------------------------------------------
def test_check_vouchers(v2: V2, sandbox: SandboxControl) -> None:
    dynamic = refs(v2.request(body={"manual_quantity": 2, "face_value": 61.72}))
    coffee = refs(v2.request(COFFEE, COFFEE_ORDER, {"manual_quantity": 1}))
    asked = [coffee[0], *dynamic, dynamic[0]]
    response = v2.check(asked)
    assert response.status_code == 200 and response.json()["meta"] == {"status": "succeeded"}
    data = response.json()["data"]
    assert [d["voucher_settlement_ref"] for d in data] == asked
    assert data[0] == {"expiration_date": data[0]["expiration_date"], "remaining_value": 5,
                       "voucher_settlement_ref": coffee[0], "status": "Active"}
    assert data[1]["remaining_value"] == 61.72 and data[1]["expiration_date"] == "31 Dec 2029"
    assert "x-correlation-id" not in response.headers


@pytest.mark.parametrize(("action", "amount", "status", "remaining"), [
    ("use", None, "Used", 0), ("void", None, "Trashed", 50), ("expire", None, "Expired", 50),
    ("redeem", 1050, "Active", 39.5), ("redeem", None, "Used", 0),
])
def test_state_changes_through_the_control_api(v2: V2, sandbox: SandboxControl, action: str, amount: int | None,
                                                status: str, remaining: float) -> None:
    [ref] = refs(v2.request())
    sandbox.set_voucher_state(ref, action, amount)
    [entry] = v2.check([ref]).json()["data"]
    assert (entry["status"], entry["remaining_value"]) == (status, remaining)


def test_activation_and_third_party_statuses(v2: V2, sandbox: SandboxControl) -> None:
    [inactive] = refs(v2.request(ACTIVATION, ACTIVATION_ORDER, {"manual_quantity": 1}))
    assert v2.check([inactive]).json()["data"][0]["status"] == "Inactive"
    sandbox.set_voucher_state(inactive, "activate")
    assert v2.check([inactive]).json()["data"][0]["status"] == "Active"
    [cinema] = refs(v2.request(CINEMA, CINEMA_ORDER, {"manual_quantity": 1}))
    sandbox.set_voucher_state(cinema, "use")
    assert v2.check([cinema]).json()["data"][0]["status"] == "Active"  # third-party: static, as issued


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"voucher_settlement_refs": []}, 400, "SIM-REFS-EMPTY"),
    ({"voucher_settlement_refs": [str(uuid.uuid4()) for _ in range(21)]}, 400, "SIM-REFS-COUNT"),
    ({"voucher_settlement_refs": "abc"}, 400, "SIM-BODY"),
    ({}, 400, "SIM-BODY"),
])
def test_check_vouchers_refusals(v2: V2, body: dict[str, Any], status: int, code: str) -> None:
    response = v2.http.post(f"{v2.base}/catalogs/ETX_001/vouchers/actions/check", json=body, headers=v2.headers())
    assert_failed(response, status, code)


def test_unknown_and_other_clients_refs_are_not_found_all_or_nothing(v2: V2) -> None:
    [mine] = refs(v2.request())
    other_token = v2.token(OTHER.client_id, OTHER.client_secret)
    other_headers = v2.headers(token=other_token, x_id=OTHER.x_client_id, x_secret=OTHER.x_client_secret)
    [theirs] = refs(v2.request(headers={**other_headers, "X-Correlation-Id": str(uuid.uuid4())}))
    unknown = str(uuid.uuid4())
    response = v2.check([mine, theirs, unknown])
    assert_failed(response, 404, "SIM-REF-NOT-FOUND")
    assert [theirs in m["text"] or unknown in m["text"] for m in response.json()["meta"]["messages"]] == [True, True]
    assert_failed(v2.check([mine], product_class="ETX_002"), 404, "SIM-CLASS")


def test_v2_vouchers_are_invisible_to_v3(v2: V2, server: BackgroundServer, http: httpx.Client) -> None:
    from uatcert.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    [ref] = refs(v2.request())
    token = http.post(server.token_url, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                      data={"grant_type": "client_credentials"}).json()["access_token"]
    assert http.get(f"{server.v3_base_url}/vouchers/{ref}", headers={"Authorization": f"Bearer {token}"}
                    ).status_code == 404


# -- defect modes ----------------------------------------------------------------------------------
def test_every_v2_defect_mode_and_code_is_documented() -> None:
    from uatcert.sandbox._v2 import V2_CODES

    docs = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text(encoding="utf-8")
    modes = [m for m in DEFECT_MODES if m.startswith("v2_")]
    assert len(modes) == 7
    for mode in modes:
        assert f"| `{mode}` |" in docs
    assert len(V2_CODES) == len({c.code for c in V2_CODES}) == 26
    for code in V2_CODES:
        assert f"`{code.code}`" in docs, code.code
        assert code.code.startswith("SIM-") or code.code in ("ERV1102", "ERV1202")


def test_defect_client_secret_not_checked(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_client_secret_not_checked")
    assert v2.request(headers=v2.headers(x_secret="wrong", correlation_id=str(uuid.uuid4()))).status_code == 200
    assert_failed(v2.request(headers=v2.headers(x_id="unknown")), 401, "SIM-AUTH-CLIENT")


def test_defect_unknown_product_issued(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_unknown_product_issued")
    response = v2.request("NOSUCH01", "1", {"manual_quantity": 1})
    assert response.json()["data"][0]["voucher_name"] == "$10 NOSUCH01 Voucher"


def test_defect_one_product_fails(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_one_product_fails")
    assert_failed(v2.request(COFFEE, COFFEE_ORDER, {"manual_quantity": 1}), 500, "ERV1202")
    assert sandbox.ledger(api="v2") == []
    assert v2.request().status_code == 200


def test_defect_face_value_as_cents(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_face_value_as_cents")
    response = v2.request(body={"manual_quantity": 1, "face_value": 61.72})
    assert response.json()["data"][0]["voucher_name"] == "$0.62 UNIQGIFT Groceries Voucher"
    assert_failed(v2.request(body={"manual_quantity": 1, "face_value": 0.99}), 400, "SIM-FV-RANGE")


def test_defect_quantity_limit_not_enforced(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_quantity_limit_not_enforced")
    assert len(refs(v2.request(body={"manual_quantity": 21, "face_value": 5}))) == 21
    assert v2.request(body={"manual_quantity": 0, "face_value": 5}).json() == {"meta": {"status": "succeeded"},
                                                                              "data": []}


def test_defect_status_not_updated(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_status_not_updated")
    [ref] = refs(v2.request())
    sandbox.set_voucher_state(ref, "use")
    assert v2.check([ref]).json()["data"][0]["status"] == "Active"


def test_defect_replay_issues_new(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_replay_issues_new")
    key = str(uuid.uuid4())
    assert refs(v2.request(correlation_id=key)) != refs(v2.request(correlation_id=key))
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 2


# -- the catalogue file and the info route ------------------------------------------------------------
def test_info(v2: V2, server: BackgroundServer, http: httpx.Client) -> None:
    info = http.get(f"{server.base_url}/__sandbox/v2/info").json()["data"]
    assert info["base_url"] == f"{server.base_url}/v2" and info["token_url"] == f"{server.base_url}/v2/connect/token"
    assert info["clients"][0] == {"client_id": V2_CLIENT_ID, "x_client_id": V2_X_CLIENT_ID}
    assert len(info["products"]) == 7 and info["product_class"] == "ETX_001"


def test_own_catalogue_file_with_only_the_documented_columns(tmp_path: Path, http: httpx.Client,
                                                             start_sandbox: Callable[..., BackgroundServer]) -> None:
    path = tmp_path / "uat.csv"
    path.write_text("Product Name,Product Code,Order Number,Product Type\n"
                    "$15 Own Voucher,OWN15,202401010001,fixed value-based\n"
                    "Lunch for one,OWNLUNCH,202401010002,product-based\n", encoding="utf-8")
    srv = start_sandbox(v2_catalogue_path=path)
    api = V2(srv, http)
    own = api.request("OWN15", "202401010001", {"manual_quantity": 1}).json()["data"][0]
    assert own["voucher_name"] == "$15 Own Voucher"
    [ref] = refs(api.request("OWNLUNCH", "202401010002", {"manual_quantity": 1}))
    assert api.check([ref]).json()["data"][0]["remaining_value"] == 1
    assert_failed(api.request(), 404, "SIM-PRODUCT")


@pytest.mark.parametrize(("content", "message"), [
    ("product_name,product_code\nA,B\n", "line 1: the header lacks order_number, product_type"),
    ("product_name,product_code,order_number,product_type\nA,B,12x,fixed\n",
     "line 2, column 3 (order_number): '12x' is not a number of digits"),
    ("product_name,product_code,order_number,product_type,expiry_rule\nA,B,1,fixed,weekly\n",
     "line 2, column 5 (expiry_rule)"),
    ("product_name,product_code,order_number,product_type,initial_value\nA,B,1,dynamic,5\n",
     "line 2, column 5 (initial_value): must be empty"),
    ("product_name,product_code,order_number,product_type\nA,B,1,fixed\nC,B,2,fixed\n",
     "line 3, column 2 (product_code): duplicate product code 'B'"),
    ("product_name,product_code,order_number,product_type\n", "line 2: no product rows"),
])
def test_sandbox_catalogue_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="sandbox v2 catalogue") as caught:
        load_v2_catalogue(path)
    assert message in str(caught.value)
    with pytest.raises(ConfigError):
        create_app(SandboxConfig(v2_catalogue_path=path))


def test_duplicate_v2_clients_are_refused() -> None:
    client = SandboxConfig().v2_clients[0]
    with pytest.raises(ValueError, match="duplicate v2 client_id"):
        SandboxConfig(v2_clients=[client, client])
