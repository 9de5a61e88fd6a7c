"""
Fixtures of the AllSafe step modules (loaded as a plugin by the root conftest).

- resolves the AllSafe target once per run (`runtime.memo`): the configured one (`UATCERT_ALLSAFE__*`),
  else the AllSafe API of the embedded sandbox (`runtime.sandbox_server()`, seeded credentials);
- registers `runtime.sandbox_checks["allsafe"]` (for `@sandbox_only`) and, once the target is known,
  `runtime.describers["allsafe"]` (target and an availability summary in run.json and the certificate);
- opens clients whose exchanges reach the redactor, the run's ledger, the scenario exchange log and
  the Allure evidence, and whose allocations are written to the ledger (intent, then outcome).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest

from uatcert.allsafe import (
    AllSafeClient,
    AllSafeContract,
    AllSafeError,
    Availability,
    RetryPolicy,
    value_json,
    value_text,
)
from uatcert.errors import ConfigError
from uatcert.events import IssueIntent, Observer
from uatcert.faults import FaultTransport
from uatcert.guard import Budget, guard_target
from uatcert.suite._shared import ClientPool, closing, disarmed, sandbox_control
from uatcert.suite.runtime import ExchangeLog, SandboxableTarget, SuiteRuntime

API = "AllSafe Redemption API"
TARGET_KEY = "allsafe.target"
AVAILABILITY_KEY = "allsafe.availability"
BUDGET_KEY = "allsafe.budget"


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


def allsafe_target_of(runtime: SuiteRuntime) -> AllSafeTarget:
    """The run's AllSafe target, resolved once (starting the embedded sandbox if nothing is configured)."""
    return runtime.memo(TARGET_KEY, lambda: _resolve(runtime))


def _contract(runtime: SuiteRuntime) -> AllSafeContract:
    s = runtime.settings.allsafe
    try:
        return AllSafeContract(
            availability_path=s.availability_path, allocate_path=s.allocate_path, allocate_method=s.allocate_method,
            vendor_field=s.vendor_field, value_field=s.value_field, reference_field=s.reference_field or None,
        )
    except ValueError as exc:
        raise ConfigError(f"invalid AllSafe contract settings: {exc}") from None


def _resolve(runtime: SuiteRuntime) -> AllSafeTarget:
    settings = runtime.settings.allsafe
    contract = _contract(runtime)
    if settings.configured:
        assert settings.base_url and settings.username and settings.password
        production = guard_target(runtime.settings.guard, settings.base_url, settings.environment, settings.described)
        password = settings.password.get_secret_value()
        runtime.redactor.add_secret(password)
        novault = None
        if settings.novault_username and settings.novault_password:
            novault = Credentials(settings.novault_username, settings.novault_password.get_secret_value())
            runtime.redactor.add_secret(novault.password)
        target = AllSafeTarget(
            base_url=settings.base_url.rstrip("/"), username=settings.username, password=password, contract=contract,
            novault=novault, environment="live" if production else (settings.environment or "test"),
            currency=settings.currency, timeout_s=settings.timeout_s, connect_timeout_s=settings.connect_timeout_s,
        )
    else:
        from uatcert import sandbox

        server = runtime.sandbox_server()  # registers every sandbox credential with the redactor
        target = AllSafeTarget(
            base_url=f"{server.base_url}{sandbox.ALLSAFE_PREFIX}", username=sandbox.ALLSAFE_USERNAME,
            password=sandbox.ALLSAFE_PASSWORD, contract=contract,
            novault=Credentials(sandbox.ALLSAFE_NOVAULT_USERNAME, sandbox.ALLSAFE_NOVAULT_PASSWORD),
            sandbox_url=server.base_url, environment="sandbox", currency=settings.currency,
        )
    runtime.describers["allsafe"] = lambda: describe_allsafe(runtime)
    return target


def _budget(runtime: SuiteRuntime, target: AllSafeTarget) -> Budget | None:
    """A budget for a Live integration (real vouchers), counting each value in hundredths like cents."""
    if target.environment != "live":
        return None
    guard = runtime.settings.guard
    assert guard.max_vouchers is not None and guard.max_face_value_cents is not None

    def hundredths(intent: IssueIntent) -> int | None:
        return None if intent.face_value is None else intent.face_value * 100

    return runtime.memo(BUDGET_KEY, lambda: Budget(guard.max_vouchers or 0, guard.max_face_value_cents or 0,
                                                   hundredths))


def new_allsafe_client(
    runtime: SuiteRuntime,
    target: AllSafeTarget,
    *,
    credentials: Credentials | None = None,
    observers: Sequence[Observer] = (),
    transport: httpx.BaseTransport | None = None,
) -> AllSafeClient:
    """A client of the AllSafe target; every exchange observed, every allocation in the run's ledger."""
    username, password = (credentials.username, credentials.password) if credentials else (target.username,
                                                                                             target.password)
    runtime.redactor.add_secret(password)
    retry = runtime.settings.retry
    budget = _budget(runtime, target)
    return AllSafeClient(
        target.base_url,
        username,
        password,
        contract=target.contract,
        timeout=target.timeout_s,
        connect_timeout=target.connect_timeout_s,
        retry=RetryPolicy(max_attempts=min(3, retry.max_attempts), backoff_base_s=retry.backoff_base_s,
                          backoff_cap_s=retry.backoff_cap_s),
        transport=transport or FaultTransport(),
        observers=[runtime.redactor.learn, runtime.ledger, *observers],
        issuance_hooks=[*([budget] if budget else []), runtime.ledger],
        currency=target.currency,
    )


# run.json / certificate ------------------------------------------------------------------------
def availability_summary(availability: Availability) -> dict[str, Any]:
    """Availability in the shape of a catalogue description: one "product" per voucher type."""
    rows = sorted((t.vendor, t.value, t.remaining) for t in availability.available)
    canonical = [(vendor, value_json(value), remaining) for vendor, value, remaining in rows]
    return {
        "size": len(rows),
        "sha256": hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest(),
        "products": [
            {"code": f"{vendor} {value_text(value)}", "kind": f"voucher type, {remaining} left"}
            for vendor, value, remaining in rows
        ],
        "form": availability.form,
        "source": "availability at the start of the run",
    }


def snapshot_availability(runtime: SuiteRuntime, target: AllSafeTarget) -> dict[str, Any]:
    """The availability summary, taken once (first use); an error is recorded instead of raised."""

    def take() -> dict[str, Any]:
        try:
            with new_allsafe_client(runtime, target) as client:
                return availability_summary(client.availability())
        except AllSafeError as exc:
            return {"error": runtime.redactor.text(str(exc))}

    return runtime.memo(AVAILABILITY_KEY, take)


def describe_allsafe(runtime: SuiteRuntime) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The AllSafe target and an availability summary, as recorded in run.json and the certificate."""
    target = allsafe_target_of(runtime)
    summary = snapshot_availability(runtime, target)
    description: dict[str, Any] = {
        "api": API,
        "api_version": "proposed contract (allocate call UNDOCUMENTED)",
        "label": target.label,
        "base_url": target.base_url,
        "environment": target.environment,
        "client_id": target.username,
        "sandbox": target.is_sandbox,
        "availability": f"GET {target.contract.availability_path}",
        "allocate": target.contract.allocate_label,
        "reference_field": target.contract.reference_field,
        "novault_credentials": target.novault is not None,
    }
    if "error" in summary:
        description["availability_error"] = summary["error"]
        return description, None
    return description, summary


# pytest hooks ----------------------------------------------------------------------------------
@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allsafe: AllSafe Redemption API scenario")
    from uatcert.suite.plugin import RUNTIME

    runtime = config.stash.get(RUNTIME, None)
    if runtime is not None:
        runtime.sandbox_checks["allsafe"] = lambda: allsafe_target_of(runtime).is_sandbox


# fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def allsafe_target(suite_runtime: SuiteRuntime) -> AllSafeTarget:
    return allsafe_target_of(suite_runtime)


@pytest.fixture(scope="session")
def allsafe_session_faults() -> FaultTransport:
    return FaultTransport()


@pytest.fixture
def allsafe_faults(allsafe_session_faults: FaultTransport) -> Iterator[FaultTransport]:
    """The session client's fault transport; whatever a scenario arms is disarmed after it."""
    yield from disarmed(allsafe_session_faults)


@pytest.fixture(scope="session")
def allsafe_client(
    suite_runtime: SuiteRuntime, allsafe_target: AllSafeTarget, allsafe_session_faults: FaultTransport,
    exchange_log: ExchangeLog, evidence: Observer,
) -> Iterator[AllSafeClient]:
    snapshot_availability(suite_runtime, allsafe_target)  # before the first scenario allocates anything
    with new_allsafe_client(suite_runtime, allsafe_target, observers=[exchange_log, evidence],
                            transport=allsafe_session_faults) as client:
        yield client


class AllSafeConnector(ClientPool[AllSafeClient]):
    """Opens extra AllSafe connections for a scenario (other credentials); closes them after it."""

    def __init__(self, runtime: SuiteRuntime, target: AllSafeTarget, observers: list[Observer]) -> None:
        super().__init__(runtime, observers)
        self._target = target

    def __call__(self, credentials: Credentials) -> AllSafeClient:
        return self._keep(new_allsafe_client(self._runtime, self._target, credentials=credentials,
                                             observers=self._observers))


@pytest.fixture
def allsafe_connect(
    suite_runtime: SuiteRuntime, allsafe_target: AllSafeTarget, exchange_log: ExchangeLog, evidence: Observer
) -> Iterator[AllSafeConnector]:
    yield from closing(AllSafeConnector(suite_runtime, allsafe_target, [exchange_log, evidence]))


@pytest.fixture(scope="session")
def allsafe_sandbox(allsafe_target: AllSafeTarget) -> Iterator[Any]:
    """The sandbox's AllSafe control API (`AllSafeSandboxControl`), or None on a real target."""
    yield from sandbox_control(allsafe_target.sandbox_url, allsafe=True)
