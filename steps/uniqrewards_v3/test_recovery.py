"""IDEM: issue recovery using idempotency under lost responses, lost requests and server errors."""

from __future__ import annotations

import dataclasses
import threading
import time

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import controlled, not_applicable, note, post_attempts
from steps.uniqrewards_v3.common import (
    as_sent,
    body_for,
    exactly_one_issuance,
    face_value_for,
    harness,
    issue_path,
    one_key,
    same_as_first,
    vouchers_of,
)
from uatcert.faults import FaultTransport
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.scenario import IssuanceWitness, ScenarioExchanges, ThreadAwareEvidence
from uatcert.suite.wings.v3.checks import voucher_objects
from uatcert.suite.wings.v3.picking import choose
from uatcert.suite.wings.v3.target import V3Target
from uatcert.suite.wings.v3.vouchers import check_issuance
from uatcert.v3 import ApiError, Issuance, Product, V3Client, new_idempotency_key

scenarios("uniqrewards_v3/IDEM-issue-recovery.feature")

ISSUE_PATH = r"/products/.+$"
"""The issuance route in a (decoded) request path; a product code may hold "/"."""
IN_FLIGHT_WAIT_S = 0.3


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
    concurrent = v3_client.send("POST", issue_path(product.code), headers={"Idempotency-Key": key},
                                json=body_for(product, 1))
    worker.join(timeout=60)
    evidence.flush()
    first = outcome.get("first")
    error = outcome.get("error")
    recovered = v3_client.issue(product.code, 1, face_value_for(product), idempotency_key=key)
    return InFlight(first if isinstance(first, Issuance) else None,
                    error if isinstance(error, BaseException) else None, concurrent, recovered)


@when("the integrator sends a different request with the same idempotency key", target_fixture="refusal")
def _(v3_client: V3Client, product: Product, issuance: Issuance, v3_witness: IssuanceWitness) -> httpx.Response:
    different = body_for(product, issuance.quantity + 1)
    return v3_client.send("POST", issue_path(product.code),
                          headers={"Idempotency-Key": issuance.idempotency_key}, json=different)


@when("the integrator sends the same request for another product with the same idempotency key",
      target_fixture="refusal")
def _(v3_client: V3Client, v3_catalogue: list[Product], product: Product, issuance: Issuance,
      v3_witness: IssuanceWitness) -> httpx.Response:
    body = body_for(product, issuance.quantity)
    # the same body must be a valid request for the other product: without a face value, a fixed one
    other = choose(v3_catalogue, quantity=issuance.quantity, current=v3_client.products, exclude={product.code},
                   accept=lambda p: "face_value" in body or not p.is_open_value)
    if other is None:
        not_applicable("the catalogue has no second product the same request could issue")
    assert other is not None
    note("other product", other.code)
    return v3_client.send("POST", issue_path(other.code),
                          headers={"Idempotency-Key": issuance.idempotency_key}, json=body)


@when("the integrator sends the same request at another face value with the same idempotency key",
      target_fixture="refusal")
def _(v3_client: V3Client, product: Product, issuance: Issuance, v3_witness: IssuanceWitness) -> httpx.Response:
    face_value = face_value_for(product)
    if face_value is None:
        not_applicable(f"the catalogue holds no open-value product, so the product chosen, {product.code}, is "
                       "fixed-value: there is no face value to change (see ISS-OPEN)")
    assert face_value is not None
    body = {"quantity": issuance.quantity, "face_value": face_value + 100}
    return v3_client.send("POST", issue_path(product.code),
                          headers={"Idempotency-Key": issuance.idempotency_key}, json=body)


@when("the integrator sends the identical request with a new idempotency key", target_fixture="again")
def _(v3_client: V3Client, product: Product, issuance: Issuance, check: Check) -> Issuance:
    with check.conformant("an issuance response"):
        return v3_client.issue(product.code, issuance.quantity, face_value_for(product),
                               idempotency_key=new_idempotency_key())


@then("new vouchers were issued, none of them among the earlier ones")
def _(again: Issuance, issuance: Issuance, product: Product, suite_runtime: SuiteRuntime, check: Check) -> None:
    check.that(again.status_code == 200 and len(again.vouchers) == again.quantity,
               f"{again.quantity} voucher(s) issued (HTTP 200)", f"HTTP {again.status_code}, {len(again.vouchers)}")
    check.that(not again.replayed, "a fresh issuance (no Idempotency-Record: the key, not the body, names it)",
               "a replayed answer")
    reused = sorted({v.voucher_id for v in again.vouchers} & {v.voucher_id for v in issuance.vouchers})
    check.that(not reused, "vouchers other than the earlier issuance's", f"{len(reused)} earlier voucher(s) again")
    check_issuance(check, suite_runtime, product, again.vouchers, again.face_value)


# outcomes --------------------------------------------------------------------------------------
@then("the first attempt got no response")
def _(issuance: Issuance, exchanges: ScenarioExchanges) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    harness(bool(attempts) and attempts[0].outcome == "lost_response",
            f"the armed fault did not lose the first response: {[a.outcome for a in attempts]}")


@then("the first attempt never reached the provider")
def _(issuance: Issuance, exchanges: ScenarioExchanges) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    harness(bool(attempts) and attempts[0].outcome == "lost_request",
            f"the armed fault did not lose the first request: {[a.outcome for a in attempts]}")


@then("the first attempt was answered with a server error")
def _(issuance: Issuance, exchanges: ScenarioExchanges) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    harness(bool(attempts) and (attempts[0].status or 0) >= 500,
            f"the sandbox fault did not answer the first attempt with a 5xx: {[a.status for a in attempts]}")


@then("the retry with the same idempotency key returned the original vouchers as a replay")
def _(issuance: Issuance, product: Product, exchanges: ScenarioExchanges, suite_runtime: SuiteRuntime,
      check: Check) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    one_key(issuance, attempts)
    check.that(issuance.replayed, "the retry answered from the idempotency record (Idempotency-Record header)",
               "a response without Idempotency-Record")
    original = next((a for a in attempts if a.status in (200, 207) and a.response_body), None)
    if original is not None and original is not attempts[-1]:
        same_as_first(check, vouchers_of(original), issuance)
    else:
        note("original answer", "the first answer never reached the client (server error): the replay is "
             "compared with the provider's ledger and the read-back")
    check_issuance(check, suite_runtime, product, issuance.vouchers, issuance.face_value)


@then("the retry with the same idempotency key issued the vouchers")
def _(issuance: Issuance, product: Product, exchanges: ScenarioExchanges, suite_runtime: SuiteRuntime,
      check: Check) -> None:
    one_key(issuance, post_attempts(exchanges, issuance.idempotency_key))
    check.that(issuance.status_code == 200 and len(issuance.vouchers) == issuance.quantity,
               f"{issuance.quantity} voucher(s) issued", f"HTTP {issuance.status_code}, {len(issuance.vouchers)}")
    check.that(not issuance.replayed, "a fresh issuance (no Idempotency-Record: the first request never arrived)",
               "a replayed response")
    check_issuance(check, suite_runtime, product, issuance.vouchers, issuance.face_value)


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
    exactly_one_issuance(issuance, v3_sandbox, v3_target, check)


@then("the provider recorded exactly one issuance for that key")
def _(in_flight: InFlight, v3_sandbox: SandboxControl | None, v3_target: V3Target, check: Check) -> None:
    exactly_one_issuance(in_flight.recovered, v3_sandbox, v3_target, check)


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
    same_as_first(check, as_sent(in_flight.first), in_flight.recovered)


@then("the different request is refused as a client error without vouchers")
def _(refusal: httpx.Response, check: Check) -> None:
    note("status of a key reused with another request (undocumented; 422 proposed)", refusal.status_code)
    check.that(400 <= refusal.status_code < 500, "a client-error refusal", f"HTTP {refusal.status_code}")
    check.that(not voucher_objects(refusal), "no voucher in the refusal", f"{len(voucher_objects(refusal))} vouchers")


@then("replaying the original request still returns the original vouchers")
def _(issuance: Issuance, v3_client: V3Client, product: Product, check: Check) -> None:
    replay = v3_client.issue(product.code, issuance.quantity, face_value_for(product),
                             idempotency_key=issuance.idempotency_key)
    check.that(replay.replayed, "a replay (Idempotency-Record header)", "a fresh response")
    same_as_first(check, as_sent(issuance), replay)


@then(parsers.parse("the issuance succeeded on attempt {attempt:d} with one idempotency key throughout"))
def _(issuance: Issuance, exchanges: ScenarioExchanges, attempt: int) -> None:
    attempts = post_attempts(exchanges, issuance.idempotency_key)
    harness(issuance.attempts == attempt and len(attempts) == attempt,
            f"the faults armed for {attempt - 1} losses gave attempt {issuance.attempts} ({len(attempts)} requests)")
    one_key(issuance, attempts)
