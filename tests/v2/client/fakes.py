"""Test doubles for the v2 client's unit tests: a scripted fake API over `httpx.MockTransport`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests import support
from tests.support import FakeClock as FakeClock
from tests.support import json_of as json_of
from tests.support import reply

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


def issued(n: int = 1) -> httpx.Response:
    return reply(200, succeeded([voucher_json() for _ in range(n)]))


class FakeApi(support.TokenFakeApi):
    """Scripted fake of the v2 token endpoint and voucher endpoints; records every request."""

    token_url = TOKEN_URL

    def __init__(self) -> None:
        super().__init__(lambda request: issued(1))

    def token_body(self) -> dict[str, Any]:
        return {"access_token": f"{self.tokens_issued:064X}", "token_type": "Bearer",
                "scope": "uniqrewards-client-api-v2"}


class Recorder(support.Recorder):
    api_name = "v2"
