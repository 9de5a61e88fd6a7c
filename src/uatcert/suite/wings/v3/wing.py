"""The v3 wing's registry entry: its requirements, outlines, markers, target, describer and pre-flight."""

from __future__ import annotations

from uatcert.suite.wing import Requirement, Wing
from uatcert.suite.wings.v3.catalogue import describe, per_open_product, per_product
from uatcert.suite.wings.v3.preflight import check_v3_target, plan_text
from uatcert.suite.wings.v3.target import target
from uatcert.v3 import ResponseValidationError

EPIC = "UNIQREWARDS v3"

REQUIREMENTS = (
    Requirement("AUTH", EPIC, "Authentication",
                "token by client credentials, reused, renewed; wrong credentials and missing scopes refused"),
    Requirement("CAT", EPIC, "Catalogue",
                "catalogue listed and classified, expected products listed; every product retrievable as "
                "itself; unknown code refused; unchanged at the end of the run",
                per_product=True),
    Requirement("ISS-EVERY", EPIC, "Issuance",
                "every product of the live catalogue issued", per_product=True, covers_catalogue=True),
    Requirement("ISS-OPEN", EPIC, "Issuance",
                "open-value products issued at the boundaries and odd cents", per_product=True,
                face_values=True),
    Requirement("ISS-VALID", EPIC, "Issuance",
                "invalid requests refused with the documented code and nothing issued (stock exceeded "
                "included); the largest quantity issued in full"),
    Requirement("STS", EPIC, "Voucher status",
                "status of every issued voucher retrieved, singly and in batches; limits and errors"),
    Requirement("IDEM", EPIC, "Issue recovery",
                "idempotent recovery under simulated network loss, never issuing twice; a key names one "
                "issuance (another product, face value or quantity refused; a new key issues anew)"),
)

WING = Wing(
    name="v3",
    title="UNIQREWARDS Client API v3",
    steps_dir="steps/uniqrewards_v3",
    requirements=REQUIREMENTS,
    fixtures="uatcert.suite.wings.v3.fixtures",
    target=target,
    describe=describe,
    configured=lambda settings: settings.v3.configured,
    preflight=check_v3_target,
    plan=plan_text,
    validation_errors=(ResponseValidationError,),
    outlines={"per_product": per_product, "per_open_product": per_open_product},
    markers={
        "per_product": "outline generated with one example per catalogue product",
        "per_open_product": "outline generated per open-value product and face value",
    },
)
