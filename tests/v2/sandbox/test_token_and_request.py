"""The sandbox's v2 API over real 127.0.0.1 sockets: the token, credentials of voucher calls, Request Vouchers."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.v2.sandbox.support import (
    ACTIVATION,
    ACTIVATION_ORDER,
    CINEMA,
    CINEMA_ORDER,
    COFFEE,
    COFFEE_ORDER,
    DYNAMIC_ORDER,
    FIXED,
    FIXED_ORDER,
    OTHER,
    V2,
    assert_failed,
    refs,
)
from uatcert.sandbox import (
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    V2_SCOPE,
    V2_X_CLIENT_ID,
    BackgroundServer,
    SandboxControl,
)


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
