"""The v3 client against the real embedded sandbox over 127.0.0.1: endpoints and documented errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from uatcert.sandbox import READONLY_CLIENT_ID, READONLY_CLIENT_SECRET
from uatcert.v3 import (
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
    new_idempotency_key,
)
from uatcert.v3._exceptions import make_status_error
from uatcert.v3._parsing import parse_error_body

from .conftest import Live
from .live_support import (
    FIXED,
    GIFT,
    ITEMS,
    NEEDS_ACTIVATION,
    NO_STATUS,
    OPEN,
    STOCKED,
    code_of,
    ledger_ids,
)

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
    many = ",".join(str(uuid.UUID(int=n)) for n in range(1, 22))  # fixed ids: the same test ids in every run
    same = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"
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
