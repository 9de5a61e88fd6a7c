"""Fixtures of the v2 tests: a real sandbox on 127.0.0.1 (the client's own fixtures are in `client/`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from uatcert.sandbox import BackgroundServer, SandboxConfig, SandboxControl, create_app


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
