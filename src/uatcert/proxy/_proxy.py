"""`FaultProxy`: the recording fault proxy, served from an asyncio loop in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import socket
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType

import httpx

from uatcert.errors import ProxyError
from uatcert.events import Exchange, ExchangeOutcome
from uatcert.proxy._answers import made_up
from uatcert.proxy._forward import Upstream, end_to_end, forward, new_client
from uatcert.proxy._listener import ClientGone, Connection, Request
from uatcert.proxy._plan import Fault, FaultPlan, PlanCounter
from uatcert.proxy._record import ProxyRecord
from uatcert.proxy._routes import KEY_HEADERS, REQUEST_ID_HEADERS, ProxyUrls, Route, Upstreams, route, urls_of

RecordObserver = Callable[[ProxyRecord], None]
NO_FAULTS = FaultPlan()


@dataclasses.dataclass
class _Outcome:
    """What became of one request, filled in while it is handled."""

    outcome: ExchangeOutcome = "response"
    upstream: Upstream | None = None
    delivered_status: int | None = None
    delivered_headers: dict[str, str] = dataclasses.field(default_factory=dict)
    error: str | None = None


class FaultProxy:
    """A reverse proxy on 127.0.0.1 in front of `upstreams` that records every exchange and applies `plan`.

    `with FaultProxy(Upstreams.of_sandbox(srv.base_url), plan) as proxy: proxy.urls("v3").base_url ...`
    Observers are called from the proxy's thread with each record once its exchange ended; they must not raise.
    """

    def __init__(self, upstreams: Upstreams, plan: FaultPlan = NO_FAULTS, *, port: int = 0,
                 observers: Sequence[RecordObserver] = ()) -> None:
        if not upstreams.apis:
            raise ProxyError("the proxy needs at least one upstream API")
        self.upstreams = upstreams
        self._requested_port = port
        self._observers = list(observers)
        self._counter = PlanCounter(plan)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._records: list[ProxyRecord] = []
        self._seq = 0
        self._in_flight = 0
        self._attempts: dict[tuple[str, str, str], int] = {}
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._started = threading.Event()
        self._failure: BaseException | None = None
        self._connections: dict[asyncio.Task[None], Connection] = {}
        self._client: httpx.AsyncClient | None = None

    # public surface ---------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise ProxyError("the proxy is not started")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def urls(self, api: str) -> ProxyUrls:
        """The base (and token) URL a system uses for `api` through this proxy."""
        if api not in self.upstreams.apis:
            raise ProxyError(f"the proxy has no upstream for {api}")
        return urls_of(self.root_url, api)

    def start(self) -> FaultProxy:
        """Bind 127.0.0.1:port and serve from a daemon thread; ProxyError when it cannot."""
        if self._thread is not None:
            raise ProxyError("the proxy was already started")
        sock = _bind(self._requested_port)
        self._port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._run, args=(sock,), name=f"uatcert-proxy-{self._port}",
                                        daemon=True)
        self._thread.start()
        if not self._started.wait(10.0) or self._failure is not None:
            self.stop()
            raise ProxyError(f"the proxy on 127.0.0.1:{self._port} did not start: {self._failure}")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: open connections are closed, a held answer is dropped (safe to call twice)."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        self._thread = None
        if loop is not None and stopping is not None and thread is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise ProxyError("the proxy did not stop")
        with self._idle:
            self._in_flight = 0
            self._idle.notify_all()

    def set_plan(self, plan: FaultPlan) -> None:
        """Apply `plan` from now on, its occurrence counters from zero."""
        self._counter.reset(plan)

    @property
    def plan(self) -> FaultPlan:
        return self._counter.plan

    def records(self) -> list[ProxyRecord]:
        """Every exchange recorded so far, in the order the requests arrived (a copy).

        An exchange is recorded once it ended, just after its answer was written: a caller that has just got
        an answer calls `wait_idle` first to be sure its exchange is among them."""
        with self._lock:
            return sorted(self._records, key=lambda r: r.seq)

    def clear(self) -> None:
        """Forget the records (and the attempt counts per key); numbering goes on."""
        with self._lock:
            self._records.clear()
            self._attempts.clear()

    def in_flight(self) -> int:
        """Requests received whose exchange has not ended yet (held ones included)."""
        with self._lock:
            return self._in_flight

    def wait_idle(self, timeout: float) -> None:
        """Return once no request is in flight (held ones included), or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight and (left := deadline - time.monotonic()) > 0:
                self._idle.wait(left)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # the loop ---------------------------------------------------------------------------------------
    def _run(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(sock))
        except BaseException as exc:  # noqa: BLE001 - reported by start(); the thread must end quietly
            self._failure = exc
            self._started.set()
        finally:
            sock.close()
            loop.close()

    async def _serve(self, sock: socket.socket) -> None:
        self._stopping = asyncio.Event()
        async with new_client() as client:
            self._client = client
            server = await asyncio.start_server(self._on_connection, sock=sock)
            self._started.set()
            try:
                await self._stopping.wait()
            finally:
                server.close()
                await self._close_connections()
                await server.wait_closed()

    async def _close_connections(self) -> None:
        """Close every open connection (a held answer is dropped) and let their tasks end."""
        for conn in list(self._connections.values()):
            conn.abandon()
        tasks = list(self._connections)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=0.5)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for _ in range(3):  # let the transports' connection_lost callbacks run before the loop closes
            await asyncio.sleep(0)

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        conn = Connection(reader, writer)
        self._connections[task] = conn
        try:
            while (request := await conn.next_request()) is not None:
                await self._exchange(conn, request)
                if conn.closed:
                    break
        except asyncio.CancelledError:
            pass  # the proxy stops while this exchange waited on its upstream: the task ends here
        finally:
            conn.abandon()
            self._connections.pop(task, None)

    # one exchange -----------------------------------------------------------------------------------
    async def _exchange(self, conn: Connection, request: Request) -> None:
        arrived = time.monotonic()
        where = route(self.upstreams, request.method, request.target)
        if where is None:
            apis = ", ".join(f"/{api}" for api in self.upstreams.apis)
            with contextlib.suppress(ClientGone):
                await conn.answer(404, [("content-type", "text/plain")],
                                  f"not a proxied path: {request.target} (the APIs are under {apis})\n".encode())
            return
        with self._lock:
            self._seq += 1
            seq = self._seq
            self._in_flight += 1
        fault = self._counter.fault_for(where.api, where.operation)
        result = _Outcome()
        try:
            await self._handle(conn, request, where, fault, result)
        except asyncio.CancelledError:
            self._finish(seq, arrived, request, where, fault, None)  # stopped mid-exchange: nothing to record
            raise
        except Exception as exc:  # noqa: BLE001 - a fault of the proxy itself: recorded, the connection closed
            result.error = f"proxy error: {exc!r}"
            if result.delivered_status is None:
                result.outcome = "lost_response" if result.upstream is not None else "lost_request"
            await conn.close()
        self._finish(seq, arrived, request, where, fault, result)

    async def _handle(self, conn: Connection, request: Request, where: Route, fault: Fault | None,
                      result: _Outcome) -> None:
        kind = fault.kind if fault is not None else None
        if kind in ("drop_request", "reset"):
            result.outcome, result.error = "lost_request", f"proxy fault {kind}: the request was not forwarded"
            conn.reset() if kind == "reset" else await conn.close()
            return
        if fault is not None and kind in ("rate_limit", "expire_token"):
            status = 429 if kind == "rate_limit" else 401
            made, body = made_up(where, status, retry_after_s=fault.retry_after_s if status == 429 else None)
            result.error = f"proxy fault {kind}: answered {status} without forwarding"
            await self._deliver(conn, request, result, status, list(made.items()), body)
            return
        assert self._client is not None
        try:
            upstream = await forward(self._client, request.method, where.upstream_url, request.headers, request.body)
        except httpx.TimeoutException as exc:
            result.outcome, result.error = "timeout", f"upstream timed out: {exc!r}"
            await self._answer_made_up(conn, request, where, result, 504, "the upstream did not answer in time")
            return
        except httpx.HTTPError as exc:
            result.outcome, result.error = "connection_error", f"upstream unreachable: {exc!r}"
            await self._answer_made_up(conn, request, where, result, 502, "the upstream could not be reached")
            return
        result.upstream = upstream
        if fault is not None and kind == "lose_response":
            result.outcome = "lost_response"
            result.error = f"proxy fault lose_response: the upstream answered {upstream.status}, the system got nothing"
            await conn.close()
            return
        if fault is not None and kind == "error_after_commit":
            made, body = made_up(where, fault.status)
            result.error = f"proxy fault error_after_commit: the upstream answered {upstream.status}"
            await self._deliver(conn, request, result, fault.status, list(made.items()), body)
            return
        if fault is not None and kind == "hold":
            result.error = f"proxy fault hold: the answer was held {fault.hold_s:g} s"
            if await conn.wait_gone(fault.hold_s):
                result.outcome = "lost_response"
                result.error += "; the system closed the connection before it came"
                await conn.close()
                return
        headers = end_to_end(upstream.headers)
        head = request.method.upper() == "HEAD"
        if not head:
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            if upstream.status not in (204, 304) and not 100 <= upstream.status < 200:
                headers.append(("content-length", str(len(upstream.raw_body))))
        await self._deliver(conn, request, result, upstream.status, headers, upstream.raw_body, reason=upstream.reason)

    async def _answer_made_up(self, conn: Connection, request: Request, where: Route, result: _Outcome,
                              status: int, detail: str) -> None:
        headers, body = made_up(where, status, detail=detail)
        await self._deliver(conn, request, result, status, list(headers.items()), body, keep_outcome=True)

    async def _deliver(self, conn: Connection, request: Request, result: _Outcome, status: int,
                       headers: list[tuple[str, str]], body: bytes, *, reason: str = "",
                       keep_outcome: bool = False) -> None:
        try:
            await conn.answer(status, headers, body, reason=reason, head=request.method.upper() == "HEAD")
        except ClientGone:
            if not keep_outcome:
                result.outcome = "lost_response" if result.upstream is not None else "lost_request"
            result.error = (result.error + "; " if result.error else "") + "the system closed the connection first"
            return
        result.delivered_status = status
        result.delivered_headers = _joined(headers)

    def _finish(self, seq: int, arrived: float, request: Request, where: Route, fault: Fault | None,
                result: _Outcome | None) -> None:
        if result is None:
            with self._idle:
                self._in_flight = max(0, self._in_flight - 1)
                self._idle.notify_all()
            return
        headers = _joined(request.headers)
        key_header = KEY_HEADERS.get(where.api)
        key = next((v for k, v in request.headers if k.lower() == key_header), None) if key_header else None
        upstream = result.upstream
        answered = _joined(upstream.headers) if upstream is not None else {}
        request_ids = tuple(answered[name] for name in REQUEST_ID_HEADERS if name in answered)
        with self._lock:
            attempt = 1
            if key is not None:
                slot = (where.api, where.operation, key)
                attempt = self._attempts.get(slot, 0) + 1
                self._attempts[slot] = attempt
            exchange = Exchange(
                api="token" if where.token else where.api, method=request.method, url=where.upstream_url,
                request_headers=headers, request_body=request.body, outcome=result.outcome,
                status=upstream.status if upstream is not None else None,
                response_headers=answered, request_ids=request_ids,
                response_body=upstream.decoded_body() if upstream is not None else b"",
                duration_s=time.monotonic() - arrived, error=result.error, attempt=attempt, idempotency_key=key,
                issuance=where.issuance,
            )
            record = ProxyRecord(seq=seq, api=where.api, operation=where.operation, received_at=arrived,
                                 exchange=exchange, fault=fault.kind if fault is not None else None,
                                 delivered_status=result.delivered_status,
                                 delivered_headers=result.delivered_headers)
            self._records.append(record)
            self._in_flight = max(0, self._in_flight - 1)
            self._idle.notify_all()
        for observer in self._observers:
            with contextlib.suppress(Exception):
                observer(record)


def _joined(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict with lower-case names (as the clients record them); repeated names joined with ", "."""
    out: dict[str, str] = {}
    for name, value in headers:
        name = name.lower()
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ProxyError(f"port {port} on 127.0.0.1 is already in use") from None
        raise ProxyError(f"cannot listen on 127.0.0.1 port {port}: {exc.strerror or exc}") from None
    return sock
