"""Fixtures of the v2 tests: a fake API for the client; a real sandbox on 127.0.0.1 for the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support import closing_factory
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
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(api: FakeApi, clock: FakeClock, sleeps: list[float], recorder: Recorder) -> Iterator[MakeClient]:
    def build(**kwargs: Any) -> V2Client:
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(api),
            "clock": clock,
            "sleep": sleeps.append,
            "observers": [recorder],
            "retry": RetryPolicy(jitter=False),
        }
        options.update(kwargs)
        return V2Client(BASE_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET, X_CLIENT_ID, X_CLIENT_SECRET, **options)

    yield from closing_factory(build)


@pytest.fixture
def client(make_client: MakeClient) -> V2Client:
    return make_client()


# -- the real sandbox over 127.0.0.1 ----------------------------------------------------------------
@pytest.fixture(scope="session")
def server(sandbox_server: BackgroundServer) -> BackgroundServer:
    return sandbox_server


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
