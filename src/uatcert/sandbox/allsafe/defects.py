"""The AllSafe defect modes: each fails exactly one of ALS-AVAIL, ALS-ALLOC, ALS-ERR (`breaks`)."""

from __future__ import annotations

from uatcert.sandbox._defects import DefectMode

STOCK_NOT_DECREMENTED = DefectMode(
    "allsafe_stock_not_decremented", "AllSafe availability keeps counting allocated vouchers as remaining (want -1)",
    "ALS-AVAIL")
EMPTY_AVAILABILITY_500 = DefectMode(
    "allsafe_empty_availability_500", "AllSafe availability of a campaign with nothing left answers 500 (want 204)",
    "ALS-AVAIL")
VOUCHER_WITHOUT_CODE = DefectMode(
    "allsafe_voucher_without_code", "AllSafe allocation answers 200 without the voucher code and PIN, stock consumed",
    "ALS-ALLOC")
ALLOCATION_NOT_ATOMIC = DefectMode(
    "allsafe_allocation_not_atomic", "AllSafe parallel allocations can hand out the same voucher (want distinct)",
    "ALS-ALLOC")
WRONG_PASSWORD_ACCEPTED = DefectMode(
    "allsafe_wrong_password_accepted", "AllSafe checks the username only: a wrong password is accepted (want 401)",
    "ALS-ERR")
AVAILABILITY_WRONG_PASSWORD_ACCEPTED = DefectMode(
    "allsafe_availability_wrong_password_accepted", "AllSafe availability checks the username only: a wrong "
    "password lists the campaign's vouchers (want 401; allocation still checks the password)", "ALS-ERR")
ALLOCATION_NO_CONTENT = DefectMode(
    "allsafe_allocation_no_content", "AllSafe answers every allocation 204 No Content as its success: the voucher "
    "is allocated, none comes back (want 200 with the voucher)", "ALS-ALLOC")
REVOKED_INTEGRATION_ALLOWED = DefectMode(
    "allsafe_revoked_integration_allowed", "AllSafe lets a Revoked integration through (want 401)", "ALS-ERR")
ENDED_CAMPAIGN_ALLOWED = DefectMode(
    "allsafe_ended_campaign_allowed", "AllSafe lets a campaign past its end date hand out vouchers (want 401)",
    "ALS-ERR")
NO_VAULT_492 = DefectMode(
    "allsafe_no_vault_492", "AllSafe answers a campaign without a linked vault with 492 (want 491)", "ALS-ERR")
UNMATCHED_VALUE_500 = DefectMode(
    "allsafe_unmatched_value_500", "AllSafe answers a vendor/value its campaign never held with 500 (want 492)",
    "ALS-ERR")
INVALID_VALUE_ACCEPTED = DefectMode(
    "allsafe_invalid_value_accepted", "AllSafe accepts a value of 0 or below and allocates a voucher (want 495)",
    "ALS-ERR")
UNKNOWN_VENDOR_ALLOCATES = DefectMode(
    "allsafe_unknown_vendor_allocates", "AllSafe allocates another vendor's voucher for an unknown vendor (want 496)",
    "ALS-ERR")

DEFECTS = (
    STOCK_NOT_DECREMENTED, EMPTY_AVAILABILITY_500, VOUCHER_WITHOUT_CODE, ALLOCATION_NOT_ATOMIC, ALLOCATION_NO_CONTENT,
    WRONG_PASSWORD_ACCEPTED, AVAILABILITY_WRONG_PASSWORD_ACCEPTED, REVOKED_INTEGRATION_ALLOWED, ENDED_CAMPAIGN_ALLOWED,
    NO_VAULT_492, UNMATCHED_VALUE_500, INVALID_VALUE_ACCEPTED, UNKNOWN_VENDOR_ALLOCATES,
)
