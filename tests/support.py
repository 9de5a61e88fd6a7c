"""Helpers shared by the client test packages (v3 `client`, `v2`, `allsafe`): fakes, clocks, recorders.

The real sandbox they share is the session fixture `sandbox_server` of `tests/conftest.py`."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol, TypeVar

import httpx

from uatcert.events import Exchange

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    """A canned response (JSON body unless bytes)."""
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def json_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


class TokenFakeApi:
    """
    Scripted fake of an OAuth token endpoint (`token_url`) and an API behind it; records every request.
    Subclasses say what a token answer holds (`token_body`) and set `default_api_reply`.
    """

    token_url: ClassVar[str]

    def __init__(self, default_api_reply: Reply) -> None:
        self.api_replies: deque[Reply] = deque()
        self.default_api_reply: Reply = default_api_reply
        self.token_replies: deque[Reply] = deque()
        self.api_requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.expires_in: int | None = 3600

    def queue(self, *replies: Reply) -> None:
        """Answer the next API requests with these, in order (then `default_api_reply`)."""
        self.api_replies.extend(replies)

    def queue_token(self, *replies: Reply) -> None:
        self.token_replies.extend(replies)

    def token_body(self) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def _answer(item: Reply, request: httpx.Request) -> httpx.Response:
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return item
        return item(request)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if str(request.url) == self.token_url:
            self.token_requests.append(request)
            if self.token_replies:
                return self._answer(self.token_replies.popleft(), request)
            self.tokens_issued += 1
            body = self.token_body()
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            return reply(200, body)
        self.api_requests.append(request)
        item = self.api_replies.popleft() if self.api_replies else self.default_api_reply
        return self._answer(item, request)


class FakeClock:
    """An injectable monotonic clock that only moves when told."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Recorder:
    """Observer that keeps every exchange; `api()` those of the API under test (`api_name`)."""

    api_name: ClassVar[str] = ""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def api(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.api == self.api_name]


class _Closeable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Closeable)


def closing_factory(build: Callable[..., C]) -> Iterator[Callable[..., C]]:
    """A fixture's body: a client factory (`build`) whose clients are all closed at teardown."""
    clients: list[C] = []

    def make(**kwargs: Any) -> C:
        client = build(**kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def fake_api_clients(
    construct: Callable[..., C], api: Callable[[httpx.Request], httpx.Response], policy: Callable[..., object],
    **defaults: Any,
) -> Iterator[Callable[..., C]]:
    """
    A fixture's body: a factory of clients `construct(**options)` over `httpx.MockTransport(api)`, retrying by
    `policy(jitter=False)`; `defaults`, then each call's keyword arguments, set the other options. All closed
    at teardown (`closing_factory`).
    """

    def build(**kwargs: Any) -> C:
        options: dict[str, Any] = {"transport": httpx.MockTransport(api), "retry": policy(jitter=False), **defaults}
        options.update(kwargs)
        return construct(**options)

    yield from closing_factory(build)
