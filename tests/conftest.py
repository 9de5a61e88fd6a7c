"""Fixtures every test package may use: a fake clock, the sleeps a client asked for, the session sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import FakeClock
from uatcert.sandbox import BackgroundServer, SandboxConfig, create_app

FUZZ = Path(__file__).parent / "fuzz"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """tests/fuzz is collected only with the Schemathesis plugin loaded (`make fuzz`: `-p schemathesis`)."""
    inside = collection_path == FUZZ or FUZZ in collection_path.parents
    if inside and not config.pluginmanager.has_plugin("schemathesis"):
        return True
    return None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[BackgroundServer]:
    """One real sandbox (default config) on 127.0.0.1 for the whole session, shared by every test package;
    each package's fixtures reset it (and clear its defect mode) around their tests. Stopped at teardown."""
    with BackgroundServer(create_app(SandboxConfig()), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., BackgroundServer]]:
    """Start an extra sandbox with its own config (`SandboxConfig` fields); stopped at teardown."""
    started: list[BackgroundServer] = []

    def start(**config: Any) -> BackgroundServer:
        server = BackgroundServer(create_app(SandboxConfig(**config))).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
