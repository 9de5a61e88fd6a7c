"""Fixtures of the AllSafe sandbox tests: one real sandbox on 127.0.0.1 (the client's are in `client/`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from uatcert.allsafe import AllSafeClient
from uatcert.faults import FaultTransport
from uatcert.sandbox import (
    ALLSAFE_PASSWORD,
    ALLSAFE_PREFIX,
    ALLSAFE_USERNAME,
    AllSafeSandboxControl,
    BackgroundServer,
)

from .client.fakes import HookSpy, Recorder


# -- the real sandbox over 127.0.0.1 ------------------------------------------------------------
@pytest.fixture(scope="session")
def control(sandbox_server: BackgroundServer) -> Iterator[AllSafeSandboxControl]:
    with AllSafeSandboxControl(sandbox_server.base_url) as ctl:
        yield ctl


class Live:
    """Clients of the live sandbox's AllSafe API (a FaultTransport each), closed after the test."""

    def __init__(self, server: BackgroundServer, control: AllSafeSandboxControl) -> None:
        self.server = server
        self.control = control
        self.base_url = f"{server.base_url}{ALLSAFE_PREFIX}"
        self.recorder = Recorder()
        self.hooks = HookSpy()
        self.faults = FaultTransport()
        self.http = httpx.Client(base_url=self.base_url + "/", timeout=10)
        self._clients: list[AllSafeClient] = []

    def client(self, username: str = ALLSAFE_USERNAME, password: str = ALLSAFE_PASSWORD, **kwargs: Any
               ) -> AllSafeClient:
        options: dict[str, Any] = {"transport": self.faults, "observers": [self.recorder],
                                   "issuance_hooks": [self.hooks], "sleep": lambda _: None, "timeout": 10.0}
        options.update(kwargs)
        client = AllSafeClient(self.base_url, username, password, **options)
        self._clients.append(client)
        return client

    def raw(self, method: str, path: str, *, auth: tuple[str, str] | None = (ALLSAFE_USERNAME, ALLSAFE_PASSWORD),
            **kwargs: Any) -> httpx.Response:
        """A plain httpx call (no client logic) to the AllSafe API of the sandbox."""
        return self.http.request(method, path.lstrip("/"), auth=auth, **kwargs)

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.faults.close()
        self.http.close()


@pytest.fixture
def live(sandbox_server: BackgroundServer, control: AllSafeSandboxControl) -> Iterator[Live]:
    control.reset()
    control.set_defect(None)
    env = Live(sandbox_server, control)
    yield env
    env.close()
    control.set_defect(None)
    control.reset()
