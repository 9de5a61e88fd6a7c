"""ASGI middleware: a provider request id on every response; latency and fault injection on API routes."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from uatcert.sandbox import _errors as codes
from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import FAULT_KEY, REQUEST_ID_KEY, error_response
from uatcert.sandbox._openapi import DOC_PATHS
from uatcert.sandbox._state import SandboxState

_sleep = asyncio.sleep
"""How the injected latency waits (on the event loop: other requests are served meanwhile)."""
_DROP_LOG_MESSAGE = "ASGI callable returned without completing response."
logger = logging.getLogger("uatcert.sandbox")


class _DropLogFilter(logging.Filter):
    """Silences uvicorn's complaint about a response we cut short on purpose (commit_then_drop)."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = 0
        self._lock = threading.Lock()

    def expect_drop(self) -> None:
        with self._lock:
            self._pending += 1

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != _DROP_LOG_MESSAGE:
            return True
        with self._lock:
            if self._pending:
                self._pending -= 1
                return False
        return True


_drop_filter = _DropLogFilter()
logging.getLogger("uvicorn.error").addFilter(_drop_filter)


class SandboxMiddleware:
    """Wraps the routes: request ids for all; latency and armed faults for API routes (never the control API)."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope[REQUEST_ID_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        method, path = scope["method"], scope["path"]
        api = self.state.faults.api_of(path) if path not in DOC_PATHS else None  # a document is no API call
        if api is not None:
            self.state.api_requests[api] = self.state.api_requests.get(api, 0) + 1
            await self._latency()
        fault = self.state.faults.take(api, method, path) if api is not None else None
        if fault is None:
            await self.app(scope, receive, send_with_id)
            return
        scope[FAULT_KEY] = fault
        await self._with_fault(fault, scope, receive, send_with_id)

    async def _latency(self) -> None:
        """The injected network latency of a provider API request (asleep on the event loop, never blocking it)."""
        cfg = self.state.cfg
        if cfg.latency_ms <= 0 and cfg.jitter_ms <= 0:
            return
        delay_ms = cfg.latency_ms + (random.uniform(-cfg.jitter_ms, cfg.jitter_ms) if cfg.jitter_ms else 0.0)
        if delay_ms > 0:
            await _sleep(delay_ms / 1000)

    async def _with_fault(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        spec = fault.spec
        note = f"sandbox fault {spec.kind} #{fault.id}"
        if spec.kind == "rate_limit":
            retry_after = 1 if spec.retry_after is None else spec.retry_after
            response = error_response(codes.RATE_LIMITED, headers={"Retry-After": str(retry_after)})
            await response(scope, receive, send)
        elif spec.kind == "fail_before_commit":
            error = codes.server_error(spec.status or 500)
            await error_response(error, f"{error.message} ({note}: nothing was done)")(scope, receive, send)
        elif spec.kind in ("commit_then_500", "commit_then_drop"):
            status, headers, body = await _run_captured(self.app, scope, receive)
            if spec.kind == "commit_then_500":
                error = codes.server_error(spec.status or 500)
                message = f"{error.message} ({note}: the request was processed)"
                await error_response(error, message)(scope, receive, send)
                return
            logger.info("%s: cutting the %s response short after %d bytes", note, status, len(body) // 2)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            _drop_filter.expect_drop()
            # Returning now leaves the response incomplete: uvicorn closes the connection.
        else:
            if spec.kind == "slow_commit" and not self.state.is_commit_route(scope["method"], scope["path"]):
                await fault.hold(self.state.cfg.slow_commit_s)
            await self.app(scope, receive, send)


async def _run_captured(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run the app to completion, keeping its response instead of sending it."""
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    body = bytearray()

    async def capture(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, capture)
    return status, headers, bytes(body)
