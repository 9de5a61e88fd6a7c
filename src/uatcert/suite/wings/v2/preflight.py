"""The v2 pre-flight: the catalogue file read; a configured v2 target guarded, authenticated and planned."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TextIO

from uatcert.config import Settings
from uatcert.errors import TargetUnreachable
from uatcert.guard import guard_target
from uatcert.preflight import Plan, html_answer, require_budget, unreachable
from uatcert.v2 import ApiConnectionError as V2ConnectionError
from uatcert.v2 import ApiError as V2ApiError
from uatcert.v2 import CatalogueEntry, RetryPolicy, V2Client, read_catalogue
from uatcert.v2 import TokenError as V2TokenError

V2_ISS_EVERY_QUANTITY = 2
V2_DYNAMIC_DEFAULT_CENTS = 5000
V2_ISS_OPEN_CENTS = (100, 6172, 100000)
V2_DEFAULT_VOUCHERS = 32
"""Of the product the scenarios pick (dynamic value-based at 50.00 when there is one, else a fixed one): AUTH 1;
ISS-VALID 20 in one request; IDEM lost response 2, lost request 2, same request 2, new id 2, reuse 3 x 1."""


def plan_v2(products: Sequence[CatalogueEntry]) -> Plan:
    """An upper bound of what the v2 features issue on a real target, from the catalogue file."""
    vouchers, cents, unknown = 0, 0, []
    for product in products:
        vouchers += V2_ISS_EVERY_QUANTITY
        if product.is_dynamic:
            cents += V2_ISS_EVERY_QUANTITY * V2_DYNAMIC_DEFAULT_CENTS
            vouchers += len(V2_ISS_OPEN_CENTS)
            cents += sum(V2_ISS_OPEN_CENTS)
        elif product.value_cents is not None:
            cents += V2_ISS_EVERY_QUANTITY * product.value_cents
        elif product.is_value_based:
            unknown.append(product.code)
    picked = next((p for p in products if p.is_dynamic), None) or next(
        (p for p in products if p.product_type in ("fixed value-based", "convertible")), None
    ) or next(iter(products), None)
    if picked is not None:
        vouchers += V2_DEFAULT_VOUCHERS
        value = V2_DYNAMIC_DEFAULT_CENTS if picked.is_dynamic else picked.value_cents
        if value is not None:
            cents += V2_DEFAULT_VOUCHERS * value
        elif picked.is_value_based and picked.code not in unknown:
            unknown.append(picked.code)
    return Plan(vouchers, cents, tuple(unknown))


def check_v2_target(settings: Settings, out: TextIO) -> None:
    """
    Read the v2 catalogue file if one is set (a malformed one: ConfigError naming line and column);
    for a configured v2 target, guard it, obtain a token and prove the X-Client pair is accepted.
    """
    v2 = settings.v2
    products: tuple[CatalogueEntry, ...] = ()
    if v2.catalogue_file is not None:
        products = read_catalogue(v2.catalogue_file).products
    if not v2.configured:
        return
    assert v2.base_url and v2.token_url and v2.client_id and v2.client_secret
    assert v2.x_client_id and v2.x_client_secret and v2.catalogue_file
    production = guard_target(settings.guard, [v2.base_url, v2.token_url], v2.environment, v2.base_url)
    urls = {"UATCERT_V2__TOKEN_URL": v2.token_url, "UATCERT_V2__BASE_URL": v2.base_url}
    try:
        with V2Client(v2.base_url, v2.token_url, v2.client_id, v2.client_secret.get_secret_value(), v2.x_client_id,
                      v2.x_client_secret.get_secret_value(), scope=v2.scope, product_class=v2.product_class,
                      timeout=v2.timeout_s, retry=RetryPolicy(max_attempts=2)) as client:
            client.access_token()
            # A read that issues nothing: Check Vouchers of a ref that was never issued (answer UNDOCUMENTED).
            probe = client.send("POST", client.check_path(), json={"voucher_settlement_refs": [str(uuid.uuid4())]})
    except V2ConnectionError as exc:
        raise unreachable(exc, urls, ("UATCERT_V2__TIMEOUT_S", v2.timeout_s)) from None
    except V2ApiError as exc:
        if (page := html_answer(exc, urls)) is not None:
            raise page from None
        if isinstance(exc, V2TokenError):
            raise TargetUnreachable(
                f"the v2 token endpoint {v2.token_url} refused UATCERT_V2__CLIENT_ID {v2.client_id!r} with its "
                f"UATCERT_V2__CLIENT_SECRET: {exc}"
            ) from None
        raise TargetUnreachable(f"the v2 token endpoint {v2.token_url} did not issue a token: {exc}") from None
    if probe.status_code in (401, 403):
        raise TargetUnreachable(
            f"the v2 target {v2.base_url} refused the credentials (HTTP {probe.status_code} to Check Vouchers): "
            "check UATCERT_V2__X_CLIENT_ID and UATCERT_V2__X_CLIENT_SECRET"
        )
    plan = plan_v2(products)
    out.write(f"v2 target {v2.base_url}: {len(products)} products in {v2.catalogue_file.name}; {plan.describe()}\n")
    if production:
        require_budget(settings.guard, plan.vouchers, plan.face_value_cents, "the v2 plan", "SGD ",
                        "certify on UAT")
