"""
Fixtures of the UNIQREWARDS v2 step modules (loaded as a plugin by the root conftest).

- reads the catalogue FILE once per run (`UATCERT_V2__CATALOGUE_FILE`, else the sandbox's own file)
  and generates the per-product outlines from it at collection time (`@per_v2_product`,
  `@per_v2_dynamic_product`, header-only Examples tables);
- resolves the v2 target once per run (`runtime.memo`): the configured one (`UATCERT_V2__*`, guarded
  like v3 when it looks like production, with the issuance budget), else the v2 API of the embedded
  sandbox (`runtime.sandbox_server()`, seeded credentials; it then serves the same catalogue file);
- registers `runtime.sandbox_checks["v2"]` (for `@sandbox_only`) and, once the target is known,
  `runtime.describers["v2"]` (target, and the catalogue file's size, SHA-256 and products);
- opens clients whose exchanges reach the redactor, the run's ledger, the scenario exchange log, the
  Allure evidence and the register of vouchers issued; every issuance is in the ledger (api "v2").
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from uatcert.events import Exchange, IssuanceHook, IssueIntent, Observer
from uatcert.faults import FaultTransport
from uatcert.guard import Budget, guard_target
from uatcert.suite._shared import ClientPool, IssuanceWitness, closing, disarmed, sandbox_control
from uatcert.suite.runtime import ExchangeLog, SandboxableTarget, SuiteRuntime
from uatcert.v2 import CatalogueFile, RetryPolicy, V2Client, read_catalogue

API = "UNIQREWARDS Client API v2"
TARGET_KEY = "v2.target"
CATALOGUE_KEY = "v2.catalogue"
BUDGET_KEY = "v2.budget"
ISSUED_KEY = "v2.issued"
DYNAMIC_FACE_VALUES = ("1.00", "61.72", "1000.00")
"""Face values (SGD) of the per-product dynamic value-based outlines: both bounds and odd cents."""
NOT_APPLICABLE = "not applicable"


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


@dataclasses.dataclass(frozen=True)
class IssuedV2Voucher:
    """A voucher the integrator received, as Request Vouchers described it."""

    settlement_ref: str
    product_code: str
    order_number: str
    voucher_name: str
    expiration_date: str
    status: str


class IssuedV2Vouchers:
    """
    Observer: every voucher of every successful Request Vouchers answer the integrator received
    (first answer wins; replays add nothing), in order. Vouchers of a lost answer are not counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, IssuedV2Voucher] = {}

    def __call__(self, exchange: Exchange) -> None:
        if exchange.api != "v2" or exchange.method != "POST" or not exchange.delivered or exchange.status != 200:
            return
        parts = urlsplit(exchange.url).path.split("/")
        if parts[-3:] != ["vouchers", "actions", "request"] or len(parts) < 9:
            return
        order_number, product_code = parts[-6], parts[-4]
        try:
            body = json.loads(exchange.response_body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            return
        with self._lock:
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("voucher_settlement_ref"), str):
                    ref = item["voucher_settlement_ref"]
                    self._items.setdefault(ref, IssuedV2Voucher(
                        ref, product_code, order_number, str(item.get("voucher_name", "")),
                        str(item.get("expiration_date", "")), str(item.get("status", "")),
                    ))

    def all(self) -> list[IssuedV2Voucher]:
        with self._lock:
            return list(self._items.values())


# resolution --------------------------------------------------------------------------------------
def v2_catalogue_of(runtime: SuiteRuntime) -> CatalogueFile:
    """The catalogue file of the run, read and checked once (ConfigError naming line and column)."""

    def read() -> CatalogueFile:
        path = runtime.settings.v2.catalogue_file
        if path is None:
            from uatcert.sandbox import SEEDED_V2_CATALOGUE

            path = SEEDED_V2_CATALOGUE
        return read_catalogue(path)

    return runtime.memo(CATALOGUE_KEY, read)


def v2_target_of(runtime: SuiteRuntime) -> V2Target:
    """The run's v2 target, resolved once (starting the embedded sandbox if nothing is configured)."""
    return runtime.memo(TARGET_KEY, lambda: _resolve(runtime))


def v2_issued_of(runtime: SuiteRuntime) -> IssuedV2Vouchers:
    """The vouchers issued by v2 during the run (kept apart from v3's `runtime.issued`)."""
    return runtime.memo(ISSUED_KEY, IssuedV2Vouchers)


def _resolve(runtime: SuiteRuntime) -> V2Target:
    settings = runtime.settings.v2
    v2_catalogue_of(runtime)  # a bad catalogue file stops the run here, before anything is started
    if settings.configured:
        assert settings.base_url and settings.token_url and settings.client_id and settings.client_secret
        assert settings.x_client_id and settings.x_client_secret
        production = guard_target(runtime.settings.guard, settings.base_url, settings.environment,
                                  settings.base_url)
        client_secret = settings.client_secret.get_secret_value()
        x_client_secret = settings.x_client_secret.get_secret_value()
        target = V2Target(
            base_url=settings.base_url.rstrip("/"), token_url=settings.token_url, client_id=settings.client_id,
            client_secret=client_secret, x_client_id=settings.x_client_id, x_client_secret=x_client_secret,
            scope=settings.scope, product_class=settings.product_class,
            environment="production" if production else (settings.environment or "uat"),
            timeout_s=settings.timeout_s,
        )
    else:
        from uatcert import sandbox

        server = runtime.sandbox_server()  # serves settings.catalogue_file, if given (SandboxConfig.v2_catalogue_path)
        target = V2Target(
            base_url=f"{server.base_url}/v2", token_url=f"{server.base_url}/v2/connect/token",
            client_id=sandbox.V2_CLIENT_ID, client_secret=sandbox.V2_CLIENT_SECRET,
            x_client_id=sandbox.V2_X_CLIENT_ID, x_client_secret=sandbox.V2_X_CLIENT_SECRET,
            scope=settings.scope, sandbox_url=server.base_url, environment="sandbox", timeout_s=settings.timeout_s,
        )
    for secret in (target.client_secret, target.x_client_secret):
        runtime.redactor.add_secret(secret)
    runtime.describers["v2"] = lambda: describe_v2(runtime)
    return target


def _budget(runtime: SuiteRuntime, target: V2Target) -> Budget | None:
    """The production budget; a fixed product's value comes from the catalogue file when it says."""
    if target.environment != "production":
        return None
    guard = runtime.settings.guard
    catalogue = v2_catalogue_of(runtime)

    def cents(intent: IssueIntent) -> int | None:
        if intent.face_value is not None:
            return intent.face_value
        entry = catalogue.get(intent.product_code)
        return entry.value_cents if entry is not None else None

    return runtime.memo(BUDGET_KEY, lambda: Budget(guard.max_vouchers or 0, guard.max_face_value_cents or 0, cents))


def new_v2_client(
    runtime: SuiteRuntime,
    *,
    observers: Sequence[Observer] = (),
    hooks: Sequence[IssuanceHook] = (),
    transport: httpx.BaseTransport | None = None,
    credentials: tuple[str, str] | None = None,
) -> V2Client:
    """A client of the v2 target; every exchange observed, every issuance in the run's ledger."""
    target = v2_target_of(runtime)
    client_id, client_secret = credentials or (target.client_id, target.client_secret)
    runtime.redactor.add_secret(client_secret)
    retry = runtime.settings.retry
    budget = _budget(runtime, target)
    return V2Client(
        target.base_url,
        target.token_url,
        client_id,
        client_secret,
        target.x_client_id,
        target.x_client_secret,
        scope=target.scope,
        product_class=target.product_class,
        timeout=target.timeout_s,
        retry=RetryPolicy(max_attempts=retry.max_attempts, backoff_base_s=retry.backoff_base_s,
                          backoff_cap_s=retry.backoff_cap_s),
        transport=transport or FaultTransport(),
        observers=[runtime.redactor.learn, runtime.ledger, v2_issued_of(runtime), *observers],
        issuance_hooks=[*([budget] if budget else []), runtime.ledger, *hooks],
    )


def describe_v2(runtime: SuiteRuntime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The v2 target and its catalogue file, as recorded in run.json and the certificate."""
    target = v2_target_of(runtime)
    catalogue = v2_catalogue_of(runtime)
    return (
        {
            "api": API,
            "api_version": "v2",
            "label": target.label,
            "base_url": target.base_url,
            "token_url": target.token_url,
            "environment": target.environment,
            "client_id": target.client_id,
            "x_client_id": target.x_client_id,
            "product_class": target.product_class,
            "sandbox": target.is_sandbox,
        },
        {
            "size": len(catalogue.products),
            "sha256": catalogue.sha256,
            "source": f"catalogue file {catalogue.path.name}",
            "products": [
                {"code": p.code, "kind": p.kind, "order_number": p.order_number, "product_type": p.product_type}
                for p in catalogue.products
            ],
        },
    )


# pytest hooks ------------------------------------------------------------------------------------
@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    for name, text in {
        "v2": "UNIQREWARDS Client API v2 scenario",
        "per_v2_product": "outline generated with one example per product of the v2 catalogue file",
        "per_v2_dynamic_product": "outline generated per dynamic value-based product and face value (dollars)",
    }.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    from uatcert.suite.plugin import RUNTIME

    runtime = config.stash.get(RUNTIME, None)
    if runtime is not None:
        runtime.sandbox_checks["v2"] = lambda: v2_target_of(runtime).is_sandbox


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    definition = metafunc.definition
    per_product = definition.get_closest_marker("per_v2_product") is not None
    per_dynamic = definition.get_closest_marker("per_v2_dynamic_product") is not None
    if not (per_product or per_dynamic):
        return
    from uatcert.suite.plugin import runtime_of

    catalogue = v2_catalogue_of(runtime_of(metafunc.config))
    if per_product:
        rows = [{"code": p.code, "kind": p.kind} for p in catalogue.products]
        empty = "the catalogue file lists no product"
    else:
        rows = [{"code": p.code, "face_value": v} for p in catalogue.dynamic for v in DYNAMIC_FACE_VALUES]
        empty = "the catalogue file lists no dynamic value-based product"
    if rows:
        ids = ["-".join(v for k, v in r.items() if k != "kind") for r in rows]
        metafunc.parametrize("_pytest_bdd_example", rows, ids=ids)
        return
    metafunc.parametrize(
        "_pytest_bdd_example",
        [pytest.param({"code": "(none)", "kind": "", "face_value": "0"},
                      marks=pytest.mark.skip(reason=f"{NOT_APPLICABLE}: {empty}"))],
        ids=["none"],
    )


# fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def v2_target(suite_runtime: SuiteRuntime) -> V2Target:
    return v2_target_of(suite_runtime)


@pytest.fixture(scope="session")
def v2_catalogue(suite_runtime: SuiteRuntime) -> CatalogueFile:
    return v2_catalogue_of(suite_runtime)


@pytest.fixture(scope="session")
def v2_issued(suite_runtime: SuiteRuntime) -> IssuedV2Vouchers:
    return v2_issued_of(suite_runtime)


@pytest.fixture(scope="session")
def v2_session_faults() -> FaultTransport:
    return FaultTransport()


@pytest.fixture
def v2_faults(v2_session_faults: FaultTransport) -> Iterator[FaultTransport]:
    """The session client's fault transport; whatever a scenario arms is disarmed after it."""
    yield from disarmed(v2_session_faults)


@pytest.fixture(scope="session")
def v2_client(
    suite_runtime: SuiteRuntime, v2_target: V2Target, v2_session_faults: FaultTransport, exchange_log: ExchangeLog,
    evidence: Observer,
) -> Iterator[V2Client]:
    with new_v2_client(suite_runtime, observers=[exchange_log, evidence], transport=v2_session_faults) as client:
        yield client


class V2Connector(ClientPool[V2Client]):
    """Opens extra v2 connections for a scenario (fresh, or other token credentials); closes them after it."""

    def __call__(self, *, credentials: tuple[str, str] | None = None) -> V2Client:
        return self._keep(new_v2_client(self._runtime, observers=self._observers, credentials=credentials))


@pytest.fixture
def v2_connect(
    suite_runtime: SuiteRuntime, v2_target: V2Target, exchange_log: ExchangeLog, evidence: Observer
) -> Iterator[V2Connector]:
    yield from closing(V2Connector(suite_runtime, [exchange_log, evidence]))


@pytest.fixture(scope="session")
def v2_sandbox(v2_target: V2Target) -> Iterator[Any]:
    """The sandbox control API (`SandboxControl`), or None on a real target."""
    yield from sandbox_control(v2_target.sandbox_url)


class V2IssuanceWitness(IssuanceWitness):
    """On the sandbox, counts v2 issuances in the provider's ledger; elsewhere there is nothing to count."""

    ledger_filter = {"api": "v2"}


@pytest.fixture
def v2_witness(v2_sandbox: Any) -> V2IssuanceWitness:
    return V2IssuanceWitness(v2_sandbox)
