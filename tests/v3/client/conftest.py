"""Fixtures for the v3 client's unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

from tests.support import fake_api_clients
from uatcert.faults import FaultTransport
from uatcert.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, BackgroundServer, SandboxControl
from uatcert.v3 import RetryPolicy, V3Client

from .fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET, TOKEN_URL, FakeApi, FakeClock, MakeClient, Recorder


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(api: FakeApi, clock: FakeClock, sleeps: list[float], recorder: Recorder) -> Iterator[MakeClient]:
    yield from fake_api_clients(partial(V3Client, BASE_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET), api, RetryPolicy,
                                clock=clock, sleep=sleeps.append, observers=[recorder])


@pytest.fixture
def client(make_client: MakeClient) -> V3Client:
    return make_client()



# -- live: the real sandbox over 127.0.0.1 ------------------------------------------------------


@pytest.fixture(scope="session")
def sandbox_ctl(sandbox_server: BackgroundServer) -> Iterator[SandboxControl]:
    with SandboxControl(sandbox_server.base_url) as ctl:
        yield ctl


class Live:
    """Opens clients on the live sandbox; each with a FaultTransport, a recorder and recorded sleeps."""

    def __init__(self, server: BackgroundServer, ctl: SandboxControl) -> None:
        self.server = server
        self.ctl = ctl
        self.recorder = Recorder()
        self.sleeps: list[float] = []
        self.faults = FaultTransport()
        self._clients: list[V3Client] = []

    def client(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        *,
        token_url: str | None = None,
        **kwargs: Any,
    ) -> V3Client:
        options: dict[str, Any] = {
            "transport": self.faults,
            "observers": [self.recorder],
            "sleep": self.sleeps.append,
            "timeout": 5.0,
        }
        options.update(kwargs)
        client = V3Client(
            self.server.v3_base_url, token_url or self.server.token_url, client_id, client_secret, **options
        )
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.faults.close()


@pytest.fixture
def live(sandbox_server: BackgroundServer, sandbox_ctl: SandboxControl) -> Iterator[Live]:
    sandbox_ctl.reset()
    sandbox_ctl.set_defect(None)
    env = Live(sandbox_server, sandbox_ctl)
    yield env
    env.close()
    sandbox_ctl.reset()
