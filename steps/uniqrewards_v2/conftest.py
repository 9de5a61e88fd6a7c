"""Steps shared by several v2 features (this folder's conftest loads them for its step modules):
products of the catalogue file, refusals, "nothing issued"."""

from __future__ import annotations

import httpx
from pytest_bdd import given, parsers, then

from steps.common import not_applicable, note
from steps.uniqrewards_v2.common import envelope_status, messages_of, vouchers_in
from uatcert.suite.checks import Check, body_json
from uatcert.suite.scenario import IssuanceWitness
from uatcert.v2 import CatalogueEntry, CatalogueFile


# -- products ------------------------------------------------------------------------------------
@given("a dynamic value-based product of the catalogue file", target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile) -> CatalogueEntry:
    products = v2_catalogue.dynamic
    if not products:
        not_applicable("the catalogue file has no dynamic value-based product")
    return products[0]


@given(parsers.parse('the product "{code}" of the catalogue file'), target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile, code: str) -> CatalogueEntry:
    product = v2_catalogue.get(code)
    if product is None:
        raise LookupError(f"product {code} vanished from the catalogue file read at collection time")
    return product


# -- refusals ------------------------------------------------------------------------------------
@then("the request is refused as failed")
def _(v2_refusal: httpx.Response, check: Check) -> None:
    """A client error with the documented failure envelope (status and code UNDOCUMENTED: recorded)."""
    check.that(400 <= v2_refusal.status_code < 500, "a refusal as a client error",
               f"HTTP {v2_refusal.status_code} {v2_refusal.text[:120]}")
    status = envelope_status(v2_refusal)
    check.that(status == "failed", 'meta.status "failed"', f"meta.status {status!r}")
    messages = messages_of(v2_refusal)
    check.that(bool(messages), "at least one message in meta.messages", "no message")
    note("refusal (status and code UNDOCUMENTED)", {"status": v2_refusal.status_code,
                                                    "codes": [m.get("code") for m in messages]})


@then("the request is refused")
def _(v2_refusal: httpx.Response, check: Check) -> None:
    """A client error; the body may come from a gateway in front of the API (recorded, not asserted)."""
    check.that(400 <= v2_refusal.status_code < 500, "a refusal as a client error",
               f"HTTP {v2_refusal.status_code} {v2_refusal.text[:120]}")
    note("refusal (status and body UNDOCUMENTED)", {"status": v2_refusal.status_code, "body": body_json(v2_refusal)})


@then("nothing was issued for it")
def _(v2_refusal: httpx.Response, v2_witness: IssuanceWitness, check: Check) -> None:
    found = vouchers_in(v2_refusal)
    check.that(not found, "no voucher in the refusal", f"{len(found)} voucher(s)")
    issued = v2_witness.issued_since()
    if issued is None:
        note("issuance ledger", "the target has no issuance ledger to read; the refusal carried no voucher")
        return
    check.that(issued == 0, "no new issuance in the provider's ledger", f"{issued} new issuance(s)")
