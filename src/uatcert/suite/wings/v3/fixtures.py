"""Fixtures of the v3 step modules (a pytest plugin the suite plugin loads from the wing registry)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from uatcert.faults import FaultTransport
from uatcert.sandbox import SandboxControl
from uatcert.suite.runtime import ExchangeLog, SuiteRuntime
from uatcert.suite.scenario import (
    ClientPool,
    IssuanceWitness,
    ThreadAwareEvidence,
    closing,
    disarmed,
    sandbox_control,
)
from uatcert.suite.wings.v3.target import SESSION_CLIENT_KEY, V3Target, catalogue, new_client, target
from uatcert.v3 import Product, V3Client


@pytest.fixture(scope="session")
def v3_target(suite_runtime: SuiteRuntime) -> V3Target:
    return target(suite_runtime)


@pytest.fixture(scope="session")
def v3_catalogue(suite_runtime: SuiteRuntime) -> list[Product]:
    """The target's catalogue, as fetched at collection time."""
    return catalogue(suite_runtime)


@pytest.fixture(scope="session")
def v3_session_faults(suite_runtime: SuiteRuntime) -> FaultTransport:
    return FaultTransport(suite_runtime.transport())


@pytest.fixture
def v3_faults(v3_session_faults: FaultTransport) -> Iterator[FaultTransport]:
    """The session client's fault transport; whatever a scenario arms is disarmed after it."""
    yield from disarmed(v3_session_faults)


@pytest.fixture(scope="session")
def v3_client(
    suite_runtime: SuiteRuntime, v3_session_faults: FaultTransport, exchange_log: ExchangeLog,
    evidence: ThreadAwareEvidence,
) -> Iterator[V3Client]:
    with new_client(suite_runtime, observers=[exchange_log, evidence], transport=v3_session_faults) as client:
        suite_runtime.memo(SESSION_CLIENT_KEY, lambda: client)
        yield client


class V3Connector(ClientPool[V3Client]):
    """Opens extra v3 connections for a scenario (other credentials or scopes); closes them after it."""

    def __call__(
        self, *, credentials: tuple[str, str] | None = None, scopes: tuple[str, ...] | None = None
    ) -> V3Client:
        return self._keep(new_client(self._runtime, observers=self._observers, credentials=credentials,
                                     scopes=scopes))


@pytest.fixture
def v3_connect(
    suite_runtime: SuiteRuntime, exchange_log: ExchangeLog, evidence: ThreadAwareEvidence
) -> Iterator[V3Connector]:
    yield from closing(V3Connector(suite_runtime, [exchange_log, evidence]))


@pytest.fixture(scope="session")
def v3_sandbox(v3_target: V3Target) -> Iterator[SandboxControl | None]:
    """The sandbox control API, or None on a real target."""
    yield from sandbox_control(v3_target.sandbox_url, SandboxControl)


@pytest.fixture
def v3_witness(v3_sandbox: SandboxControl | None) -> IssuanceWitness:
    return IssuanceWitness(v3_sandbox, api="v3")
