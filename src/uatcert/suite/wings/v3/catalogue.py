"""The v3 catalogue as the suite shows it: product classification, fingerprint, outlines, run.json description."""

from __future__ import annotations

import hashlib
import json

from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wing import Description, Outline
from uatcert.suite.wings.v3.target import catalogue, target
from uatcert.v3 import Product

OPEN_VALUE_FACE_VALUES = (100, 100000, 1051)
"""Face values (cents) of the per-product open-value outlines: both bounds and odd cents."""


def product_kind(product: Product) -> str:
    """A readable classification from the documented flags."""
    value = "value based" if product.is_value_based else "product based"
    denomination = "open value" if product.is_open_value else "fixed value"
    extras = []
    if product.is_multiple_use:
        extras.append("multiple use")
    if product.is_status_available is False:
        extras.append("status not available")
    return ", ".join([value, denomination, *extras])


def catalogue_fingerprint(products: list[Product]) -> str:
    """SHA-256 of the catalogue as the target returned it (canonical JSON, sorted by code)."""
    rows = sorted((p.model_dump(mode="json") for p in products), key=lambda r: json.dumps(r, sort_keys=True))
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def per_product(runtime: SuiteRuntime) -> Outline:
    """`@per_product`: one example per catalogue product."""
    return [{"code": p.code, "kind": product_kind(p)} for p in catalogue(runtime)], "the catalogue is empty"


def per_open_product(runtime: SuiteRuntime) -> Outline:
    """`@per_open_product`: one example per open-value product and face value."""
    products = [p for p in catalogue(runtime) if p.is_open_value]
    rows = [{"code": p.code, "face_value": str(v)} for p in products for v in OPEN_VALUE_FACE_VALUES]
    return rows, "the catalogue has no open-value product"


def describe(runtime: SuiteRuntime) -> Description:
    """The v3 target and catalogue as recorded in run.json and the certificate."""
    resolved = target(runtime)
    products = catalogue(runtime)
    return (
        {
            "api": "UNIQREWARDS Client API v3",
            "api_version": "v3",
            "label": resolved.label,
            "base_url": resolved.base_url,
            "token_url": resolved.token_url,
            "environment": resolved.environment,
            "client_id": resolved.client_id,
            "sandbox": resolved.is_sandbox,
        },
        {
            "size": len(products),
            "sha256": catalogue_fingerprint(products),
            "products": [{"code": p.code, "kind": product_kind(p)} for p in products],
        },
    )
