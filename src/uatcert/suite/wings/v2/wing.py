"""The v2 wing's registry entry: its requirements, outlines, markers, target, describer and pre-flight."""

from __future__ import annotations

from uatcert.suite.wing import Requirement, Wing
from uatcert.suite.wings.v2.catalogue import describe, per_v2_dynamic_product, per_v2_product
from uatcert.suite.wings.v2.preflight import check_v2_target, plan_text
from uatcert.suite.wings.v2.target import target
from uatcert.v2 import ResponseValidationError

EPIC = "UNIQREWARDS v2"

REQUIREMENTS = (
    Requirement("V2-AUTH", EPIC, "Authentication",
                "token by client credentials, reused, renewed; X-Client-Id/X-Client-Secret on every voucher "
                "call; wrong credentials refused with nothing issued"),
    Requirement("V2-CAT", EPIC, "Catalogue file",
                "catalogue file read with its documented columns, every product classified; a product "
                "code outside it refused"),
    Requirement("V2-ISS-EVERY", EPIC, "Issuance",
                "every product of the catalogue file issued under its order number", per_product=True,
                covers_catalogue=True),
    Requirement("V2-ISS-OPEN", EPIC, "Issuance",
                "dynamic value-based products issued at the boundaries and odd cents, in SGD dollars, "
                "each voucher named with the amount asked", per_product=True, face_values=True),
    Requirement("V2-ISS-VALID", EPIC, "Issuance",
                "invalid Request Vouchers refused as failed, nothing issued"),
    Requirement("V2-STS", EPIC, "Check Vouchers",
                "every voucher issued in the run checked by its settlement ref; statuses as documented"),
    Requirement("V2-IDEM", EPIC, "Issue recovery",
                "recovery with the same X-Correlation-Id under lost response, lost request and ERV1102, "
                "never issuing twice"),
)

WING = Wing(
    name="v2",
    title="UNIQREWARDS Client API v2",
    steps_dir="steps/uniqrewards_v2",
    requirements=REQUIREMENTS,
    fixtures="uatcert.suite.wings.v2.fixtures",
    target=target,
    describe=describe,
    configured=lambda settings: settings.v2.configured,
    preflight=check_v2_target,
    plan=plan_text,
    validation_errors=(ResponseValidationError,),
    outlines={"per_v2_product": per_v2_product, "per_v2_dynamic_product": per_v2_dynamic_product},
    markers={
        "per_v2_product": "outline generated with one example per product of the v2 catalogue file",
        "per_v2_dynamic_product": "outline generated per dynamic value-based product and face value (dollars)",
    },
)
