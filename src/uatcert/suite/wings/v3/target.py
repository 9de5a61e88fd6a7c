"""
The v3 target, resolved once per run: the configured one (`UATCERT_V3__*`, guarded when it looks like
production, with the issuance budget), else the v3 API of the embedded sandbox; its clients (every
issuance registered and in the run's ledger, every exchange observed) and its catalogue, fetched once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import cast

import httpx

from uatcert import sandbox
from uatcert.errors import TargetUnreachable
from uatcert.events import IssuanceHook, IssueIntent, Observer
from uatcert.faults import FaultTransport
from uatcert.guard import Budget, guard_target
from uatcert.suite.runtime import SandboxableTarget, SuiteRuntime
from uatcert.suite.wings.v3.vouchers import register
from uatcert.v3 import ApiError, Product, RetryPolicy, V3Client

API = "v3"
CATALOGUE_KEY = "v3.catalogue"
SESSION_CLIENT_KEY = "v3.session_client"


@dataclasses.dataclass(frozen=True)
class V3Target(SandboxableTarget):
    """Where the v3 scenarios run, and with which credentials (secrets kept out of repr)."""

    base_url: str
    token_url: str
    client_id: str
    client_secret: str = dataclasses.field(repr=False)
    scope_prefix: str
    readonly_client_id: str | None = None
    readonly_client_secret: str | None = dataclasses.field(default=None, repr=False)
    sandbox_url: str | None = None
    """Base URL of the embedded sandbox (control API available) or None for a real target."""
    environment: str = "uat"


def target(runtime: SuiteRuntime) -> V3Target:
    """The run's v3 target, resolved once (starting the embedded sandbox if nothing is configured)."""
    return runtime.resolve_target(API, lambda: _resolve(runtime))


def _resolve(runtime: SuiteRuntime) -> V3Target:
    v3 = runtime.settings.v3
    if v3.configured:
        assert v3.base_url and v3.token_url and v3.client_id and v3.client_secret
        production = guard_target(runtime.settings.guard, [v3.base_url, v3.token_url], v3.environment, v3.base_url)
        return V3Target(
            base_url=v3.base_url.rstrip("/"),
            token_url=v3.token_url,
            client_id=v3.client_id,
            client_secret=v3.client_secret.get_secret_value(),
            scope_prefix=v3.scope_prefix,
            readonly_client_id=v3.readonly_client_id,
            readonly_client_secret=(
                v3.readonly_client_secret.get_secret_value() if v3.readonly_client_secret else None
            ),
            environment="production" if production else (v3.environment or "uat"),
        )
    server = runtime.sandbox_server()
    return V3Target(
        base_url=server.v3_base_url,
        token_url=server.token_url,
        client_id=sandbox.DEFAULT_CLIENT_ID,
        client_secret=sandbox.DEFAULT_CLIENT_SECRET,
        scope_prefix=v3.scope_prefix,
        readonly_client_id=sandbox.READONLY_CLIENT_ID,
        readonly_client_secret=sandbox.READONLY_CLIENT_SECRET,
        sandbox_url=server.base_url,
        environment="sandbox",
    )


def _budget(runtime: SuiteRuntime, resolved: V3Target) -> Budget | None:
    """The production budget; cents per voucher: the face value asked, else the product's fixed denomination
    if the catalogue states one."""
    if resolved.environment != "production":
        return None

    def cents(intent: IssueIntent) -> int | None:
        if intent.face_value is not None:
            return intent.face_value
        products = cast(list[Product], runtime.memoized(CATALOGUE_KEY) or [])
        product = next((p for p in products if p.code == intent.product_code), None)
        return product.face_value if product is not None and product.is_value_based else None

    return runtime.production_budget(API, cents)


def retry_policy(runtime: SuiteRuntime) -> RetryPolicy:
    r = runtime.settings.retry
    return RetryPolicy(max_attempts=r.max_attempts, backoff_base_s=r.backoff_base_s, backoff_cap_s=r.backoff_cap_s)


def new_client(
    runtime: SuiteRuntime,
    *,
    observers: Sequence[Observer] = (),
    hooks: Sequence[IssuanceHook] = (),
    transport: httpx.BaseTransport | None = None,
    credentials: tuple[str, str] | None = None,
    scopes: Sequence[str] | None = None,
) -> V3Client:
    """A client for the v3 target; every issuance is registered, every exchange observed."""
    resolved = target(runtime)
    client_id, client_secret = credentials or (resolved.client_id, resolved.client_secret)
    budget = _budget(runtime, resolved)
    extra = {"scopes": tuple(scopes)} if scopes is not None else {}
    return V3Client(
        resolved.base_url,
        resolved.token_url,
        client_id,
        client_secret,
        scope_prefix=resolved.scope_prefix,
        timeout=runtime.settings.v3.timeout_s,
        retry=retry_policy(runtime),
        transport=transport or FaultTransport(runtime.transport()),
        observers=[runtime.redactor.learn, runtime.ledger, register(runtime), *observers],
        issuance_hooks=[*([budget] if budget else []), runtime.ledger, runtime.issued, *hooks],
        **extra,  # type: ignore[arg-type]
    )


def catalogue(runtime: SuiteRuntime) -> list[Product]:
    """The target's catalogue, fetched once (at collection time, for the per-product scenarios)."""
    return runtime.memo(CATALOGUE_KEY, lambda: _fetch_catalogue(runtime))


def _fetch_catalogue(runtime: SuiteRuntime) -> list[Product]:
    resolved = target(runtime)
    try:
        with new_client(runtime) as client:
            return client.products()
    except ApiError as exc:
        raise TargetUnreachable(
            f"could not read the v3 catalogue from {resolved.label}: {runtime.redactor.text(str(exc))}"
        ) from None


def session_client(runtime: SuiteRuntime) -> V3Client | None:
    """The session's v3 client once its fixture made it (the calls dispatched ahead use it), else None."""
    client = runtime.memoized(SESSION_CLIENT_KEY)
    return client if isinstance(client, V3Client) else None
