"""Test doubles for the v2 client's unit tests: a scripted fake API over `httpx.MockTransport`."""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from uatcert.events import Exchange

BASE_URL = "https://api.test.invalid/v2"
TOKEN_URL = "https://api.test.invalid/v2/connect/token"
CLIENT_ID = "unit-v2-client"
CLIENT_SECRET = "unit-v2-secret-never-shown"
X_CLIENT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
X_CLIENT_SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
CODE = "UNIVGROCERIESDYNAMIC01"
ORDER = "202208013226"
ISSUE_PATH = f"/v2/catalogs/ETX_001/product_assets/{ORDER}/products/{CODE}/vouchers/actions/request"
CHECK_PATH = "/v2/catalogs/ETX_001/vouchers/actions/check"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def voucher_json(**overrides: Any) -> dict[str, Any]:
    """A voucher object as the documentation's example shows it (reference §5.5)."""
    body: dict[str, Any] = {
        "voucher_ref": "UG5031948826",
        "voucher_settlement_ref": str(uuid.uuid4()),
        "voucher_name": "$61.72 UNIQGIFT Groceries Voucher",
        "status": "Active",
        "expiration_date": "2029-12-31T23:59:59",
        "edenred_url": "https://s.test.invalid/v/Qm7XwP2kT9a",
        "view_code": "4417",
        "display_codes": [],
    }
    body.update(overrides)
    return body


def checked_json(ref: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"expiration_date": "31 Dec 2029", "remaining_value": 61.72,
                            "voucher_settlement_ref": ref, "status": "Active"}
    body.update(overrides)
    return body


def succeeded(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"meta": {"status": "succeeded"}, "data": data}


def failed(code: str, text: str = "refused") -> dict[str, Any]:
    return {"meta": {"status": "failed", "messages": [{"code": code, "level": "error", "text": text}]}}


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def issued(n: int = 1) -> httpx.Response:
    return reply(200, succeeded([voucher_json() for _ in range(n)]))


class FakeApi:
    """Scripted fake of the v2 token endpoint and voucher endpoints; records every request."""

    def __init__(self) -> None:
        self.api_replies: deque[Reply] = deque()
        self.default_api_reply: Reply = lambda request: issued(1)
        self.token_replies: deque[Reply] = deque()
        self.api_requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.expires_in: int | None = 3600

    def queue(self, *replies: Reply) -> None:
        self.api_replies.extend(replies)

    def queue_token(self, *replies: Reply) -> None:
        self.token_replies.extend(replies)

    @staticmethod
    def _answer(item: Reply, request: httpx.Request) -> httpx.Response:
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return item
        return item(request)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if str(request.url) == TOKEN_URL:
            self.token_requests.append(request)
            if self.token_replies:
                return self._answer(self.token_replies.popleft(), request)
            self.tokens_issued += 1
            body: dict[str, Any] = {"access_token": f"{self.tokens_issued:064X}", "token_type": "Bearer",
                                    "scope": "uniqrewards-client-api-v2"}
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            return reply(200, body)
        self.api_requests.append(request)
        item = self.api_replies.popleft() if self.api_replies else self.default_api_reply
        return self._answer(item, request)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Recorder:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def api(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.api == "v2"]


def json_of(request: httpx.Request) -> Any:
    return json.loads(request.content)
