"""Fixtures of the v2 client's tests: a scripted fake API over `httpx.MockTransport`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest

from tests.support import fake_api_clients
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
    yield from fake_api_clients(
        partial(V2Client, BASE_URL, TOKEN_URL, CLIENT_ID, CLIENT_SECRET, X_CLIENT_ID, X_CLIENT_SECRET), api,
        RetryPolicy, clock=clock, sleep=sleeps.append, observers=[recorder],
    )


@pytest.fixture
def client(make_client: MakeClient) -> V2Client:
    return make_client()
