"""Fixtures of the v2 tests: a fake API for the client; a real sandbox on 127.0.0.1 for the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from uatcert.sandbox import BackgroundServer, SandboxConfig, SandboxControl, create_app
from uatcert.v2 import RetryPolicy, V2Client

from .fakes import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN_URL,
    X_CLIENT_ID,
    X_CLIENT_SECRET,
    FakeApi,
    FakeClock,
    Recorder,
)

MakeClient = Callable[..., V2Client]


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(api: FakeApi, clock: FakeClock, sleeps: list[float], recorder: Recorder) -> Iterator[MakeClient]:
    clients: list[V2Client] = []

    def make(**kwargs: Any) -> V2Client:
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(api),
            "clock": clock,
            "sleep": sleeps.append,
            "observers": [recorder],
            "retry": RetryPolicy(jitter=False),
        }
        options.update(kwargs)
        client = V2Client(BASE_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET, X_CLIENT_ID, X_CLIENT_SECRET, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> V2Client:
    return make_client()


# -- the real sandbox over 127.0.0.1 ----------------------------------------------------------------
@pytest.fixture(scope="session")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(SandboxConfig()), host="127.0.0.1", port=0) as srv:
        yield srv


@pytest.fixture(scope="session")
def ctl(server: BackgroundServer) -> Iterator[SandboxControl]:
    with SandboxControl(server.base_url) as control:
        yield control


@pytest.fixture
def sandbox(server: BackgroundServer, ctl: SandboxControl) -> Iterator[SandboxControl]:
    """The session sandbox, reset and without defect before and after each test."""
    ctl.reset()
    ctl.set_defect(None)
    yield ctl
    ctl.reset()
    ctl.set_defect(None)


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., BackgroundServer]]:
    """Start an extra sandbox with its own config; stopped at teardown."""
    started: list[BackgroundServer] = []

    def start(**config: Any) -> BackgroundServer:
        srv = BackgroundServer(create_app(SandboxConfig(**config))).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()
