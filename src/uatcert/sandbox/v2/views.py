"""The v2 voucher objects: as Request Vouchers shows them (reference §5.5, §8.1) and as Check Vouchers does (§6.3)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from uatcert.sandbox._vouchers import SGT
from uatcert.sandbox.v2.state import V2Voucher

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATUS_NAMES = {"active": "Active", "inactive": "Inactive", "expired": "Expired", "voided": "Trashed", "used": "Used"}


def third_party_codes(voucher: V2Voucher) -> tuple[str, str]:
    """A merchant code and PIN for a third-party voucher, derived from its ref (stable, unique enough)."""
    digest = hashlib.sha256(voucher.settlement_ref.encode()).hexdigest()
    return f"SC{int(digest[:16], 16) % 10**10:010d}", f"{int(digest[16:24], 16) % 10**6:06d}"


def issued_view(voucher: V2Voucher) -> dict[str, Any]:
    """The voucher object of a Request Vouchers answer, with its status at issuance."""
    view: dict[str, Any] = {
        "voucher_ref": voucher.voucher_ref,
        "voucher_settlement_ref": voucher.settlement_ref,
        "voucher_name": voucher.name,
        "status": STATUS_NAMES[voucher.issued_status],
        "expiration_date": voucher.expiration.astimezone(SGT).strftime("%Y-%m-%dT%H:%M:%S"),
        "edenred_url": voucher.edenred_url,
        "view_code": voucher.view_code,
        "display_codes": [],
    }
    if voucher.product.product_type == "third-party":
        merchant_code, pin = third_party_codes(voucher)
        view["display_codes"] = [merchant_code]
        view["pin_code"] = pin
    return view


def _money(cents: int) -> int | float:
    """Cents as SGD for JSON: 5000 -> 50, 6172 -> 61.72 (the shortest float repr prints two decimals)."""
    return cents // 100 if cents % 100 == 0 else float(Decimal(cents) / 100)


def checked_view(voucher: V2Voucher, now: datetime, *, status_as_issued: bool = False) -> dict[str, Any]:
    """An entry of a Check Vouchers answer; third-party vouchers are static (as issued)."""
    if voucher.product.trackable:
        status, remaining, expires = voucher.current_status(now), voucher.remaining_amount, voucher.expiration
    else:
        assert voucher.issued_expiration is not None
        status, remaining, expires = voucher.issued_status, voucher.issued_remaining, voucher.issued_expiration
    if status_as_issued:
        status = voucher.issued_status
    expires = expires.replace(microsecond=0).astimezone(SGT)
    return {
        "expiration_date": f"{expires.day:02d} {MONTHS[expires.month - 1]} {expires.year}",
        "remaining_value": _money(remaining) if voucher.product.is_value_based else remaining,
        "voucher_settlement_ref": voucher.settlement_ref,
        "status": STATUS_NAMES[status],
    }
