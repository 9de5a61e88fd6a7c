"""The v3 pre-flight: guard, reach and authenticate a configured v3 target, and print its issuance plan."""

from __future__ import annotations

from typing import TextIO

from uatcert.config import Settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.guard import guard_target
from uatcert.preflight import Plan, html_answer, require_budget, unreachable
from uatcert.sandbox import load_catalogue
from uatcert.suite.wings.v3.picking import choose
from uatcert.v3 import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    NotFoundError,
    Product,
    RetryPolicy,
    TokenError,
    V3Client,
)

ISS_EVERY_QUANTITY = 2
OPEN_VALUE_DEFAULT_CENTS = 5000
ISS_OPEN_CENTS = (100, 100000, 1051)
IDEM_VOUCHERS = 12
"""lost response 2, lost request 2, key reuse 1, another product 1, another face value 1, new key 2 + 2,
three losses 1 (client-side faults only)."""
LARGEST_QUANTITY = 20  # ISS-VALID: the largest quantity, once
STS_READABLE = 21
PREFLIGHT_RETRY = RetryPolicy(max_attempts=2)
"""The pre-flight tries twice, then says why the target cannot be used (as AllSafe's does)."""


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
    recovery = choose(products, quantity=2)
    if recovery is not None:
        vouchers += IDEM_VOUCHERS + LARGEST_QUANTITY
        per_voucher = OPEN_VALUE_DEFAULT_CENTS if recovery.is_open_value else (recovery.face_value or 0)
        cents += (IDEM_VOUCHERS + LARGEST_QUANTITY) * per_voucher
    readable = sum(ISS_EVERY_QUANTITY for p in products if p.is_status_available is not False)
    top_up = max(0, STS_READABLE - readable - (IDEM_VOUCHERS + LARGEST_QUANTITY if recovery else 0))
    vouchers += top_up
    cents += top_up * OPEN_VALUE_DEFAULT_CENTS
    return Plan(vouchers, cents, tuple(unknown))


def check_v3_target(settings: Settings, out: TextIO) -> None:
    """Guard, reach and authenticate a configured v3 target; for the embedded sandbox, read its catalogue file."""
    v3 = settings.v3
    if not v3.configured:
        if settings.sandbox.catalogue is not None and not load_catalogue(settings.sandbox.catalogue).products:
            raise ConfigError(f"UATCERT_SANDBOX__CATALOGUE {settings.sandbox.catalogue}: lists no product: "
                              "nothing to certify")
        return
    assert v3.base_url and v3.token_url and v3.client_id and v3.client_secret
    production = guard_target(settings.guard, [v3.base_url, v3.token_url], v3.environment, v3.base_url)
    urls = {"UATCERT_V3__TOKEN_URL": v3.token_url, "UATCERT_V3__BASE_URL": v3.base_url}
    empty = f"the v3 target {v3.base_url} lists no product for client {v3.client_id!r}"
    advice = "nothing to certify: ask UNIQREWARDS to configure the client's products in this environment"
    try:
        with V3Client(v3.base_url, v3.token_url, v3.client_id, v3.client_secret.get_secret_value(),
                      scope_prefix=v3.scope_prefix, timeout=v3.timeout_s, retry=PREFLIGHT_RETRY) as client:
            products = client.products()
    except ApiConnectionError as exc:
        raise unreachable(exc, urls, ("UATCERT_V3__TIMEOUT_S", v3.timeout_s)) from None
    except ApiError as exc:
        if (page := html_answer(exc, urls)) is not None:
            raise page from None
        if isinstance(exc, TokenError | AuthenticationError):
            raise TargetUnreachable(
                f"the v3 token endpoint {v3.token_url} refused UATCERT_V3__CLIENT_ID {v3.client_id!r} with its "
                f"UATCERT_V3__CLIENT_SECRET: {exc}"
            ) from None
        if isinstance(exc, NotFoundError) and exc.request is not None and exc.request.url.path.endswith("/products"):
            raise TargetUnreachable(f"{empty} ({exc}): {advice} (or check UATCERT_V3__BASE_URL)") from None
        raise TargetUnreachable(f"the v3 target {v3.base_url} did not serve its catalogue: {exc}") from None
    if not products:
        raise TargetUnreachable(f"{empty} (GET /products answered an empty list): {advice}")
    plan = plan_v3(products)
    out.write(f"v3 target {v3.base_url}: {len(products)} products; {plan.describe()}\n")
    if production:
        require_budget(settings.guard, plan.vouchers, plan.face_value_cents, "the plan", "SGD ", "certify on UAT")
