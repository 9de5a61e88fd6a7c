"""ALS-AVAIL: voucher types listed with the number left, consistent with allocations; nothing left said plainly."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from steps.allsafe.common import Outcome, capture, succeed, type_label
from steps.common import controlled, note
from uatcert import sandbox
from uatcert.allsafe import AllSafeClient, Availability, ReconciliationRequired, VoucherType
from uatcert.sandbox import AllSafeSandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.scenario import ScenarioExchanges
from uatcert.suite.wings.allsafe.fixtures import AllSafeConnector
from uatcert.suite.wings.allsafe.target import Credentials

scenarios("allsafe/ALS-AVAIL-availability.feature")

EMPTY_ANSWERS = {"no content": "204", "an empty list": "200_empty_array", 'a "no vouchers" refusal': "492"}


@when("the integrator checks availability", target_fixture="availability")
def _(allsafe_client: AllSafeClient, check: Check) -> Availability:
    return succeed(check, "the campaign's availability", allsafe_client.availability)


@then("at least one voucher type is available")
def _(availability: Availability) -> None:
    if not availability.available:  # a precondition of certifying (like "a voucher type with vouchers left")
        raise RuntimeError("the AllSafe campaign has no vouchers left: add vouchers to its vault before certifying "
                           f"(availability answered {availability.form})")


@then("every voucher type names a vendor, a value and the number left")
def _(availability: Availability, check: Check) -> None:
    for kind in availability.types:
        check.that(bool(kind.vendor.strip()), "a vendor on every voucher type", repr(kind.vendor))
        check.that(kind.value > 0, f"a positive value for {kind.vendor}", str(kind.value))
        check.that(kind.remaining >= 0, f"a number left of 0 or more for {kind.label}", kind.remaining)
    labels = [(k.vendor, k.value) for k in availability.types]
    note("availability as listed (order, zero entries, duplicates and extra fields are undocumented)", {
        "types": [{"vendor": k.vendor, "value": str(k.value), "remaining": k.remaining,
                   "extra fields": sorted((k.model_extra or {}).keys())} for k in availability.types],
        "sorted by vendor, then value": labels == sorted(labels),
        "types listed with nothing left": [k.label for k in availability.types if k.remaining == 0],
        "types listed more than once": sorted({type_label(*x) for x in labels if labels.count(x) > 1}),
    })


@dataclasses.dataclass
class Consistency:
    kind: VoucherType
    before: dict[tuple[str, Decimal], int]


@when("the integrator allocates one voucher of that type", target_fixture="consistency")
def _(allsafe_client: AllSafeClient, voucher_type: VoucherType, check: Check) -> Consistency:
    before = succeed(check, "the campaign's availability", allsafe_client.availability).snapshot()
    try:
        allocation = allsafe_client.allocate(voucher_type.vendor, voucher_type.value)
    except ReconciliationRequired as exc:
        if exc.status is None or not 200 <= exc.status < 300:
            check.fail(f"one voucher of {voucher_type.label} allocated", f"an unknown outcome: {exc}")
        note("allocation answered without a usable voucher (an ALS-ALLOC matter)", str(exc))
    else:
        note("allocation", {"reference": allocation.reference, "voucher id": allocation.voucher.id})
    return Consistency(voucher_type, before)


@then("availability shows exactly one voucher fewer of that type")
def _(consistency: Consistency, allsafe_client: AllSafeClient, check: Check) -> None:
    after = succeed(check, "the campaign's availability after the allocation", allsafe_client.availability)
    kind = consistency.kind
    key = (kind.vendor, kind.value.normalize())
    before = consistency.before.get(key, 0)
    now = after.remaining(kind.vendor, kind.value)
    check.that(now == before - 1, f"{before - 1} left of {kind.label} after allocating one (was {before})",
               f"{now} left")


@then("the other voucher types are unchanged")
def _(consistency: Consistency, allsafe_client: AllSafeClient, check: Check) -> None:
    after = succeed(check, "the campaign's availability", allsafe_client.availability).snapshot()
    key = (consistency.kind.vendor, consistency.kind.value.normalize())
    others = {k for k in consistency.before.keys() | after.keys() if k != key}
    changed = sorted(f"{type_label(*k)}: {consistency.before.get(k, 0)} -> {after.get(k, 0)}"
                     for k in others if consistency.before.get(k, 0) != after.get(k, 0))
    check.that(not changed, "the other voucher types unchanged", ", ".join(changed))


@given("a campaign whose vouchers have all been handed out", target_fixture="empty_credentials")
def _(allsafe_sandbox: AllSafeSandboxControl | None) -> Credentials:
    controlled(allsafe_sandbox)  # a sandbox-only scenario
    return Credentials(sandbox.ALLSAFE_EMPTY_USERNAME, sandbox.ALLSAFE_EMPTY_PASSWORD)


@given(parsers.parse("the provider answers such a campaign with {answer}"))
def _(allsafe_sandbox: AllSafeSandboxControl | None, request: pytest.FixtureRequest, answer: str) -> None:
    control = controlled(allsafe_sandbox)
    control.set_switches(availability_empty_mode=EMPTY_ANSWERS[answer])
    request.addfinalizer(lambda: control.set_switches(availability_empty_mode="204"))


@when("the integration of that campaign checks availability", target_fixture="empty_availability")
def _(allsafe_connect: AllSafeConnector, empty_credentials: Credentials, exchanges: ScenarioExchanges
      ) -> Outcome:
    client = allsafe_connect(empty_credentials)
    return capture(exchanges, "availability of a campaign with nothing left", client.availability)


@then("it is told that nothing is available, without an error")
def _(empty_availability: Outcome, check: Check) -> None:
    check.that(empty_availability.error is None, "nothing available (204, 200 [] or 492), not an error",
               empty_availability.describe())
    availability = empty_availability.result
    assert isinstance(availability, Availability)
    check.that(availability.nothing_available, "nothing available", empty_availability.describe())
    note("form of the answer", {"form": availability.form, "status": availability.status_code})
