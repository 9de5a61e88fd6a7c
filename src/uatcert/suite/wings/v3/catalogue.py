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


NOT_LISTED = "expected, not listed"
"""The kind shown for an expected product the catalogue does not list."""


def expected(runtime: SuiteRuntime) -> list[str]:
    """The codes of `UATCERT_V3__EXPECTED_PRODUCTS` (the products the integrator will sell), in order."""
    return runtime.settings.v3.expected_codes


def missing(runtime: SuiteRuntime) -> list[str]:
    """Expected codes the catalogue read at collection time does not list."""
    listed = {p.code for p in catalogue(runtime)}
    return [code for code in expected(runtime) if code not in listed]


def per_product(runtime: SuiteRuntime) -> Outline:
    """`@per_product`: one example per catalogue product, then one per expected product not listed."""
    rows = [{"code": p.code, "kind": product_kind(p)} for p in catalogue(runtime)]
    rows += [{"code": code, "kind": NOT_LISTED} for code in missing(runtime)]
    return rows, "the catalogue is empty"


def per_open_product(runtime: SuiteRuntime) -> Outline:
    """`@per_open_product`: one example per open-value product and face value."""
    products = [p for p in catalogue(runtime) if p.is_open_value]
    rows = [{"code": p.code, "face_value": str(v)} for p in products for v in OPEN_VALUE_FACE_VALUES]
    return rows, NO_OPEN_VALUE


NO_OPEN_VALUE = (
    "the UAT catalogue holds no open-value product: open-value support is the first go-live requirement of the "
    "integration process, so the UAT catalogue must hold one; ask UNIQREWARDS to add an open-value product"
)
"""Why ISS-OPEN has nothing to run on such a catalogue (in the integrator's words; shown first on the verdict)."""


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
            "products": [{"code": p.code, "kind": product_kind(p), "open_value": p.is_open_value} for p in products],
            "expected": expected(runtime),
            "missing": missing(runtime),
        },
    )
