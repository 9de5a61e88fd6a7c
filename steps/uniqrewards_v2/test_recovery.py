"""V2-IDEM: issue recovery with the same X-Correlation-Id under lost responses, lost requests and ERV codes."""

from __future__ import annotations

import json

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import controlled, note, post_attempts
from steps.uniqrewards_v2.common import face_value_for, messages_of, request_body, vouchers_in
from uatcert.events import Exchange
from uatcert.faults import FaultTransport
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.scenario import ScenarioExchanges
from uatcert.suite.wings.v2.target import V2Target
from uatcert.v2 import (
    CORRELATION_ID_HEADER,
    CatalogueEntry,
    Issuance,
    V2Client,
    new_correlation_id,
)

scenarios("uniqrewards_v2/V2-IDEM-issue-recovery.feature")

ISSUE_PATH = r"/vouchers/actions/request$"


def _refs_of(exchange: Exchange) -> list[str]:
    try:
        body = json.loads(exchange.response_body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return []
    return [str(v["voucher_settlement_ref"]) for v in data if isinstance(v, dict) and "voucher_settlement_ref" in v]


def _one_identical_request(attempts: list[Exchange], issuance: Issuance, check: Check) -> None:
    ids = {a.request_headers.get(CORRELATION_ID_HEADER.lower()) for a in attempts}
    check.that(ids == {issuance.correlation_id}, "one X-Correlation-Id on every attempt", sorted(map(str, ids)))
    bodies = {a.request_body for a in attempts}
    paths = {a.url for a in attempts}
    check.that(len(bodies) == 1 and len(paths) == 1, "the identical request on every attempt",
               f"{len(bodies)} bodies, {len(paths)} URLs")


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


@when("the integrator sends a different request with the same correlation id", target_fixture="v2_different")
def _(v2_client: V2Client, v2_product: CatalogueEntry, v2_issuance: Issuance) -> httpx.Response:
    different = request_body(v2_issuance.quantity + 1, face_value_for(v2_product))
    return v2_client.send("POST", v2_client.issue_path(v2_product.code, v2_product.order_number), content=different,
                          headers={CORRELATION_ID_HEADER: v2_issuance.correlation_id})


# outcomes --------------------------------------------------------------------------------------
@then("the first attempt got no response")
def _(v2_issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, v2_issuance.correlation_id)
    check.that(bool(attempts) and attempts[0].outcome == "lost_response", "the first response lost in transit",
               [a.outcome for a in attempts])


@then("the first attempt never reached the provider")
def _(v2_issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, v2_issuance.correlation_id)
    check.that(bool(attempts) and attempts[0].outcome == "lost_request", "the first request lost before sending",
               [a.outcome for a in attempts])


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
    _one_identical_request(attempts, v2_issuance, check)
    lost = next((a for a in attempts if a.outcome == "lost_response" and a.status == 200), None)
    check.that(lost is not None, "the lost answer kept as evidence", [a.outcome for a in attempts])
    assert lost is not None
    original = sorted(_refs_of(lost))
    received = sorted(v2_issuance.settlement_refs)
    check.that(original == received, "the retry returns the vouchers of the lost answer (same settlement refs)",
               f"lost {original}, retry {received}")


@then(parsers.parse("the retry with the same correlation id received {quantity:d} vouchers"))
def _(v2_issuance: Issuance, exchanges: ScenarioExchanges, check: Check, quantity: int) -> None:
    attempts = post_attempts(exchanges, v2_issuance.correlation_id)
    _one_identical_request(attempts, v2_issuance, check)
    check.that(len(attempts) >= 2, "a retry after the failed attempt", f"{len(attempts)} attempt(s)")
    check.that(v2_issuance.status_code == 200 and len(v2_issuance.vouchers) == quantity,
               f"{quantity} vouchers in a succeeded answer", f"HTTP {v2_issuance.status_code}, "
               f"{len(v2_issuance.vouchers)} vouchers")


@then("checking the vouchers confirms them")
def _(v2_issuance: Issuance, v2_client: V2Client, check: Check) -> None:
    with check.conformant("a Check Vouchers answer"):
        checked = v2_client.check_vouchers(v2_issuance.settlement_refs)
    check.that(sorted(c.voucher_settlement_ref for c in checked) == sorted(v2_issuance.settlement_refs),
               "every voucher of the issuance reported", [c.voucher_settlement_ref for c in checked])


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


@then("the same vouchers are returned")
def _(v2_issuance: Issuance, v2_replay: Issuance, check: Check) -> None:
    check.that(sorted(v2_replay.settlement_refs) == sorted(v2_issuance.settlement_refs),
               "the settlement refs of the first answer", f"first {sorted(v2_issuance.settlement_refs)}, "
               f"again {sorted(v2_replay.settlement_refs)}")
    check.that(sorted(v.voucher_ref for v in v2_replay.vouchers) == sorted(v.voucher_ref for v in v2_issuance.vouchers),
               "the voucher refs of the first answer", "other voucher refs")
    note("order and statuses of the second answer (UNDOCUMENTED)", {
        "same order": v2_replay.settlement_refs == v2_issuance.settlement_refs,
        "statuses": [v.status for v in v2_replay.vouchers],
    })


@then("the two requests carried different correlation ids")
def _(v2_issuance: Issuance, v2_second_issuance: Issuance, check: Check) -> None:
    check.that(v2_issuance.correlation_id != v2_second_issuance.correlation_id,
               "a new X-Correlation-Id for a new issuance", "the same id twice")


@then("the second request returned vouchers different from the first")
def _(v2_issuance: Issuance, v2_second_issuance: Issuance, check: Check) -> None:
    shared = set(v2_issuance.settlement_refs) & set(v2_second_issuance.settlement_refs)
    check.that(len(v2_second_issuance.vouchers) == 1 and not shared, "1 new voucher", f"shared refs {sorted(shared)}")


@then("the different request got no new voucher")
def _(v2_issuance: Issuance, v2_different: httpx.Response, check: Check) -> None:
    note("answer to a correlation id reused with another request (UNDOCUMENTED; 409 proposed)",
         {"status": v2_different.status_code, "codes": [m.get("code") for m in messages_of(v2_different)]})
    got = {str(v.get("voucher_settlement_ref")) for v in vouchers_in(v2_different)}
    new = sorted(got - set(v2_issuance.settlement_refs))
    check.that(v2_different.status_code < 500, "no server error", f"HTTP {v2_different.status_code}")
    check.that(not new, "no voucher other than the ones first issued under the correlation id", new)
