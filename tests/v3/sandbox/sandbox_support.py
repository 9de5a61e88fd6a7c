"""Helpers for the sandbox tests: product codes of the seeded catalogue and a plain-httpx API caller."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from uatcert.sandbox import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    READONLY_CLIENT_ID,
    READONLY_CLIENT_SECRET,
    BackgroundServer,
    SandboxControl,
)

FULL = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
READONLY = (READONLY_CLIENT_ID, READONLY_CLIENT_SECRET)
FIXED = "MAMVDDMMYY01"
OPEN = "UNIVGROCERIESDYNAMIC01"
OPEN_MULTI = "UNIVDININGDYNAMIC01"
GIFT_CARD = "SUV050ECARD03"
COFFEE = "SAMPLECAFE5CUPS01"
DINNER = "SAMPLEDINNER2PAX01"
THIRD_PARTY = "TPCINEMA12SGD01"
LIMITED = "LTDBOOKS20SGD01"
ACTIVATION = "ACTIVATE25SGD01"


class Api:
    """Plain httpx calls against one sandbox, with a token per client minted on first use."""

    def __init__(self, srv: BackgroundServer, ctl: SandboxControl, http: httpx.Client) -> None:
        self.srv = srv
        self.ctl = ctl
        self.http = http
        self._tokens: dict[tuple[str, str], str] = {}

    def token_response(self, auth: tuple[str, str] | None = FULL, **form: str) -> httpx.Response:
        data = {"grant_type": "client_credentials", **form}
        return self.http.post(self.srv.token_url, auth=auth, data=data)

    def token(self, auth: tuple[str, str] = FULL, scope: str | None = None) -> str:
        if scope is not None:
            response = self.token_response(auth, scope=scope)
            assert response.status_code == 200, response.text
            return str(response.json()["access_token"])
        if auth not in self._tokens:
            response = self.token_response(auth)
            assert response.status_code == 200, response.text
            self._tokens[auth] = response.json()["access_token"]
        return self._tokens[auth]

    def get(self, path: str, *, token: str | None = None, auth: tuple[str, str] = FULL, **kw: Any) -> httpx.Response:
        bearer = token if token is not None else self.token(auth)
        return self.http.get(self.srv.v3_base_url + path, headers={"Authorization": f"Bearer {bearer}"}, **kw)

    def issue(
        self,
        code: str,
        body: Any = None,
        *,
        key: str | None = "new",
        token: str | None = None,
        auth: tuple[str, str] = FULL,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST /products/{code}; key "new" = a fresh UUID, None = no header."""
        hdrs = {"Authorization": f"Bearer {token if token is not None else self.token(auth)}"}
        if key is not None:
            hdrs["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
        hdrs.update(headers or {})
        if content is None and body is not None:
            content = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        return self.http.post(f"{self.srv.v3_base_url}/products/{code}", headers=hdrs, content=content)


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    return str(body["error"]["code"])


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert error_code(response) == code, response.text
    assert response.json()["error"]["message"]


def product(**overrides: Any) -> dict[str, Any]:
    """A valid fixed value-based product, with overrides."""
    base = {
        "code": "P1",
        "name": "$10 Test Voucher",
        "description": "",
        "currency": "SGD",
        "face_value": 1000,
        "is_value_based": True,
        "is_open_value": False,
        "is_status_available": True,
        "is_multiple_use": False,
    }
    base.update(overrides)
    return base
