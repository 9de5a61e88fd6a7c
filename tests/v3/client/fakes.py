"""Test doubles for the v3 client's unit tests: a scripted fake API over `httpx.MockTransport`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests import support
from tests.support import FakeClock as FakeClock
from tests.support import json_of as json_of
from tests.support import reply
from uatcert.v3 import V3Client

BASE_URL = "https://api.test.invalid/v3"
TOKEN_URL = "https://auth.test.invalid/oauth2/token"
CLIENT_ID = "unit-client"
CLIENT_SECRET = "unit-secret-never-shown"


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


class FakeApi(support.TokenFakeApi):
    """Scripted fake of the token endpoint and the v3 API; records every request it receives."""

    token_url = TOKEN_URL

    def __init__(self) -> None:
        super().__init__(lambda request: reply(200, {"data": []}))

    def token_body(self) -> dict[str, Any]:
        return {"access_token": f"token-{self.tokens_issued}", "token_type": "Bearer"}

    def bearer_tokens(self) -> list[str]:
        return [r.headers.get("authorization", "") for r in self.api_requests]


class Recorder(support.Recorder):
    """Observer that keeps every exchange."""

    api_name = "v3"


MakeClient = Callable[..., V3Client]
