"""Fixtures of the AllSafe client's tests: a scripted fake API, and one real sandbox on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support import closing_factory
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
    def build(**kwargs: Any) -> AllSafeClient:
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(api),
            "observers": [recorder],
            "issuance_hooks": [hooks],
            "sleep": sleeps.append,
            "retry": RetryPolicy(jitter=False),
        }
        options.update(kwargs)
        base_url = options.pop("base_url", BASE_URL)
        credentials = options.pop("credentials", (USERNAME, PASSWORD))
        return AllSafeClient(base_url, *credentials, **options)

    yield from closing_factory(build)


@pytest.fixture
def client(make_client: MakeClient) -> AllSafeClient:
    return make_client()
