"""The v2 catalogue file as the suite shows it: the generated outlines and the run.json description."""

from __future__ import annotations

from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wing import Description, Outline
from uatcert.suite.wings.v2.target import catalogue, target

DYNAMIC_FACE_VALUES = ("1.00", "61.72", "1000.00")
"""Face values (SGD) of the per-product dynamic value-based outlines: both bounds and odd cents."""
NO_DYNAMIC = ("the UAT catalogue file holds no dynamic value-based product: dynamic value-based support is the "
              "first go-live requirement; ask UNIQREWARDS to add one")
"""Why a scenario that needs a dynamic value-based product is not applicable (in the integrator's words)."""


def per_v2_product(runtime: SuiteRuntime) -> Outline:
    """`@per_v2_product`: one example per product of the catalogue file."""
    rows = [{"code": p.code, "kind": p.kind} for p in catalogue(runtime).products]
    return rows, "the catalogue file lists no product"


def per_v2_dynamic_product(runtime: SuiteRuntime) -> Outline:
    """`@per_v2_dynamic_product`: one example per dynamic value-based product and face value (dollars)."""
    rows = [{"code": p.code, "face_value": v} for p in catalogue(runtime).dynamic for v in DYNAMIC_FACE_VALUES]
    return rows, NO_DYNAMIC



def describe(runtime: SuiteRuntime) -> Description:
    """The v2 target and its catalogue file, as recorded in run.json and the certificate."""
    resolved = target(runtime)
    file = catalogue(runtime)
    return (
        {
            "api": "UNIQREWARDS Client API v2",
            "api_version": "v2",
            "label": resolved.label,
            "base_url": resolved.base_url,
            "token_url": resolved.token_url,
            "environment": resolved.environment,
            "client_id": resolved.client_id,
            "x_client_id": resolved.x_client_id,
            "product_class": resolved.product_class,
            "sandbox": resolved.is_sandbox,
        },
        {
            "size": len(file.products),
            "sha256": file.sha256,
            "source": f"catalogue file {file.path.name}",
            "products": [
                {"code": p.code, "kind": p.kind, "order_number": p.order_number, "product_type": p.product_type,
                 "open_value": p.is_dynamic}
                for p in file.products
            ],
        },
    )
