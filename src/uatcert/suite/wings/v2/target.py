"""
The v2 target and its catalogue FILE, each resolved once per run: the file `UATCERT_V2__CATALOGUE_FILE`
(else the sandbox's own), checked when read; the configured target (`UATCERT_V2__*`, guarded like v3
when it looks like production, with the issuance budget), else the v2 API of the embedded sandbox
(seeded credentials; it then serves the same catalogue file). Its clients' exchanges reach the redactor,
the run's ledger and the register of vouchers issued; every issuance is in the ledger (api "v2").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import httpx

from uatcert import sandbox
from uatcert.events import IssuanceHook, IssueIntent, Observer
from uatcert.faults import FaultTransport
from uatcert.guard import Budget, guard_target
from uatcert.suite.runtime import SandboxableTarget, SuiteRuntime
from uatcert.suite.wings.v2.issued import issued
from uatcert.v2 import CatalogueFile, RetryPolicy, V2Client, read_catalogue

API = "v2"
CATALOGUE_KEY = "v2.catalogue"


@dataclasses.dataclass(frozen=True)
class V2Target(SandboxableTarget):
    """Where the v2 scenarios run, and with which credentials (secrets kept out of repr)."""

    base_url: str
    token_url: str
    client_id: str
    client_secret: str = dataclasses.field(repr=False)
    x_client_id: str = ""
    x_client_secret: str = dataclasses.field(default="", repr=False)
    scope: str | None = None
    product_class: str = "ETX_001"
    sandbox_url: str | None = None
    """Base URL of the embedded sandbox (control API available) or None for a real target."""
    environment: str = "uat"
    timeout_s: float = 15.0


def catalogue(runtime: SuiteRuntime) -> CatalogueFile:
    """The catalogue file of the run, read and checked once (ConfigError naming line and column)."""

    def read() -> CatalogueFile:
        path = runtime.settings.v2.catalogue_file
        if path is None:
            path = sandbox.SEEDED_V2_CATALOGUE
        return read_catalogue(path)

    return runtime.memo(CATALOGUE_KEY, read)


def target(runtime: SuiteRuntime) -> V2Target:
    """The run's v2 target, resolved once (starting the embedded sandbox if nothing is configured)."""
    return runtime.resolve_target(API, lambda: _resolve(runtime))


def _resolve(runtime: SuiteRuntime) -> V2Target:
    settings = runtime.settings.v2
    catalogue(runtime)  # a bad catalogue file stops the run here, before anything is started
    if settings.configured:
        assert settings.base_url and settings.token_url and settings.client_id and settings.client_secret
        assert settings.x_client_id and settings.x_client_secret
        production = guard_target(runtime.settings.guard, [settings.base_url, settings.token_url], settings.environment,
                                  settings.base_url)
        client_secret = settings.client_secret.get_secret_value()
        x_client_secret = settings.x_client_secret.get_secret_value()
        resolved = V2Target(
            base_url=settings.base_url.rstrip("/"), token_url=settings.token_url, client_id=settings.client_id,
            client_secret=client_secret, x_client_id=settings.x_client_id, x_client_secret=x_client_secret,
            scope=settings.scope, product_class=settings.product_class,
            environment="production" if production else (settings.environment or "uat"),
            timeout_s=settings.timeout_s,
        )
    else:
        server = runtime.sandbox_server()  # serves settings.catalogue_file, if given (SandboxConfig.v2_catalogue_path)
        resolved = V2Target(
            base_url=f"{server.base_url}/v2", token_url=f"{server.base_url}/v2/connect/token",
            client_id=sandbox.V2_CLIENT_ID, client_secret=sandbox.V2_CLIENT_SECRET,
            x_client_id=sandbox.V2_X_CLIENT_ID, x_client_secret=sandbox.V2_X_CLIENT_SECRET,
            scope=settings.scope, sandbox_url=server.base_url, environment="sandbox", timeout_s=settings.timeout_s,
        )
    for secret in (resolved.client_secret, resolved.x_client_secret):
        runtime.redactor.add_secret(secret)
    return resolved


def _budget(runtime: SuiteRuntime, resolved: V2Target) -> Budget | None:
    """The production budget; a fixed product's value comes from the catalogue file when it says."""
    if resolved.environment != "production":
        return None
    products = catalogue(runtime)

    def cents(intent: IssueIntent) -> int | None:
        if intent.face_value is not None:
            return intent.face_value
        entry = products.get(intent.product_code)
        return entry.value_cents if entry is not None else None

    return runtime.production_budget(API, cents)


def new_client(
    runtime: SuiteRuntime,
    *,
    observers: Sequence[Observer] = (),
    hooks: Sequence[IssuanceHook] = (),
    transport: httpx.BaseTransport | None = None,
    credentials: tuple[str, str] | None = None,
) -> V2Client:
    """A client of the v2 target; every exchange observed, every issuance in the run's ledger."""
    resolved = target(runtime)
    client_id, client_secret = credentials or (resolved.client_id, resolved.client_secret)
    runtime.redactor.add_secret(client_secret)
    retry = runtime.settings.retry
    budget = _budget(runtime, resolved)
    return V2Client(
        resolved.base_url,
        resolved.token_url,
        client_id,
        client_secret,
        resolved.x_client_id,
        resolved.x_client_secret,
        scope=resolved.scope,
        product_class=resolved.product_class,
        timeout=resolved.timeout_s,
        retry=RetryPolicy(max_attempts=retry.max_attempts, backoff_base_s=retry.backoff_base_s,
                          backoff_cap_s=retry.backoff_cap_s),
        transport=transport or FaultTransport(runtime.transport()),
        observers=[runtime.redactor.learn, runtime.ledger, issued(runtime), *observers],
        issuance_hooks=[*([budget] if budget else []), runtime.ledger, *hooks],
    )
