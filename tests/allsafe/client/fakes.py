"""Test doubles for the AllSafe client's unit tests: a scripted fake API over `httpx.MockTransport`."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from tests.support import Recorder as Recorder
from uatcert.events import IssuanceHook, IssueIntent, IssueOutcome

BASE_URL = "https://allsafe.test.invalid"
USERNAME = "integration-7"
PASSWORD = "pa55-w0rd-allsafe"
VOUCHER = {
    "id": "b1d7c3e2-5a8f-4c1e-9d2a-0f6e4b7a9c11", "vendor": "ExampleMart", "value": 50,
    "code": "EXM-4K9P-77QZ-2M1D", "pin": "8831", "serialNumber": "000123456789",
    "expiryDate": "2099-06-30T23:59:59+02:00", "reference": "order-7f3c2a",
}
AVAILABILITY = [
    {"vendor": "ExampleMart", "value": 50, "remaining": 120},
    {"vendor": "ExampleMart", "value": 100, "remaining": 8},
    {"vendor": "FuelCo", "value": 200.0, "remaining": 1},
]

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def reply(status: int, body: Any = None, *, headers: dict[str, str] | None = None, text: str | None = None
          ) -> httpx.Response:
    """A canned response: JSON for a body, raw text for `text`, nothing otherwise."""
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def problem(status: int, title: str, detail: str, **extra: Any) -> httpx.Response:
    body = {"status": status, "title": title, "detail": detail, **extra}
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"Content-Type": "application/problem+json"})


class FakeApi:
    """Answers each request from a per-route queue (`METHOD /path`), else from a default; records requests."""

    def __init__(self) -> None:
        self.queues: dict[str, deque[Reply]] = {}
        self.defaults: dict[str, Reply] = {
            "GET /availability": reply(200, AVAILABILITY),
            "POST /allocate": reply(200, VOUCHER),
        }
        self.requests: list[httpx.Request] = []

    def script(self, route: str, *replies: Reply) -> None:
        self.queues.setdefault(route, deque()).extend(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        route = f"{request.method} {request.url.path}"
        queue = self.queues.get(route)
        answer: Reply | None = queue.popleft() if queue else self.defaults.get(route)
        if answer is None:
            return reply(404, {"title": "no such route"})
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def bodies(self, route: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if f"{r.method} {r.url.path}" == route and r.content]

    def count(self, route: str) -> int:
        return sum(1 for r in self.requests if f"{r.method} {r.url.path}" == route)


class HookSpy(IssuanceHook):
    """Keeps what an issuance hook is told."""

    def __init__(self) -> None:
        self.intents: list[IssueIntent] = []
        self.outcomes: list[IssueOutcome] = []

    def before(self, intent: IssueIntent) -> None:
        self.intents.append(intent)

    def after(self, outcome: IssueOutcome) -> None:
        self.outcomes.append(outcome)
