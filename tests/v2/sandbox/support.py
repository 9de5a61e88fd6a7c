"""Helpers of the v2 sandbox tests: seeded product codes, plain-httpx calls, envelope assertions."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from uatcert.sandbox import (
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    V2_X_CLIENT_ID,
    V2_X_CLIENT_SECRET,
    BackgroundServer,
    SandboxConfig,
)

DYNAMIC, DYNAMIC_ORDER = "UNIVGROCERIESDYNAMIC01", "202208013226"
FIXED, FIXED_ORDER = "MAMVDDMMYY01", "202112172914"
COFFEE, COFFEE_ORDER = "SAMPLECAFE5CUPS01", "202303010001"
CINEMA, CINEMA_ORDER = "TPCINEMA12SGD01", "202303010002"
ACTIVATION, ACTIVATION_ORDER = "ACTIVATE25SGD01", "202303010003"
OTHER = SandboxConfig().v2_clients[1]


class V2:
    """Plain httpx calls against the v2 API of one sandbox."""

    def __init__(self, srv: BackgroundServer, http: httpx.Client) -> None:
        self.base = f"{srv.base_url}/v2"
        self.http = http
        self._tokens: dict[str, str] = {}

    def token_response(self, **form: str) -> httpx.Response:
        data = {"client_id": V2_CLIENT_ID, "client_secret": V2_CLIENT_SECRET, "grant_type": "client_credentials"}
        data.update(form)
        return self.http.post(f"{self.base}/connect/token", data={k: v for k, v in data.items() if v != "-"})

    def token(self, client_id: str = V2_CLIENT_ID, secret: str = V2_CLIENT_SECRET) -> str:
        if client_id not in self._tokens:
            response = self.token_response(client_id=client_id, client_secret=secret)
            assert response.status_code == 200, response.text
            self._tokens[client_id] = response.json()["access_token"]
        return self._tokens[client_id]

    def headers(self, *, token: str | None = None, x_id: str = V2_X_CLIENT_ID, x_secret: str = V2_X_CLIENT_SECRET,
                correlation_id: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token or self.token()}", "X-Client-Id": x_id,
                   "X-Client-Secret": x_secret, "Content-Type": "application/json"}
        if correlation_id is not None:
            headers["X-Correlation-Id"] = correlation_id
        return headers

    def request(self, code: str = DYNAMIC, order: str = DYNAMIC_ORDER, body: Any = None, *,
                product_class: str = "ETX_001", headers: dict[str, str] | None = None,
                correlation_id: str | None = "new", raw: bytes | None = None) -> httpx.Response:
        key = str(uuid.uuid4()) if correlation_id == "new" else correlation_id
        content = raw if raw is not None else json.dumps(
            body if body is not None else {"manual_quantity": 1, "distribution_mode": "manual", "face_value": 50}
        ).encode()
        url = f"{self.base}/catalogs/{product_class}/product_assets/{order}/products/{code}/vouchers/actions/request"
        return self.http.post(url, content=content, headers=headers or self.headers(correlation_id=key))

    def check(self, refs: list[str], *, headers: dict[str, str] | None = None,
              product_class: str = "ETX_001") -> httpx.Response:
        return self.http.post(f"{self.base}/catalogs/{product_class}/vouchers/actions/check",
                              json={"voucher_settlement_refs": refs}, headers=headers or self.headers())


def codes(response: httpx.Response) -> list[str]:
    return [m["code"] for m in response.json()["meta"]["messages"]]


def refs(response: httpx.Response) -> list[str]:
    return [v["voucher_settlement_ref"] for v in response.json()["data"]]


def assert_failed(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["meta"]["status"] == "failed" and "data" not in body
    assert codes(response)[0] == code and all(m["level"] == "error" and m["text"] for m in body["meta"]["messages"])
