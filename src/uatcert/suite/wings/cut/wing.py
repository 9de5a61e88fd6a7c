"""The client-under-test wings (profiles `cut`, `cut-v2`, `cut-allsafe`): the integrator's own system,
judged from what it sent through the recording fault proxy. Never selected by default (only `--profile`)."""

from __future__ import annotations

from typing import Any, TextIO

from uatcert.config import Settings
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wing import Description, Requirement, Wing
from uatcert.suite.wings.cut.target import CUT, CUT_ALLSAFE, CUT_V2, CutTarget, cut_target

EPIC_V3 = "Integrator's system: UNIQREWARDS v3"
EPIC_V2 = "Integrator's system: UNIQREWARDS v2"
EPIC_ALLSAFE = "Integrator's system: AllSafe"

V3_REQUIREMENTS = (
    Requirement("CUT-RECOVER", EPIC_V3, "Issue recovery",
                "after a lost answer, a reset or a 5xx, the same request resent under the same Idempotency-Key and "
                "the original vouchers obtained and reported"),
    Requirement("CUT-KEY", EPIC_V3, "Idempotency keys",
                "a UUID Idempotency-Key on every issuance, one per logical issuance (kept on its retries), a new "
                "one for each new issuance"),
    Requirement("CUT-WAIT", EPIC_V3, "Waiting when told",
                "after a 429 the issuance resent no sooner than Retry-After; after a 409 (still in progress) "
                "not at once"),
    Requirement("CUT-BOUND", EPIC_V3, "Bounded retries",
                "at most 10 attempts for one issuance failing every time, each retry at least 0.2 s after the "
                "previous answer, no vouchers claimed"),
    Requirement("CUT-TOKEN", EPIC_V3, "Token renewal",
                "after a 401 a new token requested and the issuance resent with it"),
    Requirement("CUT-LIMITS", EPIC_V3, "Quantities and face values",
                "at most 20 vouchers per request (larger orders split), face values in integer cents within "
                "100-100000"),
    Requirement("CUT-INVALID", EPIC_V3, "Invalid requests",
                "a request refused as invalid (4xx other than 401/409/429) never resent unchanged"),
)

V2_REQUIREMENTS = (
    Requirement("CUT-V2-RECOVER", EPIC_V2, "Issue recovery",
                "after a lost answer, a reset or a 500 ERV1102, the same Request Vouchers call resent with the same "
                "X-Correlation-Id and the original vouchers obtained and reported"),
    Requirement("CUT-V2-KEY", EPIC_V2, "Correlation ids",
                "an X-Correlation-Id on every Request Vouchers call, one per logical issuance (kept on its "
                "retries), a new one for each new issuance"),
    Requirement("CUT-V2-WAIT", EPIC_V2, "Waiting when told",
                "after a 429 (or 409 in progress) the call resent no sooner than Retry-After"),
    Requirement("CUT-V2-BOUND", EPIC_V2, "Bounded retries",
                "at most 10 attempts for one call failing every time, each retry at least 0.2 s after the previous "
                "answer, no vouchers claimed"),
    Requirement("CUT-V2-TOKEN", EPIC_V2, "Token renewal",
                "after a 401 a new token requested and the call resent with it"),
    Requirement("CUT-V2-LIMITS", EPIC_V2, "Quantities and face values",
                "at most 20 vouchers per call (larger orders split), face values in SGD dollars within 1-1000, "
                "2 decimals at most"),
    Requirement("CUT-V2-INVALID", EPIC_V2, "Invalid requests",
                "a call refused as invalid (4xx other than 401/409/429) never resent unchanged"),
)

ALLSAFE_REQUIREMENTS = (
    Requirement("CUT-ALS-ALLOC", EPIC_ALLSAFE, "Allocation",
                "one allocation per voucher, the code obtained and reported"),
    Requirement("CUT-ALS-UNKNOWN", EPIC_ALLSAFE, "Unknown outcomes",
                "an allocation whose outcome is unknown (lost answer, reset, 5xx, 204) never resent, flagged for "
                "reconciliation"),
    Requirement("CUT-ALS-REFUSAL", EPIC_ALLSAFE, "Refusals",
                "no retry after 491, 492, 495 or 496; the refusal reported"),
    Requirement("CUT-ALS-AUTH", EPIC_ALLSAFE, "Authentication failures",
                "after a 401 nothing more sent; the refusal reported"),
)


def _describer(profile: str, api_title: str) -> Any:
    def describe(runtime: SuiteRuntime) -> Description:
        target: CutTarget = cut_target(runtime, profile)
        return {
            "api": f"The integrator's system ({api_title})",
            "api_version": "client under test, through the recording fault proxy",
            "label": target.label,
            "base_url": target.base_url,
            "environment": "sandbox" if target.is_sandbox else "configured target",
            "sandbox": target.is_sandbox,
            "system": target.system_label,
            "mode": target.mode,
        }, None

    return describe


def _no_preflight(settings: Settings, out: TextIO) -> None:
    """The upstream's own profile guards and checks it; the system is only reached per scenario."""


def _wing(name: str, title: str, api_title: str, steps: str, requirements: tuple[Requirement, ...]) -> Wing:
    return Wing(
        name=name, title=title, steps_dir=f"steps/client_under_test/{steps}", requirements=requirements,
        fixtures="uatcert.suite.wings.cut.fixtures", target=lambda runtime: cut_target(runtime, name),
        describe=_describer(name, api_title), configured=lambda settings: False, preflight=_no_preflight,
        validation_errors=(), selected_by_default=False,
    )


WING = _wing(CUT, "Integrator's system (UNIQREWARDS v3)", "UNIQREWARDS Client API v3", "v3", V3_REQUIREMENTS)
WING_V2 = _wing(CUT_V2, "Integrator's system (UNIQREWARDS v2)", "UNIQREWARDS Client API v2", "v2", V2_REQUIREMENTS)
WING_ALLSAFE = _wing(CUT_ALLSAFE, "Integrator's system (AllSafe)", "AllSafe Redemption API", "allsafe",
                     ALLSAFE_REQUIREMENTS)
