"""BackgroundServer: free ports, busy ports, start/stop; SandboxConfig validation."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import ValidationError

from tests.v3.sandbox.sandbox_support import FIXED, Api
from uatcert.errors import SandboxError
from uatcert.sandbox import BackgroundServer, SandboxConfig, SandboxCredentials, create_app


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def test_port_in_use_is_a_sandbox_error(busy_port: int) -> None:
    with pytest.raises(SandboxError) as excinfo:
        BackgroundServer(create_app(), host="127.0.0.1", port=busy_port).start()
    assert str(excinfo.value) == f"port {busy_port} on 127.0.0.1 is already in use"


def test_urls_start_stop_and_context_manager() -> None:
    srv = BackgroundServer(create_app())
    with pytest.raises(SandboxError, match="not started"):
        _ = srv.base_url
    with srv:
        assert srv.base_url == f"http://127.0.0.1:{srv.port}" and srv.port > 0
        assert srv.v3_base_url == srv.base_url + "/v3"
        assert srv.token_url == srv.base_url + "/oauth2/token"
        assert srv.control_url == srv.base_url + "/__sandbox"
        assert httpx.get(srv.control_url + "/info").status_code == 200
        with pytest.raises(SandboxError, match="already started"):
            srv.start()
    srv.stop()  # a second stop is harmless
    with socket.socket() as sock:  # the listener is gone (SO_REUSEADDR only skips TIME_WAIT leftovers)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", srv.port))
        sock.listen(1)


def test_config_validation() -> None:
    assert SandboxConfig().scope_prefixes == ["client_v3_uat/", "client_v3_demo/", "client_v3_sandbox/"]
    assert SandboxConfig(scope_prefixes=["client_v3_prod"]).scope_prefixes == ["client_v3_prod/"]
    client = SandboxCredentials(client_id="a", client_secret="b")
    with pytest.raises(ValidationError, match="duplicate client_id: a"):
        SandboxConfig(clients=[client, client])
    with pytest.raises(ValidationError, match="bare name"):
        SandboxCredentials(client_id="a", client_secret="b", scopes=["client_v3_uat/read_vouchers"])
    with pytest.raises(ValidationError):
        SandboxConfig(token_ttl_s=-1)


def test_stop_does_not_hang_on_a_request_still_held(start_sandbox: Callable[..., Api]) -> None:
    """A request held by a slow fault past the graceful wait is dropped; stop() returns and the port is free."""
    api = start_sandbox()
    api.ctl.arm_fault("slow_commit", path=f"/products/{FIXED}$", delay_s=120)
    token = api.token()
    outcome: list[object] = []

    def held() -> None:
        try:
            outcome.append(api.issue(FIXED, {"quantity": 1}, token=token))
        except httpx.HTTPError as exc:  # the connection dropped by the stop
            outcome.append(exc)

    worker = threading.Thread(target=held)
    worker.start()
    deadline = time.monotonic() + 10
    while api.ctl.faults()[0]["holding"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert api.ctl.faults()[0]["holding"] == 1
    api.srv.stop(timeout=0.5)
    worker.join(30)
    assert not worker.is_alive() and len(outcome) == 1
    assert not isinstance(outcome[0], httpx.Response) or outcome[0].status_code != 200
