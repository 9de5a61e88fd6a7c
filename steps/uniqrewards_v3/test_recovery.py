"""IDEM: issue recovery using idempotency under lost responses, lost requests and server errors."""

from __future__ import annotations

import dataclasses
import threading
import time

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import controlled, note, post_attempts
from steps.uniqrewards_v3.common import face_value_for
from uatcert.events import Exchange
from uatcert.faults import FaultTransport
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.scenario import IssuanceWitness, ScenarioExchanges, ThreadAwareEvidence
from uatcert.suite.wings.v3.checks import voucher_objects
from uatcert.suite.wings.v3.target import V3Target
from uatcert.v3 import ApiError, Issuance, Product, V3Client, new_idempotency_key

scenarios("uniqrewards_v3/IDEM-issue-recovery.feature")

ISSUE_PATH = r"/products/[^/]+$"
IN_FLIGHT_WAIT_S = 0.3


def _body(product: Product, quantity: int) -> dict[str, int]:
    body = {"quantity": quantity}
    face_value = face_value_for(product)
    if face_value is not None:
        body["face_value"] = face_value
    return body


def _voucher_ids_of(exchange: Exchange) -> list[str]:
    response = httpx.Response(exchange.status or 0, content=exchange.response_body)
    return [str(v.get("voucher_id")) for v in voucher_objects(response)]


# faults ----------------------------------------------------------------------------------------
@given("the network will lose the response to the next issuance")
def _(v3_faults: FaultTransport) -> None:
    v3_faults.arm("lose_response", method="POST", path=ISSUE_PATH)


@given(parsers.parse("the network will lose the responses to the next {count:d} issuance attempts"))
def _(v3_faults: FaultTransport, count: int) -> None:
    v3_faults.arm("lose_response", method="POST", path=ISSUE_PATH, times=count)


@given("the network will lose the next issuance request before it is sent")
def _(v3_faults: FaultTransport) -> None:
    v3_faults.arm("lose_request", method="POST", path=ISSUE_PATH)


@given("the provider will answer its next issuance with a server error after issuing")
def _(v3_sandbox: SandboxControl | None) -> None:
    controlled(v3_sandbox).arm_fault("commit_then_500", method="POST", path=ISSUE_PATH)


@given("the provider will be slow to complete its next issuance")
def _(v3_sandbox: SandboxControl | None) -> None:
    controlled(v3_sandbox).arm_fault("slow_commit", method="POST", path=ISSUE_PATH)


# issuing ---------------------------------------------------------------------------------------
@when(parsers.re(r"the integrator issues (?P<quantity>\d+) vouchers? of the product with a new idempotency key"),
      target_fixture="issuance")
def _(v3_client: V3Client, product: Product, quantity: str) -> Issuance:
    return v3_client.issue(product.code, int(quantity), face_value_for(product), idempotency_key=new_idempotency_key())


@given(parsers.re(r"(?P<quantity>\d+) vouchers? of the product (was|were) issued with a new idempotency key"),
       target_fixture="issuance")
def _(v3_client: V3Client, product: Product, quantity: str) -> Issuance:
    return v3_client.issue(product.code, int(quantity), face_value_for(product), idempotency_key=new_idempotency_key())


@dataclasses.dataclass
class InFlight:
    first: Issuance | None
    first_error: BaseException | None
    concurrent: httpx.Response
    recovered: Issuance


@when("the integrator issues 1 voucher of the product and retries while the first attempt is in flight",
      target_fixture="in_flight")
def _(v3_client: V3Client, product: Product, evidence: ThreadAwareEvidence) -> InFlight:
    key = new_idempotency_key()
    outcome: dict[str, Issuance | BaseException] = {}

    def first_attempt() -> None:
        try:
            outcome["first"] = v3_client.issue(product.code, 1, face_value_for(product), idempotency_key=key)
        except ApiError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=first_attempt, name="first-attempt")
    worker.start()
    time.sleep(IN_FLIGHT_WAIT_S)  # the provider holds the key for longer than this (slow commit)
    concurrent = v3_client.send("POST", f"/products/{product.code}", headers={"Idempotency-Key": key},
                                json=_body(product, 1))
    worker.join(timeout=60)
    evidence.flush()
    first = outcome.get("first")
    error = outcome.get("error")
    recovered = v3_client.issue(product.code, 1, face_value_for(product), idempotency_key=key)
    return InFlight(first if isinstance(first, Issuance) else None,
                    error if isinstance(error, BaseException) else None, concurrent, recovered)


@when("the integrator sends a different request with the same idempotency key", target_fixture="refusal")
def _(v3_client: V3Client, product: Product, issuance: Issuance, v3_witness: IssuanceWitness) -> httpx.Response:
    different = _body(product, issuance.quantity + 1)
    return v3_client.send("POST", f"/products/{product.code}",
                          headers={"Idempotency-Key": issuance.idempotency_key}, json=different)


# outcomes --------------------------------------------------------------------------------------
@then("the first attempt got no response")
def _(issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    check.that(bool(attempts) and attempts[0].outcome == "lost_response", "the first response lost in transit",
               [a.outcome for a in attempts])


@then("the first attempt never reached the provider")
def _(issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    check.that(bool(attempts) and attempts[0].outcome == "lost_request", "the first request lost before sending",
               [a.outcome for a in attempts])


@then("the first attempt was answered with a server error")
def _(issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    check.that(bool(attempts) and (attempts[0].status or 0) >= 500, "a server error on the first attempt",
               [a.status for a in attempts])


@then("the retry with the same idempotency key returned the original vouchers as a replay")
def _(issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    keys = {a.request_headers.get("idempotency-key") for a in attempts}
    check.that(keys == {issuance.idempotency_key}, "one idempotency key on every attempt", sorted(map(str, keys)))
    check.that(issuance.replayed, "the retry answered from the idempotency record (Idempotency-Record header)",
               "a response without Idempotency-Record")
    original = next((a for a in attempts if a.status in (200, 207) and a.response_body), None)
    if original is not None and original is not attempts[-1]:
        first_ids = sorted(_voucher_ids_of(original))
        replay_ids = sorted(v.voucher_id for v in issuance.vouchers)
        check.that(first_ids == replay_ids, "the replay carries the voucher ids of the original issuance",
                   f"original {first_ids}, replay {replay_ids}")


@then("the retry with the same idempotency key issued the vouchers")
def _(issuance: Issuance, exchanges: ScenarioExchanges, check: Check) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    keys = {a.request_headers.get("idempotency-key") for a in attempts}
    check.that(keys == {issuance.idempotency_key}, "one idempotency key on every attempt", sorted(map(str, keys)))
    check.that(issuance.status_code == 200 and len(issuance.vouchers) == issuance.quantity,
               f"{issuance.quantity} voucher(s) issued", f"HTTP {issuance.status_code}, {len(issuance.vouchers)}")
    check.that(not issuance.replayed, "a fresh issuance (no Idempotency-Record: the first request never arrived)",
               "a replayed response")


@then("reading the vouchers back confirms them")
def _(issuance: Issuance, product: Product, v3_client: V3Client, check: Check) -> None:
    ids = [v.voucher_id for v in issuance.vouchers]
    if product.is_status_available is False:
        note("read-back", "the product's status is not available; read-back not relied upon")
        return
    read = v3_client.vouchers(ids)
    check.that(sorted(v.voucher_id for v in read) == sorted(ids), "every voucher of the issuance read back",
               [v.voucher_id for v in read])
    check.that(all(v.product_code == product.code for v in read), f"vouchers of {product.code}",
               sorted({v.product_code for v in read}))


@then("the provider recorded exactly one issuance for the key")
def _(issuance: Issuance, v3_sandbox: SandboxControl | None, v3_target: V3Target, check: Check) -> None:
    _exactly_one_issuance(issuance, v3_sandbox, v3_target, check)


@then("the provider recorded exactly one issuance for that key")
def _(in_flight: InFlight, v3_sandbox: SandboxControl | None, v3_target: V3Target, check: Check) -> None:
    _exactly_one_issuance(in_flight.recovered, v3_sandbox, v3_target, check)


def _exactly_one_issuance(
    issuance: Issuance, v3_sandbox: SandboxControl | None, v3_target: V3Target, check: Check
) -> None:
    if v3_sandbox is None:
        note("issuance ledger", f"{v3_target.label} has no ledger to read; exactly-once is shown by the replayed "
             "voucher ids and the read-back")
        return
    entries = v3_sandbox.ledger(idempotency_key=issuance.idempotency_key)
    check.that(len(entries) == 1, "exactly one issuance in the provider's ledger for the key", f"{len(entries)}")
    recorded = sorted(entries[0].get("voucher_ids", []))
    check.that(recorded == sorted(v.voucher_id for v in issuance.vouchers),
               "the ledger's vouchers are the ones the client holds", recorded)


@then("the retry in flight was refused without issuing")
def _(in_flight: InFlight, check: Check) -> None:
    response = in_flight.concurrent
    note("status of a retry while in flight (undocumented; 409 proposed)", response.status_code)
    if 400 <= response.status_code < 500:
        check.that(not voucher_objects(response), "no voucher in the refusal", response.text)
        return
    first_ids = sorted(v.voucher_id for v in in_flight.first.vouchers) if in_flight.first else []
    got = sorted(str(v.get("voucher_id")) for v in voucher_objects(response))
    check.that(response.status_code == 200 and got == first_ids,
               "a refusal, or the first attempt's own vouchers", f"HTTP {response.status_code} vouchers {got}")


@then("once the first attempt completed, a retry with the same key returned its vouchers as a replay")
def _(in_flight: InFlight, check: Check) -> None:
    check.that(in_flight.first is not None, "the first attempt completed", repr(in_flight.first_error))
    assert in_flight.first is not None
    check.that(in_flight.recovered.replayed, "a replay (Idempotency-Record header)", "a fresh response")
    check.that(sorted(v.voucher_id for v in in_flight.recovered.vouchers)
               == sorted(v.voucher_id for v in in_flight.first.vouchers),
               "the first attempt's voucher ids", [v.voucher_id for v in in_flight.recovered.vouchers])


@then("the different request is refused as a client error without vouchers")
def _(refusal: httpx.Response, check: Check) -> None:
    note("status of a key reused with another request (undocumented; 422 proposed)", refusal.status_code)
    check.that(400 <= refusal.status_code < 500, "a client-error refusal", f"HTTP {refusal.status_code}")
    check.that(not voucher_objects(refusal), "no voucher in the refusal", refusal.text)


@then("replaying the original request still returns the original vouchers")
def _(issuance: Issuance, v3_client: V3Client, product: Product, check: Check) -> None:
    replay = v3_client.issue(product.code, issuance.quantity, face_value_for(product),
                             idempotency_key=issuance.idempotency_key)
    check.that(replay.replayed, "a replay (Idempotency-Record header)", "a fresh response")
    check.that(sorted(v.voucher_id for v in replay.vouchers) == sorted(v.voucher_id for v in issuance.vouchers),
               "the original voucher ids", [v.voucher_id for v in replay.vouchers])


@then(parsers.parse("the issuance succeeded on attempt {attempt:d} with one idempotency key throughout"))
def _(issuance: Issuance, exchanges: ScenarioExchanges, check: Check, attempt: int) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    check.that(issuance.attempts == attempt and len(attempts) == attempt, f"success on attempt {attempt}",
               f"attempt {issuance.attempts} ({len(attempts)} requests)")
    keys = {a.request_headers.get("idempotency-key") for a in attempts}
    check.that(keys == {issuance.idempotency_key}, "one idempotency key on every attempt", sorted(map(str, keys)))
