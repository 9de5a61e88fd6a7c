"""Injected latency: every provider API request waits (fixed or jittered), the control API never does,
and the wait is asleep on the event loop (concurrent requests overlap instead of queueing)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.v3.sandbox.sandbox_support import Api
from uatcert.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, BackgroundServer, SandboxConfig, _middleware

LATENCY_MS, JITTER_MS = 250.0, 40.0


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Every delay the middleware slept, in seconds (it still sleeps them)."""
    seen: list[float] = []

    async def recording(seconds: float) -> None:
        seen.append(seconds)
        await asyncio.sleep(seconds)

    monkeypatch.setattr(_middleware, "_sleep", recording)
    yield seen


@pytest.fixture
def delayed(start_sandbox: Callable[..., Api], delays: list[float]) -> BackgroundServer:
    return start_sandbox(latency_ms=LATENCY_MS, jitter_ms=JITTER_MS).srv


def _token(server: BackgroundServer) -> str:
    response = httpx.post(server.token_url, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                          data={"grant_type": "client_credentials"})
    assert response.status_code == 200
    return str(response.json()["access_token"])


def test_api_requests_wait_within_the_jitter_and_the_control_api_never_waits(
    delayed: BackgroundServer, delays: list[float]
) -> None:
    token = _token(delayed)
    started = time.monotonic()
    listed = httpx.get(f"{delayed.v3_base_url}/products", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert time.monotonic() - started >= (LATENCY_MS - JITTER_MS) / 1000
    assert len(delays) == 2  # the token request and the catalogue
    low, high = (LATENCY_MS - JITTER_MS) / 1000, (LATENCY_MS + JITTER_MS) / 1000
    assert all(low <= d <= high for d in delays), delays
    for path in ("/ledger", "/faults"):
        assert httpx.get(f"{delayed.control_url}{path}").status_code == 200
    assert len(delays) == 2, "the control API must not be delayed"


def test_a_fixed_latency_without_jitter_is_exact(
    start_sandbox: Callable[..., Api], delays: list[float]
) -> None:
    server = start_sandbox(latency_ms=30).srv
    _token(server)
    assert delays == [0.03]


def test_no_latency_by_default(sandbox_server: BackgroundServer, delays: list[float]) -> None:
    _token(sandbox_server)
    assert delays == []


def test_the_wait_does_not_block_other_requests(delayed: BackgroundServer, delays: list[float]) -> None:
    """Eight requests at once overlap: served one after the other they would take the sum of their delays."""
    statuses: list[int] = []
    lock = threading.Lock()

    def one(http: httpx.Client) -> None:
        response = http.post(delayed.token_url, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                             data={"grant_type": "client_credentials"})
        with lock:
            statuses.append(response.status_code)

    # one client, made before the clock starts (making one per request costs more CPU than the server does)
    with httpx.Client(limits=httpx.Limits(max_connections=8)) as http:
        threads = [threading.Thread(target=one, args=(http,)) for _ in range(8)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        elapsed = time.monotonic() - started
    assert statuses == [200] * 8
    assert len(delays) == 8
    serial = sum(delays)
    assert elapsed < serial * 0.75, f"{elapsed:.2f} s for 8 requests whose delays add up to {serial:.2f} s"


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        SandboxConfig(latency_ms=-1)
    assert SandboxConfig(latency_ms=50, jitter_ms=10).jitter_ms == 10
