"""FaultTransport: each fault kind, request matching, nth/times counting, evidence and listeners."""

from __future__ import annotations

import httpx
import pytest

from uatcert.faults import FaultTransport, LostResponseReporter


class Server:
    """Inner transport standing in for the server: counts what it really received."""

    def __init__(self) -> None:
        self.received: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(f"{request.method} {request.url.path}")
        return httpx.Response(201, json={"n": len(self.received)})


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def faults(server: Server, slept: list[float]) -> FaultTransport:
    return FaultTransport(httpx.MockTransport(server), sleep=slept.append)


def send(faults: FaultTransport, method: str = "POST", path: str = "/v3/products/P") -> httpx.Response:
    with httpx.Client(transport=faults, base_url="https://api.test.invalid") as http:
        return http.request(method, path)


def test_default_inner_is_http_transport() -> None:
    transport = FaultTransport()
    assert isinstance(transport.inner, httpx.HTTPTransport)
    assert isinstance(transport, LostResponseReporter)
    transport.close()


def test_passes_through_when_nothing_armed(faults: FaultTransport, server: Server) -> None:
    assert send(faults).status_code == 201
    assert server.received == ["POST /v3/products/P"] and faults.fired == []


def test_lose_response(faults: FaultTransport, server: Server) -> None:
    heard: list[tuple[httpx.Request, httpx.Response]] = []
    faults.on_lost.append(lambda request, response: heard.append((request, response)))
    fault = faults.arm("lose_response")
    with pytest.raises(httpx.ReadTimeout) as caught:
        send(faults)
    assert server.received == ["POST /v3/products/P"]
    [lost] = faults.lost_responses
    assert lost.status_code == 201 and lost.json() == {"n": 1}
    assert heard == [(caught.value.request, lost)]
    assert [kind for kind, _ in faults.fired] == ["lose_response"]
    assert fault.fired == 1 and fault.exhausted
    assert send(faults).status_code == 201


def test_lose_request(faults: FaultTransport, server: Server) -> None:
    heard: list[object] = []
    faults.on_lost.append(lambda request, response: heard.append(response))
    faults.arm("lose_request")
    with pytest.raises(httpx.ConnectError):
        send(faults)
    assert server.received == [] and faults.lost_responses == [] and heard == []


def test_reset(faults: FaultTransport, server: Server) -> None:
    faults.arm("reset")
    with pytest.raises(httpx.ReadError, match="reset by peer"):
        send(faults)
    assert len(server.received) == 1 and faults.lost_responses[0].status_code == 201


def test_delay(faults: FaultTransport, server: Server, slept: list[float]) -> None:
    faults.arm("delay", delay_s=2.5)
    assert send(faults).status_code == 201
    assert slept == [2.5] and len(server.received) == 1


def test_delay_combines_with_a_loss(faults: FaultTransport, slept: list[float]) -> None:
    faults.arm("delay", delay_s=1.0)
    faults.arm("lose_response", delay_s=0.5)
    with pytest.raises(httpx.ReadTimeout):
        send(faults)
    assert slept == [1.0, 0.5]
    assert [kind for kind, _ in faults.fired] == ["delay", "lose_response"]


def test_matching_by_method_and_path_regex(faults: FaultTransport, server: Server) -> None:
    faults.arm("lose_request", method="post", path=r"^/v3/products/[A-Z]+$")
    assert send(faults, "GET", "/v3/products/P").status_code == 201
    assert send(faults, "POST", "/v3/products/p1").status_code == 201
    assert send(faults, "POST", "/oauth2/token").status_code == 201
    with pytest.raises(httpx.ConnectError):
        send(faults, "POST", "/v3/products/ABC")
    assert len(server.received) == 3


def test_nth_and_times(faults: FaultTransport, server: Server) -> None:
    fault = faults.arm("lose_request", path="/products", nth=2, times=2)
    outcomes = []
    for _ in range(5):
        try:
            send(faults)
            outcomes.append("ok")
        except httpx.ConnectError:
            outcomes.append("lost")
    assert outcomes == ["ok", "lost", "lost", "ok", "ok"]
    assert fault.matched == 3 and fault.fired == 2


def test_disarm(faults: FaultTransport) -> None:
    one = faults.arm("lose_request")
    one.disarm()
    assert send(faults).status_code == 201
    faults.arm("lose_request", times=10)
    faults.disarm_all()
    assert send(faults).status_code == 201
    assert faults.faults == []


@pytest.mark.parametrize(
    "kwargs",
    [{"kind": "explode"}, {"kind": "delay", "nth": 0}, {"kind": "delay", "times": 0},
     {"kind": "delay", "delay_s": -1}],
)
def test_arm_validates(faults: FaultTransport, kwargs: dict[str, object]) -> None:
    kind = kwargs.pop("kind")
    with pytest.raises(ValueError):
        faults.arm(kind, **kwargs)  # type: ignore[arg-type]


def test_close_closes_inner() -> None:
    closed: list[bool] = []

    class Inner(httpx.MockTransport):
        def close(self) -> None:
            closed.append(True)

    FaultTransport(Inner(lambda r: httpx.Response(200))).close()
    assert closed == [True]
