"""Fixtures of the AllSafe step modules (a pytest plugin the suite plugin loads from the wing registry)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from uatcert.allsafe import AllSafeClient
from uatcert.events import Observer
from uatcert.faults import FaultTransport
from uatcert.sandbox import AllSafeSandboxControl
from uatcert.suite.runtime import ExchangeLog, SuiteRuntime
from uatcert.suite.scenario import ClientPool, closing, disarmed, sandbox_control
from uatcert.suite.wings.allsafe.availability import snapshot_availability
from uatcert.suite.wings.allsafe.target import AllSafeTarget, Credentials, new_client, target


@pytest.fixture(scope="session")
def allsafe_target(suite_runtime: SuiteRuntime) -> AllSafeTarget:
    return target(suite_runtime)


@pytest.fixture(scope="session")
def allsafe_session_faults(suite_runtime: SuiteRuntime) -> FaultTransport:
    return FaultTransport(suite_runtime.transport())


@pytest.fixture
def allsafe_faults(allsafe_session_faults: FaultTransport) -> Iterator[FaultTransport]:
    """The session client's fault transport; whatever a scenario arms is disarmed after it."""
    yield from disarmed(allsafe_session_faults)


@pytest.fixture(scope="session")
def allsafe_client(
    suite_runtime: SuiteRuntime, allsafe_target: AllSafeTarget, allsafe_session_faults: FaultTransport,
    exchange_log: ExchangeLog, evidence: Observer,
) -> Iterator[AllSafeClient]:
    snapshot_availability(suite_runtime)  # before the first scenario allocates anything
    with new_client(suite_runtime, observers=[exchange_log, evidence], transport=allsafe_session_faults) as client:
        yield client


class AllSafeConnector(ClientPool[AllSafeClient]):
    """Opens extra AllSafe connections for a scenario (other credentials); closes them after it."""

    def __call__(self, credentials: Credentials) -> AllSafeClient:
        return self._keep(new_client(self._runtime, credentials=credentials, observers=self._observers))


@pytest.fixture
def allsafe_connect(
    suite_runtime: SuiteRuntime, allsafe_target: AllSafeTarget, exchange_log: ExchangeLog, evidence: Observer
) -> Iterator[AllSafeConnector]:
    yield from closing(AllSafeConnector(suite_runtime, [exchange_log, evidence]))


@pytest.fixture(scope="session")
def allsafe_sandbox(allsafe_target: AllSafeTarget) -> Iterator[AllSafeSandboxControl | None]:
    """The sandbox's AllSafe control API, or None on a real target."""
    yield from sandbox_control(allsafe_target.sandbox_url, AllSafeSandboxControl)
