"""AUTH: access tokens obtained, reused, renewed; wrong credentials and missing scopes refused."""

from __future__ import annotations

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.uniqrewards_v3.common import body_for, harness, issue_path
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.scenario import IssuanceWitness, ScenarioExchanges
from uatcert.suite.wings.v3.checks import voucher_objects
from uatcert.suite.wings.v3.fixtures import V3Connector
from uatcert.suite.wings.v3.target import V3Target
from uatcert.v3 import ApiError, AuthenticationError, Product, TokenError, V3Client, new_idempotency_key

scenarios("uniqrewards_v3/AUTH-access-tokens.feature")

READ_SCOPES = ("read_catalogue", "read_vouchers")


@given("a fresh connection with the integrator's client credentials", target_fixture="connection")
def _(v3_connect: V3Connector) -> V3Client:
    return v3_connect()


@when(parsers.parse("the integrator reads the catalogue {times:d} times"))
def _(connection: V3Client, times: int) -> None:
    for _ in range(times):
        connection.products()


@then(parsers.parse("exactly {count:d} access token was obtained"))
def _(connection: V3Client, check: Check, count: int) -> None:
    check.that(connection.token_fetches == count, f"{count} token request(s)", f"{connection.token_fetches}")


@then("every call presented the same access token")
def _(exchanges: ScenarioExchanges, check: Check) -> None:
    calls = [e for e in exchanges.all() if e.api == "v3"]
    presented = {e.request_headers.get("authorization") for e in calls}
    harness(len(presented) == 1 and None not in presented,
            f"the client sent {len(presented)} distinct Authorization values")  # the suite's own client
    refused = [e.status for e in calls if e.status != 200]
    check.that(not refused, "the one token accepted on every call (HTTP 200)", f"HTTP {refused}")


@given("the integrator has read the catalogue once")
def _(connection: V3Client) -> None:
    connection.products()


@when("the access token expires", target_fixture="fetches_before")
def _(connection: V3Client, v3_sandbox: SandboxControl | None) -> int:
    if v3_sandbox is not None:
        v3_sandbox.expire_tokens()  # the provider rejects it from now on
    else:
        connection.expire_token_locally()  # the client's clock says it has expired
    return connection.token_fetches


@when("the integrator reads the catalogue again", target_fixture="renewed_catalogue")
def _(connection: V3Client) -> list[Product]:
    return connection.products()


@then("exactly 1 more access token was obtained")
def _(connection: V3Client, fetches_before: int, v3_sandbox: SandboxControl | None, check: Check) -> None:
    renewed = connection.token_fetches - fetches_before
    if v3_sandbox is None:  # the token expired on the client's clock only: the renewal is the suite's own doing
        harness(renewed == 1, f"the client renewed its locally expired token {renewed} time(s)")
        return
    check.that(renewed == 1, "the expired token refused by the provider, so exactly one renewal",
               f"{renewed} renewal(s)")


@then("the catalogue was read successfully after the renewal")
def _(renewed_catalogue: list[Product], check: Check) -> None:
    check.that(len(renewed_catalogue) > 0, "the catalogue after renewal", "an empty catalogue")


@when("the integrator asks for a token with a wrong client secret", target_fixture="token_refusal")
def _(v3_connect: V3Connector, v3_target: V3Target) -> Exception | None:
    client = v3_connect(credentials=(v3_target.client_id, v3_target.client_secret + "-not-the-secret"))
    try:
        client.access_token()
    except ApiError as exc:
        return exc
    return None


@then("the token request is refused as an authentication failure")
def _(token_refusal: Exception | None, check: Check) -> None:
    check.that(token_refusal is not None, "the token request refused", "a token was issued")
    check.that(isinstance(token_refusal, TokenError | AuthenticationError),
               "an authentication failure (HTTP 400/401 from the token endpoint)", repr(token_refusal))


@given("a connection whose token holds only the read permissions", target_fixture="readonly_connection")
def _(v3_connect: V3Connector, v3_target: V3Target) -> V3Client:
    if v3_target.readonly_client_id and v3_target.readonly_client_secret:
        return v3_connect(credentials=(v3_target.readonly_client_id, v3_target.readonly_client_secret),
                       scopes=READ_SCOPES)
    return v3_connect(scopes=READ_SCOPES)  # same client, a token asked with the read scopes only


@when("that connection tries to issue 1 voucher of the product", target_fixture="refusal")
def _(readonly_connection: V3Client, product: Product, v3_witness: IssuanceWitness) -> httpx.Response:
    return readonly_connection.send("POST", issue_path(product.code),
                                    headers={"Idempotency-Key": new_idempotency_key()}, json=body_for(product, 1))


@then("the issuance is refused as not authorised")
def _(refusal: httpx.Response, check: Check) -> None:
    check.status(refusal, (401, 403), "the issuance refused for lack of permission")
    check.that(not voucher_objects(refusal), "no voucher in the refusal", refusal.text)
