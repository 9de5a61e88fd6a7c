"""V2-CAT: the catalogue file with its documented columns; a product code outside it refused."""

from __future__ import annotations

import uuid

import httpx
from pytest_bdd import given, scenarios, then, when

from steps.common import note
from steps.uniqrewards_v2.common import DEFAULT_FACE_VALUE, request_body
from uatcert.suite.checks import Check
from uatcert.suite.scenario import IssuanceWitness
from uatcert.v2 import CORRELATION_ID_HEADER, PRODUCT_TYPES, CatalogueEntry, CatalogueFile, V2Client, new_correlation_id

scenarios("uniqrewards_v2/V2-CAT-catalogue-file.feature")


@given("the catalogue file of the integration", target_fixture="v2_file")
def _(v2_catalogue: CatalogueFile) -> CatalogueFile:
    note("catalogue file", {"file": v2_catalogue.path.name, "sha256": v2_catalogue.sha256,
                            "columns": list(v2_catalogue.columns)})
    return v2_catalogue


@then("it lists at least one product")
def _(v2_file: CatalogueFile, check: Check) -> None:
    check.that(len(v2_file.products) > 0, "at least one product", "an empty catalogue file")


@then("every product has a unique code, a name, an order number and a documented product type")
def _(v2_file: CatalogueFile, check: Check) -> None:
    codes = [p.code for p in v2_file.products]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    check.that(not duplicates, "unique product codes", f"duplicated: {duplicates}")
    unnamed = [p.code for p in v2_file.products if not p.name.strip()]
    check.that(not unnamed, "a name on every product", f"no name on {unnamed}")
    bad_orders = [p.code for p in v2_file.products if not p.order_number.isdigit()]
    check.that(not bad_orders, "an order number of digits on every product", f"not digits on {bad_orders}")
    untyped = [p.code for p in v2_file.products if p.product_type not in PRODUCT_TYPES]
    check.that(not untyped, f"a product type among {list(PRODUCT_TYPES)}", f"unknown on {untyped}")
    note("catalogue classification", {p.code: {"type": p.product_type, "order_number": p.order_number}
                                      for p in v2_file.products})
    placeholders = {p.code: "${FV}" in p.name for p in v2_file.products if p.is_dynamic}
    note("dynamic value-based names carrying ${FV} (documented example, not asserted)", placeholders)


@when("the integrator requests 1 voucher of a product code that is not in the catalogue file",
      target_fixture="v2_refusal")
def _(v2_client: V2Client, v2_product: CatalogueEntry, v2_catalogue: CatalogueFile,
      v2_witness: IssuanceWitness) -> httpx.Response:
    code = f"UATCERTNOSUCH{uuid.uuid4().hex[:8].upper()}"
    while v2_catalogue.get(code) is not None:  # pragma: no cover - practically never
        code = f"UATCERTNOSUCH{uuid.uuid4().hex[:8].upper()}"
    return v2_client.send(
        "POST", v2_client.issue_path(code, v2_product.order_number),
        content=request_body(1, DEFAULT_FACE_VALUE), headers={CORRELATION_ID_HEADER: new_correlation_id()},
    )
