"""
Before the first scenario: refuse production unless allowed with a budget, prove the target is
reachable and the credentials work, and print the issuance plan. What every API's pre-flight shares
lives here; each wing's `preflight` module checks its own target (`Wing.preflight`).
"""

from __future__ import annotations

import dataclasses

from uatcert.config import GuardSettings
from uatcert.errors import ConfigError


def require_budget(guard: GuardSettings, vouchers: int, cents: int, plan: str, currency: str, advice: str) -> None:
    """ConfigError when a production plan would exceed the budget (`cents`: hundredths of the currency)."""
    assert guard.max_vouchers is not None and guard.max_face_value_cents is not None
    if vouchers > guard.max_vouchers or cents > guard.max_face_value_cents:
        raise ConfigError(
            f"{plan} exceeds the production budget ({guard.max_vouchers} vouchers, "
            f"{currency}{guard.max_face_value_cents / 100:,.2f}); raise the budget or {advice}"
        )


@dataclasses.dataclass(frozen=True)
class Plan:
    vouchers: int
    face_value_cents: int
    unknown_value_products: tuple[str, ...]

    def describe(self) -> str:
        text = f"will issue up to {self.vouchers} vouchers, SGD {self.face_value_cents / 100:,.2f} in face value"
        if self.unknown_value_products:
            text += f" plus {len(self.unknown_value_products)} product(s) of undisclosed value"
        return text
