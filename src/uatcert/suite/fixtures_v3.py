"""Fixtures shared by the v3 step modules (loaded as a plugin by the root conftest)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from uatcert.events import Exchange
from uatcert.evidence import AllureEvidence
from uatcert.faults import FaultTransport
from uatcert.suite._shared import ClientPool, closing, disarmed, sandbox_control
from uatcert.suite._shared import IssuanceWitness as IssuanceWitness  # steps import it from here
from uatcert.suite.checks import Check
from uatcert.suite.requirements import requirement_of
from uatcert.suite.runtime import ExchangeLog, SuiteRuntime, V3Target
from uatcert.v3 import V3Client


class ThreadAwareEvidence(AllureEvidence):
    """Attaches at once on the main thread; exchanges from worker threads wait for `flush()`."""

    def __init__(self, evidence: AllureEvidence) -> None:
        super().__init__(evidence.redactor)
        self._pending: list[Exchange] = []
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        if threading.current_thread() is threading.main_thread():
            super().__call__(exchange)
        else:
            with self._lock:
                self._pending.append(exchange)

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


@pytest.fixture(scope="session")
def suite_runtime(request: pytest.FixtureRequest) -> SuiteRuntime:
    from uatcert.suite.plugin import runtime_of

    return runtime_of(request.config)


@pytest.fixture(scope="session")
def v3_target(suite_runtime: SuiteRuntime) -> V3Target:
    return suite_runtime.v3_target


@pytest.fixture(scope="session")
def exchange_log(suite_runtime: SuiteRuntime) -> ExchangeLog:
    return suite_runtime.exchange_log


@pytest.fixture(scope="session")
def evidence(suite_runtime: SuiteRuntime) -> ThreadAwareEvidence:
    return ThreadAwareEvidence(AllureEvidence(suite_runtime.redactor))


@pytest.fixture(scope="session")
def session_faults() -> FaultTransport:
    return FaultTransport()


@pytest.fixture
def faults(session_faults: FaultTransport) -> Iterator[FaultTransport]:
    """The session client's fault transport; whatever a scenario arms is disarmed after it."""
    yield from disarmed(session_faults)


@pytest.fixture(scope="session")
def v3_client(
    suite_runtime: SuiteRuntime, session_faults: FaultTransport, exchange_log: ExchangeLog,
    evidence: ThreadAwareEvidence,
) -> Iterator[V3Client]:
    with suite_runtime.new_v3_client(observers=[exchange_log, evidence], transport=session_faults) as client:
        yield client


class Connector(ClientPool[V3Client]):
    """Opens extra v3 connections for a scenario (other credentials or scopes); closes them after it."""

    def __call__(
        self, *, credentials: tuple[str, str] | None = None, scopes: tuple[str, ...] | None = None
    ) -> V3Client:
        return self._keep(self._runtime.new_v3_client(observers=self._observers, credentials=credentials,
                                                      scopes=scopes))


@pytest.fixture
def connect(
    suite_runtime: SuiteRuntime, exchange_log: ExchangeLog, evidence: ThreadAwareEvidence
) -> Iterator[Connector]:
    yield from closing(Connector(suite_runtime, [exchange_log, evidence]))


@pytest.fixture
def exchanges(exchange_log: ExchangeLog) -> ScenarioExchanges:
    return ScenarioExchanges(exchange_log)


@pytest.fixture(scope="session")
def sandbox(v3_target: V3Target) -> Iterator[object | None]:
    """The sandbox control API, or None on a real target."""
    yield from sandbox_control(v3_target.sandbox_url)


@pytest.fixture
def witness(sandbox: object | None) -> IssuanceWitness:
    return IssuanceWitness(sandbox)


@pytest.fixture
def check(request: pytest.FixtureRequest) -> Check:
    """Findings raised by a step name the scenario's requirement and product."""
    names = [m.name for m in request.node.iter_markers()]
    requirement = requirement_of(names)
    from uatcert.suite.plugin import example_of

    example = example_of(request.node)  # the product, or else what the example varies ("a quantity of 21")
    context = example.get("code") or next(iter(example.values()), None)
    return Check(requirement.id if requirement else "?", context)
