"""
The run's shared state, whatever the API: settings, the redactor, the issuance ledger, the exchange
log, the register of issued vouchers, per-run values computed once (each wing's target and catalogue),
the order in which the wings' targets resolved, the embedded sandbox (one server for every API),
started on first need, and the run's concurrency: the throttle every client sends through and the
calls dispatched ahead (`uatcert.suite.ahead`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import pytest

from uatcert import sandbox
from uatcert.config import Settings
from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome
from uatcert.evidence import IssuanceLedger, Redactor
from uatcert.guard import Budget
from uatcert.suite.ahead import Ahead, defer
from uatcert.suite.throttle import Throttle, ThrottledTransport

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
        if not defer(self._append, exchange):  # made ahead: logged when its scenario takes it
            self._append(exchange)

    def _append(self, exchange: Exchange) -> None:
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
        self._server: sandbox.BackgroundServer | None = None
        self._ledger: IssuanceLedger | None = None
        self._memo: dict[str, object] = {}
        self._resolved: dict[str, None] = {}
        self.throttle = Throttle(settings.run.workers)
        """The cap on provider calls in flight (`--workers`) and the run-wide pause after a 429."""
        self.ahead = Ahead(settings.run.workers)
        """Calls dispatched ahead for the scenarios still to run (only with more than one worker)."""

    def transport(self) -> ThrottledTransport:
        """The transport every client of the run sends through (inside its fault transport): the cap."""
        return ThrottledTransport(self.throttle)

    @property
    def ledger(self) -> IssuanceLedger:
        """The run's issuance ledger (reports/ledger.jsonl), opened on first use."""
        with self._lock:
            if self._ledger is None:
                self._ledger = IssuanceLedger(self.settings.run.reports_dir / "ledger.jsonl")
                if self._server is not None:
                    self._ledger.embedded_roots.add(self._server.base_url)
            return self._ledger

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """A per-run value computed once (targets, catalogues, budgets, registers of the wings)."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[return-value]
        value = factory()
        with self._lock:
            return self._memo.setdefault(key, value)  # type: ignore[return-value]

    def memoized(self, key: str) -> object | None:
        """The per-run value under `key` if it was computed already, else None (never computes it)."""
        with self._lock:
            return self._memo.get(key)

    def resolve_target(self, api: str, resolve: Callable[[], T]) -> T:
        """An API's target, resolved once; the APIs whose target resolved are kept in that order."""
        target = self.memo(f"{api}.target", resolve)
        with self._lock:
            self._resolved.setdefault(api, None)
        return target

    def production_budget(self, api: str, value_of: Callable[[IssueIntent], int | None]) -> Budget:
        """An API's issuance budget on a production target, made once: the guard's limits (which
        `guard_target` required), each voucher valued by `value_of` (cents, or hundredths of the currency)."""
        guard = self.settings.guard
        return self.memo(f"{api}.budget",
                         lambda: Budget(guard.max_vouchers or 0, guard.max_face_value_cents or 0, value_of))

    @property
    def resolved_apis(self) -> list[str]:
        """The APIs whose target this run resolved (so used), in the order they resolved."""
        with self._lock:
            return list(self._resolved)

    def sandbox_server(self) -> sandbox.BackgroundServer:
        """The embedded sandbox (one server for every API), started on first need."""
        with self._lock:
            if self._server is None:
                config = sandbox.SandboxConfig(
                    catalogue_path=self.settings.sandbox.catalogue,
                    defect=self.settings.sandbox.defect,
                    slow_commit_s=self.settings.sandbox.slow_commit_s,
                    latency_ms=self.settings.sandbox.latency_ms,
                    jitter_ms=self.settings.sandbox.jitter_ms,
                    v2_catalogue_path=self.settings.v2.catalogue_file,
                )
                self._server = sandbox.BackgroundServer(sandbox.create_app(config)).start()
                if self._ledger is not None:  # its intents say so: the sandbox's state dies with the run
                    self._ledger.embedded_roots.add(self._server.base_url)
                for secret in sandbox.SANDBOX_SECRETS:
                    self.redactor.add_secret(secret)
            return self._server

    def close(self) -> None:
        self.ahead.close()
        if self._ledger is not None:
            self._ledger.close()
        server, self._server = self._server, None
        if server is not None:
            server.stop()


RUNTIME = pytest.StashKey[SuiteRuntime]()


def runtime_of(config: pytest.Config) -> SuiteRuntime:
    """The run's runtime, created by the plugin when pytest is configured."""
    return config.stash[RUNTIME]
