"""The AllSafe wing's registry entry: its requirements, markers, target, describer and pre-flight."""

from __future__ import annotations

from uatcert.allsafe import ResponseValidationError
from uatcert.suite.wing import Requirement, Wing
from uatcert.suite.wings.allsafe.availability import describe
from uatcert.suite.wings.allsafe.preflight import check_allsafe_target, plan_text
from uatcert.suite.wings.allsafe.target import target

EPIC = "AllSafe Redemption API"

REQUIREMENTS = (
    Requirement("ALS-AVAIL", EPIC, "Availability",
                "voucher types listed with their remaining counts, consistent with allocations; "
                "nothing available reported in every documented form"),
    Requirement("ALS-ALLOC", EPIC, "Allocation",
                "one voucher allocated per request with its fields, never the same voucher twice; an "
                "allocation whose outcome is unknown flagged for reconciliation, never retried"),
    Requirement("ALS-ERR", EPIC, "Error handling",
                "every documented refusal (401, 491, 492, 495, 496) surfaced as its typed error with the "
                "documented cause and action, nothing allocated"),
)

WING = Wing(
    name="allsafe",
    title="AllSafe Redemption API",
    steps_dir="steps/allsafe",
    requirements=REQUIREMENTS,
    fixtures="uatcert.suite.wings.allsafe.fixtures",
    target=target,
    describe=describe,
    configured=lambda settings: settings.allsafe.configured,
    preflight=check_allsafe_target,
    plan=plan_text,
    validation_errors=(ResponseValidationError,),
)
