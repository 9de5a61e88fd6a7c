"""POST /products/{code}: every product kind, every documented 400 code, the validation order."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest

from tests.v3.sandbox.sandbox_support import (
    ACTIVATION,
    COFFEE,
    DINNER,
    FIXED,
    GIFT_CARD,
    LIMITED,
    OPEN,
    OPEN_MULTI,
    THIRD_PARTY,
    Api,
    assert_error,
)

VOUCHER_KEYS = [
    "voucher_code", "voucher_id", "name", "status", "expiration", "currency", "remaining_amount",
    "product_code", "product_name", "is_value_based", "is_status_available", "is_multiple_use",
    "url", "short_url", "short_url_pin",
]


def _issued(api: Api, code: str, body: dict[str, object]) -> list[dict[str, object]]:
    response = api.issue(code, body)
    assert response.status_code == 200, response.text
    assert "idempotency-record" not in response.headers
    data: list[dict[str, object]] = response.json()["data"]
    return data


def test_fixed_value_voucher_has_exactly_the_documented_fields(api: Api) -> None:
    [voucher] = _issued(api, FIXED, {"quantity": 1})
    assert list(voucher) == VOUCHER_KEYS
    assert re.fullmatch(r"UG\d{10}", str(voucher["voucher_code"]))
    assert uuid.UUID(str(voucher["voucher_id"])).version == 4
    assert voucher["name"] == "$10 UNIQGIFT Value Based Test Voucher"
    assert voucher["status"] == "active"
    assert voucher["currency"] == "SGD"
    assert voucher["remaining_amount"] == 1000
    assert voucher["product_code"] == FIXED
    assert voucher["is_value_based"] is True and voucher["is_multiple_use"] is False
    assert str(voucher["url"]).startswith("https://") and str(voucher["short_url"]).startswith("https://")
    assert re.fullmatch(r"\d{4}", str(voucher["short_url_pin"]))
    expiration = datetime.fromisoformat(str(voucher["expiration"]))
    assert expiration.utcoffset() == timedelta(hours=8)
    assert (expiration.date() - datetime.now(expiration.tzinfo).date()).days == 365


@pytest.mark.parametrize(
    ("face_value", "name"),
    [(1051, "$10.51 UNIQGIFT Groceries Voucher"), (15000, "$150 UNIQGIFT Groceries Voucher"),
     (100, "$1 UNIQGIFT Groceries Voucher"), (100000, "$1000 UNIQGIFT Groceries Voucher")],
)
def test_open_value_voucher_carries_the_face_value(api: Api, face_value: int, name: str) -> None:
    [voucher] = _issued(api, OPEN, {"quantity": 1, "face_value": face_value})
    assert voucher["name"] == name
    assert voucher["remaining_amount"] == face_value
    assert voucher["product_name"] == "${FV} UNIQGIFT Groceries Voucher"


def test_product_based_vouchers_count_items(api: Api) -> None:
    [coffee] = _issued(api, COFFEE, {"quantity": 1})
    assert coffee["currency"] == "" and coffee["remaining_amount"] == 5 and coffee["is_value_based"] is False
    [dinner] = _issued(api, DINNER, {"quantity": 1, "face_value": 5000})  # face_value ignored on fixed products
    assert dinner["remaining_amount"] == 1


def test_gift_card_multiple_use_third_party_and_activation_products(api: Api) -> None:
    [card] = _issued(api, GIFT_CARD, {"quantity": 1})
    assert card["is_multiple_use"] is True and card["remaining_amount"] == 5000
    [multi] = _issued(api, OPEN_MULTI, {"quantity": 1, "face_value": 2500})
    assert multi["is_multiple_use"] is True
    [ticket] = _issued(api, THIRD_PARTY, {"quantity": 1})
    assert ticket["is_status_available"] is False
    [inactive] = _issued(api, ACTIVATION, {"quantity": 1})
    assert inactive["status"] == "inactive"


@pytest.mark.parametrize("quantity", [1, 20])
def test_quantity_bounds_issue_that_many_unique_vouchers(api: Api, quantity: int) -> None:
    vouchers = _issued(api, FIXED, {"quantity": quantity})
    assert len(vouchers) == quantity
    assert len({v["voucher_id"] for v in vouchers}) == len({v["voucher_code"] for v in vouchers}) == quantity
    [entry] = api.ctl.ledger()
    assert entry["quantity"] == quantity and entry["voucher_ids"] == [v["voucher_id"] for v in vouchers]


def test_ledger_entry_records_the_issuance(api: Api) -> None:
    key = str(uuid.uuid4())
    response = api.issue(OPEN, {"quantity": 2, "face_value": 1051}, key=key)
    [entry] = api.ctl.ledger()
    assert entry["seq"] == 1 and entry["api"] == "v3" and entry["client_id"] == "uatcert-sandbox"
    assert entry["idempotency_key"] == key and entry["product_code"] == OPEN
    assert entry["quantity"] == 2 and entry["face_value"] == 1051 and entry["http_status"] == 200
    assert entry["voucher_ids"] == [v["voucher_id"] for v in response.json()["data"]]
    assert entry["request_id"] == response.headers["x-request-id"]
    assert datetime.fromisoformat(entry["time"]).tzinfo is not None


# -- documented 400 codes ---------------------------------------------------------------------------
@pytest.mark.parametrize("key", [None, ""], ids=["absent", "empty"])
def test_missing_key_is_400_9A0(api: Api, key: str | None) -> None:
    headers = {"Idempotency-Key": key} if key is not None else None
    assert_error(api.issue(FIXED, {"quantity": 1}, key=None, headers=headers), 400, "400-9A0")


@pytest.mark.parametrize("key", ["abc", "12345678-1234-1234-1234-12345678901", "{" + "0" * 32 + "}", "g" * 36])
def test_non_uuid_key_is_400_BB4(api: Api, key: str) -> None:
    assert_error(api.issue(FIXED, {"quantity": 1}, key=key), 400, "400-BB4")


def test_any_textual_uuid_version_is_accepted_as_key(api: Api) -> None:
    assert api.issue(FIXED, {"quantity": 1}, key="6FA459EA-EE8A-3CA4-894E-DB77E160355E").status_code == 200


@pytest.mark.parametrize(
    "content",
    [b"{", b"not json", b'{"quantity": 2,}', b"[1]", b'"text"', b"null", b'{"quantity": "2"}',
     b'{"quantity": true}', b'{"quantity": [1]}', b'{"quantity": 1, "face_value": "5000"}',
     b'{"quantity": NaN}', b"\xff\xfe\x00", b"[" * 100_000],
    ids=["truncated", "text", "trailing-comma", "array", "string", "null", "quantity-string", "quantity-bool",
         "quantity-array", "face-value-string", "nan", "binary", "deep-nesting"],
)
def test_unparsable_body_or_wrong_types_is_400_4C3(api: Api, content: bytes) -> None:
    assert_error(api.issue(OPEN, content=content), 400, "400-4C3")


@pytest.mark.parametrize(
    "body",
    [None, {}, {"quantity": None}, {"quantity": 0}, {"quantity": 21}, {"quantity": -1}, {"quantity": 2.5},
     {"quantity": 2.0}, {"quantity": 10**30}, {"face_value": 1000}],
    ids=["empty-body", "empty-object", "null", "zero", "21", "negative", "fraction", "float", "huge", "missing"],
)
def test_bad_quantity_is_400_5DC(api: Api, body: object) -> None:
    assert_error(api.issue(FIXED, body, content=None if body is not None else b""), 400, "400-5DC")


@pytest.mark.parametrize(
    "face_value",
    [None, 99, 100001, 0, -100, 10.5, 1000.0],
    ids=["missing", "99", "100001", "0", "neg", "10.5", "float"],
)
def test_bad_face_value_on_open_value_is_400_056(api: Api, face_value: object) -> None:
    body: dict[str, object] = {"quantity": 1}
    if face_value is not None:
        body["face_value"] = face_value
    assert_error(api.issue(OPEN, body), 400, "400-056")


def test_stock_is_all_or_nothing_400_0C6(api: Api) -> None:
    assert api.ctl.stock(LIMITED) == 5
    assert_error(api.issue(LIMITED, {"quantity": 6}), 400, "400-0C6")
    assert api.ctl.stock(LIMITED) == 5
    assert len(_issued(api, LIMITED, {"quantity": 3})) == 3
    assert api.ctl.stock(LIMITED) == 2
    assert_error(api.issue(LIMITED, {"quantity": 3}), 400, "400-0C6")
    assert len(_issued(api, LIMITED, {"quantity": 2})) == 2
    assert_error(api.issue(LIMITED, {"quantity": 1}), 400, "400-0C6")
    assert api.ctl.stock(LIMITED) == 0
    assert api.ctl.stock(FIXED) is None
    assert len(api.ctl.ledger(product_code=LIMITED)) == 2


def test_unknown_product_is_404_and_nothing_issued(api: Api) -> None:
    assert_error(api.issue("NOSUCHCODE01", {"quantity": 1}), 404, "404-F01")
    assert api.ctl.ledger() == []


def test_errors_issue_nothing(api: Api) -> None:
    api.issue(FIXED, {"quantity": 21})
    api.issue(OPEN, {"quantity": 1, "face_value": 99})
    api.issue(FIXED, {"quantity": 1}, key=None)
    api.issue(FIXED, content=b"{")
    assert api.ctl.ledger() == []


# -- validation order: token/scope -> key present -> UUID -> replay -> JSON -> product -> quantity -> face value
# -> stock ------------------------------------------------------------------------------------------------------
def test_order_token_before_key(api: Api) -> None:
    assert_error(api.issue(FIXED, {"quantity": 0}, key=None, token="bad"), 401, "401-F02")


def test_order_scope_before_key(api: Api) -> None:
    token = api.token(scope="client_v3_uat/read_catalogue")
    assert_error(api.issue(FIXED, {"quantity": 0}, key=None, token=token), 403, "403-F01")


def test_order_key_present_before_body(api: Api) -> None:
    assert_error(api.issue("NOSUCH", content=b"{", key=None), 400, "400-9A0")


def test_order_key_format_before_body(api: Api) -> None:
    assert_error(api.issue("NOSUCH", content=b"{", key="nope"), 400, "400-BB4")


def test_order_json_before_product(api: Api) -> None:
    assert_error(api.issue("NOSUCH", content=b'{"quantity": "1"}'), 400, "400-4C3")


def test_order_product_before_quantity(api: Api) -> None:
    assert_error(api.issue("NOSUCH", {"quantity": 0}), 404, "404-F01")


def test_order_quantity_before_face_value(api: Api) -> None:
    assert_error(api.issue(OPEN, {"quantity": 0, "face_value": 1}), 400, "400-5DC")


def test_order_face_value_before_stock(api: Api) -> None:
    assert_error(api.issue(OPEN, {"quantity": 20, "face_value": 1}), 400, "400-056")
    assert_error(api.issue(LIMITED, {"quantity": 6, "face_value": 1}), 400, "400-0C6")  # ignored on fixed


def test_order_replay_before_json_and_stock(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.issue(LIMITED, {"quantity": 5}, key=key)
    assert first.status_code == 200 and api.ctl.stock(LIMITED) == 0
    replay = api.issue(LIMITED, {"quantity": 5}, key=key)
    assert replay.status_code == 200 and replay.content == first.content  # not 400-0C6
    assert_error(api.issue(LIMITED, content=b"{", key=key), 422, "422-F01")  # lookup before JSON parse
