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


def host_of(url: str) -> str:
    """The host of `url` as DNS resolves it, whatever its spelling: lower case, no trailing dot, ASCII (IDNA).

    `API.UNIQREWARDS.COM.`, `api.uniqrewards.com` and `api.uniqrewards\u3002com` name one host; a production
    pattern must see them alike."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:  # e.g. an unclosed [IPv6 literal: not a host name a pattern could match
        return url.strip().lower()
    try:
        host = host.encode("idna").decode("ascii")  # also maps the other full stops (U+3002, U+FF0E, U+FF61)
    except UnicodeError:
        pass  # not a valid IDNA name: match its text as written
    return host.lower().rstrip(".")


def production_environment(environment: str | None) -> bool:
    return (environment or "").strip().lower() in ("prod", "production", "live")


def production_host(url: str, patterns: list[str]) -> bool:
    """True when the URL's host, normalised, matches a production pattern."""
    host = host_of(url)
    return any(re.search(p, host) for p in patterns)


def looks_like_production(url: str, environment: str | None, patterns: list[str]) -> bool:
    """True when the environment is production or the URL's host matches a production pattern."""
    return production_environment(environment) or production_host(url, patterns)


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


def guard_target(guard: GuardSettings, urls: list[str], environment: str | None, what: str) -> bool:
    """Refuse a production-looking target unless allowed with a budget; whether it looks like production.

    `urls` are every URL configured for the target (base URL, token URL): one of them on a production host
    makes the whole target production, and the refusal names that URL."""
    patterns = guard.production_host_patterns
    matched = next((url for url in urls if production_host(url, patterns)), None)
    production = matched is not None or production_environment(environment)
    label = what if matched is None or matched == what else f"{what} (its URL {matched})"
    require_permission(production, guard.allow_production, guard.max_vouchers, guard.max_face_value_cents, label)
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
