"""Fixtures of the v2 step modules (a pytest plugin the suite plugin loads from the wing registry)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from uatcert.events import Observer
from uatcert.faults import FaultTransport
from uatcert.sandbox import SandboxControl
from uatcert.suite.runtime import ExchangeLog, SuiteRuntime
from uatcert.suite.scenario import ClientPool, IssuanceWitness, closing, disarmed, sandbox_control
from uatcert.suite.wings.v2.issued import IssuedV2Vouchers, issued
from uatcert.suite.wings.v2.target import V2Target, catalogue, new_client, target
from uatcert.v2 import CatalogueFile, V2Client


@pytest.fixture(scope="session")
def v2_target(suite_runtime: SuiteRuntime) -> V2Target:
    return target(suite_runtime)


@pytest.fixture(scope="session")
def v2_catalogue(suite_runtime: SuiteRuntime) -> CatalogueFile:
    return catalogue(suite_runtime)


@pytest.fixture(scope="session")
def v2_issued(suite_runtime: SuiteRuntime) -> IssuedV2Vouchers:
    return issued(suite_runtime)


@pytest.fixture(scope="session")
def v2_session_faults(suite_runtime: SuiteRuntime) -> FaultTransport:
    return FaultTransport(suite_runtime.transport())


@pytest.fixture
def v2_faults(v2_session_faults: FaultTransport) -> Iterator[FaultTransport]:
    """The session client's fault transport; whatever a scenario arms is disarmed after it."""
    yield from disarmed(v2_session_faults)


@pytest.fixture(scope="session")
def v2_client(
    suite_runtime: SuiteRuntime, v2_target: V2Target, v2_session_faults: FaultTransport, exchange_log: ExchangeLog,
    evidence: Observer,
) -> Iterator[V2Client]:
    with new_client(suite_runtime, observers=[exchange_log, evidence], transport=v2_session_faults) as client:
        yield client


class V2Connector(ClientPool[V2Client]):
    """Opens extra v2 connections for a scenario (fresh, or other token credentials); closes them after it."""

    def __call__(self, *, credentials: tuple[str, str] | None = None) -> V2Client:
        return self._keep(new_client(self._runtime, observers=self._observers, credentials=credentials))


@pytest.fixture
def v2_connect(
    suite_runtime: SuiteRuntime, v2_target: V2Target, exchange_log: ExchangeLog, evidence: Observer
) -> Iterator[V2Connector]:
    yield from closing(V2Connector(suite_runtime, [exchange_log, evidence]))


@pytest.fixture(scope="session")
def v2_sandbox(v2_target: V2Target) -> Iterator[SandboxControl | None]:
    """The sandbox control API (`SandboxControl`), or None on a real target."""
    yield from sandbox_control(v2_target.sandbox_url, SandboxControl)


@pytest.fixture
def v2_witness(v2_sandbox: SandboxControl | None) -> IssuanceWitness:
    """On the sandbox, counts v2 issuances in the provider's ledger; elsewhere there is nothing to count."""
    return IssuanceWitness(v2_sandbox, api="v2")
