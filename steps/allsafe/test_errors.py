"""ALS-ERR: every documented refusal surfaced as its own typed error, with its cause and action; nothing allocated."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from pytest_bdd import given, parsers, scenarios, when

from steps.allsafe.common import Outcome, StockNote, capture
from steps.common import controlled, not_applicable
from uatcert import sandbox
from uatcert.allsafe import AllSafeClient, VoucherType, value_json
from uatcert.sandbox import AllSafeSandboxControl
from uatcert.suite.scenario import ScenarioExchanges
from uatcert.suite.wings.allsafe.fixtures import AllSafeConnector
from uatcert.suite.wings.allsafe.target import AllSafeTarget, Credentials

scenarios("allsafe/ALS-ERR-error-handling.feature")

FALLBACK_TYPE = ("ExampleMart", Decimal(50))
"""Vendor and value for a refused call when the campaign lists nothing (the refusal comes before the vendor)."""


def _some_type(stock_note: StockNote | None) -> tuple[str, Decimal]:
    if stock_note is None or not stock_note.availability:
        return FALLBACK_TYPE
    return max(stock_note.availability.items(), key=lambda item: item[1])[0]


def _sandbox_credentials(name: str) -> Credentials:
    return Credentials(getattr(sandbox, f"ALLSAFE_{name}_USERNAME"), getattr(sandbox, f"ALLSAFE_{name}_PASSWORD"))


# 401 -------------------------------------------------------------------------------------------
@when("the integrator tries to allocate a voucher with a wrong password", target_fixture="refusal")
def _(allsafe_connect: AllSafeConnector, allsafe_target: AllSafeTarget, stock_note: StockNote,
      exchanges: ScenarioExchanges) -> Outcome:
    client = allsafe_connect(Credentials(allsafe_target.username, allsafe_target.password + "-not-the-password"))
    vendor, value = _some_type(stock_note)
    return capture(exchanges, "an allocation with a wrong password", lambda: client.allocate(vendor, value))


@when("the integrator checks availability with a wrong password", target_fixture="refusal")
def _(allsafe_connect: AllSafeConnector, allsafe_target: AllSafeTarget, exchanges: ScenarioExchanges) -> Outcome:
    client = allsafe_connect(Credentials(allsafe_target.username, allsafe_target.password + "-not-the-password"))
    return capture(exchanges, "availability with a wrong password", client.availability)


WHO = {"a revoked integration": "REVOKED", "the integration of a campaign past its end": "ENDED"}


@when(parsers.re(r"(?P<who>a revoked integration|the integration of a campaign past its end) tries to allocate "
                 r"a voucher$"), target_fixture="refusal")
def _(allsafe_connect: AllSafeConnector, allsafe_sandbox: AllSafeSandboxControl | None, stock_note: StockNote,
      exchanges: ScenarioExchanges, who: str) -> Outcome:
    controlled(allsafe_sandbox)  # a sandbox-only scenario
    client = allsafe_connect(_sandbox_credentials(WHO[who]))
    vendor, value = _some_type(stock_note)
    return capture(exchanges, f"an allocation by {who}", lambda: client.allocate(vendor, value))


# 496 and 492 -----------------------------------------------------------------------------------
@when("the integrator tries to allocate a voucher of an unknown vendor at that value", target_fixture="refusal")
def _(allsafe_client: AllSafeClient, voucher_type: VoucherType, exchanges: ScenarioExchanges) -> Outcome:
    vendor = f"uatcert-unknown-vendor-{uuid.uuid4().hex[:8]}"
    return capture(exchanges, f"an allocation of unknown vendor {vendor}",
                   lambda: allsafe_client.allocate(vendor, voucher_type.value))


@when("the integrator tries to allocate a voucher of that vendor at a value it does not offer",
      target_fixture="refusal")
def _(allsafe_client: AllSafeClient, voucher_type: VoucherType, stock_note: StockNote,
      exchanges: ScenarioExchanges) -> Outcome:
    offered = [value for vendor, value in stock_note.availability if vendor == voucher_type.vendor]
    value = (max(offered, default=voucher_type.value) + 1).to_integral_value()
    return capture(exchanges, f"an allocation of {voucher_type.vendor} at {value}, a value it does not offer",
                   lambda: allsafe_client.allocate(voucher_type.vendor, value))


@given("a voucher type of the campaign whose vouchers have all been handed out", target_fixture="sold_out_type")
def _(allsafe_sandbox: AllSafeSandboxControl | None) -> tuple[str, Decimal]:
    controlled(allsafe_sandbox)  # a sandbox-only scenario
    vendor, value = sandbox.ALLSAFE_SOLD_OUT
    return vendor, Decimal(value)


@when("the integrator tries to allocate a voucher of that type", target_fixture="refusal")
def _(allsafe_client: AllSafeClient, sold_out_type: tuple[str, Decimal], exchanges: ScenarioExchanges) -> Outcome:
    vendor, value = sold_out_type
    return capture(exchanges, f"an allocation of {vendor} {value} (all handed out)",
                   lambda: allsafe_client.allocate(vendor, value))


# 495 -------------------------------------------------------------------------------------------
def _malformed(target: AllSafeTarget, kind: VoucherType, problem: str) -> bytes | None:
    contract = target.contract
    good: dict[str, Any] = {contract.vendor_field: kind.vendor, contract.value_field: value_json(kind.value)}
    vendor, value = contract.vendor_field, contract.value_field
    bodies: dict[str, dict[str, Any]] = {
        "no vendor": {value: good[value]},
        "an empty vendor": {vendor: "", value: good[value]},
        "no value": {vendor: kind.vendor},
        "a value of zero": {vendor: kind.vendor, value: 0},
        "a negative value": {vendor: kind.vendor, value: -value_json(kind.value)},
        "a value that is not a number": {vendor: kind.vendor, value: "fifty"},
    }
    if problem == "a body that is not JSON":
        return f'{{"{vendor}": "{kind.vendor}", "{value}": '.encode()
    if problem not in bodies:
        raise LookupError(f"no malformed request for {problem!r}")
    return json.dumps(bodies[problem]).encode()


@when(parsers.parse("the integrator sends an allocation request with {problem}"), target_fixture="refusal")
def _(allsafe_client: AllSafeClient, allsafe_target: AllSafeTarget, voucher_type: VoucherType,
      exchanges: ScenarioExchanges, problem: str) -> Outcome:
    contract = allsafe_target.contract
    if contract.allocate_method == "GET":
        not_applicable("the allocate call is configured as GET: a malformed JSON body cannot be sent")
    content = _malformed(allsafe_target, voucher_type, problem)
    outcome = capture(exchanges, f"an allocation request with {problem}",
                      lambda: allsafe_client.send(contract.allocate_method, contract.allocate_path, content=content,
                                                  headers={"Content-Type": "application/json"}))
    if outcome.response is not None:
        outcome.error = allsafe_client.error_for(outcome.response)
    return outcome


# 491 -------------------------------------------------------------------------------------------
@given("the credentials of an integration whose campaign has no vault linked", target_fixture="novault_client")
def _(allsafe_target: AllSafeTarget, allsafe_connect: AllSafeConnector) -> AllSafeClient:
    if allsafe_target.novault is None:
        not_applicable("set UATCERT_ALLSAFE__NOVAULT_USERNAME and UATCERT_ALLSAFE__NOVAULT_PASSWORD (an integration "
                       "whose campaign has no vault linked) to prove the 491 refusal")
    assert allsafe_target.novault is not None
    return allsafe_connect(allsafe_target.novault)


@when("that integration checks availability", target_fixture="refusal")
def _(novault_client: AllSafeClient, exchanges: ScenarioExchanges) -> Outcome:
    return capture(exchanges, "availability of a campaign without a vault", novault_client.availability)


@when("that integration tries to allocate a voucher", target_fixture="refusal")
def _(novault_client: AllSafeClient, allsafe_client: AllSafeClient, exchanges: ScenarioExchanges) -> Outcome:
    vendor, value = FALLBACK_TYPE
    try:
        kinds = allsafe_client.availability().available
    except Exception:  # noqa: BLE001 - any type will do: the vault check comes before the vendor
        kinds = ()
    if kinds:
        vendor, value = kinds[0].vendor, kinds[0].value
    return capture(exchanges, "an allocation in a campaign without a vault", lambda: novault_client.allocate(vendor,
                                                                                                            value))
