"""Steps shared by several v3 features (this folder's conftest loads them for its step modules):
products, refusals, and "nothing was issued"."""

from __future__ import annotations

import httpx
from pytest_bdd import given, parsers, then

from steps.common import not_applicable, note
from uatcert.suite.checks import Check
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.scenario import IssuanceWitness
from uatcert.suite.wings.v3.catalogue import missing, product_kind
from uatcert.suite.wings.v3.checks import error_code_of, voucher_objects
from uatcert.suite.wings.v3.picking import choose
from uatcert.v3 import Product, V3Client


@given("a product of the catalogue to issue, open-value if there is one", target_fixture="product")
def _(v3_catalogue: list[Product], v3_client: V3Client) -> Product:
    product = choose(v3_catalogue, quantity=2, current=v3_client.products)
    if product is None:
        not_applicable("no product of the catalogue states its flags and has stock left to issue")
    assert product is not None
    note("product chosen", {"code": product.code, "kind": product_kind(product)})
    return product


@given(parsers.parse('the catalogue product "{code}"'), target_fixture="product")
def _(v3_catalogue: list[Product], suite_runtime: SuiteRuntime, check: Check, code: str) -> Product:
    for product in v3_catalogue:
        if product.code == code:
            return product
    if code in missing(suite_runtime):
        check.fail(f"product {code} (expected by the integrator) in the catalogue", "not listed")
    raise LookupError(f"product {code} vanished from the catalogue fetched at collection time")


@then(parsers.parse('the request is refused with error code "{code}"'))
def _(refusal: httpx.Response, check: Check, code: str) -> None:
    status = int(code.split("-")[0])
    check.status(refusal, status, f"a refusal with error code {code}")
    check.that(error_code_of(refusal) == code, f"error code {code}", f"error code {error_code_of(refusal)}")


@then("the request is refused as not found")
def _(refusal: httpx.Response, check: Check) -> None:
    check.status(refusal, 404, "a not-found refusal")


@then("no voucher was issued")
def _(refusal: httpx.Response, v3_witness: IssuanceWitness, check: Check) -> None:
    check.that(not voucher_objects(refusal), "no voucher in the refusal", f"{len(voucher_objects(refusal))} vouchers")
    issued = v3_witness.issued_since()
    if issued is None:
        note("issuance ledger", "the target has no issuance ledger to read; the refusal carried no voucher")
        return
    check.that(issued == 0, "no new issuance in the provider's ledger", f"{issued} new issuance(s)")
