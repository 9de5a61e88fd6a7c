"""Steps shared by several v2 features: products of the catalogue file, refusals, "nothing issued"."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx
from pytest_bdd import given, parsers, then

from steps.common import not_applicable, note
from uatcert.suite.checks import Check, body_json
from uatcert.suite.fixtures_v2 import IssuedV2Vouchers, V2IssuanceWitness
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


# -- products ------------------------------------------------------------------------------------
@given("a dynamic value-based product of the catalogue file", target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile) -> CatalogueEntry:
    products = v2_catalogue.dynamic
    if not products:
        not_applicable("the catalogue file has no dynamic value-based product")
    return products[0]


@given(parsers.parse('the product "{code}" of the catalogue file'), target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile, code: str) -> CatalogueEntry:
    product = v2_catalogue.get(code)
    if product is None:
        raise LookupError(f"product {code} vanished from the catalogue file read at collection time")
    return product


# -- refusals ------------------------------------------------------------------------------------
@then("the request is refused as failed")
def _(v2_refusal: httpx.Response, check: Check) -> None:
    """A client error with the documented failure envelope (status and code UNDOCUMENTED: recorded)."""
    check.that(400 <= v2_refusal.status_code < 500, "a refusal as a client error",
               f"HTTP {v2_refusal.status_code} {v2_refusal.text[:120]}")
    status = envelope_status(v2_refusal)
    check.that(status == "failed", 'meta.status "failed"', f"meta.status {status!r}")
    messages = messages_of(v2_refusal)
    check.that(bool(messages), "at least one message in meta.messages", "no message")
    note("refusal (status and code UNDOCUMENTED)", {"status": v2_refusal.status_code,
                                                    "codes": [m.get("code") for m in messages]})


@then("the request is refused")
def _(v2_refusal: httpx.Response, check: Check) -> None:
    """A client error; the body may come from a gateway in front of the API (recorded, not asserted)."""
    check.that(400 <= v2_refusal.status_code < 500, "a refusal as a client error",
               f"HTTP {v2_refusal.status_code} {v2_refusal.text[:120]}")
    note("refusal (status and body UNDOCUMENTED)", {"status": v2_refusal.status_code, "body": body_json(v2_refusal)})


@then("nothing was issued for it")
def _(v2_refusal: httpx.Response, v2_witness: V2IssuanceWitness, check: Check) -> None:
    found = vouchers_in(v2_refusal)
    check.that(not found, "no voucher in the refusal", f"{len(found)} voucher(s)")
    issued = v2_witness.issued_since()
    if issued is None:
        note("issuance ledger", "the target has no issuance ledger to read; the refusal carried no voucher")
        return
    check.that(issued == 0, "no new issuance in the provider's ledger", f"{issued} new issuance(s)")


def first_voucher_ref(issued: IssuedV2Vouchers, client: V2Client, catalogue: CatalogueFile) -> str:
    """A settlement ref issued in the run, issuing one voucher when there is none yet."""
    vouchers = issued.all()
    if vouchers:
        return vouchers[0].settlement_ref
    product = (catalogue.dynamic or list(catalogue.products))[0]
    return client.request_vouchers(product.code, product.order_number, 1, face_value_for(product)).settlement_refs[0]

