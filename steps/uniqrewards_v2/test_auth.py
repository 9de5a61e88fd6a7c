"""V2-AUTH: the token obtained, reused and renewed; client keys on every call; wrong credentials refused."""

from __future__ import annotations

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import note
from steps.uniqrewards_v2.common import face_value_for, request_body, voucher_ref_for_checks
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.scenario import IssuanceWitness, ScenarioExchanges
from uatcert.suite.wings.v2.fixtures import V2Connector
from uatcert.suite.wings.v2.issued import IssuedV2Vouchers
from uatcert.suite.wings.v2.target import V2Target
from uatcert.v2 import (
    CORRELATION_ID_HEADER,
    ApiError,
    ApiStatusError,
    CatalogueEntry,
    CatalogueFile,
    CheckedVoucher,
    TokenError,
    V2Client,
    new_correlation_id,
)

scenarios("uniqrewards_v2/V2-AUTH-access-tokens-and-client-keys.feature")


@given("a fresh v2 connection with the integrator's credentials", target_fixture="v2_connection")
def _(v2_connect: V2Connector) -> V2Client:
    return v2_connect()


@given("a voucher issued to the integrator", target_fixture="v2_voucher_ref")
def _(v2_issued: IssuedV2Vouchers, v2_connection: V2Client, v2_catalogue: CatalogueFile) -> str:
    return voucher_ref_for_checks(v2_issued, v2_connection, v2_catalogue)


def _check(connection: V2Client, ref: str, check: Check) -> list[CheckedVoucher]:
    with check.conformant("a Check Vouchers answer"):
        try:
            return connection.check_vouchers([ref])
        except ApiStatusError as exc:
            check.fail("the voucher checked (a succeeded answer)", f"HTTP {exc.status} {exc.code or ''}")
            raise  # unreachable: fail() raises


@when(parsers.parse("the integrator checks that voucher {times:d} times with one access token"),
      target_fixture="v2_rechecked")
def _(v2_connection: V2Client, v2_voucher_ref: str, check: Check, times: int) -> list[CheckedVoucher]:
    checked = [entry for _ in range(times) for entry in _check(v2_connection, v2_voucher_ref, check)]
    if v2_connection.token_fetches != 1:  # harness precondition: the client reused its token
        raise RuntimeError(f"the client obtained {v2_connection.token_fetches} tokens for {times} checks")
    info = v2_connection.token_info
    if info is not None:
        note("token response (expires_in, token_type and scope: reconstructed, not asserted)", info.model_dump())
    return checked


@then("every check was answered on that access token and the integrator's client keys")
def _(exchanges: ScenarioExchanges, v2_target: V2Target, v2_rechecked: list[CheckedVoucher],
      v2_voucher_ref: str, check: Check) -> None:
    calls = [e for e in exchanges.all() if e.api == "v2"]
    tokens = {e.request_headers.get("authorization") for e in calls}
    ids = {e.request_headers.get("x-client-id") for e in calls}
    if not calls or len(tokens) != 1 or None in tokens or ids != {v2_target.x_client_id} or not all(
            e.request_headers.get("x-client-secret") for e in calls):
        raise RuntimeError("the voucher calls did not all carry the one token and the integrator's client keys")
    refused = [e.status for e in calls if e.status != 200]
    check.that(not refused, "every voucher call on the reused token answered (HTTP 200)", refused)
    check.that({c.voucher_settlement_ref for c in v2_rechecked} == {v2_voucher_ref},
               "the voucher reported on every check", sorted({c.voucher_settlement_ref for c in v2_rechecked}))


@given("the integrator has checked that voucher once")
def _(v2_connection: V2Client, v2_voucher_ref: str, check: Check) -> None:
    _check(v2_connection, v2_voucher_ref, check)


@when("the v2 access token expires", target_fixture="v2_fetches_before")
def _(v2_connection: V2Client, v2_sandbox: SandboxControl | None) -> int:
    if v2_sandbox is not None:
        v2_sandbox.expire_tokens()  # the provider rejects it from now on
    else:
        v2_connection.expire_token_locally()  # one hour has passed on the client's clock
    return v2_connection.token_fetches


@when("the integrator checks that voucher again with a renewed access token", target_fixture="v2_rechecked")
def _(v2_connection: V2Client, v2_voucher_ref: str, v2_fetches_before: int, check: Check) -> list[CheckedVoucher]:
    checked = _check(v2_connection, v2_voucher_ref, check)
    renewed = v2_connection.token_fetches - v2_fetches_before
    if renewed != 1:  # harness precondition: the client renewed its token once
        raise RuntimeError(f"the client renewed its token {renewed} times, not once")
    return checked


@then("the voucher was checked successfully after the renewal")
def _(v2_rechecked: list[CheckedVoucher], v2_voucher_ref: str, check: Check) -> None:
    check.that([c.voucher_settlement_ref for c in v2_rechecked] == [v2_voucher_ref],
               "the voucher reported after the renewal", [c.voucher_settlement_ref for c in v2_rechecked])


@when("the integrator asks for a v2 access token with a wrong client secret", target_fixture="v2_token_refusal")
def _(v2_connect: V2Connector, v2_target: V2Target) -> ApiError | None:
    client = v2_connect(credentials=(v2_target.client_id, v2_target.client_secret + "-not-the-secret"))
    try:
        client.access_token()
    except ApiError as exc:
        return exc
    return None


@then("no access token is issued")
def _(v2_token_refusal: ApiError | None, check: Check) -> None:
    check.that(v2_token_refusal is not None, "the token request refused", "a token was issued")
    refused = isinstance(v2_token_refusal, TokenError) or (
        isinstance(v2_token_refusal, ApiStatusError) and 400 <= v2_token_refusal.status < 500
    )
    check.that(refused, "a refusal as a client error from the token endpoint", repr(v2_token_refusal))
    if isinstance(v2_token_refusal, TokenError):
        note("OAuth error (UNDOCUMENTED)", {"status": v2_token_refusal.status, "error": v2_token_refusal.error})


PROBLEMS = ("a wrong client secret key", "no client keys", "no access token")


@when(parsers.parse("the integrator requests 1 voucher of it with {problem}"), target_fixture="v2_refusal")
def _(v2_client: V2Client, v2_product: CatalogueEntry, v2_target: V2Target, v2_witness: IssuanceWitness,
      problem: str) -> httpx.Response:
    if problem not in PROBLEMS:
        raise LookupError(f"no such problem in the step table: {problem}")
    headers: dict[str, str | None] = {CORRELATION_ID_HEADER: new_correlation_id()}
    if problem == "a wrong client secret key":
        headers["X-Client-Secret"] = v2_target.x_client_secret[::-1] + "0"
    return v2_client.send(
        "POST", v2_client.issue_path(v2_product.code, v2_product.order_number),
        content=request_body(1, face_value_for(v2_product)), headers=headers,
        authenticate=problem != "no access token", client_headers=problem != "no client keys",
    )
