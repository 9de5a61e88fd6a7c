"""Steps shared by the UNIQREWARDS client-under-test features (v3 and v2, each judged in its own terms)."""

from __future__ import annotations

import re
from decimal import Decimal

from pytest_bdd import given, parsers, then, when

from steps.client_under_test.common import judged, last_run, run_system
from steps.common import controlled, not_applicable
from uatcert.proxy import Fault
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings.cut import judges
from uatcert.suite.wings.cut.products import UNLISTED_ORDER, UNLISTED_PRODUCT, Asked, v2_product, v3_product
from uatcert.suite.wings.cut.scenario import CutScenario

EVERY = 1000
"""`times` of a fault that meets every request of a scenario."""
SITUATIONS: dict[str, tuple[str, int, dict[str, int]]] = {
    "the answer to the system's first issuance is lost after the provider issued it": ("lose_response", 1, {}),
    "the system's first issuance is answered with a server error after the provider issued it":
        ("error_after_commit", 1, {"status": 500}),
    "the system's first issuance is answered with an ERV1102 server error after the provider issued it":
        ("error_after_commit", 1, {"status": 500}),
    "the connection of the system's first issuance is reset before it reaches the provider": ("reset", 1, {}),
    "the system's first issuance is refused as rate limited, to retry after 1 second":
        ("rate_limit", 1, {"retry_after_s": 1}),
    "every issuance of the system is answered with a server error after the provider issued it":
        ("error_after_commit", EVERY, {"status": 500}),
    "every issuance of the system is answered with an ERV1102 server error after the provider issued it":
        ("error_after_commit", EVERY, {"status": 500}),
    "the system's first issuance is refused because its token expired early": ("expire_token", 1, {}),
}


def dialect(cut: CutScenario) -> judges.Dialect:
    return judges.V3 if cut.target.api == "v3" else judges.V2


@given(parsers.re("(?P<situation>" + "|".join(map(re.escape, SITUATIONS)) + ")$"))
def _(cut: CutScenario, situation: str) -> None:
    kind, times, extra = SITUATIONS[situation]
    cut.arm(Fault(kind, api=cut.target.api, operation="issue", times=times, **extra))  # type: ignore[arg-type]


@given("the provider takes longer to answer the system's first issuance than the system waits")
def _(cut: CutScenario) -> None:
    control = SandboxControl(controlled(cut.target.sandbox_url))
    cut.on_close(control.close)
    cut.on_close(control.clear_faults)
    control.arm_fault("slow_commit", method="POST", path=r"/products/.+$", api="v3")


@when(parsers.re(
    r"the system issues (?P<quantity>\d+) vouchers? of (?P<what>a fixed-value product|an open-value product at "
    r"SGD (?P<sgd>[\d.]+)|a dynamic value-based product at (?P<dollars>[\d.]+) dollars|a product the catalogue "
    r"(?:file )?does not list)(?P<again> again)?$"))
def _(cut: CutScenario, check: Check, suite_runtime: SuiteRuntime, quantity: str, what: str, sgd: str | None,
      dollars: str | None) -> None:
    given = sgd or dollars
    amount = Decimal(given) if given else None
    if what.startswith("a product the catalogue"):
        asked = Asked(UNLISTED_PRODUCT, UNLISTED_ORDER)
    elif cut.target.api == "v3":
        asked = v3_product(suite_runtime, open_value=amount is not None)
    else:
        asked = v2_product(suite_runtime, dynamic=amount is not None)
    if cut.target.api == "v3":
        args = [asked.code, quantity, *([str(int(amount * 100))] if amount is not None else [])]
        value = f" at SGD {amount} ({int(amount * 100)} cents)" if amount is not None else ""
    else:
        args = [asked.order_number or "", asked.code, quantity, *([str(amount)] if amount is not None else [])]
        value = f" at {amount} dollars" if amount is not None else ""
    cut.asked = (int(quantity), amount)
    run_system(cut, check, args, f"issue {quantity} voucher(s) of product {asked.code}{value}, once")


@then(parsers.re(r"the system resent the same request under the same (?:key|X-Correlation-Id) and reported the "
                 r"vouchers first issued$"))
def _(cut: CutScenario, check: Check) -> None:
    judged(check, judges.recovered(cut.records(), dialect(cut), last_run(cut)))


@then(parsers.re(r"each issuance carried one (?:key|correlation id) of its own on all its attempts$"))
def _(cut: CutScenario, check: Check) -> None:
    judged(check, judges.one_key_each(cut.records(), dialect(cut), cut.runs))


@then("the system waited as long as it was told before sending again")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, judges.waited(cut.records(), dialect(cut)))


@then("the system waited before sending again while the provider was still busy with it")
def _(cut: CutScenario, check: Check, suite_runtime: SuiteRuntime) -> None:
    if not any(r.delivered_status == 409 for r in cut.records()):
        not_applicable(f"the system waited for the slow answer ({suite_runtime.settings.sandbox.slow_commit_s:g} s, "
                       "UATCERT_SANDBOX__SLOW_COMMIT_S) without retrying, so it never met an issuance in progress")
    judged(check, judges.waited(cut.records(), dialect(cut)))


@then("the system retried a bounded number of times, spaced out, and claimed no vouchers")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, judges.bounded(cut.records(), dialect(cut), last_run(cut)))


@then("the system renewed its token and obtained the vouchers with the new one")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, judges.token_renewed(cut.records(), dialect(cut), last_run(cut)))


@then("every request kept to the API's limits and unit, and the system reported every voucher issued")
def _(cut: CutScenario, check: Check) -> None:
    total, amount = cut.asked
    judged(check, judges.within_limits(cut.records(), dialect(cut), last_run(cut), total=total, face_value=amount))


@then("the system did not resend the refused request unchanged and claimed no vouchers")
def _(cut: CutScenario, check: Check) -> None:
    judged(check, judges.invalid_not_resent(cut.records(), dialect(cut), last_run(cut)))
