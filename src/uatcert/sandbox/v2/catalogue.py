"""
The v2 catalogue the sandbox serves: the file is read by the one reader (`uatcert.formats.v2_catalogue`);
here its simulator-only columns (reference §7.1) say how each product's vouchers behave:

    expiry_rule       days:N or fixed:YYYY-MM-DDTHH:MM:SS (Singapore time); default days:365
    currency          3 letters, default SGD; empty for product-based products
    initial_value     dollars (value-based) or items (product-based); empty for dynamic products; default:
                      the name's leading amount ("$10 ..."), else $10.00 or 1 item
    stock             vouchers the product can issue (since the last reset); empty = unlimited
    needs_activation  true/false (yes/no, 1/0): issued Inactive
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

from uatcert.formats.v2_catalogue import (
    TYPE_NAMES,
    CatalogueEntry,
    CatalogueFile,
    CatalogueFileError,
    ProductKind,
    ProductType,
    leading_amount,
    read_catalogue,
)
from uatcert.sandbox._vouchers import SGT

SEEDED_V2_CATALOGUE = Path(__file__).parent.parent / "data" / "v2_catalogue.csv"
CENT = Decimal("0.01")

Problem = Callable[[str], CatalogueFileError]


@dataclasses.dataclass(frozen=True)
class V2Product(ProductKind):
    """A product of the v2 catalogue, and the sandbox-only details of how its vouchers behave."""

    name: str
    code: str
    order_number: str
    product_type: ProductType
    currency: str
    value: int | None
    """Cents for fixed, convertible and third-party products; items for product-based; None for dynamic."""
    stock: int | None = None
    expires_fixed: datetime | None = None
    validity_days: int = 365
    needs_activation: bool = False

    @property
    def trackable(self) -> bool:
        """Status and remaining value follow redemptions (third-party vouchers stay as issued, reference §7.2)."""
        return self.product_type != "third-party"

    @property
    def type_name(self) -> str:
        """`fixed_value`, `dynamic_value`, ... (the file enumeration the reference proposes)."""
        return TYPE_NAMES[self.product_type]


def phantom_product(code: str, order_number: str) -> V2Product:
    """The made-up product `v2_unknown_product_issued` issues for an unknown code: a $10 fixed voucher."""
    return V2Product(f"$10 {code} Voucher", code, order_number, "fixed value-based", "SGD", 1000)


@dataclasses.dataclass(frozen=True)
class V2Products:
    path: Path
    products: tuple[V2Product, ...]

    @cached_property
    def _by_code(self) -> dict[str, V2Product]:
        return {p.code: p for p in self.products}

    def get(self, code: str) -> V2Product | None:
        return self._by_code.get(code)


def load_products(path: Path | str | None = None) -> V2Products:
    """Read and check a v2 catalogue file (None = the seeded one); CatalogueFileError naming line and column."""
    file = read_catalogue(SEEDED_V2_CATALOGUE if path is None else path)
    return V2Products(file.path, tuple(_product(entry, _locator(file, entry)) for entry in file.products))


def _locator(file: CatalogueFile, entry: CatalogueEntry) -> Callable[[str], Problem]:
    """column -> problem text -> the error at that column of the entry's row."""
    return lambda column: lambda text: file.problem(entry, column, text)


def _product(entry: CatalogueEntry, bad: Callable[[str], Problem]) -> V2Product:
    extra = entry.extra
    expires_fixed, validity_days = _expiry(extra.get("expiry_rule", ""), bad("expiry_rule"))
    currency = extra.get("currency", "")
    if not entry.is_value_based:
        if currency:
            raise bad("currency")("must be empty for a product-based product")
    else:
        currency = currency or "SGD"
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise bad("currency")(f"{currency!r} is not a 3-letter currency code")
    value = _value(entry, extra.get("initial_value", ""), bad("initial_value"))
    stock_text = extra.get("stock", "")
    if stock_text and not stock_text.isdigit():
        raise bad("stock")(f"{stock_text!r} is not a whole number")
    activation = extra.get("needs_activation", "").lower()
    if activation not in ("", "true", "false", "yes", "no", "1", "0"):
        raise bad("needs_activation")(f"{activation!r} is not true or false")
    return V2Product(entry.name, entry.code, entry.order_number, entry.product_type, currency, value,
                     int(stock_text) if stock_text else None, expires_fixed, validity_days,
                     activation in ("true", "yes", "1"))


def _expiry(rule: str, bad: Problem) -> tuple[datetime | None, int]:
    if not rule:
        return None, 365
    kind, _, argument = rule.partition(":")
    if kind == "days" and argument.isdigit() and int(argument) <= 36500:
        return None, int(argument)
    if kind == "fixed":
        try:
            moment = datetime.strptime(argument, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise bad(f"{rule!r}: expected fixed:YYYY-MM-DDTHH:MM:SS (Singapore time)") from None
        return moment.replace(tzinfo=SGT), 365
    raise bad(f"{rule!r}: expected days:N or fixed:YYYY-MM-DDTHH:MM:SS")


def _value(entry: CatalogueEntry, text: str, bad: Problem) -> int | None:
    """Cents (value-based) or items (product-based); when the file does not say: the name's leading
    amount (`$10 ...`), else $10.00 or 1 item (a client's own catalogue has only the documented columns)."""
    if entry.is_dynamic:
        if text:
            raise bad("must be empty for a dynamic value-based product (the face value is chosen at issuance)")
        return None
    if not entry.is_value_based:
        if not text:
            return 1
        if not text.isdigit() or int(text) <= 0:
            raise bad(f"{text!r}: a product-based product needs its number of items")
        return int(text)
    if not text:
        text = leading_amount(entry.name) or "10.00"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise bad(f"{text!r}: the product's value in dollars is required (e.g. 10.00)") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise bad(f"{text!r}: a positive amount in dollars and cents is required")
    return int(amount * 100)
