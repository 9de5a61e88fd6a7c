"""Helpers of the v2 step modules (the steps they share are in this folder's conftest.py)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx

from uatcert.suite.checks import body_json
from uatcert.suite.wings.v2.issued import IssuedV2Vouchers
from uatcert.v2 import CatalogueEntry, CatalogueFile, V2Client

DEFAULT_FACE_VALUE = Decimal("50.00")
"""Face value (SGD) of dynamic value-based products where the amount is not the point."""


def face_value_for(product: CatalogueEntry) -> Decimal | None:
    return DEFAULT_FACE_VALUE if product.is_dynamic else None


def request_body(quantity: int | None, face_value: Decimal | str | None, **extra: Any) -> bytes:
    """A Request Vouchers body written by hand (amounts kept exactly as given, e.g. 1000.01)."""
    parts = [f'"distribution_mode":{json.dumps(extra.pop("distribution_mode", "manual"))}']
    if quantity is not None:
        parts.insert(0, f'"manual_quantity":{quantity}')
    if face_value is not None:
        parts.append(f'"face_value":{face_value}')
    parts.extend(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in extra.items())
    return ("{" + ",".join(parts) + "}").encode()


def envelope_status(response: httpx.Response) -> str | None:
    body = body_json(response)
    meta = body.get("meta") if isinstance(body, dict) else None
    status = meta.get("status") if isinstance(meta, dict) else None
    return status if isinstance(status, str) else None


def messages_of(response: httpx.Response) -> list[dict[str, Any]]:
    body = body_json(response)
    meta = body.get("meta") if isinstance(body, dict) else None
    messages = meta.get("messages") if isinstance(meta, dict) else None
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def data_of(response: httpx.Response) -> list[object]:
    """The entries of an answer's `data` list (none when the body has no such list)."""
    body = body_json(response)
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, list) else []


def vouchers_in(response: httpx.Response) -> list[dict[str, Any]]:
    """Voucher objects of an answer: entries of `data` carrying a settlement ref."""
    return [v for v in data_of(response) if isinstance(v, dict) and "voucher_settlement_ref" in v]


def amount_renderings(amount: Decimal) -> list[str]:
    """How a voucher name may show an amount (UNDOCUMENTED rule): `$61.72`; `$50` or `$50.00`; `$1,000`."""
    amount = amount.quantize(Decimal("0.01"))
    texts = [f"{amount:.2f}", f"{amount:,.2f}"]
    if amount == amount.to_integral_value():
        texts += [f"{amount:.0f}", f"{amount:,.0f}"]
    return sorted(set(texts), key=len, reverse=True)


def names_amount(name: str, amount: Decimal) -> bool:
    """True when a voucher name shows exactly `amount` in dollars (`$61.72`, `$50`, `$1,000.00`, ...)."""
    return any(re.search(rf"\$\s?{re.escape(text)}(?![\d.,]*\d)", name) for text in amount_renderings(amount))


def as_template(name: str, template: str, amount: Decimal) -> bool:
    """True when the name is the catalogue name with `${FV}` replaced by the amount (the documented example)."""
    return "${FV}" in template and any(
        name == template.replace("${FV}", f"${text}") for text in amount_renderings(amount)
    )


def first_voucher_ref(issued: IssuedV2Vouchers, client: V2Client, catalogue: CatalogueFile) -> str:
    """A settlement ref issued in the run, issuing one voucher when there is none yet."""
    vouchers = issued.all()
    if vouchers:
        return vouchers[0].settlement_ref
    product = (catalogue.dynamic or list(catalogue.products))[0]
    return client.request_vouchers(product.code, product.order_number, 1, face_value_for(product)).settlement_refs[0]

