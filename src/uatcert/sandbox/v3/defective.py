"""How the v3 routes misbehave in the defect modes that change an answer after it was built (`defects`)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from uatcert.sandbox._http import dumps
from uatcert.sandbox._idempotency import fingerprint
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox._vouchers import rfc3339, unique_code
from uatcert.sandbox.v3 import defects as d
from uatcert.sandbox.v3.catalogue import CatalogueProduct
from uatcert.sandbox.v3.state import V3State
from uatcert.sandbox.v3.vouchers import Voucher

CAPPED_QUANTITY = 10
DRIFT_AFTER_LISTINGS = 1


def request_fingerprint(st: SandboxState, code: str, body: bytes) -> str:
    """The idempotency fingerprint; the mismatch defects leave the product code or the face value out."""
    if st.defective(d.MISMATCH_PRODUCT_REPLAYS):
        code = ""
    if st.defective(d.MISMATCH_FACE_VALUE_REPLAYS):
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict):
            parsed.pop("face_value", None)
            body = json.dumps(parsed).encode()
    return fingerprint("POST", code, body)


def listed(st: SandboxState, v3: V3State) -> list[CatalogueProduct]:
    """The products GET /products lists: all, except the last one after the first listing (catalogue_drift)."""
    v3.listings += 1
    products = list(v3.catalogue.products)
    if st.defective(d.CATALOGUE_DRIFT) and v3.listings > DRIFT_AFTER_LISTINGS and len(products) > 1:
        return products[:-1]
    return products


def looked_up(st: SandboxState, v3: V3State, product: CatalogueProduct) -> CatalogueProduct:
    """The product GET /products/{code} answers with: the next one of the catalogue (product_lookup_other)."""
    if not st.defective(d.PRODUCT_LOOKUP_OTHER) or len(v3.catalogue.products) < 2:
        return product
    products = v3.catalogue.products
    return products[(products.index(product) + 1) % len(products)]


def issued_quantity(st: SandboxState, quantity: int) -> int:
    return min(quantity, CAPPED_QUANTITY) if st.defective(d.QUANTITY_CAPPED) else quantity


def stock_exceeded(st: SandboxState, quantity: int, stock: int | None) -> bool:
    return stock is not None and quantity > stock and not st.defective(d.STOCK_NOT_ENFORCED)


def alter_new_vouchers(st: SandboxState, v3: V3State, product: CatalogueProduct, vouchers: list[Voucher]) -> None:
    """The issuance defects that spoil the vouchers themselves (codes, flags, names)."""
    if not vouchers:
        return
    if st.defective(d.EMPTY_VOUCHER_CODE) and not product.is_value_based:
        for voucher in vouchers:
            _recode(voucher, "")
    if st.defective(d.DUPLICATE_VOUCHER_CODES) and not product.is_value_based and v3.last_voucher_code:
        _recode(vouchers[0], v3.last_voucher_code)
    if st.defective(d.VOUCHER_FLAGS_WRONG) and product.is_multiple_use and product.is_value_based \
            and not product.is_open_value:
        for voucher in vouchers:
            voucher.snapshot["is_multiple_use"] = False
    if st.defective(d.FV_PLACEHOLDER_KEPT) and product.is_open_value and vouchers[0].remaining_amount % 100:
        for voucher in vouchers:
            voucher.name = product.name
            voucher.snapshot["name"] = product.name
    v3.last_voucher_code = vouchers[-1].voucher_code


def _recode(voucher: Voucher, code: str) -> None:
    voucher.voucher_code = code
    voucher.snapshot["voucher_code"] = code


def recoded_replay(st: SandboxState, v3: V3State, body: bytes) -> bytes:
    """A replay's body; replay_new_codes gives its vouchers new codes (the stored vouchers take them too)."""
    if not st.defective(d.REPLAY_NEW_CODES):
        return body
    payload = json.loads(body)
    for item in payload.get("data", []):
        voucher = v3.vouchers.get(str(item.get("voucher_id")))
        if voucher is not None:
            _recode(voucher, unique_code(v3.voucher_codes))
            item["voucher_code"] = voucher.voucher_code
    return dumps(payload)


def read_view(st: SandboxState, voucher: Voucher, view: dict[str, Any], *, batch: bool) -> dict[str, Any]:
    """A voucher as a read answers it; value_changed_on_read / batch_fields_altered spoil single / batch reads."""
    product = voucher.product
    if st.defective(d.VOUCHER_FLAGS_WRONG) and product.is_multiple_use and product.is_value_based \
            and not product.is_open_value:
        view = {**view, "is_multiple_use": False}
    if not product.is_status_available:
        return view
    if not batch and st.defective(d.VALUE_CHANGED_ON_READ):
        return {**view, "remaining_amount": view["remaining_amount"] + 100}
    if batch and st.defective(d.BATCH_FIELDS_ALTERED):
        later = rfc3339(voucher.expiration + timedelta(days=1))
        return {**view, "expiration": later, "name": f"{view['name']} (batch)"}
    return view


def body_replayed(st: SandboxState, v3: V3State, client_id: str, code: str, body: bytes) -> tuple[int, bytes] | None:
    """identical_body_replays: the answer of the client's previous issuance when this one repeats it."""
    if not st.defective(d.IDENTICAL_BODY_REPLAYS) or v3.last_issuance is None:
        return None
    last_client, last_fp, status, content, quantity = v3.last_issuance
    if last_client == client_id and last_fp == fingerprint("POST", code, body) and quantity >= 2:
        return status, content
    return None


def remember_issuance(
    v3: V3State, client_id: str, code: str, body: bytes, status: int, content: bytes, quantity: int
) -> None:
    v3.last_issuance = (client_id, fingerprint("POST", code, body), status, content, quantity)
