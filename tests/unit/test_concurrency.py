"""The pieces of `--workers`: calls dispatched ahead (results, errors and exchanges handed to the step that
takes them) and the throttle (cap on calls in flight, run-wide pause after a 429)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from uatcert.events import Exchange
from uatcert.suite.ahead import Ahead, Call, defer
from uatcert.suite.throttle import Throttle, ThrottledTransport, retry_after_s


def _exchange(url: str) -> Exchange:
    return Exchange(api="v3", method="GET", url=url, request_headers={}, request_body=b"", outcome="response",
                    status=200, response_headers={}, response_body=b"", request_ids=(), duration_s=0.0)


class _Observed:
    """A scenario-scoped observer (like the exchange log): defers exchanges made ahead."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, exchange: Exchange) -> None:
        if not defer(self._record, exchange):
            self._record(exchange)

    def _record(self, exchange: Exchange) -> None:
        self.seen.append((threading.current_thread().name, exchange.url))


@pytest.fixture
def ahead() -> Iterator[Ahead]:
    pool = Ahead(3)
    yield pool
    pool.close()


def test_results_made_ahead_reach_their_step_with_their_exchanges(ahead: Ahead) -> None:
    observed = _Observed()

    def call(name: str) -> str:
        observed(_exchange(f"/{name}"))
        return name.upper()

    def fail() -> str:
        observed(_exchange("/refused"))
        raise LookupError("refused")

    ahead.plan([("scenario-1", lambda: [Call("a", lambda: call("a"), then=lambda r: [Call("a2", lambda: call(r))])]),
                ("scenario-2", lambda: [Call("b", fail)]),
                ("scenario-1", lambda: [Call("never", lambda: call("twice"))])])  # planned once only
    time.sleep(0.05)
    assert observed.seen == [], "nothing reaches the scenario's observers before its step takes it"
    assert ahead.take("a", lambda: "live") == "A"
    assert observed.seen == [("MainThread", "/a")], "delivered on the main thread, when taken"
    with pytest.raises(LookupError, match="refused"):
        ahead.take("b", lambda: "live")
    assert observed.seen[-1] == ("MainThread", "/refused")
    assert ahead.take("not planned", lambda: "live") == "live"
    ahead.settle("scenario-1")  # the follow-up nobody took
    assert ("MainThread", "/A") in observed.seen
    assert ahead.pending() == 0
    assert ahead.dispatched == 3


def test_map_keeps_the_order_of_results_and_exchanges(ahead: Ahead) -> None:
    observed = _Observed()

    def read(n: int) -> int:
        time.sleep(0.01 * (5 - n))  # later ones finish first
        observed(_exchange(f"/{n}"))
        return n * n

    thunks = ahead.map([(("read", n), lambda n=n: read(n)) for n in range(5)])
    assert [thunk() for thunk in thunks] == [0, 1, 4, 9, 16]
    assert [url for _, url in observed.seen] == ["/0", "/1", "/2", "/3", "/4"]


def test_one_worker_dispatches_nothing() -> None:
    serial = Ahead(1)
    serial.plan([("scenario", lambda: [Call("a", lambda: "ahead")])])
    assert not serial.enabled and serial.dispatched == 0
    assert serial.take("a", lambda: "live") == "live"
    assert [thunk() for thunk in serial.map([("x", lambda: 1)])] == [1]


class _Slow(httpx.BaseTransport):
    """Answers after a while, counting the requests in flight; 429 for the path /busy."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = self.peak = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        time.sleep(0.02)
        with self.lock:
            self.in_flight -= 1
        if request.url.path == "/busy":
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200)


def test_the_cap_holds_across_the_pool_threads() -> None:
    inner = _Slow()
    throttle = Throttle(2)
    transport = ThrottledTransport(throttle, inner)
    pool = Ahead(6)
    try:
        thunks = pool.map([(n, lambda: transport.handle_request(httpx.Request("GET", "http://x/"))) for n in range(12)])
        assert [thunk().status_code for thunk in thunks] == [200] * 12
    finally:
        pool.close()
    assert inner.peak == 2 and throttle.peak == 2


def test_a_429_pauses_every_thread_for_its_retry_after() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(4, clock=lambda: now[0], sleep=sleep)
    transport = ThrottledTransport(throttle, _Slow())
    assert transport.handle_request(httpx.Request("GET", "http://x/busy")).status_code == 429
    assert throttle.pauses == 1
    assert transport.handle_request(httpx.Request("GET", "http://x/")).status_code == 200
    assert slept == [7.0]


def test_retry_after_forms() -> None:
    assert retry_after_s("3") == 3.0
    assert retry_after_s(None) is None and retry_after_s("soon") is None
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0
