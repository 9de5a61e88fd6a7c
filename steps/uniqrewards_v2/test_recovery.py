"""V2-IDEM: issue recovery with the same X-Correlation-Id under lost responses, lost requests and ERV codes."""

from __future__ import annotations

import json
from typing import Any

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import controlled, not_applicable, note, post_attempts
from steps.uniqrewards_v2.common import (
    DEFAULT_FACE_VALUE,
    compare_checked,
    face_value_for,
    messages_of,
    pick_product,
    request_body,
    vouchers_in,
)
from uatcert.events import Exchange
from uatcert.faults import FaultTransport
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.scenario import ScenarioExchanges
from uatcert.suite.wings.v2.catalogue import NO_DYNAMIC
from uatcert.suite.wings.v2.issued import IssuedV2Vouchers, documented
from uatcert.suite.wings.v2.target import V2Target
from uatcert.v2 import (
    CORRELATION_ID_HEADER,
    CatalogueEntry,
    CatalogueFile,
    Issuance,
    V2Client,
    new_correlation_id,
)

scenarios("uniqrewards_v2/V2-IDEM-issue-recovery.feature")

ISSUE_PATH = r"/vouchers/actions/request$"


def _vouchers_of(exchange: Exchange) -> list[dict[str, Any]]:
    try:
        body = json.loads(exchange.response_body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return []
    return [v for v in data if isinstance(v, dict) and "voucher_settlement_ref" in v]


def _retried(attempts: list[Exchange], issuance: Issuance) -> None:
    """Harness precondition: the client retried the identical request under one X-Correlation-Id."""
    ids = {a.request_headers.get(CORRELATION_ID_HEADER.lower()) for a in attempts}
    if len(attempts) < 2 or ids != {issuance.correlation_id} or len({(a.url, a.request_body) for a in attempts}) != 1:
        raise RuntimeError(f"the client did not retry the identical request: {len(attempts)} attempt(s), "
                           f"{len(ids)} correlation id(s)")


def same_vouchers(first: list[dict[str, Any]], again: list[dict[str, Any]], check: Check, what: str) -> None:
    """`again` holds exactly the vouchers of `first`, every documented key equal (status recorded: UNDOCUMENTED
    whether a replay shows the status at issuance or the current one; order UNDOCUMENTED)."""
    by_ref = {str(v.get("voucher_settlement_ref")): documented(v) for v in first}
    got = {str(v.get("voucher_settlement_ref")): documented(v) for v in again}
    check.that(sorted(got) == sorted(by_ref), f"{what}: the settlement refs of the first answer",
               f"first {sorted(by_ref)}, again {sorted(got)}")
    for ref, original in by_ref.items():
        differing = sorted(k for k, value in original.items() if k != "status" and got[ref].get(k) != value)
        check.that(not differing, f"{what}: every documented detail of {ref} as first issued",
                   f"other {', '.join(differing)}")
    note("order and statuses of the answer again (UNDOCUMENTED)", {
        "same order": list(got) == list(by_ref), "statuses": [v.get("status") for v in got.values()],
    })


def _raw_vouchers(issuance: Issuance) -> list[dict[str, Any]]:
    """The voucher objects as the final answer carried them (the model normalises dates and codes)."""
    data = issuance.raw.get("data") if isinstance(issuance.raw, dict) else None
    return [v for v in data or [] if isinstance(v, dict)]


# faults ----------------------------------------------------------------------------------------
@given("the network will lose the response to the next voucher request")
def _(v2_faults: FaultTransport) -> None:
    v2_faults.arm("lose_response", method="POST", path=ISSUE_PATH)


@given("the network will lose the next voucher request before it is sent")
def _(v2_faults: FaultTransport) -> None:
    v2_faults.arm("lose_request", method="POST", path=ISSUE_PATH)


@given("the provider will answer its next voucher request with an internal error after issuing")
def _(v2_sandbox: SandboxControl | None) -> None:
    controlled(v2_sandbox).arm_fault("commit_then_500", api="v2", method="POST", path=ISSUE_PATH)


@given("the provider will fail its next voucher request before issuing")
def _(v2_sandbox: SandboxControl | None) -> None:
    controlled(v2_sandbox).arm_fault("fail_before_commit", api="v2", method="POST", path=ISSUE_PATH)


# requesting ------------------------------------------------------------------------------------
def _request(client: V2Client, product: CatalogueEntry, quantity: int) -> Issuance:
    return client.request_vouchers(product.code, product.order_number, quantity, face_value_for(product),
                                   correlation_id=new_correlation_id())


@when(parsers.re(r"the integrator requests (?P<quantity>\d+) vouchers? of the product with a new correlation id"),
      target_fixture="v2_issuance")
def _(v2_client: V2Client, v2_product: CatalogueEntry, quantity: str) -> Issuance:
    return _request(v2_client, v2_product, int(quantity))


@given(parsers.re(r"(?P<quantity>\d+) vouchers? of the product (was|were) requested with a new correlation id"),
       target_fixture="v2_issuance")
def _(v2_client: V2Client, v2_product: CatalogueEntry, quantity: str) -> Issuance:
    return _request(v2_client, v2_product, int(quantity))


@when("the integrator requests 1 more voucher of the product with another new correlation id",
      target_fixture="v2_second_issuance")
def _(v2_client: V2Client, v2_product: CatalogueEntry) -> Issuance:
    return _request(v2_client, v2_product, 1)


@when("the integrator sends the identical request again with the same correlation id", target_fixture="v2_replay")
def _(v2_client: V2Client, v2_product: CatalogueEntry, v2_issuance: Issuance) -> Issuance:
    return v2_client.request_vouchers(v2_product.code, v2_product.order_number, v2_issuance.quantity,
                                      v2_issuance.face_value, correlation_id=v2_issuance.correlation_id)


DIFFERENCES = ("another quantity", "another product", "another face value")


@when(parsers.parse("the integrator sends a request with {difference} and the same correlation id"),
      target_fixture="v2_different")
def _(v2_client: V2Client, v2_product: CatalogueEntry, v2_issuance: Issuance, v2_catalogue: CatalogueFile,
      v2_issued: IssuedV2Vouchers, difference: str) -> httpx.Response:
    if difference not in DIFFERENCES:
        raise LookupError(f"no such difference in the step table: {difference}")
    product, quantity, face_value = v2_product, v2_issuance.quantity, face_value_for(v2_product)
    if difference == "another quantity":
        quantity += 1
    elif difference == "another product":
        other = pick_product(v2_catalogue, v2_issued, 1, other_than=v2_product.code)
        if other is None:
            not_applicable("the catalogue file lists no other product with stock to reuse the correlation id with")
        assert other is not None
        product, face_value = other, face_value_for(other)
    else:
        if face_value is None:  # the product picked is dynamic value-based whenever the catalogue has one
            not_applicable(NO_DYNAMIC)
        face_value = DEFAULT_FACE_VALUE + 1
    return v2_client.send("POST", v2_client.issue_path(product.code, product.order_number),
                          content=request_body(quantity, face_value),
                          headers={CORRELATION_ID_HEADER: v2_issuance.correlation_id})


# outcomes --------------------------------------------------------------------------------------
@then(parsers.parse('the first attempt was answered with the documented internal error "{code}"'))
def _(v2_issuance: Issuance, exchanges: ScenarioExchanges, check: Check, code: str) -> None:
    attempts = post_attempts(exchanges, v2_issuance.correlation_id)
    first = attempts[0] if attempts else None
    check.that(first is not None and first.status == 500, "HTTP 500 on the first attempt",
               [a.status for a in attempts])
    assert first is not None
    codes = [m.get("code") for m in messages_of(httpx.Response(500, content=first.response_body))]
    check.that(code in codes, f"error code {code} in meta.messages", codes)


@then("the first attempt was answered with an internal error")
def _(v2_issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, v2_issuance.correlation_id)
    check.that(bool(attempts) and (attempts[0].status or 0) >= 500, "a server error on the first attempt",
               [a.status for a in attempts])
    codes = [m.get("code") for m in messages_of(httpx.Response(500, content=attempts[0].response_body))]
    note("code of the internal error (ERV1102 or ERV1202 documented)", codes)


@then("the retry with the same correlation id returned the vouchers of the lost response")
def _(v2_issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, v2_issuance.correlation_id)
    _retried(attempts, v2_issuance)
    lost = next((a for a in attempts if a.outcome == "lost_response" and a.status == 200), None)
    if lost is None:
        raise RuntimeError(f"no lost answer kept as evidence: {[a.outcome for a in attempts]}")
    same_vouchers(_vouchers_of(lost), _raw_vouchers(v2_issuance), check, "the retry after the lost answer")


@then(parsers.parse("the retry with the same correlation id received {quantity:d} vouchers"))
def _(v2_issuance: Issuance, exchanges: ScenarioExchanges, check: Check, quantity: int) -> None:
    _retried(post_attempts(exchanges, v2_issuance.correlation_id), v2_issuance)
    check.that(v2_issuance.status_code == 200 and len(v2_issuance.vouchers) == quantity,
               f"{quantity} vouchers in a succeeded answer", f"HTTP {v2_issuance.status_code}, "
               f"{len(v2_issuance.vouchers)} vouchers")


@then("checking the vouchers confirms them")
def _(v2_issuance: Issuance, v2_client: V2Client, v2_issued: IssuedV2Vouchers, check: Check) -> None:
    with check.conformant("a Check Vouchers answer"):
        checked = v2_client.check_vouchers(v2_issuance.settlement_refs)
    refs = set(v2_issuance.settlement_refs)
    compare_checked(checked, [v for v in v2_issued.all() if v.settlement_ref in refs], check)


@then("the provider recorded exactly one issuance for the correlation id")
def _(v2_issuance: Issuance, v2_sandbox: SandboxControl | None, v2_target: V2Target, check: Check) -> None:
    if v2_sandbox is None:
        note("issuance ledger", f"{v2_target.label} has no ledger to read; exactly-once is shown by the settlement "
             "refs of the answers and Check Vouchers")
        return
    entries = v2_sandbox.ledger(api="v2", idempotency_key=v2_issuance.correlation_id)
    check.that(len(entries) == 1, "exactly one issuance in the provider's ledger for the correlation id",
               f"{len(entries)}")
    recorded = sorted(entries[0].get("voucher_ids", []))
    check.that(recorded == sorted(v2_issuance.settlement_refs), "the ledger's vouchers are the ones the client holds",
               recorded)


@then("the same vouchers are returned, every documented detail as first issued")
def _(v2_issuance: Issuance, v2_replay: Issuance, check: Check) -> None:
    same_vouchers(_raw_vouchers(v2_issuance), _raw_vouchers(v2_replay), check, "the same request again")


@then("the second request returned vouchers different from the first")
def _(v2_issuance: Issuance, v2_second_issuance: Issuance, check: Check) -> None:
    """C-IDEM-6: the correlation id, not the body, names an issuance."""
    shared = set(v2_issuance.settlement_refs) & set(v2_second_issuance.settlement_refs)
    check.that(len(v2_second_issuance.vouchers) == 1 and not shared, "1 new voucher (another settlement ref)",
               f"{len(v2_second_issuance.vouchers)} voucher(s), shared refs {sorted(shared)}")


@then("the provider recorded one issuance for each correlation id")
def _(v2_issuance: Issuance, v2_second_issuance: Issuance, v2_sandbox: SandboxControl | None, v2_target: V2Target,
      check: Check) -> None:
    if v2_sandbox is None:
        note("issuance ledger", f"{v2_target.label} has no ledger to read; the settlement refs of the answers differ")
        return
    for issuance in (v2_issuance, v2_second_issuance):
        entries = v2_sandbox.ledger(api="v2", idempotency_key=issuance.correlation_id)
        check.that(len(entries) == 1, f"one issuance in the provider's ledger for {issuance.correlation_id}",
                   f"{len(entries)}")


@then("the different request got neither a new voucher nor the vouchers of the first request")
def _(v2_issuance: Issuance, v2_different: httpx.Response, check: Check) -> None:
    """
    Reuse of an X-Correlation-Id with another request is UNDOCUMENTED (the reference proposes 409,
    nothing issued). What is asserted: nothing is issued twice under one id (the point of the id, DOC
    §9.1), and a succeeded answer carries vouchers of the request it answers (DOC §5.5), so never the
    first request's vouchers, which were issued for another product, quantity or amount.
    """
    note("answer to a correlation id reused with another request (UNDOCUMENTED; 409 proposed)",
         {"status": v2_different.status_code, "codes": [m.get("code") for m in messages_of(v2_different)]})
    got = {str(v.get("voucher_settlement_ref")) for v in vouchers_in(v2_different)}
    first = set(v2_issuance.settlement_refs)
    check.that(v2_different.status_code < 500, "no server error", f"HTTP {v2_different.status_code}")
    check.that(not got - first, "no voucher other than the ones first issued under the correlation id",
               sorted(got - first))
    check.that(not got & first, "not the first request's vouchers as the answer to another request",
               f"{len(got & first)} voucher(s) of the first request")
