"""Test doubles for the v3 client's unit tests: a scripted fake API over `httpx.MockTransport`."""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from uatcert.events import Exchange
from uatcert.v3 import V3Client

BASE_URL = "https://api.test.invalid/v3"
TOKEN_URL = "https://auth.test.invalid/oauth2/token"
CLIENT_ID = "unit-client"
CLIENT_SECRET = "unit-secret-never-shown"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def voucher_json(**overrides: Any) -> dict[str, Any]:
    """A voucher object as the reference documents it (§7.1)."""
    body: dict[str, Any] = {
        "voucher_code": "UG2884133732",
        "voucher_id": str(uuid.uuid4()),
        "name": "$50 UNIQGIFT Groceries Voucher",
        "status": "active",
        "expiration": "2030-10-12T22:59:59+00:00",
        "currency": "SGD",
        "remaining_amount": 5000,
        "product_code": "UNIVGROCERIESDYNAMIC01",
        "product_name": "${FV} UNIQGIFT Groceries Voucher",
        "is_value_based": True,
        "is_status_available": True,
        "is_multiple_use": False,
        "url": "https://vouchers.test.invalid/v/abc",
        "short_url": "https://s.test.invalid/v/AMJSHc0M2d0",
        "short_url_pin": "2708",
    }
    body.update(overrides)
    return body


def product_json(**overrides: Any) -> dict[str, Any]:
    """A product object per the reference's proposal (§6.1)."""
    body: dict[str, Any] = {
        "code": "UNIVGROCERIESDYNAMIC01",
        "name": "${FV} UNIQGIFT Groceries Voucher",
        "description": "Groceries",
        "currency": "SGD",
        "face_value": None,
        "is_value_based": True,
        "is_open_value": True,
        "is_status_available": True,
        "is_multiple_use": False,
    }
    body.update(overrides)
    return body


def error_json(code: str, message: str = "refused") -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    """A canned response (JSON body unless bytes)."""
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


class FakeApi:
    """Scripted fake of the token endpoint and the v3 API; records every request it receives."""

    def __init__(self) -> None:
        self.api_replies: deque[Reply] = deque()
        self.default_api_reply: Reply = lambda request: reply(200, {"data": []})
        self.token_replies: deque[Reply] = deque()
        self.api_requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.expires_in: int | None = 3600

    def queue(self, *replies: Reply) -> None:
        """Answer the next API requests with these, in order (then `default_api_reply`)."""
        self.api_replies.extend(replies)

    def queue_token(self, *replies: Reply) -> None:
        self.token_replies.extend(replies)

    def _answer(self, item: Reply, request: httpx.Request) -> httpx.Response:
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
            body: dict[str, Any] = {"access_token": f"token-{self.tokens_issued}", "token_type": "Bearer"}
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            return reply(200, body)
        self.api_requests.append(request)
        item = self.api_replies.popleft() if self.api_replies else self.default_api_reply
        return self._answer(item, request)

    def bearer_tokens(self) -> list[str]:
        return [r.headers.get("authorization", "") for r in self.api_requests]


class FakeClock:
    """An injectable monotonic clock that only moves when told."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Recorder:
    """Observer that keeps every exchange."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def api(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.api == "v3"]


def json_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


MakeClient = Callable[..., V3Client]
