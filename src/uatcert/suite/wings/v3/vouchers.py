"""
Every v3 voucher the run has seen, and the checks every voucher must pass wherever it is seen.

`VoucherRegister` observes every exchange of the run's v3 clients: each issuance answer (200/207,
delivered or lost in transit) registers its vouchers as issued, the latest answer winning for a voucher
id (a replay is what the client holds last); each code keeps the id it was first seen with, so a code
given to two vouchers shows. The checks compare only documented keys (reference §7.1): the PIN key,
extra keys and, for vouchers whose status is not available (§7.3), status and remaining amount are
UNDOCUMENTED and never compared.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

from uatcert.events import Exchange
from uatcert.suite.checks import Check
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings.v3.checks import voucher_items
from uatcert.v3 import Product, Voucher

REGISTER_KEY = "v3.vouchers"
PLACEHOLDER = "${FV}"
IDENTITY = ("voucher_id", "voucher_code", "product_code", "product_name", "is_value_based",
            "is_status_available", "is_multiple_use", "currency", "name", "expiration", "url", "short_url")
"""Documented keys that must read back as issued (short_url when both sides carry it)."""
MONEY = ("voucher_code", "url", "short_url")
STATE = ("status", "remaining_amount")
"""Documented state keys, compared only where the status is available and nothing changed the voucher."""


class VoucherRegister:
    """An observer of the run's v3 clients; thread-safe, never raises."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: dict[str, dict[str, Any]] = {}
        self._code_owner: dict[str, str] = {}

    def __call__(self, exchange: Exchange) -> None:
        if exchange.api != "v3" or not exchange.issuance or exchange.status not in (200, 207):
            return
        try:
            body = json.loads(exchange.response_body)
        except (ValueError, UnicodeDecodeError):
            return
        with self._lock:
            for item in voucher_items(body):
                voucher_id = str(item.get("voucher_id"))
                self._issued[voucher_id] = item
                code = item.get("voucher_code")
                if isinstance(code, str) and code:
                    self._code_owner.setdefault(code, voucher_id)

    def issued(self, voucher_id: str) -> dict[str, Any] | None:
        """The voucher as the last issuance answer carrying it showed it."""
        with self._lock:
            return self._issued.get(voucher_id)

    def code_owner(self, code: str) -> str | None:
        """The voucher id a code was first seen with."""
        with self._lock:
            return self._code_owner.get(code)


def register(runtime: SuiteRuntime) -> VoucherRegister:
    return runtime.memo(REGISTER_KEY, VoucherRegister)


def amount_texts(cents: int) -> set[str]:
    """How a name may write an amount: 1051 -> {"10.51"}, 15000 -> {"150", "150.00"}, 100000 -> {..., "1,000"}."""
    dollars, rest = divmod(cents, 100)
    if rest:
        return {f"{dollars}.{rest:02d}", f"{dollars:,}.{rest:02d}"}
    return {f"{dollars}", f"{dollars:,}", f"{dollars}.00", f"{dollars:,}.00"}


def check_issued(check: Check, runtime: SuiteRuntime, product: Product, voucher: Voucher,
                 face_value: int | None) -> None:
    """One issued voucher: its code, its product's fields and flags, its value, its name (reference §6, §7)."""
    check.that(bool(voucher.voucher_code.strip()), "a non-empty voucher_code", repr(voucher.voucher_code))
    owner = register(runtime).code_owner(voucher.voucher_code)
    check.that(owner in (None, voucher.voucher_id), "a voucher_code unique across the run",
               f"voucher {voucher.voucher_id} has the code of voucher {owner}")
    check.that(voucher.product_code == product.code, f"product_code {product.code!r}", repr(voucher.product_code))
    if product.name is not None:
        check.that(voucher.product_name == product.name, f"product_name {product.name!r} as listed",
                   repr(voucher.product_name))
    for flag in ("is_value_based", "is_status_available", "is_multiple_use"):
        listed = getattr(product, flag)
        if listed is not None:
            check.that(getattr(voucher, flag) == listed, f"{flag} {listed} as its product", getattr(voucher, flag))
    currency = "SGD" if product.is_value_based else ""
    check.that(voucher.currency == currency, f"currency {currency!r} (is_value_based {product.is_value_based})",
               repr(voucher.currency))
    check.that(voucher.remaining_amount > 0, "a positive remaining_amount", voucher.remaining_amount)
    if product.is_open_value:
        check.that(PLACEHOLDER not in voucher.name, f"a name without the {PLACEHOLDER} placeholder", voucher.name)
        if face_value is not None:
            check.that(voucher.remaining_amount == face_value, f"remaining_amount {face_value} (the face value asked)",
                       voucher.remaining_amount)
            if product.name and PLACEHOLDER in product.name:
                check.that(any(t in voucher.name for t in amount_texts(face_value)),
                           f"a name carrying the amount {sorted(amount_texts(face_value))[0]}", voucher.name)


def check_issuance(check: Check, runtime: SuiteRuntime, product: Product, vouchers: list[Voucher],
                   face_value: int | None) -> None:
    """Every voucher of one answer, and their ids and codes distinct."""
    ids = [v.voucher_id for v in vouchers]
    check.that(len(set(ids)) == len(ids), "distinct voucher ids", f"{len(ids) - len(set(ids))} repeated")
    codes = [v.voucher_code for v in vouchers]
    check.that(len(set(codes)) == len(codes), "distinct voucher codes", f"{len(codes) - len(set(codes))} repeated")
    for voucher in vouchers:
        check_issued(check, runtime, product, voucher, face_value)


def _same(key: str, issued: Any, read: Any) -> bool:
    if key == "expiration" and isinstance(issued, str) and isinstance(read, str):
        try:
            return dt.datetime.fromisoformat(issued) == dt.datetime.fromisoformat(read)
        except ValueError:
            return issued == read
    return bool(issued == read)


def differences(issued: dict[str, Any], read: Voucher, *, state: bool) -> list[str]:
    """The documented keys whose read-back differs from the issued voucher (`state`: status and amount too)."""
    shown = read.model_dump(mode="json")
    keys = [*IDENTITY, *(STATE if state else ())]
    return [_difference(k, "issued", issued.get(k), "read", shown.get(k)) for k in keys
            if not (k == "short_url" and (issued.get(k) is None or shown.get(k) is None))
            and not _same(k, issued.get(k), shown.get(k))]


def _difference(key: str, first: str, a: Any, second: str, b: Any) -> str:
    if key in MONEY:  # never print what gives access to a voucher
        return f"{key} differs"
    return f"{key}: {first} {a!r}, {second} {b!r}"


def same_vouchers(first: list[dict[str, Any]], again: list[Voucher]) -> list[str]:
    """How a replay differs from the original answer: ids, codes, values and expiry (status is not compared)."""
    by_id = {str(v.get("voucher_id")): v for v in first}
    problems = sorted(set(by_id) ^ {v.voucher_id for v in again})
    out = [f"voucher ids differ: {problems}"] if problems else []
    for voucher in again:
        original = by_id.get(voucher.voucher_id)
        if original is None:
            continue
        shown = voucher.model_dump(mode="json")
        for key in ("voucher_code", "remaining_amount", "expiration", "name", "product_code"):
            if not _same(key, original.get(key), shown.get(key)):
                out.append(f"{voucher.voucher_id} " + _difference(key, "first", original.get(key), "replay",
                                                                   shown.get(key)))
    return out
