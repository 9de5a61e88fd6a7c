"""The AllSafe pre-flight: guard, reach and authenticate a configured AllSafe target, and print its plan."""

from __future__ import annotations

from typing import TextIO

from uatcert.allsafe import (
    AllSafeAuthenticationError,
    AllSafeClient,
    AllSafeConnectionError,
    AllSafeError,
    Availability,
    NoVaultLinkedError,
    RetryPolicy,
    value_text,
)
from uatcert.config import Settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.guard import guard_target
from uatcert.preflight import html_answer, require_budget, unreachable
from uatcert.suite.wings.allsafe.target import contract_of

ALLSAFE_ALLOCATIONS = 5
"""Vouchers the AllSafe features allocate on a real target: consistency 1, allocation 1, two in a row 2,
lost response 1 (the sandbox-only scenarios never run there)."""


def check_allsafe_target(settings: Settings, out: TextIO) -> None:
    """Guard, reach and authenticate a configured AllSafe target; no-op for the embedded sandbox."""
    allsafe = settings.allsafe
    if not allsafe.configured:
        return
    assert allsafe.base_url and allsafe.username and allsafe.password
    production = guard_target(settings.guard, [allsafe.base_url], allsafe.environment, allsafe.described)
    contract = contract_of(allsafe)

    urls = {"UATCERT_ALLSAFE__BASE_URL": allsafe.base_url}

    def availability(username: str, password: str, setting: str = "UATCERT_ALLSAFE_") -> Availability:
        try:
            with AllSafeClient(allsafe.base_url or "", username, password, contract=contract,
                               timeout=allsafe.timeout_s, connect_timeout=allsafe.connect_timeout_s,
                               retry=RetryPolicy(max_attempts=2), currency=allsafe.currency) as client:
                return client.availability()
        except ValueError as exc:
            raise ConfigError(f"AllSafe settings: {exc}") from None
        except AllSafeAuthenticationError as exc:
            raise TargetUnreachable(f"the AllSafe target {allsafe.base_url} refused the credentials of {username!r} "
                                    f"({setting}_USERNAME and {setting}_PASSWORD): {exc}") from None
        except AllSafeConnectionError as exc:
            raise unreachable(exc, urls, ("UATCERT_ALLSAFE__TIMEOUT_S", allsafe.timeout_s)) from None
        except AllSafeError as exc:
            if (page := html_answer(exc, urls)) is not None:
                raise page from None
            raise

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
            availability(allsafe.novault_username, allsafe.novault_password.get_secret_value(),
                         "UATCERT_ALLSAFE__NOVAULT")
        except AllSafeError:
            pass  # 491 expected; anything else is for the 491 scenario to report
    kinds = sorted(found.available, key=lambda t: -t.remaining)
    plan = f"will allocate up to {ALLSAFE_ALLOCATIONS} vouchers"
    if kinds:
        plan += f" of {kinds[0].label} ({allsafe.currency} {value_text(kinds[0].value * ALLSAFE_ALLOCATIONS)})"
    out.write(f"AllSafe target {allsafe.base_url}: {len(kinds)} voucher types available; {plan}\n")
    if production:
        total = int(kinds[0].value * 100 * ALLSAFE_ALLOCATIONS) if kinds else 0
        require_budget(settings.guard, ALLSAFE_ALLOCATIONS, total, "the AllSafe plan", "",
                        "certify with a Test integration")
