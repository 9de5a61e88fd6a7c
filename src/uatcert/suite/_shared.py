"""
What the fixture plugins of the three APIs (v3, v2, AllSafe) have in common: the per-scenario
pool of extra connections, the disarming of a session fault transport, the sandbox control
fixture's body and the issuance witness.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from uatcert.events import Observer
from uatcert.faults import FaultTransport
from uatcert.suite.runtime import SuiteRuntime


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


def sandbox_control(sandbox_url: str | None, *, allsafe: bool = False) -> Iterator[Any]:
    """A fixture's body: the sandbox's control API (AllSafe's or the generic one), or None on a real target."""
    if sandbox_url is None:
        yield None
        return
    from uatcert.sandbox import AllSafeSandboxControl, SandboxControl

    yield from closing(AllSafeSandboxControl(sandbox_url) if allsafe else SandboxControl(sandbox_url))


class IssuanceWitness:
    """On the sandbox, counts issuances in the provider's ledger; elsewhere there is nothing to count."""

    ledger_filter: ClassVar[Mapping[str, str]] = {}
    """Arguments of the control API's `ledger()` (which API's issuances count; v3 by default)."""

    def __init__(self, control: Any) -> None:
        self.control = control
        self.before = self.count()

    def count(self) -> int | None:
        return None if self.control is None else len(self.control.ledger(**self.ledger_filter))

    def issued_since(self) -> int | None:
        now = self.count()
        return None if now is None or self.before is None else now - self.before
