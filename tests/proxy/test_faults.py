"""Each fault kind through the proxy in front of the embedded sandbox: what the system saw, what the upstream did
(its issuance ledger), and what the proxy recorded."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.proxy.conftest import AllSafeSystem, V2System, V3System, settled
from uatcert.proxy import Fault, FaultProxy
from uatcert.sandbox import SandboxControl

StartProxy = Callable[..., FaultProxy]


def test_forwarding_records_every_exchange(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy()
    system = V3System(proxy)
    assert system.get("/products").status_code == 200
    answer = system.issue(key := str(uuid.uuid4()))
    assert answer.status_code == 200, answer.text
    token, listing, issue = settled(proxy)
    assert [r.seq for r in (token, listing, issue)] == [1, 2, 3]
    assert (token.api, token.operation, token.exchange.api) == ("v3", "token", "token")
    assert (listing.operation, issue.operation, issue.exchange.issuance) == ("list_products", "issue", True)
    assert issue.exchange.url == f"{control.base_url}/v3/products/MAMVDDMMYY01"
    assert issue.exchange.idempotency_key == key and issue.json() == {"quantity": 1}
    assert issue.exchange.request_headers["authorization"].startswith("Bearer ")  # raw, for judging
    assert issue.exchange.response_body == answer.content and issue.exchange.outcome == "response"
    assert issue.delivered_status == issue.exchange.status == 200 and issue.fault is None
    assert [e["voucher_ids"] for e in control.ledger()] == [[v["voucher_id"] for v in answer.json()["data"]]]


def test_lose_response_after_the_upstream_issued(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("lose_response", api="v3", operation="issue"))
    system = V3System(proxy)
    key = str(uuid.uuid4())
    with pytest.raises(httpx.RemoteProtocolError):
        system.issue(key)
    assert len(control.ledger()) == 1  # the upstream committed
    retry = system.issue(key)
    assert retry.status_code == 200 and "idempotency-record" in retry.headers  # the replay of the lost answer
    assert len(control.ledger()) == 1
    lost, replay = settled(proxy)[1:]
    assert (lost.fault, lost.exchange.outcome, lost.exchange.status, lost.delivered_status) == (
        "lose_response", "lost_response", 200, None)
    assert b"voucher_id" in lost.exchange.response_body and len(lost.exchange.request_ids) == 1
    assert (replay.fault, replay.exchange.attempt, replay.delivered_status) == (None, 2, 200)


def test_drop_request_never_reaches_the_upstream(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("drop_request", api="v3", operation="issue"))
    with pytest.raises(httpx.RemoteProtocolError):
        V3System(proxy).issue()
    assert control.ledger() == []
    dropped = settled(proxy)[-1]
    assert (dropped.exchange.outcome, dropped.exchange.status, dropped.delivered_status) == (
        "lost_request", None, None)


def test_error_after_commit_v3_and_v2(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("error_after_commit", api="v3", operation="issue", status=503),
                        Fault("error_after_commit", api="v2", operation="issue"))
    v3 = V3System(proxy).issue()
    assert v3.status_code == 503 and v3.json() == {"error": {"code": "503-F01", "message": "internal server error"}}
    v2 = V2System(proxy).issue("order-4711")
    assert v2.status_code == 500
    assert v2.json()["meta"]["status"] == "failed" and v2.json()["meta"]["messages"][0]["code"] == "ERV1102"
    assert len(control.ledger(api="v3")) == 1 and len(control.ledger(api="v2")) == 1  # both really issued
    records = settled(proxy)
    assert [r.operation for r in records if r.api == "v2"] == ["token", "issue"]
    v3_record, v2_record = (r for r in records if r.fault)
    assert (v3_record.exchange.status, v3_record.delivered_status) == (200, 503)
    assert (v2_record.exchange.status, v2_record.delivered_status, v2_record.exchange.idempotency_key) == (
        200, 500, "order-4711")


def test_rate_limit_and_expire_token_are_not_forwarded(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("rate_limit", api="v3", operation="issue", retry_after_s=3),
                        Fault("expire_token", api="v3", operation="issue", nth=2),
                        Fault("expire_token", api="allsafe", operation="allocate"))
    system = V3System(proxy)
    limited = system.issue()
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
    assert limited.json()["error"]["code"] == "429-F01"
    expired = system.issue()
    assert expired.status_code == 401 and expired.json()["error"]["code"].startswith("401-")
    allsafe = AllSafeSystem(proxy).allocate()
    assert allsafe.status_code == 401 and allsafe.headers["www-authenticate"] == 'Basic realm="AllSafe"'
    assert allsafe.json()["status"] == 401
    assert control.ledger(api=None) == []
    faulted = [r for r in settled(proxy) if r.fault]
    assert [(r.fault, r.exchange.status, r.delivered_status) for r in faulted] == [
        ("rate_limit", None, 429), ("expire_token", None, 401), ("expire_token", None, 401)]
    assert faulted[0].delivered_headers["retry-after"] == "3"


def test_hold_lets_a_retry_meet_the_held_issuance(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("hold", api="v3", operation="issue", hold_s=1.5))
    system, other = V3System(proxy), V3System(proxy)
    system.token(), other.token()
    key = str(uuid.uuid4())
    first: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: first.append(other.issue(key)))
    started = time.monotonic()
    worker.start()
    while proxy.in_flight() == 0 and time.monotonic() - started < 2:  # the first issuance is at the proxy
        time.sleep(0.01)
    retry = system.issue(key)  # forwarded while the first answer is held: the upstream's idempotency answers
    worker.join(5)
    assert retry.status_code == 200 and "idempotency-record" in retry.headers, retry.text
    assert first[0].status_code == 200 and "idempotency-record" not in first[0].headers
    assert first[0].json() == retry.json() and len(control.ledger()) == 1
    held, again = (r for r in settled(proxy) if r.operation == "issue")
    assert held.fault == "hold" and held.exchange.duration_s >= 1.5 and held.delivered_status == 200
    ended = held.received_at + held.exchange.duration_s
    assert again.fault is None and again.received_at + again.exchange.duration_s < ended  # answered meanwhile


def test_hold_with_a_slow_upstream_commit_gives_the_retry_a_409(
    start_proxy: StartProxy, control: SandboxControl
) -> None:
    """With the sandbox's slow_commit armed as well, the retry meets the key still in flight at the upstream."""
    proxy = start_proxy(Fault("hold", api="v3", operation="issue", hold_s=0.2))
    control.arm_fault("slow_commit", path="^/v3/products/", delay_s=1.5)
    system, other = V3System(proxy), V3System(proxy)
    system.token(), other.token()
    key = str(uuid.uuid4())
    first: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: first.append(other.issue(key)))
    worker.start()
    started = time.monotonic()
    while proxy.in_flight() == 0 and time.monotonic() - started < 2:
        time.sleep(0.01)
    retry = system.issue(key)
    worker.join(5)
    assert retry.status_code == 409 and retry.json()["error"]["code"].startswith("409-"), retry.text
    assert first[0].status_code == 200 and len(control.ledger()) == 1
    assert [(r.fault, r.exchange.status) for r in settled(proxy) if r.operation == "issue"] == [
        ("hold", 200), (None, 409)]  # in arrival order


def test_a_system_that_gives_up_during_a_hold_lost_the_answer(
    start_proxy: StartProxy, control: SandboxControl
) -> None:
    proxy = start_proxy(Fault("hold", api="v3", operation="issue", hold_s=2.0))
    system = V3System(proxy)
    system.token()
    system.http.timeout = httpx.Timeout(0.3)
    with pytest.raises(httpx.ReadTimeout):
        system.issue()
    (held,) = [r for r in settled(proxy) if r.fault == "hold"]
    assert (held.exchange.outcome, held.exchange.status, held.delivered_status) == ("lost_response", 200, None)
    assert held.exchange.duration_s < 2.0 and len(control.ledger()) == 1


def test_stopping_drops_held_and_waiting_exchanges(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("hold", api="v3", operation="issue", hold_s=30))
    control.arm_fault("slow_commit", api="v2", path="/vouchers/actions/request", delay_s=30)
    v3, v2 = V3System(proxy), V2System(proxy)
    v3.token()
    failures: list[BaseException] = []

    def call(issue: Callable[[], httpx.Response]) -> None:
        try:
            issue()
        except httpx.HTTPError as exc:
            failures.append(exc)

    workers = [threading.Thread(target=call, args=(v3.issue,)),
               threading.Thread(target=call, args=(lambda: v2.issue("order-stop"),))]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 5
    while proxy.in_flight() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proxy.in_flight() == 2
    started = time.monotonic()
    proxy.stop()
    stopped_in = time.monotonic() - started
    for worker in workers:
        worker.join(5)
    assert stopped_in < 3 and len(failures) == 2 and proxy.in_flight() == 0
    held = [r for r in proxy.records() if r.operation == "issue"]
    assert [(r.api, r.exchange.outcome, r.exchange.status) for r in held] == [("v3", "lost_response", 200)]
    control.clear_faults()  # release the slow v2 commit the proxy gave up on


def test_reset_sends_an_rst_and_no_byte(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("reset", api="allsafe", operation="allocate"))
    body = b'{"vendor": "ExampleMart", "value": 50}'
    request = (b"POST /allsafe/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(request)
        with pytest.raises(ConnectionResetError):
            assert sock.recv(1024) == b"", "the proxy sent bytes"
    assert control.ledger(api="allsafe") == []
    (record,) = settled(proxy)
    assert (record.fault, record.exchange.outcome, record.delivered_status) == ("reset", "lost_request", None)


def test_drop_closes_with_no_byte(start_proxy: StartProxy) -> None:
    proxy = start_proxy(Fault("drop_request", api="allsafe"))
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(b"GET /allsafe/availability HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(1024) == b""  # an orderly close (FIN), nothing before it


def test_nth_and_times_count_matching_requests_only(start_proxy: StartProxy) -> None:
    proxy = start_proxy(Fault("lose_response", api="v3", operation="list_products", nth=2, times=2))
    system = V3System(proxy)
    outcomes = []
    for _ in range(4):
        assert system.get("/vouchers?id=" + str(uuid.uuid4())).status_code in (200, 404)  # other operation
        try:
            outcomes.append(system.get("/products").status_code)
        except httpx.RemoteProtocolError:
            outcomes.append(None)
    assert outcomes == [200, None, None, 200]
    listed = [r for r in settled(proxy) if r.operation == "list_products"]
    assert [r.fault for r in listed] == [None, "lose_response", "lose_response", None]
    proxy.set_plan(proxy.plan)  # counters from zero again
    assert system.get("/products").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        system.get("/products")


def test_made_up_answers_in_each_api_error_model(start_proxy: StartProxy, control: SandboxControl) -> None:
    proxy = start_proxy(Fault("rate_limit", api="v2", operation="issue", retry_after_s=7),
                        Fault("expire_token", api="v2", operation="token", nth=2),
                        Fault("error_after_commit", api="allsafe", operation="allocate", status=502),
                        Fault("rate_limit", api="allsafe", operation="availability"))
    v2 = V2System(proxy)
    limited = v2.issue("order-429")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    assert limited.json()["meta"] == {"status": "failed", "messages": [
        {"code": "SIM-RATE-LIMIT", "level": "error", "text": "too many requests; retry after the Retry-After delay"}]}
    token = v2.http.post(v2.token_url, data={"grant_type": "client_credentials"})
    assert token.status_code == 401 and token.json() == {"error": "invalid_client"}
    allsafe = AllSafeSystem(proxy)
    failed = allsafe.allocate()
    assert failed.status_code == 502 and failed.json() == {
        "status": 502, "title": "Bad Gateway", "detail": "An internal error occurred."}
    assert len(control.ledger(api="allsafe")) == 1  # allocated before the 502
    busy = allsafe.availability()
    assert busy.status_code == 429 and busy.json()["status"] == 429 and busy.headers["retry-after"] == "1"
    assert control.ledger(api="v2") == []
