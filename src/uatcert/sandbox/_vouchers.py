"""What v3 and v2 vouchers share: the lifecycle the control API drives, codes, links, times, amounts."""

from __future__ import annotations

import secrets
import string
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

SGT = timezone(timedelta(hours=8), "SGT")
ACTIONS = ("use", "redeem", "void", "expire", "activate")
_SHORT_ALPHABET = string.ascii_letters + string.digits


def format_amount(cents: int) -> str:
    """1051 -> "$10.51", 15000 -> "$150"."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars}" if rest == 0 else f"${dollars}.{rest:02d}"


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def end_of_day(day: date) -> datetime:
    """23:59:59 Singapore time on `day` (vouchers expire at the end of a day)."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SGT)


def expiry_after(now: datetime, validity_days: int) -> datetime:
    return end_of_day(now.astimezone(SGT).date() + timedelta(days=validity_days))


def new_id() -> str:
    return str(uuid.uuid4())


def unique_code(taken: set[str]) -> str:
    """A voucher code "UG" + 10 digits not in `taken` (added to it)."""
    while True:
        code = "UG" + "".join(secrets.choice(string.digits) for _ in range(10))
        if code not in taken:
            taken.add(code)
            return code


def new_links() -> tuple[str, str, str]:
    """(url, short url, 4-digit PIN of the short url) of a new voucher."""
    slug = "".join(secrets.choice(_SHORT_ALPHABET) for _ in range(11))
    return (f"https://vouchers.sandbox.invalid/v/{secrets.token_urlsafe(24)}", f"https://s.sandbox.invalid/v/{slug}",
            f"{secrets.randbelow(10_000):04d}")


class VoucherProduct(Protocol):
    """What the voucher object shows of a voucher's product (a v3 or a v2 one)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def is_value_based(self) -> bool: ...


class Lifecycle:
    """The state of an issued voucher and the changes the control API makes (reference v3 §7).

    Subclasses (dataclasses) hold `product`, `name`, `status`, `expiration`, `remaining_amount`, `url` and
    say `multiple_use`, and give the voucher as the control API shows it (`control_view`)."""

    product: VoucherProduct
    name: str
    status: str
    expiration: datetime
    remaining_amount: int
    url: str

    @property
    def multiple_use(self) -> bool:
        raise NotImplementedError

    def control_view(self, now: datetime) -> dict[str, Any]:
        raise NotImplementedError

    def voucher_object(
        self, now: datetime, *, code: str, voucher_id: str, short_url: str, short_url_pin: str, status_available: bool
    ) -> dict[str, Any]:
        """The voucher object with its current state (keys exactly as reference v3 §7.1), for any voucher."""
        return {
            "voucher_code": code,
            "voucher_id": voucher_id,
            "name": self.name,
            "status": self.current_status(now),
            "expiration": rfc3339(self.expiration),
            "currency": "SGD" if self.product.is_value_based else "",
            "remaining_amount": self.remaining_amount,
            "product_code": self.product.code,
            "product_name": self.product.name,
            "is_value_based": self.product.is_value_based,
            "is_status_available": status_available,
            "is_multiple_use": self.multiple_use,
            "url": self.url,
            "short_url": short_url,
            "short_url_pin": short_url_pin,
        }

    def current_status(self, now: datetime) -> str:
        """The stored status, with `active`/`inactive` turning `expired` once past expiration."""
        if self.status in ("active", "inactive") and now >= self.expiration:
            return "expired"
        return self.status

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
            self.remaining_amount = self.remaining_amount - value if self.multiple_use else 0
            if self.remaining_amount == 0:
                self.status = "used"
        else:
            raise ValueError(f"unknown action {action!r}; choose one of: {', '.join(ACTIONS)}")


def _require(status: str, allowed: tuple[str, ...], action: str) -> None:
    if status not in allowed:
        raise ValueError(f"cannot {action} a voucher that is {status} (allowed when {' or '.join(allowed)})")
