"""The v3 defect modes: each fails exactly the requirement it names (`breaks`)."""

from __future__ import annotations

from uatcert.sandbox._defects import DefectMode

SCOPE_NOT_ENFORCED = DefectMode(
    "scope_not_enforced", "issuance skips the issue_vouchers scope check: a read-only token may issue (want 403)",
    "AUTH")
UNKNOWN_CODE_FOUND = DefectMode(
    "unknown_code_found", "GET /products/{code} answers 200 with a made-up product for an unknown code (want 404)",
    "CAT")
ONE_PRODUCT_FAILS = DefectMode(
    "one_product_fails", "issuing the first fixed product-based product always answers 500, nothing issued",
    "ISS-EVERY")
FACE_VALUE_TRUNCATED = DefectMode(
    "face_value_truncated", "open-value face values are truncated to whole dollars: 1051 -> 1000 (want 1051)",
    "ISS-OPEN")
QUANTITY_LIMIT_NOT_ENFORCED = DefectMode(
    "quantity_limit_not_enforced", "quantity 0 and 21 are accepted: 21 issues 21 vouchers (want 400-5DC)",
    "ISS-VALID")
KEY_OPTIONAL = DefectMode(
    "key_optional", "a missing Idempotency-Key is accepted and vouchers are issued (want 400-9A0)", "ISS-VALID")
BATCH_LIMIT_NOT_ENFORCED = DefectMode(
    "batch_limit_not_enforced", "GET /vouchers accepts more than 20 ids (want 400-B32)", "STS")
REPLAY_ISSUES_NEW = DefectMode(
    "replay_issues_new", "same key and same request issue new vouchers each time, no Idempotency-Record (want replay)",
    "IDEM")
MISMATCH_ACCEPTED = DefectMode(
    "mismatch_accepted", "same key with a different request issues new vouchers (want 422)", "IDEM")
STATUS_NOT_UPDATED = DefectMode(
    "status_not_updated", "voucher status never changes after issuance: redemption, voiding, expiry not reflected",
    "STS")

DEFECTS = (
    SCOPE_NOT_ENFORCED, UNKNOWN_CODE_FOUND, ONE_PRODUCT_FAILS, FACE_VALUE_TRUNCATED, QUANTITY_LIMIT_NOT_ENFORCED,
    KEY_OPTIONAL, BATCH_LIMIT_NOT_ENFORCED, REPLAY_ISSUES_NEW, MISMATCH_ACCEPTED, STATUS_NOT_UPDATED,
)
