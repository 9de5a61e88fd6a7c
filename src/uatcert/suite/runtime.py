"""
The run's shared state: settings, the resolved target (starting the embedded sandbox on first need),
the catalogue fetched once at collection time, the redactor and the registry of issued vouchers.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from uatcert.config import Settings
from uatcert.errors import TargetUnreachable
from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome, Observer
from uatcert.evidence import IssuanceLedger, Redactor
from uatcert.faults import FaultTransport
from uatcert.guard import Budget, guard_target
from uatcert.v3 import ApiError, Product, RetryPolicy, V3Client

T = TypeVar("T")


class SandboxableTarget:
    """`is_sandbox` and `label` of a target dataclass (its `base_url`, and `sandbox_url` or None)."""

    base_url: str
    sandbox_url: str | None

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox_url is not None

    @property
    def label(self) -> str:
        return "embedded sandbox" if self.is_sandbox else (urlsplit(self.base_url).hostname or self.base_url)


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


@dataclasses.dataclass(frozen=True)
class IssuedVoucher:
    voucher_id: str
    product_code: str


class IssuedRegistry(IssuanceHook):
    """Every voucher issued during the run (fresh or replayed), in order, without duplicates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, IssuedVoucher] = {}

    def after(self, outcome: IssueOutcome) -> None:
        with self._lock:
            for voucher_id in outcome.voucher_ids:
                self._items.setdefault(voucher_id, IssuedVoucher(voucher_id, outcome.intent.product_code))

    def all(self) -> list[IssuedVoucher]:
        with self._lock:
            return list(self._items.values())


class ExchangeLog:
    """Every exchange of the session, in order, for steps that inspect attempts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Exchange] = []
        self.scenario_start = 0

    def __call__(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)

    def begin_scenario(self) -> None:
        with self._lock:
            self.scenario_start = len(self._items)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return self._items[mark:]


class SuiteRuntime:
    """Created once per pytest session by the plugin; closed at the end."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redactor = Redactor(settings.secret_values())
        self.issued = IssuedRegistry()
        self.exchange_log = ExchangeLog()
        self._lock = threading.Lock()
        self._server: Any = None
        self._ledger: IssuanceLedger | None = None
        self._memo: dict[str, object] = {}
        self.sandbox_checks: dict[str, Callable[[], bool]] = {"v3": lambda: self.v3_target.is_sandbox}
        """API name -> "is this API's target the embedded sandbox?" (resolving the target if needed)."""
        self.describers: dict[str, Callable[[], tuple[dict[str, Any], dict[str, Any] | None]]] = {}
        """API name -> (target description, catalogue description or None); filled as targets resolve."""
        self._budget: Budget | None = None

    @property
    def ledger(self) -> IssuanceLedger:
        """The run's issuance ledger (reports/ledger.jsonl), opened on first use."""
        with self._lock:
            if self._ledger is None:
                self._ledger = IssuanceLedger(self.settings.run.reports_dir / "ledger.jsonl")
            return self._ledger

    # target -------------------------------------------------------------------------------------
    @property
    def v3_target(self) -> V3Target:
        """The v3 target, resolved once (starting the embedded sandbox if nothing is configured)."""
        return self.memo("v3.target", self._resolve_v3)

    def _resolve_v3(self) -> V3Target:
        from uatcert.suite.plugin import describe_v3

        self.describers["v3"] = lambda: describe_v3(self)
        v3 = self.settings.v3
        if v3.configured:
            assert v3.base_url and v3.token_url and v3.client_id and v3.client_secret
            guard = self.settings.guard
            production = guard_target(guard, v3.base_url, v3.environment, v3.base_url)
            if production:
                assert guard.max_vouchers is not None and guard.max_face_value_cents is not None
                self._budget = Budget(guard.max_vouchers, guard.max_face_value_cents, self._face_value_of)
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
        from uatcert import sandbox

        server = self.sandbox_server()
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

    def _face_value_of(self, intent: IssueIntent) -> int | None:
        """Cents per voucher: the face value asked, else the product's fixed denomination if it states one."""
        if intent.face_value is not None:
            return intent.face_value
        catalogue: list[Product] = self._memo.get("v3.catalogue", [])  # type: ignore[assignment]
        product = next((p for p in catalogue if p.code == intent.product_code), None)
        return product.face_value if product is not None and product.is_value_based else None

    def sandbox_server(self) -> Any:
        """The embedded sandbox (one server for every API), started on first need."""
        if self._server is None:
            from uatcert import sandbox

            config = sandbox.SandboxConfig(
                catalogue_path=self.settings.sandbox.catalogue,
                defect=self.settings.sandbox.defect,
                slow_commit_s=self.settings.sandbox.slow_commit_s,
                v2_catalogue_path=self.settings.v2.catalogue_file,
            )
            self._server = sandbox.BackgroundServer(sandbox.create_app(config)).start()
            for secret in sandbox.SANDBOX_SECRETS:
                self.redactor.add_secret(secret)
        return self._server

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """A per-run value computed once (targets and catalogues of the other APIs)."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[return-value]
        value = factory()
        with self._lock:
            return self._memo.setdefault(key, value)  # type: ignore[return-value]

    # clients ------------------------------------------------------------------------------------
    def retry_policy(self) -> RetryPolicy:
        r = self.settings.retry
        return RetryPolicy(max_attempts=r.max_attempts, backoff_base_s=r.backoff_base_s, backoff_cap_s=r.backoff_cap_s)

    def new_v3_client(
        self,
        *,
        observers: Sequence[Observer] = (),
        hooks: Sequence[IssuanceHook] = (),
        transport: httpx.BaseTransport | None = None,
        credentials: tuple[str, str] | None = None,
        scopes: Sequence[str] | None = None,
    ) -> V3Client:
        """A client for the v3 target; every issuance is registered, every exchange observed."""
        target = self.v3_target
        client_id, client_secret = credentials or (target.client_id, target.client_secret)
        extra = {"scopes": tuple(scopes)} if scopes is not None else {}
        return V3Client(
            target.base_url,
            target.token_url,
            client_id,
            client_secret,
            scope_prefix=target.scope_prefix,
            timeout=self.settings.v3.timeout_s,
            retry=self.retry_policy(),
            transport=transport or FaultTransport(),
            observers=[self.redactor.learn, self.ledger, *observers],
            issuance_hooks=[*([self._budget] if self._budget else []), self.ledger, self.issued, *hooks],
            **extra,  # type: ignore[arg-type]
        )

    @property
    def v3_catalogue(self) -> list[Product]:
        """The target's catalogue, fetched once (at collection time, for the per-product scenarios)."""
        return self.memo("v3.catalogue", self._fetch_v3_catalogue)

    def _fetch_v3_catalogue(self) -> list[Product]:
        target = self.v3_target
        try:
            with self.new_v3_client() as client:
                return client.products()
        except ApiError as exc:
            raise TargetUnreachable(
                f"could not read the v3 catalogue from {target.label}: {self.redactor.text(str(exc))}"
            ) from None

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
        server, self._server = self._server, None
        if server is not None:
            server.stop()
