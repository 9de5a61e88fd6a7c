"""Helpers of the v2 step modules (the steps they share are in this folder's conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import httpx

from uatcert.suite.checks import Check, body_json
from uatcert.suite.wings.v2.issued import IssuedV2Voucher, IssuedV2Vouchers
from uatcert.v2 import CatalogueEntry, CatalogueFile, CheckedVoucher, V2Client, parse_issue_date

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


def amount_named(name: str, template: str) -> Decimal | None:
    """The amount a dynamic voucher's name shows where the catalogue name has `${FV}` (`$61.72`, `$1,000`),
    None when the name does not follow the catalogue name or shows no amount there."""
    head, placeholder, tail = template.partition("${FV}")
    if not placeholder or not (name.startswith(head) and name.endswith(tail)) or len(name) < len(head + tail):
        return None
    match = re.fullmatch(r"(?:SGD\s?)?\$\s?(\d[\d,]*(?:\.\d{1,2})?)", name[len(head):len(name) - len(tail)].strip())
    return Decimal(match.group(1).replace(",", "")) if match else None


FIXED_TYPES = ("fixed value-based", "convertible")
"""Product types of a fixed value (convertible gift cards carry one, reference §7.2)."""


def stock_of(product: CatalogueEntry) -> int | None:
    """The stock the catalogue file gives the product (an optional column), None when it says nothing."""
    text = product.extra.get("stock", "").strip()
    return int(text) if text.isdigit() else None


def pick_product(catalogue: CatalogueFile, issued: IssuedV2Vouchers, quantity: int, *, tracked: bool = False,
                 dynamic: bool = False, other_than: str | None = None) -> CatalogueEntry | None:
    """
    The product of the catalogue file that fits a scenario that issues `quantity` vouchers: dynamic
    value-based when there is one, else fixed value, else any; unlimited stock before limited (as the
    file says), and never one whose stock the run may have used up; third-party products (status
    UNDOCUMENTED, proposed static) and products issued inactive last, and left out when `tracked`
    (the voucher's state must follow what happens to it). File order breaks ties. None: nothing fits.
    """
    received = issued.per_product()

    def left(product: CatalogueEntry) -> int | None:
        stock = stock_of(product)
        return None if stock is None else stock - received[product.code]

    def static(product: CatalogueEntry) -> bool:
        activation = product.extra.get("needs_activation", "").strip().lower() in ("true", "yes", "1")
        return product.product_type == "third-party" or activation

    fits = [p for p in catalogue.products
            if p.code != other_than and (left(p) is None or (left(p) or 0) >= quantity)
            and (p.is_dynamic or not dynamic) and not (tracked and static(p))]

    def rank(product: CatalogueEntry) -> tuple[int, bool, bool, int]:
        kind = 0 if product.is_dynamic else 1 if product.product_type in FIXED_TYPES else 2
        remaining = left(product)
        return kind, static(product), remaining is not None, -(remaining or 0)

    return min(fits, key=rank) if fits else None


def voucher_ref_for_checks(issued: IssuedV2Vouchers, client: V2Client, catalogue: CatalogueFile) -> str:
    """A settlement ref issued in the run, issuing one voucher (of a product that fits) when there is none yet."""
    vouchers = issued.all()
    if vouchers:
        return vouchers[0].settlement_ref
    product = pick_product(catalogue, issued, 1)
    if product is None:
        raise LookupError("no product of the catalogue file has stock left for one voucher")
    return client.request_vouchers(product.code, product.order_number, 1, face_value_for(product)).settlement_refs[0]


def compare_checked(checked: list[CheckedVoucher], issued: list[IssuedV2Voucher], check: Check,
                    changed: set[str] | None = None) -> None:
    """
    Check Vouchers' entries compared with the vouchers as issued, on the documented fields: every voucher
    reported; unless the run changed it at the provider, its status as issued (or `Expired` once its date
    has passed) and its expiry date as issued (or earlier once expired).
    """
    by_ref = {c.voucher_settlement_ref: c for c in checked}
    today = dt.datetime.now(dt.UTC).date()
    for voucher in issued:
        entry = by_ref.get(voucher.settlement_ref)
        check.that(entry is not None, "every voucher asked reported", f"{voucher.settlement_ref} missing")
        assert entry is not None
        if voucher.settlement_ref in (changed or set()):
            continue
        at_issuance = parse_issue_date(voucher.expiration_date).date()
        check.that(entry.expiration_date <= at_issuance,
                   f"expiry date {at_issuance} (as issued), or earlier once expired",
                   f"{voucher.settlement_ref}: {entry.expiration_date}")
        expired = entry.expiration_date < today and entry.status == "Expired"
        check.that(entry.status == voucher.status or expired, f"status {voucher.status!r} as issued",
                   f"{voucher.settlement_ref}: {entry.status!r}")
