"""Fixtures of the v2 sandbox tests: plain httpx against the session sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.v2.sandbox.support import V2
from uatcert.sandbox import BackgroundServer, SandboxControl


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def v2(server: BackgroundServer, sandbox: SandboxControl, http: httpx.Client) -> V2:
    return V2(server, http)
