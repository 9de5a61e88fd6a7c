"""Fixtures of the v2 tests: a real sandbox on 127.0.0.1 (the client's own fixtures are in `client/`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from uatcert.sandbox import BackgroundServer, SandboxControl


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
