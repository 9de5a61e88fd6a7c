"""V2-STS: every voucher of the run checked by its settlement ref; unknown refs; state changes (sandbox)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
from pydantic import ValidationError
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import controlled, note
from steps.uniqrewards_v2.common import (
    amount_named,
    compare_checked,
    data_of,
    envelope_status,
    face_value_for,
    voucher_ref_for_checks,
)
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check, body_json
from uatcert.suite.wings.v2.issued import IssuedV2Voucher, IssuedV2Vouchers
from uatcert.v2 import STATUSES, CatalogueEntry, CatalogueFile, CheckedVoucher, V2Client

scenarios("uniqrewards_v2/V2-STS-check-vouchers.feature")

BATCH = 20
"""Refs per Check Vouchers request: the maximum is UNDOCUMENTED; the reference proposes 20."""


@given("the v2 vouchers issued during this run", target_fixture="v2_run_vouchers")
def _(v2_issued: IssuedV2Vouchers, v2_client: V2Client, v2_catalogue: CatalogueFile) -> list[IssuedV2Voucher]:
    if not v2_issued.all():
        voucher_ref_for_checks(v2_issued, v2_client, v2_catalogue)
    return v2_issued.all()


@when("the integrator checks all of them, up to 20 per request", target_fixture="v2_checks")
def _(v2_run_vouchers: list[IssuedV2Voucher], v2_client: V2Client) -> list[httpx.Response]:
    refs = [v.settlement_ref for v in v2_run_vouchers]
    return [v2_client.send("POST", v2_client.check_path(), json={"voucher_settlement_refs": refs[i:i + BATCH]})
            for i in range(0, len(refs), BATCH)]


def _checked(responses: list[httpx.Response], check: Check) -> list[CheckedVoucher]:
    found: list[CheckedVoucher] = []
    for response in responses:
        check.status(response, 200, "a Check Vouchers answer")
        check.that(envelope_status(response) == "succeeded", 'meta.status "succeeded"', envelope_status(response))
        for index, entry in enumerate(data_of(response)):
            try:
                found.append(CheckedVoucher.model_validate(entry))
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
                check.fail("every entry with the documented members and formats", f"data[{index}]: {problems}")
    return found


@then("every voucher is reported exactly once")
def _(v2_run_vouchers: list[IssuedV2Voucher], v2_checks: list[httpx.Response], check: Check) -> None:
    asked = [v.settlement_ref for v in v2_run_vouchers]
    reported = [c.voucher_settlement_ref for c in _checked(v2_checks, check)]
    missing = sorted(set(asked) - set(reported))
    check.that(not missing, "every voucher asked reported", f"{len(missing)} missing, e.g. {missing[:2]}")
    repeats = len(reported) - len(set(reported))
    check.that(repeats == 0, "each voucher reported once", f"{repeats} repeats")
    check.that(set(reported) <= set(asked), "only the vouchers asked", sorted(set(reported) - set(asked)))
    in_order = reported == asked
    note("answer order (request order proposed, UNDOCUMENTED)", "request order" if in_order else "another order")


@then("every status reported is one of the documented statuses")
def _(v2_checks: list[httpx.Response], check: Check) -> None:
    statuses = sorted({c.status for c in _checked(v2_checks, check)})
    check.that(set(statuses) <= set(STATUSES), f"statuses among {list(STATUSES)}", statuses)
    note("statuses seen", statuses)


@then("every voucher is reported with the status and expiry date it was issued with")
def _(v2_run_vouchers: list[IssuedV2Voucher], v2_checks: list[httpx.Response], v2_issued: IssuedV2Vouchers,
      check: Check) -> None:
    compare_checked(_checked(v2_checks, check), v2_run_vouchers, check, v2_issued.changed())


@then("every remaining value reported is what the voucher was issued with")
def _(v2_run_vouchers: list[IssuedV2Voucher], v2_checks: list[httpx.Response], v2_issued: IssuedV2Vouchers,
      v2_catalogue: CatalogueFile, check: Check) -> None:
    """
    A number, never negative (DOC). An untouched dynamic value-based voucher has its whole denomination left:
    the amount its name shows (DOC: `${FV}` replaced by the denomination issued; else the face value asked), in
    dollars or in cents, whichever unit the provider uses (the unit is UNDOCUMENTED: recorded). Other
    products' initial values are not in the documented catalogue columns: recorded only.
    """
    checked = {c.voucher_settlement_ref: c for c in _checked(v2_checks, check)}
    values = [c.remaining_value for c in checked.values()]
    check.that(all(v >= 0 for v in values), "remaining_value >= 0", [str(v) for v in values if v < 0])
    units: dict[str, int] = {}
    changed = v2_issued.changed()
    for voucher in v2_run_vouchers:
        product, entry = v2_catalogue.get(voucher.product_code), checked.get(voucher.settlement_ref)
        if (product is None or not product.is_dynamic or voucher.face_value is None or entry is None
                or voucher.settlement_ref in changed):
            continue
        issued = amount_named(voucher.voucher_name, product.name) or voucher.face_value
        unit = {issued: "dollars", issued * 100: "cents"}.get(entry.remaining_value)
        check.that(unit is not None, f"the whole {issued} dollars issued left (in dollars or cents) on an "
                   "untouched dynamic value-based voucher",
                   f"{voucher.settlement_ref}: remaining_value {entry.remaining_value}")
        units[str(unit)] = units.get(str(unit), 0) + 1
    note("unit of remaining_value (UNDOCUMENTED: dollars or cents)", units or "no untouched dynamic voucher")
    note("remaining values", {v.settlement_ref: str(checked[v.settlement_ref].remaining_value)
                              for v in v2_run_vouchers[:20] if v.settlement_ref in checked})


@when("the integrator checks a settlement reference that was never issued", target_fixture="v2_unknown_check")
def _(v2_client: V2Client) -> tuple[str, httpx.Response]:
    ref = str(uuid.uuid4())
    return ref, v2_client.send("POST", v2_client.check_path(), json={"voucher_settlement_refs": [ref]})


@then("the reference is refused or reported without a voucher state")
def _(v2_unknown_check: tuple[str, httpx.Response], check: Check) -> None:
    ref, response = v2_unknown_check
    check.that(response.status_code < 500, "no server error", f"HTTP {response.status_code}")
    reported = [e for e in data_of(response) if isinstance(e, dict) and e.get("voucher_settlement_ref") == ref
                and e.get("status") in STATUSES]
    check.that(not reported, "no status reported for a ref that was never issued", reported)
    note("answer for an unknown ref (UNDOCUMENTED; 404 proposed)",
         {"status": response.status_code, "body": body_json(response)})


@given("a newly issued voucher of it", target_fixture="v2_changed_ref")
def _(v2_product: CatalogueEntry, v2_client: V2Client, check: Check) -> str:
    with check.conformant("a Request Vouchers answer"):
        issuance = v2_client.request_vouchers(v2_product.code, v2_product.order_number, 1, face_value_for(v2_product))
    return issuance.settlement_refs[0]


CHANGES = {"used": "use", "trashed": "void", "expired": "expire", "partially redeemed": "redeem"}


@when(parsers.parse("the voucher is {change} at the provider"), target_fixture="v2_value_before")
def _(v2_changed_ref: str, v2_sandbox: SandboxControl | None, v2_client: V2Client, v2_issued: IssuedV2Vouchers,
      check: Check, change: str) -> Decimal:
    with check.conformant("a Check Vouchers answer"):
        before = v2_client.check_vouchers([v2_changed_ref])[0].remaining_value
    amount = 1 if change == "partially redeemed" else None  # the smallest unit: one cent (or one item)
    v2_issued.mark_changed(v2_changed_ref)
    controlled(v2_sandbox).set_voucher_state(v2_changed_ref, CHANGES[change], amount=amount)
    return before


@when("the integrator checks the changed voucher", target_fixture="v2_lookup")
def _(v2_changed_ref: str, v2_client: V2Client) -> httpx.Response:
    return v2_client.send("POST", v2_client.check_path(), json={"voucher_settlement_refs": [v2_changed_ref]})


@then(parsers.parse('the voucher is reported "{status}"'))
def _(v2_lookup: httpx.Response, v2_value_before: Decimal, check: Check, status: str) -> None:
    checked = _checked([v2_lookup], check)
    check.that(len(checked) == 1, "one voucher reported", f"{len(checked)}")
    check.that(checked[0].status == status, f"status {status!r}", checked[0].status)
    if status == "Active":
        check.that(checked[0].remaining_value < v2_value_before,
                   f"remaining_value below {v2_value_before} after a partial redemption",
                   str(checked[0].remaining_value))
