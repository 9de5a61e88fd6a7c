"""Defect modes: each makes the sandbox violate exactly one documented behaviour."""

from __future__ import annotations

DEFECT_MODES: dict[str, str] = {
    "scope_not_enforced": "issuance skips the issue_vouchers scope check: a read-only token may issue (want 403)",
    "unknown_code_found": "GET /products/{code} answers 200 with a made-up product for an unknown code (want 404)",
    "one_product_fails": "issuing the first fixed product-based product always answers 500, nothing issued",
    "face_value_truncated": "open-value face values are truncated to whole dollars: 1051 -> 1000 (want 1051)",
    "quantity_limit_not_enforced": "quantity 0 and 21 are accepted: 21 issues 21 vouchers (want 400-5DC)",
    "key_optional": "a missing Idempotency-Key is accepted and vouchers are issued (want 400-9A0)",
    "batch_limit_not_enforced": "GET /vouchers accepts more than 20 ids (want 400-B32)",
    "replay_issues_new": "same key and same request issue new vouchers each time, no Idempotency-Record (want replay)",
    "mismatch_accepted": "same key with a different request issues new vouchers (want 422)",
    "status_not_updated": "voucher status never changes after issuance: redemption, voiding, expiry not reflected",
    # UNIQREWARDS v2 (each fails exactly one V2-* requirement)
    "v2_client_secret_not_checked": "v2 voucher calls accept a wrong or missing X-Client-Secret (want a refusal)",
    "v2_unknown_product_issued": "v2 Request Vouchers issues a made-up $10 voucher for an unknown product code",
    "v2_one_product_fails": "v2 issuing the first product-based product always answers 500 ERV1202, nothing issued",
    "v2_face_value_as_cents": "v2 face_value read as cents, not SGD dollars: 61.72 issues a $0.62 voucher",
    "v2_quantity_limit_not_enforced": "v2 manual_quantity 0 and 21 are accepted: 21 issues 21 vouchers (want refusal)",
    "v2_status_not_updated": "v2 Check Vouchers reports the status at issuance: Used, Trashed, Expired never show",
    "v2_replay_issues_new": "v2 same X-Correlation-Id and same request issue new vouchers each time (want originals)",
    # AllSafe (each fails exactly one of ALS-AVAIL, ALS-ALLOC, ALS-ERR)
    "allsafe_stock_not_decremented": "AllSafe availability keeps counting allocated vouchers as remaining (want -1)",
    "allsafe_empty_availability_500": "AllSafe availability of a campaign with nothing left answers 500 (want 204)",
    "allsafe_voucher_without_code": "AllSafe allocation answers 200 without the voucher code and PIN, stock consumed",
    "allsafe_allocation_not_atomic": "AllSafe parallel allocations can hand out the same voucher (want distinct)",
    "allsafe_wrong_password_accepted": "AllSafe checks the username only: a wrong password is accepted (want 401)",
    "allsafe_revoked_integration_allowed": "AllSafe lets a Revoked integration through (want 401)",
    "allsafe_ended_campaign_allowed": "AllSafe lets a campaign past its end date hand out vouchers (want 401)",
    "allsafe_no_vault_492": "AllSafe answers a campaign without a linked vault with 492 (want 491)",
    "allsafe_unmatched_value_500": "AllSafe answers a vendor/value its campaign never held with 500 (want 492)",
    "allsafe_invalid_value_accepted": "AllSafe accepts a value of 0 or below and allocates a voucher (want 495)",
    "allsafe_unknown_vendor_allocates": "AllSafe allocates another vendor's voucher for an unknown vendor (want 496)",
}
"""Defect mode name -> the documented behaviour it breaks."""
