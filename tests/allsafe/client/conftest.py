"""Fixtures of the AllSafe client's tests: a scripted fake API, and one real sandbox on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support import fake_api_clients
from uatcert.allsafe import AllSafeClient, RetryPolicy

from .fakes import BASE_URL, PASSWORD, USERNAME, FakeApi, HookSpy, Recorder

MakeClient = Callable[..., AllSafeClient]


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def hooks() -> HookSpy:
    return HookSpy()


@pytest.fixture
def make_client(api: FakeApi, recorder: Recorder, hooks: HookSpy, sleeps: list[float]) -> Iterator[MakeClient]:
    def construct(
        base_url: str = BASE_URL, credentials: tuple[str, str] = (USERNAME, PASSWORD), **options: Any
    ) -> AllSafeClient:
        return AllSafeClient(base_url, *credentials, **options)

    yield from fake_api_clients(construct, api, RetryPolicy, observers=[recorder], issuance_hooks=[hooks],
                                sleep=sleeps.append)


@pytest.fixture
def client(make_client: MakeClient) -> AllSafeClient:
    return make_client()
