"""Helpers of the v3 step modules (the steps they share are in this folder's conftest.py)."""

from __future__ import annotations

from urllib.parse import quote

from uatcert.v3 import Product

OPEN_VALUE_DEFAULT_CENTS = 5000


def face_value_for(product: Product) -> int | None:
    return OPEN_VALUE_DEFAULT_CENTS if product.is_open_value else None


def body_for(product: Product, quantity: int) -> dict[str, int]:
    """The issuance body for `quantity` vouchers of `product` (a face value only for open-value products)."""
    body = {"quantity": quantity}
    face_value = face_value_for(product)
    if face_value is not None:
        body["face_value"] = face_value
    return body


def harness(condition: bool, trouble: str) -> None:
    """A precondition of the suite itself (its faults, its client): broken when it does not hold, never a finding."""
    if not condition:
        raise RuntimeError(f"harness: {trouble}")


def issue_path(code: str) -> str:
    """The issuance path of a product, its code quoted as one path segment (any character may be in a code)."""
    return f"/products/{quote(code, safe='')}"
