"""The v2 defect modes: each fails exactly the V2-* requirement it names (`breaks`)."""

from __future__ import annotations

from uatcert.sandbox._defects import DefectMode

CLIENT_SECRET_NOT_CHECKED = DefectMode(
    "v2_client_secret_not_checked", "v2 voucher calls accept a wrong or missing X-Client-Secret (want a refusal)",
    "V2-AUTH")
UNKNOWN_PRODUCT_ISSUED = DefectMode(
    "v2_unknown_product_issued", "v2 Request Vouchers issues a made-up $10 voucher for an unknown product code",
    "V2-CAT")
ONE_PRODUCT_FAILS = DefectMode(
    "v2_one_product_fails", "v2 issuing the first product-based product always answers 500 ERV1202, nothing issued",
    "V2-ISS-EVERY")
FACE_VALUE_AS_CENTS = DefectMode(
    "v2_face_value_as_cents", "v2 face_value read as cents, not SGD dollars: 61.72 issues a $0.62 voucher",
    "V2-ISS-OPEN")
QUANTITY_LIMIT_NOT_ENFORCED = DefectMode(
    "v2_quantity_limit_not_enforced", "v2 manual_quantity 0 and 21 are accepted: 21 issues 21 vouchers (want refusal)",
    "V2-ISS-VALID")
STATUS_NOT_UPDATED = DefectMode(
    "v2_status_not_updated", "v2 Check Vouchers reports the status at issuance: Used, Trashed, Expired never show",
    "V2-STS")
REPLAY_ISSUES_NEW = DefectMode(
    "v2_replay_issues_new", "v2 same X-Correlation-Id and same request issue new vouchers each time (want originals)",
    "V2-IDEM")

DEFECTS = (
    CLIENT_SECRET_NOT_CHECKED, UNKNOWN_PRODUCT_ISSUED, ONE_PRODUCT_FAILS, FACE_VALUE_AS_CENTS,
    QUANTITY_LIMIT_NOT_ENFORCED, STATUS_NOT_UPDATED, REPLAY_ISSUES_NEW,
)
