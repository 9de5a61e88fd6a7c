"""Fixtures for the v3 client's unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from uatcert.v3 import RetryPolicy, V3Client

from .fakes import BASE_URL, CLIENT_ID, CLIENT_SECRET, TOKEN_URL, FakeApi, FakeClock, MakeClient, Recorder


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
    clients: list[V3Client] = []

    def make(**kwargs: Any) -> V3Client:
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(api),
            "clock": clock,
            "sleep": sleeps.append,
            "observers": [recorder],
            "retry": RetryPolicy(jitter=False),
        }
        options.update(kwargs)
        client = V3Client(BASE_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> V3Client:
    return make_client()

