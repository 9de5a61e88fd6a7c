"""Fixtures: one real sandbox on 127.0.0.1 for the session, reset before each test; plain httpx."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.v3.sandbox.sandbox_support import Api
from uatcert.sandbox import BackgroundServer, SandboxControl


@pytest.fixture(scope="session")
def server(sandbox_server: BackgroundServer) -> BackgroundServer:
    """The session sandbox of `tests/conftest.py`."""
    return sandbox_server


@pytest.fixture(scope="session")
def ctl(server: BackgroundServer) -> Iterator[SandboxControl]:
    with SandboxControl(server.base_url) as control:
        yield control


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def api(server: BackgroundServer, ctl: SandboxControl, http: httpx.Client) -> Api:
    ctl.reset()
    ctl.set_defect(None)
    return Api(server, ctl, http)


@pytest.fixture
def start_sandbox(start_sandbox: Callable[..., BackgroundServer], http: httpx.Client) -> Iterator[Callable[..., Api]]:
    """Start an extra sandbox with its own config, seen through `Api`; stopped at teardown."""
    controls: list[SandboxControl] = []

    def start(**config: Any) -> Api:
        server = start_sandbox(**config)
        controls.append(SandboxControl(server.base_url))
        return Api(server, controls[-1], http)

    yield start
    for control in controls:
        control.close()


@pytest.fixture
def write_catalogue(tmp_path: Path) -> Callable[[Any], Path]:
    """Write a catalogue file (JSON-serialised object, or raw text) and return its path."""

    def write(content: Any, name: str = "catalogue.json") -> Path:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
        return path

    return write
