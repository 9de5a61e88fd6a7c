"""`BackgroundServer`: uvicorn in a thread on a socket we bind ourselves (port 0 = a free port)."""

from __future__ import annotations

import errno
import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from uatcert.errors import SandboxError


class BackgroundServer:
    """Serve an ASGI app on host:port from a daemon thread; `start()`/`stop()` or a `with` block."""

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log_level: str = "warning",
        access_log: bool = False,
    ) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._log_level = log_level
        self._access_log = access_log
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise SandboxError("the sandbox server is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def v3_base_url(self) -> str:
        return f"{self.base_url}/v3"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth2/token"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/__sandbox"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Bind, start serving, and return once uvicorn listens; SandboxError on failure."""
        if self._thread is not None:
            raise SandboxError("the sandbox server was already started")
        sock = self._bind()
        self._sock = sock
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level=self._log_level,
            access_log=self._access_log,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"uatcert-sandbox-{self._port}", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise SandboxError(f"the sandbox server on {self.host}:{self._port} did not start")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and release the port (safe to call twice).

        Open requests get `timeout` seconds to finish (graceful); one still held then (a slow fault armed
        for longer, a client that never read its answer) is dropped: stopping must not hang on it."""
        server, thread, sock = self._server, self._thread, self._sock
        self._server = self._thread = self._sock = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(timeout)
        if sock is not None:
            sock.close()
        if thread is not None and thread.is_alive():
            raise SandboxError("the sandbox server did not stop")

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Inherited by accepted sockets: without it, Nagle + delayed ACK add 40 ms per response.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind((self.host, self._requested_port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise SandboxError(f"port {self._requested_port} on {self.host} is already in use") from None
            reason = exc.strerror or str(exc)
            raise SandboxError(f"cannot listen on {self.host} port {self._requested_port}: {reason}") from None
        return sock

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
