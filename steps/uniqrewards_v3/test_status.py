"""STS: every voucher of the run retrieved singly and in batches; batch limits; unavailable statuses."""

from __future__ import annotations

import functools
import uuid

import httpx
from pydantic import ValidationError
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import controlled, not_applicable, note
from steps.uniqrewards_v3.common import face_value_for
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check, body_json
from uatcert.suite.runtime import IssuedVoucher, SuiteRuntime
from uatcert.suite.wings.v3.checks import voucher_objects
from uatcert.suite.wings.v3.picking import choose
from uatcert.suite.wings.v3.target import catalogue
from uatcert.suite.wings.v3.vouchers import differences, register
from uatcert.v3 import ApiStatusError, V3Client, Voucher

scenarios("uniqrewards_v3/STS-voucher-status.feature")

DOCUMENTED_STATUSES = {"active", "inactive", "expired", "voided", "used"}
BATCH = 20
TOP_UP_TRIES = 5


def _status_available(runtime: SuiteRuntime, voucher: IssuedVoucher) -> bool:
    product = next((p for p in catalogue(runtime) if p.code == voucher.product_code), None)
    return product is None or product.is_status_available is not False


@given("the vouchers issued during this run", target_fixture="run_vouchers")
def _(suite_runtime: SuiteRuntime, v3_client: V3Client) -> list[IssuedVoucher]:
    """What the run issued so far, topped up to 21 readable vouchers so the batch limit can be probed."""
    def missing() -> int:
        return BATCH + 1 - sum(_status_available(suite_runtime, v) for v in suite_runtime.issued.all())

    for _ in range(TOP_UP_TRIES):
        if missing() <= 0:
            break
        quantity = min(missing(), BATCH)
        product = choose(catalogue(suite_runtime), quantity=quantity, current=v3_client.products,
                         accept=lambda p: p.is_status_available is True)
        if product is None:
            not_applicable("no product of the catalogue with stock left reports voucher statuses")
        assert product is not None
        v3_client.issue(product.code, quantity, face_value_for(product))
    return suite_runtime.issued.all()


def _as_issued(check: Check, runtime: SuiteRuntime, voucher: IssuedVoucher, read: Voucher, how: str) -> None:
    """Field by field with the voucher as issued; status and amount only where the status is available."""
    issued = register(runtime).issued(voucher.voucher_id)
    if issued is None:
        note("read-back not compared", f"{voucher.voucher_id}: no issuance answer of it was seen")
        return
    available = _status_available(runtime, voucher) and issued.get("is_status_available") is not False
    problems = differences(issued, read, state=available)
    check.that(not problems, f"voucher {voucher.voucher_id} {how} as issued", "; ".join(problems))
    if not available:
        note(f"state of {voucher.voucher_id}, status not available (undocumented; not asserted)",
             {"issued": [issued.get("status"), issued.get("remaining_amount")],
              "read": [read.status, read.remaining_amount]})


@when("the integrator retrieves each voucher on its own", target_fixture="singles")
def _(run_vouchers: list[IssuedVoucher], v3_client: V3Client, suite_runtime: SuiteRuntime,
      check: Check) -> dict[str, Voucher | ApiStatusError]:
    found: dict[str, Voucher | ApiStatusError] = {}
    reads = suite_runtime.ahead.map([(("v3.single", v.voucher_id), functools.partial(v3_client.voucher, v.voucher_id))
                                     for v in run_vouchers])  # on the pool with more than one worker
    with check.conformant("a voucher"):
        for voucher, read in zip(run_vouchers, reads, strict=True):
            try:
                found[voucher.voucher_id] = read()
            except ApiStatusError as exc:
                found[voucher.voucher_id] = exc
    return found


@then("every voucher reads back as it was issued")
def _(run_vouchers: list[IssuedVoucher], singles: dict[str, Voucher | ApiStatusError],
      suite_runtime: SuiteRuntime, check: Check) -> None:
    for voucher in run_vouchers:
        result = singles[voucher.voucher_id]
        if isinstance(result, ApiStatusError):
            if not _status_available(suite_runtime, voucher) and result.status < 500:
                continue  # documented: the status of such vouchers cannot be obtained
            check.fail(f"voucher {voucher.voucher_id} found", f"HTTP {result.status} {result.code or ''}")
        else:
            _as_issued(check, suite_runtime, voucher, result, "read on its own")


@then("every status reported is one of the documented statuses")
def _(singles: dict[str, Voucher | ApiStatusError], check: Check) -> None:
    statuses = {v.status for v in singles.values() if not isinstance(v, ApiStatusError)}
    check.that(statuses <= DOCUMENTED_STATUSES, f"statuses among {sorted(DOCUMENTED_STATUSES)}", sorted(statuses))
    note("statuses seen", sorted(statuses))


@when("the integrator retrieves all of them in batches of up to 20", target_fixture="batches")
def _(run_vouchers: list[IssuedVoucher], suite_runtime: SuiteRuntime, v3_client: V3Client,
      ) -> tuple[list[str], list[httpx.Response]]:
    ids = [v.voucher_id for v in run_vouchers if _status_available(suite_runtime, v)]
    responses = [v3_client.send("GET", "/vouchers", params={"id": ",".join(ids[i:i + BATCH])})
                 for i in range(0, len(ids), BATCH)]
    return ids, responses


@then("every voucher is found exactly once, as it was issued")
def _(batches: tuple[list[str], list[httpx.Response]], run_vouchers: list[IssuedVoucher],
      suite_runtime: SuiteRuntime, check: Check) -> None:
    asked, responses = batches
    returned: list[str] = []
    by_id = {v.voucher_id: v for v in run_vouchers}
    for response in responses:
        check.status(response, 200, "a batch of vouchers")
        for item in voucher_objects(response):
            returned.append(str(item.get("voucher_id")))
            try:
                read = Voucher.model_validate(item)
            except ValidationError as exc:
                check.fail("every voucher of a batch matching the documented model", str(exc).splitlines()[0])
                raise  # unreachable: fail() raises
            if read.voucher_id in by_id:
                _as_issued(check, suite_runtime, by_id[read.voucher_id], read, "read in a batch")
    missing = sorted(set(asked) - set(returned))
    check.that(not missing, "every voucher asked in the batches", f"{len(missing)} missing")
    repeats = len(returned) - len(set(returned))
    check.that(repeats == 0, "each voucher once", f"{repeats} repeats")
    check.that(set(returned) <= set(asked), "only the vouchers asked", sorted(set(returned) - set(asked)))


@when(parsers.parse("the integrator looks up a batch with {problem}"), target_fixture="refusal")
def _(run_vouchers: list[IssuedVoucher], suite_runtime: SuiteRuntime, v3_client: V3Client,
      problem: str) -> httpx.Response:
    readable = [v.voucher_id for v in run_vouchers if _status_available(suite_runtime, v)]
    ids = {
        "21 voucher ids": (readable + [str(uuid.uuid4()) for _ in range(BATCH + 1)])[: BATCH + 1],
        "the same voucher id twice": [readable[0], readable[0]],
        "an id that is not a UUID": [readable[0], "voucher-42"],
    }[problem]
    return v3_client.send("GET", "/vouchers", params={"id": ",".join(ids)})


@when("the integrator retrieves a voucher id that was never issued", target_fixture="refusal")
def _(v3_client: V3Client) -> httpx.Response:
    return v3_client.send("GET", f"/vouchers/{uuid.uuid4()}")


@given("a voucher issued of a product whose status is not available", target_fixture="voucher_id")
def _(suite_runtime: SuiteRuntime, v3_client: V3Client) -> str:
    product = next((p for p in catalogue(suite_runtime) if p.is_status_available is False), None)
    if product is None:
        not_applicable("the catalogue has no product whose status is not available")
    assert product is not None
    issued = [v for v in suite_runtime.issued.all() if v.product_code == product.code]
    if issued:
        return issued[0].voucher_id
    return v3_client.issue(product.code, 1, face_value_for(product)).vouchers[0].voucher_id


@when("the integrator retrieves that voucher", target_fixture="lookup")
def _(voucher_id: str, v3_client: V3Client) -> httpx.Response:
    return v3_client.send("GET", f"/vouchers/{voucher_id}")


@then("the voucher is either returned marked as status not available or refused without a server error")
def _(lookup: httpx.Response, check: Check) -> None:
    check.that(lookup.status_code < 500, "no server error", f"HTTP {lookup.status_code}")
    if lookup.status_code == 200:
        vouchers = voucher_objects(lookup)
        check.that(len(vouchers) == 1, "one voucher", f"{len(vouchers)}")
        check.that(vouchers[0].get("is_status_available") is False, "is_status_available false",
                   vouchers[0].get("is_status_available"))
        note("status of a voucher whose status is not available (not to be relied upon)", vouchers[0].get("status"))
    else:
        note("lookup refused", {"status": lookup.status_code, "body": body_json(lookup)})


@given("a newly issued voucher of a product whose status is available", target_fixture="voucher_id")
def _(suite_runtime: SuiteRuntime, v3_client: V3Client) -> str:
    product = choose(catalogue(suite_runtime), current=v3_client.products,
                     accept=lambda p: bool(p.is_status_available and p.is_value_based and p.is_multiple_use))
    if product is None:
        not_applicable("no multiple-use value-based product whose status is available")
    assert product is not None
    return v3_client.issue(product.code, 1, face_value_for(product)).vouchers[0].voucher_id


CHANGES = {"used": "use", "voided": "void", "expired": "expire", "partially redeemed": "redeem"}


@when(parsers.parse("the voucher is {change} at the provider"), target_fixture="amount_before")
def _(voucher_id: str, v3_sandbox: SandboxControl | None, v3_client: V3Client, change: str) -> int:
    before = v3_client.voucher(voucher_id).remaining_amount
    amount = before // 2 if change == "partially redeemed" else None
    controlled(v3_sandbox).set_voucher_state(voucher_id, CHANGES[change], amount=amount)
    return before


@then(parsers.parse('the voucher reports status "{status}"'))
def _(lookup: httpx.Response, amount_before: int, check: Check, status: str) -> None:
    check.status(lookup, 200, "the voucher")
    vouchers = voucher_objects(lookup)
    check.that(len(vouchers) == 1, "one voucher", f"{len(vouchers)}")
    check.that(vouchers[0].get("status") == status, f"status {status!r}", vouchers[0].get("status"))
    if status == "active":
        remaining = vouchers[0].get("remaining_amount")
        check.that(isinstance(remaining, int) and remaining < amount_before,
                   f"remaining_amount below {amount_before} after a partial redemption", remaining)
