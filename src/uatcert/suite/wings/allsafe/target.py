"""
The AllSafe target, resolved once per run: the configured one (`UATCERT_ALLSAFE__*`, guarded when it is
a Live integration, with the allocation budget), else the AllSafe API of the embedded sandbox (seeded
credentials); its clients, whose exchanges reach the redactor and the run's ledger, and whose
allocations are written to the ledger (intent, then outcome).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import httpx

from uatcert import sandbox
from uatcert.allsafe import AllSafeClient, AllSafeContract, RetryPolicy
from uatcert.config import AllSafeSettings
from uatcert.errors import ConfigError
from uatcert.events import IssueIntent, Observer
from uatcert.faults import FaultTransport
from uatcert.guard import Budget, guard_target
from uatcert.suite.runtime import SandboxableTarget, SuiteRuntime

API = "allsafe"


@dataclasses.dataclass(frozen=True)
class Credentials:
    """An AllSafe username and password; the password never shows in `repr()` (steps' arguments are reported)."""

    username: str
    password: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class AllSafeTarget(SandboxableTarget):
    """Where the AllSafe scenarios run, and with which credentials (passwords kept out of repr)."""

    base_url: str
    username: str
    password: str = dataclasses.field(repr=False)
    contract: AllSafeContract = dataclasses.field(default_factory=AllSafeContract)
    novault: Credentials | None = None
    """Credentials of an integration whose campaign has no vault (491), if any."""
    sandbox_url: str | None = None
    """Base URL of the embedded sandbox (control API available) or None for a real target."""
    environment: str = "test"
    currency: str = "ZAR"
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0

    @property
    def label(self) -> str:
        return "embedded sandbox" if self.is_sandbox else (httpx.URL(self.base_url).host or self.base_url)


def target(runtime: SuiteRuntime) -> AllSafeTarget:
    """The run's AllSafe target, resolved once (starting the embedded sandbox if nothing is configured)."""
    return runtime.resolve_target(API, lambda: _resolve(runtime))


def contract_of(s: AllSafeSettings) -> AllSafeContract:
    """The AllSafe contract the settings describe (ConfigError when they are not a valid one)."""
    try:
        return AllSafeContract(
            availability_path=s.availability_path, allocate_path=s.allocate_path, allocate_method=s.allocate_method,
            vendor_field=s.vendor_field, value_field=s.value_field, reference_field=s.reference_field or None,
        )
    except ValueError as exc:
        raise ConfigError(f"invalid AllSafe contract settings: {exc}") from None


def _resolve(runtime: SuiteRuntime) -> AllSafeTarget:
    settings = runtime.settings.allsafe
    contract = contract_of(settings)
    if settings.configured:
        assert settings.base_url and settings.username and settings.password
        production = guard_target(runtime.settings.guard, [settings.base_url], settings.environment, settings.described)
        password = settings.password.get_secret_value()
        runtime.redactor.add_secret(password)
        novault = None
        if settings.novault_username and settings.novault_password:
            novault = Credentials(settings.novault_username, settings.novault_password.get_secret_value())
            runtime.redactor.add_secret(novault.password)
        resolved = AllSafeTarget(
            base_url=settings.base_url.rstrip("/"), username=settings.username, password=password, contract=contract,
            novault=novault, environment="live" if production else (settings.environment or "test"),
            currency=settings.currency, timeout_s=settings.timeout_s, connect_timeout_s=settings.connect_timeout_s,
        )
    else:
        server = runtime.sandbox_server()  # registers every sandbox credential with the redactor
        resolved = AllSafeTarget(
            base_url=f"{server.base_url}{sandbox.ALLSAFE_PREFIX}", username=sandbox.ALLSAFE_USERNAME,
            password=sandbox.ALLSAFE_PASSWORD, contract=contract,
            novault=Credentials(sandbox.ALLSAFE_NOVAULT_USERNAME, sandbox.ALLSAFE_NOVAULT_PASSWORD),
            sandbox_url=server.base_url, environment="sandbox", currency=settings.currency,
        )
    return resolved


def _budget(runtime: SuiteRuntime, resolved: AllSafeTarget) -> Budget | None:
    """A budget for a Live integration (real vouchers), counting each value in hundredths like cents."""
    if resolved.environment != "live":
        return None

    def hundredths(intent: IssueIntent) -> int | None:
        return None if intent.face_value is None else intent.face_value * 100

    return runtime.production_budget(API, hundredths)


def new_client(
    runtime: SuiteRuntime,
    *,
    credentials: Credentials | None = None,
    observers: Sequence[Observer] = (),
    transport: httpx.BaseTransport | None = None,
) -> AllSafeClient:
    """A client of the AllSafe target; every exchange observed, every allocation in the run's ledger."""
    resolved = target(runtime)
    username, password = (credentials.username, credentials.password) if credentials else (resolved.username,
                                                                                             resolved.password)
    runtime.redactor.add_secret(password)
    retry = runtime.settings.retry
    budget = _budget(runtime, resolved)
    return AllSafeClient(
        resolved.base_url,
        username,
        password,
        contract=resolved.contract,
        timeout=resolved.timeout_s,
        connect_timeout=resolved.connect_timeout_s,
        retry=RetryPolicy(max_attempts=min(3, retry.max_attempts), backoff_base_s=retry.backoff_base_s,
                          backoff_cap_s=retry.backoff_cap_s),
        transport=transport or FaultTransport(runtime.transport()),
        observers=[runtime.redactor.learn, runtime.ledger, *observers],
        issuance_hooks=[*([budget] if budget else []), runtime.ledger],
        currency=resolved.currency,
    )
