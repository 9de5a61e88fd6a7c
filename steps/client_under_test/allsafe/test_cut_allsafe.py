"""CUT-ALS-*: the integrator's AllSafe system, judged from what it sent through the proxy."""

from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when

from steps.client_under_test.common import judged, last_run, run_system
from steps.common import not_applicable
from uatcert import sandbox
from uatcert.allsafe import value_text
from uatcert.proxy import Fault
from uatcert.suite.checks import Check
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings.cut import allsafe_judges
from uatcert.suite.wings.cut.products import UNKNOWN_VENDOR, UNSTOCKED_VALUE, allsafe_type
from uatcert.suite.wings.cut.scenario import CutScenario

scenarios("client_under_test/CUT-ALS-allsafe.feature")

EVERY = 1000
UNKNOWN = {
    "the answer to the system's allocation is lost after AllSafe allocated it": ("lose_response", {}),
    "the system's allocation is answered with a server error after AllSafe allocated it":
        ("error_after_commit", {"status": 500}),
    "the connection of the system's allocation is reset": ("reset", {}),
}


@given(parsers.re("(?P<what>" + "|".join(UNKNOWN) + ")$"))
def _(cut: CutScenario, what: str) -> None:
    kind, extra = UNKNOWN[what]
    cut.arm(Fault(kind, api="allsafe", operation="allocate", **extra))  # type: ignore[arg-type]


@given("every request of the system is refused as unauthorised")
def _(cut: CutScenario) -> None:
    cut.arm(Fault("expire_token", api="allsafe", times=EVERY))


@when("the system allocates a voucher of a type with vouchers left")
def _(cut: CutScenario, check: Check, suite_runtime: SuiteRuntime) -> None:
    vendor, value = allsafe_type(suite_runtime)
    run_system(cut, check, [vendor, value_text(value)], f"allocate one {vendor} voucher of {value_text(value)}")


REFUSALS = {"no vouchers for that vendor and value": "492", "a validation failure": "495",
            "an invalid vendor": "496", "no vault linked to the campaign": "491"}


@when(parsers.re("the system allocates a voucher that AllSafe refuses with (?P<named>" + "|".join(REFUSALS) + ")$"))
def _(cut: CutScenario, check: Check, suite_runtime: SuiteRuntime, named: str) -> None:
    refusal = REFUSALS[named]
    vendor, value = allsafe_type(suite_runtime)
    credentials = None
    args = {"492": [vendor, value_text(UNSTOCKED_VALUE)], "495": [vendor, "0"],
            "496": [UNKNOWN_VENDOR, value_text(value)], "491": [vendor, value_text(value)]}[refusal]
    if refusal == "491":
        settings = suite_runtime.settings.allsafe
        if cut.target.is_sandbox:
            credentials = {"UATCERT_CUT_USERNAME": sandbox.ALLSAFE_NOVAULT_USERNAME,
                           "UATCERT_CUT_PASSWORD": sandbox.ALLSAFE_NOVAULT_PASSWORD}
        elif settings.novault_username and settings.novault_password:
            credentials = {"UATCERT_CUT_USERNAME": settings.novault_username,
                           "UATCERT_CUT_PASSWORD": settings.novault_password.get_secret_value()}
        else:
            not_applicable("no integration without a vault is configured (UATCERT_ALLSAFE__NOVAULT_USERNAME)")
        if not cut.target.trigger:
            not_applicable("the interactive mode cannot switch the system's credentials")
    cut.refused_locally_ok = refusal == "495"
    run_system(cut, check, args, f"allocate one {args[0]} voucher of {args[1]}", credentials)


@then("the system allocated once and reported the voucher it was given")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, allsafe_judges.allocated(cut.records(), last_run(cut)))


@then("the system did not resend the allocation and flagged it for reconciliation")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, allsafe_judges.unknown_not_resent(cut.records(), last_run(cut)))


@then("the system did not retry the refused allocation and reported the refusal")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, allsafe_judges.refusal_not_retried(cut.records(), last_run(cut), 
        refused_locally_ok=cut.refused_locally_ok))


@then("the system sent nothing after the authentication failure and reported it")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, allsafe_judges.stopped_on_401(cut.records(), last_run(cut)))
