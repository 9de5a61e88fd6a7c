"""Vouchers: creation from a product, the public view, and the lifecycle (reference §7)."""

from __future__ import annotations

import dataclasses
import secrets
import string
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from uatcert.sandbox._catalogue import CatalogueProduct

SGT = timezone(timedelta(hours=8), "SGT")
ACTIONS = ("use", "redeem", "void", "expire", "activate")
_SHORT_ALPHABET = string.ascii_letters + string.digits


def format_amount(cents: int) -> str:
    """1051 -> "$10.51", 15000 -> "$150"."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars}" if rest == 0 else f"${dollars}.{rest:02d}"


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclasses.dataclass
class Voucher:
    """One issued voucher and its current state."""

    client_id: str
    product: CatalogueProduct
    voucher_id: str
    voucher_code: str
    name: str
    status: str
    expiration: datetime
    remaining_amount: int
    url: str
    short_url: str
    short_url_pin: str
    snapshot: dict[str, Any] = dataclasses.field(default_factory=dict)
    """The voucher as issued (what the issuance response showed)."""

    def current_status(self, now: datetime) -> str:
        """The stored status, with `active`/`inactive` turning `expired` once past expiration."""
        if self.status in ("active", "inactive") and now >= self.expiration:
            return "expired"
        return self.status

    def view(self, now: datetime) -> dict[str, Any]:
        """The voucher object with its current state (keys exactly as reference §7.1)."""
        return {
            "voucher_code": self.voucher_code,
            "voucher_id": self.voucher_id,
            "name": self.name,
            "status": self.current_status(now),
            "expiration": rfc3339(self.expiration),
            "currency": "SGD" if self.product.is_value_based else "",
            "remaining_amount": self.remaining_amount,
            "product_code": self.product.code,
            "product_name": self.product.name,
            "is_value_based": self.product.is_value_based,
            "is_status_available": self.product.is_status_available,
            "is_multiple_use": self.product.is_multiple_use,
            "url": self.url,
            "short_url": self.short_url,
            "short_url_pin": self.short_url_pin,
        }

    def apply(self, action: str, amount: int | None, now: datetime) -> None:
        """A state change made by the control API; ValueError when not allowed."""
        status = self.current_status(now)
        if action == "activate":
            _require(status, ("inactive",), action)
            self.status = "active"
        elif action == "void":
            _require(status, ("active", "inactive"), action)
            self.status = "voided"
        elif action == "expire":
            _require(status, ("active", "inactive"), action)
            self.expiration = now.replace(microsecond=0) - timedelta(seconds=1)
        elif action == "use":
            _require(status, ("active",), action)
            self.status, self.remaining_amount = "used", 0
        elif action == "redeem":
            _require(status, ("active",), action)
            value = self.remaining_amount if amount is None else amount
            if not 1 <= value <= self.remaining_amount:
                raise ValueError(f"amount must be between 1 and the remaining amount {self.remaining_amount}")
            self.remaining_amount = self.remaining_amount - value if self.product.is_multiple_use else 0
            if self.remaining_amount == 0:
                self.status = "used"
        else:
            raise ValueError(f"unknown action {action!r}; choose one of: {', '.join(ACTIONS)}")


def _require(status: str, allowed: tuple[str, ...], action: str) -> None:
    if status not in allowed:
        raise ValueError(f"cannot {action} a voucher that is {status} (allowed when {' or '.join(allowed)})")


def new_voucher(
    product: CatalogueProduct, client_id: str, face_value: int | None, now: datetime, taken_codes: set[str]
) -> Voucher:
    """Create one voucher of `product`; open-value products take `face_value` (cents)."""
    if product.is_open_value:
        assert face_value is not None
        amount = face_value
        name = product.name.replace("${FV}", format_amount(face_value))
    else:
        amount = product.face_value or 0
        name = product.name
    code = _unique_code(taken_codes)
    slug = "".join(secrets.choice(_SHORT_ALPHABET) for _ in range(11))
    expiry_day = now.astimezone(SGT).date() + timedelta(days=product.validity_days)
    voucher = Voucher(
        client_id=client_id,
        product=product,
        voucher_id=str(uuid.uuid4()),
        voucher_code=code,
        name=name,
        status="inactive" if product.needs_activation else "active",
        expiration=datetime(expiry_day.year, expiry_day.month, expiry_day.day, 23, 59, 59, tzinfo=SGT),
        remaining_amount=amount,
        url=f"https://vouchers.sandbox.invalid/v/{secrets.token_urlsafe(24)}",
        short_url=f"https://s.sandbox.invalid/v/{slug}",
        short_url_pin=f"{secrets.randbelow(10_000):04d}",
    )
    voucher.snapshot = voucher.view(now)
    return voucher


def _unique_code(taken: set[str]) -> str:
    while True:
        code = "UG" + "".join(secrets.choice(string.digits) for _ in range(10))
        if code not in taken:
            taken.add(code)
            return code
