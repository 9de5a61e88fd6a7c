"""Every attempt reaches every observer as one Exchange; observers cannot break the client."""

from __future__ import annotations

import httpx

from uatcert.events import Exchange
from uatcert.faults import FaultTransport
from uatcert.v3 import V3Client

from .fakes import FakeApi, FakeClock, MakeClient, Recorder, reply, voucher_json

KEY = "5f0c7a9e-2b2d-4c47-9a55-0d0a3c1f4b11"


def test_every_attempt_observed(make_client: MakeClient, api: FakeApi, recorder: Recorder) -> None:
    client = make_client()
    api.queue(httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.ReadError("reset"),
              reply(500, None), reply(200, {"data": [voucher_json()]}))
    client.issue("P", 1, idempotency_key=KEY)
    exchanges = recorder.api()
    assert [e.attempt for e in exchanges] == [1, 2, 3, 4, 5]
    assert [e.outcome for e in exchanges] == ["timeout", "lost_request", "connection_error", "response", "response"]
    assert [e.status for e in exchanges] == [None, None, None, 500, 200]
    assert {e.idempotency_key for e in exchanges} == {KEY}
    assert all(e.method == "POST" and e.url.endswith("/v3/products/P") for e in exchanges)
    assert all(e.request_body == b'{"quantity":1}' for e in exchanges)
    assert exchanges[0].error is not None and "ReadTimeout" in exchanges[0].error
    assert exchanges[-1].delivered and not exchanges[0].delivered


def test_send_observed_with_its_key(client: V3Client, recorder: Recorder) -> None:
    client.send("POST", "/products/P", json={"quantity": 21}, headers={"Idempotency-Key": KEY})
    [exchange] = recorder.api()
    assert exchange.idempotency_key == KEY and exchange.attempt == 1


def test_issuance_attempts_are_flagged_raw_sends_to_the_issuance_route_too(make_client: MakeClient, api: FakeApi,
                                                                          recorder: Recorder) -> None:
    client = make_client()
    api.queue(reply(500, None), reply(200, {"data": [voucher_json()]}), reply(200, {"data": []}),
              reply(400, None), reply(400, None), reply(404, None))
    client.issue("P", 1, idempotency_key=KEY)
    client.products()
    client.send("POST", "/products/P", json={"quantity": 21}, headers={"Idempotency-Key": KEY})
    client.send("POST", "/products/P/extra", json={"quantity": 1})
    client.send("GET", "/products/P")
    assert [(e.method, e.issuance) for e in recorder.exchanges] == [
        ("POST", False), ("POST", True), ("POST", True), ("GET", False), ("POST", True), ("POST", False),
        ("GET", False)]  # the token request first


def test_add_observer(client: V3Client) -> None:
    seen: list[Exchange] = []
    client.add_observer(seen.append)
    client.products()
    assert [e.api for e in seen] == ["token", "v3"]


def test_lost_response_reported_with_real_status(api: FakeApi, recorder: Recorder, clock: FakeClock,
                                                 sleeps: list[float]) -> None:
    faults = FaultTransport(httpx.MockTransport(api))
    faults.arm("lose_response", method="POST", path=r"/v3/products/")
    api.queue(reply(200, {"data": [voucher_json()]}), reply(200, {"data": [voucher_json()]},
                                                            {"Idempotency-Record": "t"}))
    with V3Client("https://api.test.invalid/v3", "https://auth.test.invalid/oauth2/token", "c", "s",
                  transport=faults, observers=[recorder], clock=clock, sleep=sleeps.append) as client:
        issuance = client.issue("P", 1)
        assert len(faults.on_lost) == 1  # the client listens while it is open
    assert faults.on_lost == []
    first, second = recorder.api()
    assert first.outcome == "lost_response" and first.status == 200
    assert b"voucher_id" in first.response_body and not first.delivered
    assert second.outcome == "response" and issuance.replayed and issuance.attempts == 2

