"""
Before the first scenario: refuse production unless allowed with a budget, prove the target is
reachable and the credentials work, and print the issuance plan.
"""

from __future__ import annotations

import dataclasses
from typing import TextIO

from uatcert.config import Settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.guard import looks_like_production, require_permission
from uatcert.v3 import ApiConnectionError, ApiError, AuthenticationError, Product, TokenError, V3Client

ISS_EVERY_QUANTITY = 2
OPEN_VALUE_DEFAULT_CENTS = 5000
ISS_OPEN_CENTS = (100, 100000, 1051)
IDEM_VOUCHERS = 6  # lost response 2, lost request 2, key reuse 1, three losses 1 (client-side faults only)
STS_READABLE = 21


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


def plan_v3(products: list[Product]) -> Plan:
    """An upper bound of what the v3 features issue on a real target, from the catalogue."""
    vouchers, cents, unknown = 0, 0, []
    for product in products:
        vouchers += ISS_EVERY_QUANTITY
        if product.is_open_value:
            cents += ISS_EVERY_QUANTITY * OPEN_VALUE_DEFAULT_CENTS
            vouchers += len(ISS_OPEN_CENTS)
            cents += sum(ISS_OPEN_CENTS)
        elif product.is_value_based and product.face_value is not None:
            cents += ISS_EVERY_QUANTITY * product.face_value
        elif product.is_value_based:
            unknown.append(product.code)
    recovery = next((p for p in products if p.is_open_value), None)
    if recovery is not None:
        vouchers += IDEM_VOUCHERS
        cents += IDEM_VOUCHERS * OPEN_VALUE_DEFAULT_CENTS
    readable = sum(ISS_EVERY_QUANTITY for p in products if p.is_status_available is not False)
    top_up = max(0, STS_READABLE - readable - (IDEM_VOUCHERS if recovery else 0))
    vouchers += top_up
    cents += top_up * OPEN_VALUE_DEFAULT_CENTS
    return Plan(vouchers, cents, tuple(unknown))


def check_v3_target(settings: Settings, out: TextIO) -> None:
    """Guard, reach and authenticate a configured v3 target; no-op for the embedded sandbox."""
    v3 = settings.v3
    if not v3.configured:
        return
    assert v3.base_url and v3.token_url and v3.client_id and v3.client_secret
    guard = settings.guard
    production = looks_like_production(v3.base_url, v3.environment, guard.production_host_patterns)
    require_permission(production, guard.allow_production, guard.max_vouchers, guard.max_face_value_cents,
                       v3.base_url)
    try:
        with V3Client(v3.base_url, v3.token_url, v3.client_id, v3.client_secret.get_secret_value(),
                      scope_prefix=v3.scope_prefix, timeout=v3.timeout_s) as client:
            products = client.products()
    except (TokenError, AuthenticationError) as exc:
        raise TargetUnreachable(f"authentication with {v3.token_url} failed: {exc}") from None
    except ApiConnectionError as exc:
        raise TargetUnreachable(f"cannot reach the v3 target {v3.base_url}: {exc}") from None
    except ApiError as exc:
        raise TargetUnreachable(f"the v3 target {v3.base_url} did not serve its catalogue: {exc}") from None
    plan = plan_v3(products)
    out.write(f"v3 target {v3.base_url}: {len(products)} products; {plan.describe()}\n")
    if production:
        assert guard.max_vouchers is not None and guard.max_face_value_cents is not None
        if plan.vouchers > guard.max_vouchers or plan.face_value_cents > guard.max_face_value_cents:
            raise ConfigError(
                f"the plan exceeds the production budget ({guard.max_vouchers} vouchers, "
                f"SGD {guard.max_face_value_cents / 100:,.2f}); raise the budget or certify on UAT"
            )
