"""Fixtures of the proxy tests: the session sandbox (reset around each test), a proxy factory, and calls made
with plain httpx as an integrator's system would make them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from uatcert.proxy import Fault, FaultPlan, FaultProxy, ProxyRecord, Upstreams
from uatcert.sandbox import (
    ALLSAFE_PASSWORD,
    ALLSAFE_USERNAME,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    V2_X_CLIENT_ID,
    V2_X_CLIENT_SECRET,
    BackgroundServer,
    SandboxControl,
)

OPEN_CLIENTS: list[httpx.Client] = []
V3_PRODUCT = "MAMVDDMMYY01"
V2_PRODUCT, V2_ORDER = "MAMVDDMMYY01", "202112172914"


@pytest.fixture
def control(sandbox_server: BackgroundServer) -> Iterator[SandboxControl]:
    with SandboxControl(sandbox_server.base_url) as ctl:
        ctl.reset()
        yield ctl
        ctl.reset()


@pytest.fixture
def start_proxy(sandbox_server: BackgroundServer, control: SandboxControl) -> Iterator[Callable[..., FaultProxy]]:
    """Start a proxy in front of the session sandbox with the given faults; stopped at teardown."""
    started: list[FaultProxy] = []

    def start(*faults: Fault, upstreams: Upstreams | None = None) -> FaultProxy:
        proxy = FaultProxy(upstreams or Upstreams.of_sandbox(sandbox_server.base_url), FaultPlan(faults)).start()
        started.append(proxy)
        return proxy

    yield start
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()
    for proxy in started:
        proxy.stop()


def settled(proxy: FaultProxy) -> list[ProxyRecord]:
    """The records once every exchange in flight ended (an answer on its way is recorded just after it)."""
    proxy.wait_idle(5.0)
    assert proxy.in_flight() == 0
    return proxy.records()


def _client(**options: Any) -> httpx.Client:
    client = httpx.Client(timeout=10.0, **options)
    OPEN_CLIENTS.append(client)
    return client


class V3System:
    """The v3 calls of an integrator's system, made with plain httpx through the proxy."""

    def __init__(self, proxy: FaultProxy) -> None:
        urls = proxy.urls("v3")
        assert urls.token_url is not None
        self.base_url, self.token_url = urls.base_url, urls.token_url
        self.http = _client()
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            answer = self.http.post(self.token_url, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                                    data={"grant_type": "client_credentials"})
            assert answer.status_code == 200, answer.text
            self._token = answer.json()["access_token"]
        return self._token

    def get(self, path: str) -> httpx.Response:
        return self.http.get(self.base_url + path, headers={"Authorization": f"Bearer {self.token()}"})

    def issue(self, key: str | None = None, quantity: int = 1, product: str = V3_PRODUCT) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token()}", "Idempotency-Key": key or str(uuid.uuid4())}
        return self.http.post(f"{self.base_url}/products/{product}", headers=headers, json={"quantity": quantity})


class V2System:
    """The v2 calls of an integrator's system through the proxy."""

    def __init__(self, proxy: FaultProxy) -> None:
        urls = proxy.urls("v2")
        assert urls.token_url is not None
        self.base_url, self.token_url = urls.base_url, urls.token_url
        self.http = _client()

    def issue(self, correlation_id: str) -> httpx.Response:
        token = self.http.post(self.token_url, data={"client_id": V2_CLIENT_ID, "client_secret": V2_CLIENT_SECRET,
                                                     "grant_type": "client_credentials"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "X-Client-Id": V2_X_CLIENT_ID,
                   "X-Client-Secret": V2_X_CLIENT_SECRET, "X-Correlation-Id": correlation_id}
        path = (f"/catalogs/ETX_001/product_assets/{V2_ORDER}/products/{V2_PRODUCT}/vouchers/actions/request")
        body: dict[str, Any] = {"manual_quantity": 1, "distribution_mode": "manual"}
        return self.http.post(self.base_url + path, headers=headers, json=body)


class AllSafeSystem:
    """The AllSafe calls of an integrator's system through the proxy."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.base_url = proxy.urls("allsafe").base_url
        self.http = _client(auth=(ALLSAFE_USERNAME, ALLSAFE_PASSWORD))

    def availability(self) -> httpx.Response:
        return self.http.get(self.base_url + "/availability")

    def allocate(self, vendor: str = "ExampleMart", value: int = 50) -> httpx.Response:
        return self.http.post(self.base_url + "/allocate", json={"vendor": vendor, "value": value,
                                                                 "reference": str(uuid.uuid4())})
