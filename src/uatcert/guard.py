"""
Production guard: never issue against production by accident.

A target looks like production when its environment says so or its host matches a configured
pattern. Such a target is refused before the first request unless production is explicitly allowed
*and* a budget is set; the budget is then enforced by the client before each issuance is sent.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from uatcert.config import GuardSettings
from uatcert.errors import BudgetExceeded, ConfigError
from uatcert.events import IssuanceHook, IssueIntent


def looks_like_production(base_url: str, environment: str | None, patterns: list[str]) -> bool:
    """True when the environment is production or the host matches a production pattern."""
    if (environment or "").strip().lower() in ("prod", "production", "live"):
        return True
    host = (urlsplit(base_url).hostname or "").lower()
    return any(re.search(p, host) for p in patterns)


def require_permission(
    production: bool, allowed: bool, max_vouchers: int | None, max_face_value_cents: int | None, label: str
) -> None:
    """Refuse a production target unless it is allowed with a budget."""
    if not production:
        return
    if not allowed:
        raise ConfigError(
            f"{label} looks like production: refusing to issue vouchers there. Use a UAT target, or pass "
            "--allow-production together with --max-vouchers and --max-face-value"
        )
    if max_vouchers is None or max_face_value_cents is None:
        raise ConfigError("--allow-production needs a budget: give both --max-vouchers and --max-face-value")


def guard_target(guard: GuardSettings, base_url: str, environment: str | None, what: str) -> bool:
    """Refuse a production-looking target unless allowed with a budget; whether it looks like production."""
    production = looks_like_production(base_url, environment, guard.production_host_patterns)
    require_permission(production, guard.allow_production, guard.max_vouchers, guard.max_face_value_cents, what)
    return production


class Budget(IssuanceHook):
    """Refuses an issuance (before it is sent) that would exceed the voucher or face-value budget."""

    def __init__(
        self, max_vouchers: int, max_face_value_cents: int, value_of: Callable[[IssueIntent], int | None]
    ) -> None:
        self.max_vouchers = max_vouchers
        self.max_face_value_cents = max_face_value_cents
        self._value_of = value_of
        self._lock = threading.Lock()
        self.vouchers = 0
        self.face_value_cents = 0

    def before(self, intent: IssueIntent) -> None:
        unit = self._value_of(intent)
        if unit is None:
            raise BudgetExceeded(
                f"cannot tell the face value of {intent.product_code}: refusing to issue it under a face-value budget"
            )
        with self._lock:
            vouchers = self.vouchers + intent.quantity
            value = self.face_value_cents + unit * intent.quantity
            if vouchers > self.max_vouchers:
                raise BudgetExceeded(
                    f"issuing {intent.quantity} of {intent.product_code} would make {vouchers} vouchers; "
                    f"the budget is {self.max_vouchers}"
                )
            if value > self.max_face_value_cents:
                raise BudgetExceeded(
                    f"issuing {intent.quantity} of {intent.product_code} would bring the face value to "
                    f"{value / 100:.2f}; the budget is {self.max_face_value_cents / 100:.2f}"
                )
            self.vouchers, self.face_value_cents = vouchers, value
