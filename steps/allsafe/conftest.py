"""Steps shared by the AllSafe features: a voucher type to work with, noted stock, typed refusals."""

from __future__ import annotations

from pytest_bdd import given, parsers, then

from steps.allsafe.common import Outcome, StockNote, largest, note_stock, succeed, type_label
from steps.common import note
from uatcert.allsafe import (
    STATUS_TABLE,
    AllSafeAuthenticationError,
    AllSafeClient,
    AllSafeStatusError,
    InvalidVendorError,
    NoVaultLinkedError,
    NoVouchersError,
    ValidationFailedError,
    VoucherType,
)
from uatcert.sandbox import AllSafeSandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.wings.allsafe.target import AllSafeTarget

REFUSALS: dict[str, tuple[type[AllSafeStatusError], int]] = {
    "authentication failure": (AllSafeAuthenticationError, 401),
    "no vault linked error": (NoVaultLinkedError, 491),
    "no vouchers error": (NoVouchersError, 492),
    "validation error": (ValidationFailedError, 495),
    "invalid vendor error": (InvalidVendorError, 496),
}


@given("a voucher type with vouchers left", target_fixture="voucher_type")
def _(allsafe_client: AllSafeClient, check: Check) -> VoucherType:
    availability = succeed(check, "the campaign's availability", allsafe_client.availability)
    kind = largest(availability)
    if kind is None:
        raise RuntimeError(
            "the AllSafe campaign has no vouchers left: add vouchers to its vault before certifying "
            f"(availability answered {availability.form})"
        )
    return kind


@given("the voucher stock of the campaign is noted", target_fixture="stock_note")
def _(allsafe_client: AllSafeClient, allsafe_sandbox: AllSafeSandboxControl | None, check: Check) -> StockNote:
    return note_stock(succeed(check, "the campaign's availability", allsafe_client.availability), allsafe_sandbox)


@then("the voucher stock of the campaign is unchanged")
def _(
    stock_note: StockNote, allsafe_client: AllSafeClient, allsafe_sandbox: AllSafeSandboxControl | None, check: Check
) -> None:
    now = note_stock(succeed(check, "the campaign's availability", allsafe_client.availability), allsafe_sandbox)
    changed = {
        type_label(*key): (stock_note.availability.get(key, 0), now.availability.get(key, 0))
        for key in stock_note.availability.keys() | now.availability.keys()
        if stock_note.availability.get(key, 0) != now.availability.get(key, 0)
    }
    check.that(not changed, "the campaign's stock unchanged by the refusal",
               ", ".join(f"{label}: {before} -> {after}" for label, (before, after) in sorted(changed.items())))
    if now.allocations is None or stock_note.allocations is None:
        note("allocations recorded by the provider", "the target has no allocation ledger to read")
        return
    made = now.allocations - stock_note.allocations
    check.that(made == 0, "no allocation recorded by the provider", f"{made} allocation(s)")


@then(parsers.re(
    r"the refusal is an? (?P<kind>authentication failure|no vault linked error|no vouchers error|validation error"
    r"|invalid vendor error) naming its documented causes? and the action to take"
))
def _(refusal: Outcome, check: Check, allsafe_target: AllSafeTarget, kind: str) -> None:
    expected_class, status = REFUSALS[kind]
    info = STATUS_TABLE[status]
    expected = f"{expected_class.__name__} (HTTP {status} {info.label})"
    error = refusal.error
    # the provider's answer decides the typed error: its status code (the only thing the reference documents)
    check.that(error is not None, f"{refusal.what} refused: {expected}", refusal.describe())
    check.that(isinstance(error, expected_class) and getattr(error, "status", None) == status, expected,
               refusal.describe())
    assert isinstance(error, AllSafeStatusError)
    # cause, action and message come from uatcert's own status table (unit-tested in tests/allsafe/client):
    # shown in the evidence, never a finding; a password in the message would be a harness bug
    if allsafe_target.password in str(error):
        raise RuntimeError("harness: the refusal's message carries the password")
    note(f"how the {status} refusal surfaces", {"error": type(error).__name__, "cause": error.cause,
                                                 "action": error.action, "end-user message": error.user_message,
                                                 "message": str(error)})
    if isinstance(error, ValidationFailedError):
        note("field errors of the validation refusal (undocumented body)", error.field_errors or "none given")
    note(f"body of the {status} refusal (undocumented)", {"title": error.title, "detail": error.message,
                                                           "www-authenticate": error.response.headers.get(
                                                               "www-authenticate")})


@then("the refusal was not retried")
def _(refusal: Outcome) -> None:
    if refusal.requests != 1:  # uatcert's client decides retries: a harness bug, not a finding
        raise RuntimeError(f"harness: the refused call sent {refusal.requests} requests; a documented refusal "
                           "must not be retried")
    note("requests sent for the refused call", "1")
