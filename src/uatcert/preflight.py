"""
Before the first scenario: refuse production unless allowed with a budget, prove the target is
reachable and the credentials work, and print the issuance plan.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import TextIO

from uatcert.config import GuardSettings, Settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.guard import guard_target
from uatcert.v2 import ApiConnectionError as V2ConnectionError
from uatcert.v2 import ApiError as V2ApiError
from uatcert.v2 import CatalogueEntry, V2Client, read_catalogue
from uatcert.v2 import TokenError as V2TokenError
from uatcert.v3 import ApiConnectionError, ApiError, AuthenticationError, Product, TokenError, V3Client


def _require_budget(guard: GuardSettings, vouchers: int, cents: int, plan: str, currency: str, advice: str) -> None:
    """ConfigError when a production plan would exceed the budget (`cents`: hundredths of the currency)."""
    assert guard.max_vouchers is not None and guard.max_face_value_cents is not None
    if vouchers > guard.max_vouchers or cents > guard.max_face_value_cents:
        raise ConfigError(
            f"{plan} exceeds the production budget ({guard.max_vouchers} vouchers, "
            f"{currency}{guard.max_face_value_cents / 100:,.2f}); raise the budget or {advice}"
        )


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
    production = guard_target(settings.guard, v3.base_url, v3.environment, v3.base_url)
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
        _require_budget(settings.guard, plan.vouchers, plan.face_value_cents, "the plan", "SGD ", "certify on UAT")


# UNIQREWARDS v2 -----------------------------------------------------------------------------------
V2_ISS_EVERY_QUANTITY = 2
V2_DYNAMIC_DEFAULT_CENTS = 5000
V2_ISS_OPEN_CENTS = (100, 6172, 100000)
V2_DEFAULT_VOUCHERS = 10  # AUTH 1; IDEM: lost response 2, lost request 2, same request 2, new id 2, reuse 1


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
    if any(p.is_dynamic for p in products):
        vouchers += V2_DEFAULT_VOUCHERS
        cents += V2_DEFAULT_VOUCHERS * V2_DYNAMIC_DEFAULT_CENTS
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
    production = guard_target(settings.guard, v2.base_url, v2.environment, v2.base_url)
    try:
        with V2Client(v2.base_url, v2.token_url, v2.client_id, v2.client_secret.get_secret_value(), v2.x_client_id,
                      v2.x_client_secret.get_secret_value(), scope=v2.scope, product_class=v2.product_class,
                      timeout=v2.timeout_s) as client:
            client.access_token()
            # A read that issues nothing: Check Vouchers of a ref that was never issued (answer UNDOCUMENTED).
            probe = client.send("POST", client.check_path(), json={"voucher_settlement_refs": [str(uuid.uuid4())]})
    except V2TokenError as exc:
        raise TargetUnreachable(f"authentication with {v2.token_url} failed: {exc}") from None
    except V2ConnectionError as exc:
        raise TargetUnreachable(f"cannot reach the v2 target {v2.base_url}: {exc}") from None
    except V2ApiError as exc:
        raise TargetUnreachable(f"the v2 token endpoint {v2.token_url} did not issue a token: {exc}") from None
    if probe.status_code in (401, 403):
        raise TargetUnreachable(
            f"the v2 target {v2.base_url} refused the credentials (HTTP {probe.status_code} to Check Vouchers): "
            "check UATCERT_V2__X_CLIENT_ID and UATCERT_V2__X_CLIENT_SECRET"
        )
    plan = plan_v2(products)
    out.write(f"v2 target {v2.base_url}: {len(products)} products in {v2.catalogue_file.name}; {plan.describe()}\n")
    if production:
        _require_budget(settings.guard, plan.vouchers, plan.face_value_cents, "the v2 plan", "SGD ",
                        "certify on UAT")


# AllSafe ------------------------------------------------------------------------------------------
ALLSAFE_ALLOCATIONS = 5
"""Vouchers the AllSafe features allocate on a real target: consistency 1, allocation 1, two in a row 2,
lost response 1 (the sandbox-only scenarios never run there)."""


def check_allsafe_target(settings: Settings, out: TextIO) -> None:
    """Guard, reach and authenticate a configured AllSafe target; no-op for the embedded sandbox."""
    from uatcert.allsafe import (
        AllSafeAuthenticationError,
        AllSafeClient,
        AllSafeConnectionError,
        AllSafeContract,
        AllSafeError,
        Availability,
        NoVaultLinkedError,
        RetryPolicy,
        value_text,
    )

    allsafe = settings.allsafe
    if not allsafe.configured:
        return
    assert allsafe.base_url and allsafe.username and allsafe.password
    production = guard_target(settings.guard, allsafe.base_url, allsafe.environment, allsafe.described)
    try:
        contract = AllSafeContract(
            availability_path=allsafe.availability_path, allocate_path=allsafe.allocate_path,
            allocate_method=allsafe.allocate_method, vendor_field=allsafe.vendor_field,
            value_field=allsafe.value_field, reference_field=allsafe.reference_field or None,
        )
    except ValueError as exc:
        raise ConfigError(f"invalid AllSafe contract settings: {exc}") from None

    def availability(username: str, password: str) -> Availability:
        try:
            with AllSafeClient(allsafe.base_url or "", username, password, contract=contract,
                               timeout=allsafe.timeout_s, connect_timeout=allsafe.connect_timeout_s,
                               retry=RetryPolicy(max_attempts=2), currency=allsafe.currency) as client:
                return client.availability()
        except ValueError as exc:
            raise ConfigError(f"AllSafe settings: {exc}") from None
        except AllSafeAuthenticationError as exc:
            raise TargetUnreachable(f"the AllSafe credentials of {username!r} were refused: {exc}") from None
        except AllSafeConnectionError as exc:
            raise TargetUnreachable(f"cannot reach the AllSafe target {allsafe.base_url}: {exc}") from None

    try:
        found = availability(allsafe.username, allsafe.password.get_secret_value())
    except NoVaultLinkedError:
        out.write(f"AllSafe target {allsafe.base_url}: the campaign of {allsafe.username!r} has no vault linked "
                  "(491); the allocation scenarios will fail\n")
        return
    except AllSafeError as exc:
        raise TargetUnreachable(f"the AllSafe target {allsafe.base_url} did not answer availability: {exc}") from None
    if allsafe.novault_username and allsafe.novault_password:
        try:
            availability(allsafe.novault_username, allsafe.novault_password.get_secret_value())
        except AllSafeError:
            pass  # 491 expected; anything else is for the 491 scenario to report
    kinds = sorted(found.available, key=lambda t: -t.remaining)
    plan = f"will allocate up to {ALLSAFE_ALLOCATIONS} vouchers"
    if kinds:
        plan += f" of {kinds[0].label} ({allsafe.currency} {value_text(kinds[0].value * ALLSAFE_ALLOCATIONS)})"
    out.write(f"AllSafe target {allsafe.base_url}: {len(kinds)} voucher types available; {plan}\n")
    if production:
        total = int(kinds[0].value * 100 * ALLSAFE_ALLOCATIONS) if kinds else 0
        _require_budget(settings.guard, ALLSAFE_ALLOCATIONS, total, "the AllSafe plan", "",
                        "certify with a Test integration")
