"""One exchange per request, told to every observer with the provider's request ids; lost answers kept."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from tests.support import FakeClock
from uatcert._http.exchange import CallState
from uatcert.events import Exchange
from uatcert.faults import FaultTransport

from .core import BASE_URL, DemoConnectionError, DemoTimeoutError, exchanges


def answer(status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"ok": True}, headers=headers)


def test_an_exchange_carries_request_answer_timing_and_request_ids(clock: FakeClock) -> None:
    seen: list[Exchange] = []

    def slow(request: httpx.Request) -> httpx.Response:
        clock.advance(0.75)
        return answer(201, {"Request-Id": "second", "X-Request-Id": "first", "X-Amzn-RequestId": "not ours"})

    core = exchanges(slow, observers=[seen.append], clock=clock)
    request = core.http.build_request("POST", "/things", content=b'{"n":1}', headers={"Idempotency-Key": "k"})
    response = core.send(request, attempt=3, idempotency_key="k", issuance=True)
    [exchange] = seen
    assert response.status_code == 201 and exchange.delivered
    assert (exchange.api, exchange.method, exchange.url) == ("demo", "POST", f"{BASE_URL}/things")
    assert exchange.request_headers["idempotency-key"] == "k" and exchange.request_body == b'{"n":1}'
    assert exchange.request_headers["user-agent"] == "uatcert-demo-client"
    assert (exchange.outcome, exchange.status, exchange.response_body) == ("response", 201, b'{"ok":true}')
    assert exchange.request_ids == ("first", "second")  # the API's headers, in its list's order
    assert exchange.duration_s == pytest.approx(0.75) and exchange.error is None
    assert (exchange.attempt, exchange.idempotency_key, exchange.issuance) == (3, "k", True)
    core.close()


def test_a_token_request_is_labelled_as_such() -> None:
    seen: list[Exchange] = []
    core = exchanges(lambda r: answer(), observers=[seen.append])
    core.send(core.http.build_request("POST", "https://core.test.invalid/token"), api="token")
    assert [e.api for e in seen] == ["token"] and not seen[0].issuance
    core.close()


def test_attempts_count_and_keep_status_and_first_request_id() -> None:
    replies = [answer(500, {"X-Request-Id": "r1"}), answer(200), answer(200, {"Request-Id": "r3"})]
    core = exchanges(lambda r: replies.pop(0))
    state = CallState(key="k")
    for _ in range(3):
        core.attempt(core.http.build_request("GET", "/things"), state)
    assert (state.attempts, state.last_status, state.request_ids, state.ambiguous) == (3, 200, ["r1", "r3"], False)
    core.close()


@pytest.mark.parametrize(("error", "outcome", "cls", "ambiguous"), [
    (httpx.ReadTimeout("slow"), "timeout", DemoTimeoutError, True),
    (httpx.ConnectError("refused"), "lost_request", DemoConnectionError, False),
    (httpx.ReadError("reset"), "connection_error", DemoConnectionError, True),
])
def test_transport_errors_are_wrapped_and_observed(error: httpx.RequestError, outcome: str, cls: type[Exception],
                                                   ambiguous: bool) -> None:
    seen: list[Exchange] = []

    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    core = exchanges(fail, observers=[seen.append])
    state = CallState()
    with pytest.raises(cls) as caught:
        core.attempt(core.http.build_request("POST", "/things"), state)
    assert type(caught.value) is cls and caught.value.__cause__ is error
    [exchange] = seen
    assert exchange.outcome == outcome and exchange.status is None and exchange.request_ids == ()
    assert exchange.error == str(caught.value) and type(error).__name__ in exchange.error
    assert state.attempts == 1 and state.ambiguous is ambiguous and state.last_status is None
    core.close()


def test_a_lost_answer_reaches_the_observers_and_the_error() -> None:
    seen: list[Exchange] = []
    faults = FaultTransport(httpx.MockTransport(lambda r: answer(200, {"X-Request-Id": "lost-1"})))
    faults.arm("reset", path=r"/things$")
    core = exchanges(faults, observers=[seen.append])
    assert len(faults.on_lost) == 1  # listening while open
    with pytest.raises(DemoConnectionError) as caught:
        core.send(core.http.build_request("POST", "/things"))
    assert caught.value.outcome == "lost_response" and not isinstance(caught.value, DemoTimeoutError)
    lost = caught.value.lost_response
    assert isinstance(lost, httpx.Response) and lost.status_code == 200
    [exchange] = seen
    assert (exchange.outcome, exchange.status, exchange.request_ids) == ("lost_response", 200, ("lost-1",))
    assert exchange.response_body == b'{"ok":true}' and not exchange.delivered
    core.close()
    assert faults.on_lost == []


def test_two_cores_on_one_fault_transport_hear_only_their_own_losses() -> None:
    faults = FaultTransport(httpx.MockTransport(lambda r: answer()))
    seen_a: list[Exchange] = []
    seen_b: list[Exchange] = []
    a, b = exchanges(faults, observers=[seen_a.append]), exchanges(faults, observers=[seen_b.append])
    faults.arm("lose_response", path="/things")
    with pytest.raises(DemoTimeoutError):
        a.send(a.http.build_request("GET", "/things"))
    assert [e.outcome for e in seen_a] == ["lost_response"] and seen_b == []
    a.close()
    b.close()
    assert faults.on_lost == []


def test_a_raising_observer_is_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Exchange] = []

    def broken(exchange: Exchange) -> None:
        raise RuntimeError("observer bug")

    core = exchanges(lambda r: answer(), observers=[broken, seen.append])
    with caplog.at_level(logging.DEBUG, logger="uatcert.demo"):
        assert core.send(core.http.build_request("GET", "/things")).status_code == 200
    assert len(seen) == 1 and "observer" in caplog.text
    later: list[Exchange] = []
    core.add_observer(later.append)
    core.send(core.http.build_request("GET", "/things"))
    assert len(seen) == 2 and len(later) == 1
    core.close()


def test_routes_are_matched_below_the_base_url_in_full() -> None:
    core = exchanges(lambda r: answer())
    route = re.compile(r"/things/[^/]+")
    build = core.http.build_request
    assert core.is_route(build("POST", "/things/A?x=1"), "POST", route)
    assert not core.is_route(build("GET", "/things/A"), "POST", route)
    assert not core.is_route(build("POST", "/things/A/more"), "POST", route)
    assert not core.is_route(build("POST", "https://core.test.invalid/things/A"), "POST", route)
    core.close()
