"""Helpers of the v3 step modules (the steps they share are in this folder's conftest.py)."""

from __future__ import annotations

from uatcert.v3 import Product

OPEN_VALUE_DEFAULT_CENTS = 5000


def face_value_for(product: Product) -> int | None:
    return OPEN_VALUE_DEFAULT_CENTS if product.is_open_value else None
