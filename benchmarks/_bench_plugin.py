"""A pytest plugin the benchmarks load into the suite's pytest process (`-p _bench_plugin`, with this folder
on PYTHONPATH). Bench-only, never part of a certification:

- `UATCERT_BENCH_COUNTS=FILE`: before the run's sandbox stops, write how many provider API requests it
  served ({api: count}), the throttle's peak of requests in flight and the calls made ahead (JSON);
- `UATCERT_BENCH_RECORD=FILE`: record every request the embedded sandbox received, in order of arrival
  (method, path, query, headers, body) with the answer (status, body), as JSON lines, for the replay of
  `bench_overhead.py`.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from uatcert import sandbox
from uatcert.suite.runtime import runtime_of

_records: list[dict[str, Any]] = []


class _Recorder:
    """ASGI wrapper of the sandbox app: keeps each request and its answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record: dict[str, Any] = {"method": scope["method"], "path": scope["path"],
                                  "query": scope["query_string"].decode("latin-1"),
                                  "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
                                  "body": b"", "status": None, "response": b""}
        _records.append(record)

        async def receiving() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                record["body"] += message.get("body", b"")
            return message

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                record["status"] = message["status"]
            elif message["type"] == "http.response.body":
                record["response"] += message.get("body", b"")
            await send(message)

        await self.app(scope, receiving, sending)


_original_create_app = sandbox.create_app


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("UATCERT_BENCH_RECORD"):
        sandbox.create_app = lambda cfg=None: _Recorder(_original_create_app(cfg))  # type: ignore[assignment]


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    runtime = runtime_of(config)
    counts = os.environ.get("UATCERT_BENCH_COUNTS")
    if counts:
        requests = dict(runtime.sandbox_server().app.state.sandbox.api_requests)  # type: ignore[attr-defined]
        figures = {"requests": requests, "peak_in_flight": runtime.throttle.peak,
                   "dispatched_ahead": runtime.ahead.dispatched}
        Path(counts).write_text(json.dumps(figures), encoding="utf-8")
    record = os.environ.get("UATCERT_BENCH_RECORD")
    if record:
        with Path(record).open("w", encoding="utf-8") as out:
            for item in _records:
                out.write(json.dumps({**item, "body": base64.b64encode(item["body"]).decode(),
                                      "response": base64.b64encode(item["response"]).decode()}) + "\n")
