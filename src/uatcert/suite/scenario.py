"""
What every wing's fixtures and steps share, whatever the API: the Examples row of an outline and
its generation, the scenario's exchanges, evidence that waits for worker threads, the per-scenario
pool of extra connections, the disarming of a session fault transport, the sandbox control fixture's
body and the issuance witness.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar

import pytest

from uatcert.events import Exchange, Observer
from uatcert.evidence import AllureEvidence
from uatcert.faults import FaultTransport
from uatcert.sandbox import SandboxControl
from uatcert.suite.ahead import defer
from uatcert.suite.results import CATALOGUE_PRECONDITION as CATALOGUE_PRECONDITION
from uatcert.suite.results import NOT_APPLICABLE as NOT_APPLICABLE
from uatcert.suite.runtime import ExchangeLog, SuiteRuntime

NO_EXAMPLE = "(none)"
"""The product code of the one not-applicable example of an outline with no rows (recorded without a product)."""


# outlines ----------------------------------------------------------------------------------------
def example_of(item: pytest.Item) -> dict[str, str]:
    """The Examples row (column -> value) of an outline's test, or {} for a plain scenario."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return {}
    value = callspec.params.get("_pytest_bdd_example", {})
    return dict(value) if isinstance(value, dict) else {}


def parametrize_examples(metafunc: pytest.Metafunc, rows: list[dict[str, str]], empty_reason: str) -> None:
    """Fill an outline's header-only Examples table with `rows` (one not-applicable example if none).

    `empty_reason` says, in the integrator's words, what the catalogue lacks; the example's skip reason
    starts with `CATALOGUE_PRECONDITION`, so the verdict can name it first."""
    if rows:
        ids = ["-".join(v for k, v in r.items() if k != "kind") for r in rows]
        metafunc.parametrize("_pytest_bdd_example", rows, ids=ids)
        return
    columns = {"code": NO_EXAMPLE, "kind": "", "face_value": "0"}
    metafunc.parametrize(
        "_pytest_bdd_example",
        [pytest.param(columns, marks=pytest.mark.skip(reason=f"{CATALOGUE_PRECONDITION}{empty_reason}"))],
        ids=["none"],
    )


# exchanges and evidence --------------------------------------------------------------------------
class ThreadAwareEvidence(AllureEvidence):
    """Attaches at once on the main thread; exchanges from worker threads wait for `flush()`."""

    def __init__(self, evidence: AllureEvidence) -> None:
        super().__init__(evidence.redactor)
        self._pending: list[Exchange] = []
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        if defer(self._attach, exchange):  # made ahead: attached when its scenario takes it
            return
        if threading.current_thread() is threading.main_thread():
            super().__call__(exchange)
        else:
            with self._lock:
                self._pending.append(exchange)

    def _attach(self, exchange: Exchange) -> None:
        super().__call__(exchange)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for exchange in pending:
            super().__call__(exchange)


class ScenarioExchanges:
    """The exchanges made since the scenario started."""

    def __init__(self, log: ExchangeLog) -> None:
        self._log = log
        self._mark = log.scenario_start

    def all(self) -> list[Exchange]:
        return self._log.since(self._mark)

    def for_key(self, key: str) -> list[Exchange]:
        return [e for e in self.all() if e.idempotency_key == key and e.api != "token"]


# fixture bodies ----------------------------------------------------------------------------------
class _Closeable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Closeable)


class ClientPool(Generic[C]):
    """The extra clients a scenario opened (observed like the session client); closed after it."""

    def __init__(self, runtime: SuiteRuntime, observers: list[Observer]) -> None:
        self._runtime = runtime
        self._observers = observers
        self._opened: list[C] = []

    def _keep(self, client: C) -> C:
        self._opened.append(client)
        return client

    def close(self) -> None:
        for client in self._opened:
            client.close()


def closing(resource: C) -> Iterator[C]:
    """A fixture's body: yield `resource`, close it at teardown."""
    yield resource
    resource.close()


def disarmed(session_faults: FaultTransport) -> Iterator[FaultTransport]:
    """A fixture's body: the session client's fault transport; whatever a scenario arms is disarmed after it."""
    session_faults.disarm_all()
    yield session_faults
    session_faults.disarm_all()


def sandbox_control(sandbox_url: str | None, control: Callable[[str], C]) -> Iterator[C | None]:
    """A fixture's body: a control API client of the sandbox (closed at teardown), or None on a real target."""
    if sandbox_url is None:
        yield None
        return
    yield from closing(control(sandbox_url))


class IssuanceWitness:
    """On the sandbox, counts one API's issuances in the provider's ledger; elsewhere there is nothing to count."""

    def __init__(self, control: SandboxControl | None, api: str) -> None:
        self.control = control
        self.api = api
        self.before = self.count()

    def count(self) -> int | None:
        return None if self.control is None else len(self.control.ledger(api=self.api))

    def issued_since(self) -> int | None:
        now = self.count()
        return None if now is None or self.before is None else now - self.before
