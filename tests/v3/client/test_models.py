"""Body tolerance where the reference says UNDOCUMENTED, strictness where it documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from uatcert.v3 import Product, ResponseValidationError, Voucher

from .fakes import FakeApi, MakeClient, product_json, reply, voucher_json

VID = "1b5a607b-e5eb-4b17-80b0-5739c041e81b"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda items: {"data": items},
        lambda items: items,
        lambda items: {"products": items},
        lambda items: {"data": {"products": items}},
        lambda items: {"meta": {"status": "succeeded"}, "data": items},
    ],
    ids=["data", "bare", "plural-key", "nested", "v2-style-meta"],
)
def test_catalogue_envelope_tolerated(make_client: MakeClient, api: FakeApi, wrap: Any) -> None:
    api.queue(reply(200, wrap([product_json(code="A"), product_json(code="B")])))
    assert [p.code for p in make_client().products()] == ["A", "B"]


@pytest.mark.parametrize(
    "wrap",
    [lambda v: {"data": v}, lambda v: v, lambda v: {"data": [v]}, lambda v: [v], lambda v: {"voucher": v}],
    ids=["data", "bare", "data-list-of-one", "bare-list-of-one", "named"],
)
def test_single_voucher_envelope_tolerated(make_client: MakeClient, api: FakeApi, wrap: Any) -> None:
    api.queue(reply(200, wrap(voucher_json(voucher_id=VID))))
    assert make_client().voucher(VID).voucher_id == VID


def test_unknown_keys_are_kept_not_rejected() -> None:
    voucher = Voucher.model_validate(voucher_json(issued_at="2024-01-01T00:00:00Z", face_value=5000))
    assert voucher.model_extra == {"issued_at": "2024-01-01T00:00:00Z", "face_value": 5000}
    product = Product.model_validate(product_json(image="x.png", expiry_scheme={"days": 30}))
    assert product.model_extra == {"image": "x.png", "expiry_scheme": {"days": 30}}


@pytest.mark.parametrize(("pin", "expected"), [("2708", "2708"), (2708, "2708"), ("0042", "0042"), (None, None)])
def test_pin_string_or_number(pin: Any, expected: str | None) -> None:
    assert Voucher.model_validate(voucher_json(short_url_pin=pin)).short_url_pin == expected


def test_pin_and_short_url_optional() -> None:
    body = voucher_json()
    del body["short_url"], body["short_url_pin"]
    voucher = Voucher.model_validate(body)
    assert voucher.short_url is None and voucher.short_url_pin is None


def test_voucher_fields_typed() -> None:
    voucher = Voucher.model_validate(voucher_json(voucher_id=VID.upper()))
    assert voucher.expiration == dt.datetime(2030, 10, 12, 22, 59, 59, tzinfo=dt.UTC)
    assert voucher.uuid.hex == VID.replace("-", "")
    assert voucher.voucher_id == VID.upper()
    assert voucher.remaining_amount == 5000


def test_secrets_not_in_voucher_repr() -> None:
    text = repr(Voucher.model_validate(voucher_json()))
    for secret in ("UG2884133732", "AMJSHc0M2d0", "2708", "vouchers.test.invalid"):
        assert secret not in text


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"voucher_id": "not-a-uuid"}, "voucher_id"),
        ({"voucher_id": 12}, "voucher_id"),
        ({"status": "Active"}, "status"),
        ({"status": "trashed"}, "status"),
        ({"status": 1}, "status"),
        ({"expiration": "2030-10-12T22:59:59"}, "expiration"),
        ({"expiration": "tomorrow"}, "expiration"),
        ({"expiration": 1900000000}, "expiration"),
        ({"remaining_amount": "5000"}, "remaining_amount"),
        ({"remaining_amount": 50.5}, "remaining_amount"),
        ({"currency": None}, "currency"),
        ({"is_value_based": "true"}, "is_value_based"),
        ({"is_status_available": 1}, "is_status_available"),
        ({"is_multiple_use": None}, "is_multiple_use"),
        ({"short_url_pin": 27.08}, "short_url_pin"),
        ({"short_url_pin": True}, "short_url_pin"),
    ],
)
def test_strict_failures_name_the_field(
    make_client: MakeClient, api: FakeApi, override: dict[str, Any], path: str
) -> None:
    api.queue(reply(200, {"data": voucher_json(**override)}))
    with pytest.raises(ResponseValidationError) as caught:
        make_client().voucher(VID)
    assert caught.value.paths == [f"$.data.{path}"]
    assert f"$.data.{path}" in str(caught.value)
    assert "pydantic" not in str(caught.value).lower()
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_missing_documented_key_rejected(make_client: MakeClient, api: FakeApi) -> None:
    body = voucher_json()
    del body["voucher_id"]
    api.queue(reply(200, {"data": [voucher_json(), body]}))
    with pytest.raises(ResponseValidationError) as caught:
        make_client().issue("P", 2, idempotency_key=VID)
    assert caught.value.paths == ["$.data[1].voucher_id"]


def test_non_json_success_body(make_client: MakeClient, api: FakeApi) -> None:
    api.queue(reply(200, b"<html></html>"))  # the other bodies: tests/http/test_parsing.py
    with pytest.raises(ResponseValidationError, match="not JSON"):
        make_client().products()


@pytest.mark.parametrize("body", [{"data": "nope"}, {"count": 3}, 42, "text"])
def test_catalogue_without_a_list(make_client: MakeClient, api: FakeApi, body: Any) -> None:
    api.queue(reply(200, body))
    with pytest.raises(ResponseValidationError):
        make_client().products()


def test_product_code_under_either_key() -> None:
    assert Product.model_validate({"product_code": "X1"}).code == "X1"
    assert Product.model_validate({"code": "X2"}).code == "X2"
    with pytest.raises(ValueError, match="code"):
        Product.model_validate({"name": "no code"})


def test_product_optional_fields() -> None:
    product = Product.model_validate({"code": "X"})
    assert product.name is None and product.is_open_value is None and product.is_multiple_use is None
    assert product.kind == "unknown"


@pytest.mark.parametrize(
    ("flags", "kind"),
    [
        ({"is_value_based": True, "is_open_value": True}, "open value"),
        ({"is_value_based": True, "is_open_value": False}, "fixed value"),
        ({"is_value_based": False, "is_open_value": False}, "product based"),
        ({"is_value_based": False, "is_open_value": True}, "product based"),
        ({"is_value_based": True, "is_open_value": False, "name": "$50 UNIQGIFT eGift Card"}, "gift card"),
        ({"is_value_based": True, "is_open_value": False, "name": "UNIQGIFT Card $10"}, "fixed value"),
        ({"is_value_based": True, "is_open_value": False, "type": "super_voucher"}, "gift card"),
        ({"is_value_based": True, "is_open_value": False, "is_gift_card": True}, "gift card"),
        ({"is_open_value": True}, "open value"),
        ({"is_value_based": True}, "unknown"),
    ],
)
def test_product_kind(flags: dict[str, Any], kind: str) -> None:
    assert Product.model_validate({"code": "X", **flags}).kind == kind


def test_product_flags_strict_when_present() -> None:
    with pytest.raises(ValueError, match="is_open_value"):
        Product.model_validate({"code": "X", "is_open_value": "yes"})


def test_product_multiple_use_and_face_value() -> None:
    product = Product.model_validate(product_json(is_multiple_use=True, is_open_value=False, face_value=1000))
    assert product.is_multiple_use is True
    assert product.face_value == 1000
    assert product.needs_face_value is False
