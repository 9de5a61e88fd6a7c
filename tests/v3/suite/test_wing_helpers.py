"""The v3 wing's product picking, voucher checks and expected-catalogue setting, without a server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from uatcert.config import Settings, V3Settings
from uatcert.events import Exchange
from uatcert.suite.checks import Check
from uatcert.suite.findings import Nonconformance
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings.v3.picking import choose
from uatcert.suite.wings.v3.vouchers import (
    VoucherRegister,
    amount_texts,
    check_issued,
    differences,
    register,
    same_vouchers,
)
from uatcert.v3 import Product, Voucher


def product(code: str, **flags: Any) -> Product:
    base = {"code": code, "name": f"{code} name", "is_value_based": True, "is_open_value": False,
            "is_status_available": True, "is_multiple_use": False, "face_value": 1000}
    return Product.model_validate({**base, **flags})


def voucher(**fields: Any) -> dict[str, Any]:
    base = {"voucher_id": "1b5a607b-e5eb-4b17-80b0-5739c041e81b", "voucher_code": "UG0000000001",
            "name": "$50 Groceries", "status": "active", "expiration": "2030-10-12T22:59:59+00:00",
            "currency": "SGD", "remaining_amount": 5000, "product_code": "OPEN", "product_name": "${FV} Groceries",
            "is_value_based": True, "is_status_available": True, "is_multiple_use": False,
            "url": "https://v.invalid/x", "short_url": "https://s.invalid/y", "short_url_pin": "0042"}
    return {**base, **fields}


def test_choose_prefers_open_value_then_fixed_value_then_product_based() -> None:
    fixed, open_, items = product("F"), product("O", is_open_value=True, face_value=None), product(
        "P", is_value_based=False, currency="")
    assert choose([items, fixed, open_]) == open_
    assert choose([items, fixed]) == fixed
    assert choose([items]) == items
    assert choose([product("X", is_open_value=None)]) is None  # unclassified: never chosen


def test_choose_prefers_unlimited_stock_and_rereads_a_limited_one() -> None:
    limited = product("L", is_open_value=True, face_value=None, available_stock=30)
    unlimited = product("U")
    assert choose([limited, unlimited]) == limited  # open-value first, and its listed stock suffices
    used_up = [product("L", is_open_value=True, face_value=None, available_stock=1)]
    assert choose([limited, unlimited], quantity=2, current=lambda: used_up) == unlimited
    status_first = [product("S", is_status_available=False), product("T")]
    assert choose(status_first).code == "T"  # type: ignore[union-attr]
    assert choose([limited, unlimited], exclude={"L", "U"}) is None


def test_amount_texts() -> None:
    assert amount_texts(1051) >= {"10.51"}
    assert {"150", "150.00"} <= amount_texts(15000)
    assert "1,000" in amount_texts(100000)


def _check_one(fields: dict[str, Any], prod: Product, face_value: int | None = 5000) -> None:
    runtime = SuiteRuntime(Settings())
    check_issued(Check("ISS-EVERY"), runtime, prod, Voucher.model_validate(fields), face_value)


OPEN = product("OPEN", name="${FV} Groceries", is_open_value=True, face_value=None)


def test_check_issued_accepts_a_consistent_voucher() -> None:
    _check_one(voucher(), OPEN)


@pytest.mark.parametrize(("fields", "problem"), [
    ({"voucher_code": ""}, "non-empty voucher_code"),
    ({"name": "${FV} Groceries"}, "placeholder"),
    ({"name": "Groceries for $49"}, "carrying the amount"),
    ({"is_multiple_use": True}, "is_multiple_use"),
    ({"product_name": "Other"}, "product_name"),
    ({"currency": ""}, "currency"),
    ({"remaining_amount": 4900}, "remaining_amount 5000"),
])
def test_check_issued_finds_each_inconsistency(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(Nonconformance, match=problem.replace("$", r"\$")):
        _check_one(voucher(**fields), OPEN)


def test_the_register_keeps_the_last_answer_and_the_first_owner_of_a_code() -> None:
    runtime = SuiteRuntime(Settings())
    seen = register(runtime)
    assert isinstance(seen, VoucherRegister) and register(runtime) is seen
    first = voucher()
    again = voucher(voucher_code="UG0000000002")
    for body in ({"data": [first]}, {"data": [again]}):
        seen(Exchange("v3", "POST", "u", {}, b"", "lost_response", 200, response_body=json.dumps(body).encode(),
                      issuance=True))
    assert seen.issued(first["voucher_id"]) == again
    assert seen.code_owner("UG0000000001") == first["voucher_id"]
    other = voucher(voucher_id="2b5a607b-e5eb-4b17-80b0-5739c041e81b")
    with pytest.raises(Nonconformance, match="unique across the run"):
        check_issued(Check("ISS-EVERY"), runtime, OPEN, Voucher.model_validate(other), 5000)


def test_differences_compare_documented_keys_only() -> None:
    read = Voucher.model_validate(voucher(short_url_pin="9999", extra="x", expiration="2030-10-13T06:59:59+08:00"))
    assert differences(voucher(), read, state=True) == []
    changed = Voucher.model_validate(voucher(remaining_amount=1, status="used", voucher_code="UG9"))
    assert differences(voucher(), changed, state=False) == ["voucher_code differs"]
    assert len(differences(voucher(), changed, state=True)) == 3


def test_same_vouchers_names_what_a_replay_changed() -> None:
    replay = [Voucher.model_validate(voucher(voucher_code="UG2", status="used"))]
    assert same_vouchers([voucher()], replay) == [f"{voucher()['voucher_id']} voucher_code differs"]
    assert same_vouchers([voucher()], [Voucher.model_validate(voucher(status="used"))]) == []


def test_expected_products_setting() -> None:
    assert V3Settings(expected_products=" A1, B 2 ,,A1").expected_codes == ["A1", "B 2"]
    assert V3Settings().expected_codes == []
