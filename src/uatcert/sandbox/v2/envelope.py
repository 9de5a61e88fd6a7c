"""The v2 envelope on answers made outside the v2 routes (faults, unknown routes, wrong methods)."""

from __future__ import annotations

import dataclasses
import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import FAULT_KEY, dumps
from uatcert.sandbox.v2.codes import ERV1102, ERV1202, METHOD, RATE_LIMITED, ROUTE, SERVER_ERROR, failed_body

PREFIX = "/v2"


class V2EnvelopeMiddleware:
    """
    Outermost middleware: error answers under `/v2/catalogs/` (the voucher endpoints) that were not made by
    the v2 routes (faults injected by the sandbox middleware, unknown routes, wrong methods) are rewritten into the v2
    `failed` envelope: `commit_then_500` -> 500 `ERV1102`, `fail_before_commit` -> 500 `ERV1202`.
    Everything else passes untouched, streamed (a `commit_then_drop` still cuts the connection).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(f"{PREFIX}/catalogs/"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        passing = False

        async def relay(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                if message["status"] < 400:
                    passing = True
                    await send(message)
                else:
                    start = message
            elif message["type"] == "http.response.body" and start is not None:
                if message.get("more_body", False):  # streamed (or cut short on purpose): pass it on as is
                    passing = True
                    await send(start)
                    await send(message)
                    return
                await self._finish(scope, start, message.get("body", b""), send)

        await self.app(scope, receive, relay)

    @staticmethod
    async def _finish(scope: Scope, start: Message, body: bytes, send: Send) -> None:
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        status = start["status"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if not (isinstance(parsed, dict) and "meta" in parsed):
            fault: Fault | None = scope.get(FAULT_KEY)
            kind = fault.spec.kind if fault is not None else None
            code = {"commit_then_500": ERV1102, "fail_before_commit": ERV1202, "rate_limit": RATE_LIMITED}.get(
                kind or "", ROUTE if status == 404 else METHOD if status == 405 else SERVER_ERROR
            )
            note = f"(sandbox fault {kind})" if kind else ""
            body = dumps(failed_body(dataclasses.replace(code, status=status), note))
            correlation = Headers(scope=scope).get("x-correlation-id")
            if correlation and not any(k.lower() == b"x-correlation-id" for k, _ in headers):
                headers.append((b"x-correlation-id", correlation.encode("latin-1")))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
