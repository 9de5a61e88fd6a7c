"""What the client-under-test scenarios ask the system for: products (and AllSafe voucher types) read from the
upstream's own catalogue, availability or catalogue file, once per run; and names no catalogue lists."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from uatcert.suite.runtime import SuiteRuntime

UNLISTED_PRODUCT = "UATCERTNOSUCHPRODUCT01"
UNLISTED_ORDER = "999999999999"
UNKNOWN_VENDOR = "UatcertUnknownVendor"
UNSTOCKED_VALUE = Decimal(987654)
"""A value no voucher type has (AllSafe answers 492 for a vendor/value combination with nothing in stock)."""


@dataclasses.dataclass(frozen=True)
class Asked:
    """A product to issue, in the API's terms: v3 its code; v2 its order number and code."""

    code: str
    order_number: str | None = None


class NoSuchProduct(LookupError):
    """The upstream's catalogue has no product of the kind a scenario needs."""


def v3_product(runtime: SuiteRuntime, open_value: bool) -> Asked:
    from uatcert.suite.wings.v3.target import catalogue

    for product in catalogue(runtime):
        if bool(product.is_open_value) == open_value and product.is_value_based is not False:
            return Asked(product.code)
    raise NoSuchProduct(f"the v3 catalogue lists no {'open' if open_value else 'fixed'}-value product")


def v2_product(runtime: SuiteRuntime, dynamic: bool) -> Asked:
    from uatcert.suite.wings.v2.target import catalogue

    products = catalogue(runtime).products
    wanted = [p for p in products if p.is_dynamic] if dynamic else [
        p for p in products if p.product_type == "fixed value-based"] or [p for p in products if not p.is_dynamic]
    if not wanted:
        raise NoSuchProduct(f"the v2 catalogue file lists no {'dynamic' if dynamic else 'fixed'} value-based product")
    return Asked(wanted[0].code, wanted[0].order_number)


def allsafe_type(runtime: SuiteRuntime) -> tuple[str, Decimal]:
    """The voucher type with the most vouchers left, read once (through uatcert's own client, not the proxy)."""
    from uatcert.suite.wings.allsafe.target import new_client

    def read() -> tuple[str, Decimal]:
        with new_client(runtime) as client:
            kinds = sorted(client.availability().available, key=lambda t: -t.remaining)
        if not kinds:
            raise NoSuchProduct("the AllSafe campaign has no vouchers left")
        return kinds[0].vendor, kinds[0].value

    return runtime.memo("cut-allsafe.type", read)
