"""Forwarding details, against a small echo upstream: hop-by-hop headers stripped both ways, the upstream's Host,
raw bytes (a gzip body stays gzip), raw paths, unknown paths, and an unreachable upstream."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from tests.proxy.conftest import settled
from uatcert.proxy import FaultProxy, Upstreams
from uatcert.sandbox import BackgroundServer

StartProxy = Callable[..., FaultProxy]


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer with what arrived (headers, raw path, body), gzip-encoded, plus two hop-by-hop headers."""
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    seen = {"headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
            "raw_path": scope["raw_path"].decode(), "query": scope["query_string"].decode(), "body": body.decode()}
    content = gzip.compress(json.dumps(seen).encode())
    await send({"type": "http.response.start", "status": 201, "headers": [
        (b"content-type", b"application/json"), (b"content-encoding", b"gzip"),
        (b"content-length", str(len(content)).encode()), (b"keep-alive", b"timeout=99"),
        (b"proxy-authenticate", b"Basic"), (b"x-upstream", b"echo")]})
    await send({"type": "http.response.body", "body": content})


@pytest.fixture(scope="module")
def echo_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(echo) as server:  # type: ignore[arg-type]
        yield server


def test_headers_host_and_raw_bytes(start_proxy: StartProxy, echo_server: BackgroundServer) -> None:
    proxy = start_proxy(upstreams=Upstreams(v3_base_url=f"{echo_server.base_url}/v3",
                                            v3_token_url=f"{echo_server.base_url}/oauth2/token"))
    with httpx.Client(timeout=5) as client:
        answer = client.post(f"{proxy.urls('v3').base_url}/products/A%2FB?x=1", content=b'{"quantity": 2}',
                             headers={"Connection": "keep-alive, X-Drop-Me", "X-Drop-Me": "1",
                                      "Keep-Alive": "timeout=5", "Proxy-Authorization": "Basic Zm9vOmJhcg==",
                                      "TE": "trailers", "X-Keep": "yes", "Content-Type": "application/json"})
    assert answer.status_code == 201 and answer.headers["content-encoding"] == "gzip"  # decoded by httpx here
    seen = answer.json()
    names = {name for name, _ in seen["headers"]}
    assert ("host", f"127.0.0.1:{echo_server.port}") in [tuple(h) for h in seen["headers"]]
    assert not names & {"x-drop-me", "keep-alive", "proxy-authorization", "te", "connection"}, names
    assert {"x-keep", "content-type", "content-length"} <= names
    assert (seen["raw_path"], seen["query"], seen["body"]) == ("/v3/products/A%2FB", "x=1", '{"quantity": 2}')
    assert "keep-alive" not in answer.headers and "proxy-authenticate" not in answer.headers
    assert answer.headers["x-upstream"] == "echo"
    (record,) = settled(proxy)
    assert record.operation == "issue" and record.exchange.url.endswith("/v3/products/A%2FB?x=1")
    assert json.loads(record.exchange.response_body) == seen  # the record holds the decoded body
    assert record.exchange.request_headers["x-drop-me"] == "1"  # the record keeps what the system sent


def test_unknown_paths_and_an_unreachable_upstream(start_proxy: StartProxy) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    proxy = start_proxy(upstreams=Upstreams(allsafe_base_url=dead))
    with httpx.Client(timeout=5) as client:
        unknown = client.get(f"{proxy.root_url}/v3/products")  # no v3 upstream: not a proxied path
        assert unknown.status_code == 404 and "/allsafe" in unknown.text
        gone = client.get(f"{proxy.urls('allsafe').base_url}/availability")
    assert gone.status_code == 502 and gone.json()["status"] == 502
    (record,) = settled(proxy)  # the unknown path is not an exchange with an API
    assert (record.operation, record.exchange.outcome, record.exchange.status, record.delivered_status) == (
        "availability", "connection_error", None, 502)
