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
}
"""Defect mode name -> the documented behaviour it breaks."""
