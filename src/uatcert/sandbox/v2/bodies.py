"""
The bodies of the v2 requests: JSON read with exact decimals, the fingerprint Request Vouchers keeps under
an X-Correlation-Id (reference §9.3) and the face value of a dynamic product (§5.4).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from uatcert.sandbox._http import reject_json_constant
from uatcert.sandbox.v2 import codes as c
from uatcert.sandbox.v2.catalogue import CENT, V2Product
from uatcert.sandbox.v2.codes import V2Failure

FACE_VALUE_RANGE = (Decimal("1"), Decimal("1000"))


def loads(body: bytes) -> Any:
    """A request body as JSON, its fractional numbers as exact `Decimal`s (NaN and Infinity refused)."""
    return json.loads(body, parse_float=Decimal, parse_constant=reject_json_constant)


def fingerprint(product_class: str, order_number: str, code: str, body: bytes) -> str:
    """Path parameters + manual_quantity + face_value to two decimals + distribution_mode (reference §9.3)."""
    try:
        obj = loads(body) if body.strip() else {}
    except (ValueError, RecursionError):
        obj = None
    if isinstance(obj, dict):
        face_value = obj.get("face_value")
        if isinstance(face_value, int | Decimal | str) and not isinstance(face_value, bool):
            try:
                face_value = str(Decimal(face_value).quantize(CENT))
            except (InvalidOperation, ValueError):
                face_value = f"raw:{face_value}"
        canonical = json.dumps(
            {"q": obj.get("manual_quantity"), "fv": face_value, "dm": obj.get("distribution_mode", "manual")},
            sort_keys=True, default=str,
        )
    else:
        canonical = "raw:" + hashlib.sha256(body).hexdigest()
    return f"{product_class}/{order_number}/{code} {canonical}"


def face_value_of(payload: dict[str, Any], product: V2Product) -> Decimal | None:
    """The face value of a dynamic product in dollars; other products ignore it (lenient, reference §5.4)."""
    if not product.is_dynamic:
        return None
    value = payload.get("face_value")
    if value is None:
        raise V2Failure(c.FV_REQUIRED)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise V2Failure(c.FV_TYPE, f"got {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise V2Failure(c.FV_TYPE, f"got {value!r}") from None
    if not amount.is_finite():
        raise V2Failure(c.FV_TYPE, f"got {value!r}")
    if amount != amount.quantize(CENT):
        raise V2Failure(c.FV_PRECISION, f"got {value}")
    low, high = FACE_VALUE_RANGE
    if not low <= amount <= high:
        raise V2Failure(c.FV_RANGE, f"got {value}")
    return amount
