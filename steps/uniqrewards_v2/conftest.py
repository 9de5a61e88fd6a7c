"""Steps shared by several v2 features (this folder's conftest loads them for its step modules):
products of the catalogue file, refusals, "nothing issued"."""

from __future__ import annotations

import httpx
from pytest_bdd import given, parsers, then

from steps.common import not_applicable, note
from steps.uniqrewards_v2.common import envelope_status, messages_of, pick_product, vouchers_in
from uatcert.suite.checks import Check, body_json
from uatcert.suite.scenario import IssuanceWitness
from uatcert.suite.wings.v2.catalogue import NO_DYNAMIC
from uatcert.suite.wings.v2.issued import IssuedV2Vouchers
from uatcert.v2 import CatalogueEntry, CatalogueFile


# -- products ------------------------------------------------------------------------------------
def _picked(catalogue: CatalogueFile, issued: IssuedV2Vouchers, quantity: int, *, tracked: bool = False,
            dynamic: bool = False) -> CatalogueEntry:
    product = pick_product(catalogue, issued, quantity, tracked=tracked, dynamic=dynamic)
    if product is None:
        not_applicable(f"no product of the catalogue file has stock left for {quantity} voucher(s)")
    assert product is not None
    return product


@given("a product of the catalogue file", target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile, v2_issued: IssuedV2Vouchers) -> CatalogueEntry:
    """Dynamic value-based when there is one, else fixed value; with stock for what the scenario issues."""
    return _picked(v2_catalogue, v2_issued, 2)


@given(parsers.parse("a product of the catalogue file with stock for {quantity:d} vouchers"),
       target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile, v2_issued: IssuedV2Vouchers, quantity: int) -> CatalogueEntry:
    return _picked(v2_catalogue, v2_issued, quantity)


@given("a product of the catalogue file whose vouchers' state the provider follows", target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile, v2_issued: IssuedV2Vouchers) -> CatalogueEntry:
    """Not third-party (its status is UNDOCUMENTED, proposed static), not issued inactive."""
    return _picked(v2_catalogue, v2_issued, 1, tracked=True)


@given("a dynamic value-based product of the catalogue file", target_fixture="v2_product")
def _(v2_catalogue: CatalogueFile, v2_issued: IssuedV2Vouchers) -> CatalogueEntry:
    if not v2_catalogue.dynamic:
        not_applicable(NO_DYNAMIC)
    return _picked(v2_catalogue, v2_issued, 2, dynamic=True)


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
