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

PRODUCT_LOOKUP_OTHER = DefectMode(
    "product_lookup_other", "GET /products/{code} answers with the next product of the catalogue (want the one asked)",
    "CAT")
CATALOGUE_DRIFT = DefectMode(
    "catalogue_drift", "after the first listing, GET /products no longer lists the catalogue's last product "
    "(still retrievable and issuable): the catalogue changes during the run", "CAT")
EMPTY_VOUCHER_CODE = DefectMode(
    "empty_voucher_code", "vouchers of product-based products are issued with an empty voucher_code", "ISS-EVERY")
DUPLICATE_VOUCHER_CODES = DefectMode(
    "duplicate_voucher_codes", "the first voucher of a product-based issuance reuses the code of the voucher issued "
    "just before it (want codes unique)", "ISS-EVERY")
VOUCHER_FLAGS_WRONG = DefectMode(
    "voucher_flags_wrong", "vouchers of multiple-use fixed value-based products (gift cards) say is_multiple_use "
    "false (want their product's flag)", "ISS-EVERY")
FV_PLACEHOLDER_KEPT = DefectMode(
    "fv_placeholder_kept", "an open-value voucher issued at a face value with cents keeps ${FV} in its name "
    "(want the amount, e.g. $10.51)", "ISS-OPEN")
QUANTITY_CAPPED = DefectMode(
    "quantity_capped", "a quantity above 10 silently issues 10 vouchers with HTTP 200 (want all 20)", "ISS-VALID")
STOCK_NOT_ENFORCED = DefectMode(
    "stock_not_enforced", "a quantity above the stock left is issued (stock goes to 0; want 400-0C6, nothing issued)",
    "ISS-VALID")
VALUE_CHANGED_ON_READ = DefectMode(
    "value_changed_on_read", "GET /vouchers/{id} reports remaining_amount 100 more than issued (want the true value)",
    "STS")
BATCH_FIELDS_ALTERED = DefectMode(
    "batch_fields_altered", "GET /vouchers?id=... reports every voucher with its expiration a day later and a "
    "changed name (want the vouchers as issued)", "STS")
REPLAY_NEW_CODES = DefectMode(
    "replay_new_codes", "a replay carries the original voucher ids with new voucher codes (the stored vouchers are "
    "re-coded; want the original codes)", "IDEM")
MISMATCH_PRODUCT_REPLAYS = DefectMode(
    "mismatch_product_replays", "the same key with another product code replays the first vouchers (the product "
    "code is left out of the fingerprint; want a refusal)", "IDEM")
MISMATCH_FACE_VALUE_REPLAYS = DefectMode(
    "mismatch_face_value_replays", "the same key with another face value replays the first vouchers (face_value "
    "is left out of the fingerprint; want a refusal)", "IDEM")
IDENTICAL_BODY_REPLAYS = DefectMode(
    "identical_body_replays", "a new key with the product and body of the client's previous issuance (2 or more "
    "vouchers) replays it instead of issuing (want new vouchers)", "IDEM")

DEFECTS = (
    SCOPE_NOT_ENFORCED, UNKNOWN_CODE_FOUND, ONE_PRODUCT_FAILS, FACE_VALUE_TRUNCATED, QUANTITY_LIMIT_NOT_ENFORCED,
    KEY_OPTIONAL, BATCH_LIMIT_NOT_ENFORCED, REPLAY_ISSUES_NEW, MISMATCH_ACCEPTED, STATUS_NOT_UPDATED,
    PRODUCT_LOOKUP_OTHER, CATALOGUE_DRIFT, EMPTY_VOUCHER_CODE, DUPLICATE_VOUCHER_CODES, VOUCHER_FLAGS_WRONG,
    FV_PLACEHOLDER_KEPT, QUANTITY_CAPPED, STOCK_NOT_ENFORCED, VALUE_CHANGED_ON_READ, BATCH_FIELDS_ALTERED,
    REPLAY_NEW_CODES, MISMATCH_PRODUCT_REPLAYS, MISMATCH_FACE_VALUE_REPLAYS, IDENTICAL_BODY_REPLAYS,
)
