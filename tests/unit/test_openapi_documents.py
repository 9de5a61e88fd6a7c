"""The OpenAPI documents the sandbox serves: one per provider API, none of the control API, never an API call."""

from __future__ import annotations

import httpx
import pytest

from uatcert.sandbox import BackgroundServer, SandboxControl

DOCUMENTS = {
    "/v3/openapi.json": {"/oauth2/token", "/v3/products", "/v3/products/{code}", "/v3/vouchers", "/v3/vouchers/{id}"},
    "/v2/openapi.json": {
        "/v2/connect/token",
        "/v2/catalogs/{product_class}/product_assets/{order_number}/products/{product_code}/vouchers/actions/request",
        "/v2/catalogs/{product_class}/vouchers/actions/check",
    },
    "/allsafe/openapi.json": {"/allsafe/availability", "/allsafe/allocate"},
}
SCHEMES = {
    "/v3/openapi.json": {"oauth2": "oauth2", "basic": "http"},
    "/v2/openapi.json": {"bearer": "http", "clientId": "apiKey", "clientSecret": "apiKey"},
    "/allsafe/openapi.json": {"basic": "http"},
}


@pytest.fixture
def served(sandbox_server: BackgroundServer) -> dict[str, dict[str, object]]:
    with httpx.Client(base_url=sandbox_server.base_url) as http:
        return {path: http.get(path).raise_for_status().json() for path in DOCUMENTS}


def test_each_api_has_its_document_and_no_control_path(served: dict[str, dict[str, object]]) -> None:
    for path, document in served.items():
        assert str(document["openapi"]).startswith("3.1"), path
        assert set(document["paths"]) == DOCUMENTS[path]  # type: ignore[arg-type]
        schemes = document["components"]["securitySchemes"]  # type: ignore[index]
        assert {name: scheme["type"] for name, scheme in schemes.items()} == SCHEMES[path]


def test_a_document_request_is_not_an_api_call(sandbox_server: BackgroundServer) -> None:
    with SandboxControl(sandbox_server.base_url) as control, httpx.Client(base_url=sandbox_server.base_url) as http:
        control.reset()
        control.arm_fault("fail_before_commit", method="GET")  # the next GET of any API path
        try:
            assert all(http.get(path).status_code == 200 for path in DOCUMENTS)
            assert http.get("/v3/products").status_code == 500  # the fault was still armed for the first API call
        finally:
            control.reset()
