"""
Which catalogue product a scenario issues when any product will do (IDEM, ISS-VALID, STS, AUTH).

Preference, best first: open-value (the kind the integration process puts first), else fixed
value-based, else product-based; stock not listed as limited before limited stock (the most left
first); status available before not available. A product with a listed stock is only chosen when
the stock read now (not at collection: earlier scenarios may have used it) covers the quantity.
`available_stock` is UNDOCUMENTED: a product that does not list it counts as not limited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from uatcert.v3 import Product


def _rank(product: Product) -> tuple[int, int, int, int]:
    kind = 0 if product.is_open_value else (1 if product.is_value_based else 2)
    stock = product.available_stock
    return (kind, 0 if stock is None else 1, -(stock or 0), 0 if product.is_status_available else 1)


def classified(product: Product) -> bool:
    """True when the flags an issuance depends on are stated."""
    return product.is_open_value is not None and product.is_value_based is not None


def choose(
    products: Iterable[Product],
    *,
    quantity: int = 1,
    current: Callable[[], list[Product]] | None = None,
    exclude: Iterable[str] = (),
    accept: Callable[[Product], bool] = lambda _: True,
) -> Product | None:
    """The best product for `quantity` vouchers, or None; `current()` re-reads the listing for stock."""
    excluded = set(exclude)
    candidates = sorted((p for p in products if p.code not in excluded and classified(p) and accept(p)), key=_rank)
    fresh: dict[str, Product] | None = None
    for product in candidates:
        if product.available_stock is None:
            return product
        if fresh is None:
            fresh = {p.code: p for p in current()} if current is not None else {}
        now = fresh.get(product.code, product)
        if now.available_stock is None or now.available_stock >= quantity:
            return now
    return None
