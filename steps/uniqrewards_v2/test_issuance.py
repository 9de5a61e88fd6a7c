"""V2-ISS-EVERY, V2-ISS-OPEN, V2-ISS-VALID: every product issued, dynamic values in dollars, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import not_applicable, note
from steps.uniqrewards_v2.common import (
    amount_renderings,
    as_template,
    face_value_for,
    names_amount,
    pick_product,
    request_body,
)
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.scenario import IssuanceWitness
from uatcert.suite.wings.v2.catalogue import NO_DYNAMIC
from uatcert.suite.wings.v2.issued import IssuedV2Voucher, IssuedV2Vouchers
from uatcert.suite.wings.v2.target import V2Target
from uatcert.v2 import (
    CORRELATION_ID_HEADER,
    ApiStatusError,
    CatalogueEntry,
    CatalogueFile,
    Issuance,
    V2Client,
    new_correlation_id,
)

scenarios(
    "uniqrewards_v2/V2-ISS-EVERY-every-product.feature",
    "uniqrewards_v2/V2-ISS-OPEN-dynamic-value.feature",
    "uniqrewards_v2/V2-ISS-VALID-invalid-requests.feature",
)

LATEST_UTC_OFFSET = dt.timedelta(hours=14)
"""The time zone of expiration_date is UNDOCUMENTED: "in the future" must hold in every time zone."""


def _request(client: V2Client, check: Check, product: CatalogueEntry, quantity: int,
             face_value: Decimal | None) -> Issuance:
    with check.conformant("a Request Vouchers answer"):
        try:
            return client.request_vouchers(product.code, product.order_number, quantity, face_value)
        except ApiStatusError as exc:
            check.fail(f"{quantity} voucher(s) issued",
                       f"HTTP {exc.status} [{exc.code or 'no code'}] {exc.message or ''}")
            raise  # unreachable: fail() raises


@when(parsers.parse("the integrator requests {quantity:d} vouchers of it"), target_fixture="v2_issuance")
def _(v2_client: V2Client, v2_product: CatalogueEntry, check: Check, quantity: int) -> Issuance:
    return _request(v2_client, check, v2_product, quantity, face_value_for(v2_product))


@when(parsers.parse("the integrator requests 1 voucher of it with a face value of {face_value} dollars"),
      target_fixture="v2_issuance")
def _(v2_client: V2Client, v2_product: CatalogueEntry, check: Check, face_value: str) -> Issuance:
    return _request(v2_client, check, v2_product, 1, Decimal(face_value))


@then(parsers.re(r"the request succeeds with (?P<quantity>\d+) vouchers?"))
def _(v2_issuance: Issuance, check: Check, quantity: str) -> None:
    check.that(v2_issuance.status_code == 200, "a succeeded answer (HTTP 200)", f"HTTP {v2_issuance.status_code}")
    check.that(len(v2_issuance.vouchers) == int(quantity), f"{quantity} voucher(s)", f"{len(v2_issuance.vouchers)}")


@then("every voucher carries the documented details")
def _(v2_issuance: Issuance, check: Check) -> None:
    # The client validated every documented key and format; what is left to see is recorded.
    for voucher in v2_issuance.vouchers:
        check.that(bool(voucher.voucher_ref.strip()), "a voucher_ref", "an empty voucher_ref")
        check.that(bool(voucher.voucher_name.strip()), "a voucher_name", "an empty voucher_name")
        check.that(bool(voucher.edenred_url.strip()), "an edenred_url", "an empty edenred_url")
    note("issued vouchers (names and statuses)", [
        {"voucher_settlement_ref": v.voucher_settlement_ref, "voucher_name": v.voucher_name, "status": v.status,
         "expiration_date": v.expiration_date.isoformat(), "display_codes": len(v.display_codes),
         "pin_code": v.pin_code is not None}
        for v in v2_issuance.vouchers
    ])


@then("every voucher expires in the future")
def _(v2_issuance: Issuance, check: Check) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for voucher in v2_issuance.vouchers:
        check.that(voucher.expiration_date + LATEST_UTC_OFFSET > now, "an expiration_date in the future",
                   voucher.expiration_date.isoformat())


@then("the vouchers have distinct references")
def _(v2_issuance: Issuance, check: Check) -> None:
    refs = v2_issuance.settlement_refs
    check.that(len(set(refs)) == len(refs), "distinct voucher_settlement_ref values", refs)
    codes = [v.voucher_ref for v in v2_issuance.vouchers]
    check.that(len(set(codes)) == len(codes), "distinct voucher_ref values", f"{len(codes) - len(set(codes))} repeats")


@then("a dynamic value-based voucher shows an amount in its name instead of the placeholder")
def _(v2_issuance: Issuance, v2_product: CatalogueEntry, check: Check) -> None:
    if not v2_product.is_dynamic:
        return
    for voucher in v2_issuance.vouchers:
        check.that("${FV}" not in voucher.voucher_name, "the ${FV} placeholder replaced by the amount",
                   voucher.voucher_name)
    note("name of a dynamic value-based voucher (the amount's value is V2-ISS-OPEN's)",
         [v.voucher_name for v in v2_issuance.vouchers])


@then(parsers.parse("the voucher is named with the amount of {face_value} dollars"))
def _(v2_issuance: Issuance, v2_product: CatalogueEntry, check: Check, face_value: str) -> None:
    amount = Decimal(face_value)
    expected = " or ".join(f"${text}" for text in amount_renderings(amount))
    for voucher in v2_issuance.vouchers:
        check.that(names_amount(voucher.voucher_name, amount), f"a voucher named with {expected}",
                   voucher.voucher_name)
    note("the name is the catalogue name with ${FV} replaced (documented example, not asserted)",
         {v.voucher_name: as_template(v.voucher_name, v2_product.name, amount) for v in v2_issuance.vouchers})


def _problem_body(problem: str, product: CatalogueEntry) -> bytes:
    face_value = face_value_for(product)
    bodies = {
        "a face value of 0.99 dollars": request_body(1, "0.99"),
        "a face value of 1000.01 dollars": request_body(1, "1000.01"),
        "no face value": request_body(1, None),
        "a quantity of 0": request_body(0, face_value),
        "a quantity of 21": request_body(21, face_value),
        "no quantity": request_body(None, face_value),
        "a body that is not valid JSON": b'{"manual_quantity": 1, "distribution_mode": "manual", "face_value": 50.00',
    }
    if problem not in bodies:
        raise LookupError(f"no such problem in the step table: {problem}")
    return bodies[problem]


@when(parsers.parse("the integrator requests vouchers of it with {problem}"), target_fixture="v2_refusal")
def _(v2_client: V2Client, v2_product: CatalogueEntry, v2_witness: IssuanceWitness, problem: str) -> httpx.Response:
    return v2_client.send("POST", v2_client.issue_path(v2_product.code, v2_product.order_number),
                          content=_problem_body(problem, v2_product),
                          headers={CORRELATION_ID_HEADER: new_correlation_id()})


@when("the integrator requests vouchers of it in a product class other than ETX_001", target_fixture="v2_refusal")
def _(v2_client: V2Client, v2_product: CatalogueEntry, v2_witness: IssuanceWitness) -> httpx.Response:
    path = v2_client.issue_path(v2_product.code, v2_product.order_number, product_class="ETX_999")
    return v2_client.send("POST", path, content=request_body(1, face_value_for(v2_product)),
                          headers={CORRELATION_ID_HEADER: new_correlation_id()})


@then("no other voucher of the run carries the same voucher reference or settlement reference")
def _(v2_issuance: Issuance, v2_issued: IssuedV2Vouchers, check: Check) -> None:
    """Every voucher is unique (reference §8.1): its references are returned by its own issuance only."""
    shared = v2_issued.shared(v2_issuance.settlement_refs)
    check.that(not shared, "references no other issuance of the run returned", shared)


@given("the dynamic value-based vouchers issued during this run", target_fixture="v2_dynamic_vouchers")
def _(v2_issued: IssuedV2Vouchers, v2_catalogue: CatalogueFile, v2_client: V2Client,
      check: Check) -> list[IssuedV2Voucher]:
    if not v2_catalogue.dynamic:
        not_applicable(NO_DYNAMIC)
    dynamic = {p.code for p in v2_catalogue.dynamic}

    def received() -> list[IssuedV2Voucher]:
        return [v for v in v2_issued.all() if v.product_code in dynamic and v.face_value is not None]

    if not received():  # run on its own: issue some first
        product = pick_product(v2_catalogue, v2_issued, 2, dynamic=True)
        if product is None:
            not_applicable("no dynamic value-based product of the catalogue file has stock left for 2 vouchers")
        assert product is not None
        _request(v2_client, check, product, 2, face_value_for(product))
    return received()


@then("each one is named with the face value asked for it, in dollars")
def _(v2_dynamic_vouchers: list[IssuedV2Voucher], check: Check) -> None:
    """DOC §5.5: the name is the product's with ${FV} replaced by the denomination issued."""
    wrong = [f"{v.settlement_ref}: {v.voucher_name!r} for {v.face_value}" for v in v2_dynamic_vouchers
             if v.face_value is None or not names_amount(v.voucher_name, v.face_value)]
    check.that(not wrong, "every dynamic value-based voucher named with the amount asked",
               f"{len(wrong)} of {len(v2_dynamic_vouchers)}, e.g. {wrong[:2]}")
    note("dynamic value-based vouchers of the run checked", len(v2_dynamic_vouchers))


@then("the provider recorded one issuance of the 20 vouchers")
def _(v2_issuance: Issuance, v2_sandbox: SandboxControl | None, v2_target: V2Target, check: Check) -> None:
    if v2_sandbox is None:
        note("issuance ledger", f"{v2_target.label} has no ledger to read; the answer held 20 distinct vouchers")
        return
    entries = v2_sandbox.ledger(api="v2", idempotency_key=v2_issuance.correlation_id)
    recorded = sorted(r for e in entries for r in e.get("voucher_ids", []))
    check.that(len(entries) == 1 and recorded == sorted(v2_issuance.settlement_refs),
               "one issuance of exactly the 20 vouchers received in the provider's ledger",
               f"{len(entries)} issuance(s), {len(recorded)} vouchers")
