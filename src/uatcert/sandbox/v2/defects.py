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

VOUCHER_REF_REUSED = DefectMode(
    "v2_voucher_ref_reused", "v2 the first voucher of each issuance carries the voucher_ref of the last voucher "
    "issued before it (want every voucher_ref unique)", "V2-ISS-EVERY")
EMPTY_VOUCHER_REF = DefectMode(
    "v2_empty_voucher_ref", "v2 vouchers of convertible products come with an empty voucher_ref (a malformed answer)",
    "V2-ISS-EVERY")
NAME_WITHOUT_AMOUNT = DefectMode(
    "v2_name_without_amount", "v2 dynamic vouchers of a request for several vouchers are named without the amount "
    "(${FV} replaced by nothing)", "V2-ISS-OPEN")
QUANTITY_CAPPED = DefectMode(
    "v2_quantity_capped", "v2 manual_quantity above 10 silently capped: 20 asked, 10 issued and answered",
    "V2-ISS-VALID")
CHECK_VALUE_TRUNCATED = DefectMode(
    "v2_check_value_truncated", "v2 Check Vouchers reports remaining_value in whole dollars: a $61.72 voucher shows 61",
    "V2-STS")
CHECK_INACTIVE_AS_ACTIVE = DefectMode(
    "v2_check_inactive_as_active", "v2 Check Vouchers reports vouchers issued Inactive as Active", "V2-STS")
REPLAY_NEW_LINKS = DefectMode(
    "v2_replay_new_links", "v2 a replay (same X-Correlation-Id) returns the original refs with a new edenred_url "
    "and view_code", "V2-IDEM")
MISMATCH_REPLAYS = DefectMode(
    "v2_mismatch_replays", "v2 the same X-Correlation-Id with another product, quantity or face value answers the "
    "first request's vouchers (want nothing issued and not those vouchers)", "V2-IDEM")
IDENTICAL_BODY_REPLAYS = DefectMode(
    "v2_identical_body_replays", "v2 a new X-Correlation-Id with the request of the client's last issuance replays it "
    "while its vouchers are unchanged (want new vouchers)", "V2-IDEM")

DEFECTS = (
    CLIENT_SECRET_NOT_CHECKED, UNKNOWN_PRODUCT_ISSUED, ONE_PRODUCT_FAILS, FACE_VALUE_AS_CENTS,
    QUANTITY_LIMIT_NOT_ENFORCED, STATUS_NOT_UPDATED, REPLAY_ISSUES_NEW, VOUCHER_REF_REUSED, EMPTY_VOUCHER_REF,
    NAME_WITHOUT_AMOUNT, QUANTITY_CAPPED, CHECK_VALUE_TRUNCATED, CHECK_INACTIVE_AS_ACTIVE, REPLAY_NEW_LINKS,
    MISMATCH_REPLAYS, IDENTICAL_BODY_REPLAYS,
)
