"""
The OpenAPI document of the UNIQREWARDS Client API v3 as the sandbox implements it (reference
`uniqrewards-api-v3.md`), served at `GET /v3/openapi.json`.

Paths are given from the sandbox root (the real API's base is `https://{environment}/v3`; its token
endpoint lives on a separate auth service). Elements marked `x-undocumented` are the reference's
proposals, which the sandbox implements.
"""

from __future__ import annotations

from typing import Any

from uatcert.sandbox._openapi import (
    FORM,
    OPENAPI_VERSION,
    Schema,
    answer,
    content,
    document_route,
    header,
    info,
    obj,
    ref,
)
from uatcert.sandbox.v3.routes import FACE_VALUE_RANGE, MAX_BATCH, MAX_QUANTITY

DOC_PATH = "/v3/openapi.json"
SCOPE_PREFIX = "client_v3_uat/"
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

def _error(description: str, *, undocumented: bool = False) -> dict[str, Any]:
    return answer(description, ref("Error"), undocumented=undocumented)


def _auth_errors() -> dict[str, Any]:
    return {
        "401": _error("missing, malformed, invalid or expired bearer token (§3.5)", undocumented=True),
        "403": _error("the token lacks the operation's scope (§3.5)", undocumented=True),
    }


def _secured(scope: str) -> list[dict[str, list[str]]]:
    return [{"oauth2": [SCOPE_PREFIX + scope]}]


_SCHEMAS: dict[str, Schema] = {
    "ErrorObject": obj(
        {"code": {"type": "string", "pattern": "^[0-9]{3}-[0-9A-F]{3}$"}, "message": {"type": "string"}}, ("code",),
    ),
    "Error": obj({"error": ref("ErrorObject")}, ("error",)),
    "Product": obj(
        {
            "code": {"type": "string", "minLength": 1},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "currency": {"type": "string", "description": "3-letter code for value-based products, \"\" otherwise"},
            "face_value": {"type": ["integer", "null"], "minimum": 1,
                           "description": "cents (value-based) or items (product-based); null for open-value"},
            "is_value_based": {"type": "boolean"},
            "is_open_value": {"type": "boolean"},
            "is_status_available": {"type": "boolean"},
            "is_multiple_use": {"type": "boolean"},
            "available_stock": {"type": "integer", "minimum": 0, "x-undocumented": True,
                                "description": "stock left, on limited-stock products only"},
        },
        ("code", "name", "is_value_based", "is_open_value", "is_status_available", "is_multiple_use"),
    ),
    "Voucher": obj(
        {
            "voucher_code": {"type": "string"},
            "voucher_id": {"type": "string", "pattern": UUID_PATTERN},
            "name": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "inactive", "expired", "voided", "used"]},
            "expiration": {"type": "string", "format": "date-time"},
            "currency": {"type": "string"},
            "remaining_amount": {"type": "integer", "minimum": 0},
            "product_code": {"type": "string"},
            "product_name": {"type": "string"},
            "is_value_based": {"type": "boolean"},
            "is_status_available": {"type": "boolean"},
            "is_multiple_use": {"type": "boolean"},
            "url": {"type": "string"},
            "short_url": {"type": "string"},
            "short_url_pin": {"type": ["string", "integer"], "x-undocumented": True},
        },
        ("voucher_code", "voucher_id", "name", "status", "expiration", "currency", "remaining_amount",
         "product_code", "product_name", "is_value_based", "is_status_available", "is_multiple_use", "url"),
    ),
    "ProductList": obj({"data": {"type": "array", "items": ref("Product")}}, ("data",)),
    "ProductOne": obj({"data": ref("Product")}, ("data",)),
    "VoucherList": obj({"data": {"type": "array", "items": ref("Voucher")}}, ("data",)),
    "VoucherOne": obj({"data": ref("Voucher")}, ("data",)),
    "PartialIssuance": obj({"data": {"type": "array", "items": ref("Voucher")}, "error": ref("ErrorObject")},
                           ("data", "error")),
    "IssueRequest": obj(
        {
            "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
            "face_value": {"type": "integer", "minimum": FACE_VALUE_RANGE[0], "maximum": FACE_VALUE_RANGE[1],
                           "description": "cents; required for open-value products only"},
        },
        ("quantity",),
    ),
    "TokenRequest": obj(
        {
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            "scope": {"type": "string", "description": "space-separated scopes; omitted: all the client's"},
        },
        ("grant_type",),
    ),
    "Token": obj(
        {"access_token": {"type": "string", "minLength": 1}, "expires_in": {"type": "integer", "minimum": 0},
         "token_type": {"type": "string"}},
        ("access_token",),
    ),
    "OAuthError": obj(
        {"error": {"type": "string", "enum": ["invalid_client", "invalid_request", "unsupported_grant_type",
                                              "invalid_scope", "unauthorized_client"]},
         "error_description": {"type": "string"}},
        ("error",),
    ),
}

_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "product code from the caller's catalogue", "example": "MAMVDDMMYY01"}

DOCUMENT: dict[str, Any] = {
    "openapi": OPENAPI_VERSION,
    "info": info("UNIQREWARDS Client API v3", "Catalogue, issuance and voucher retrieval (reference §5)."),
    "servers": [{"url": "/"}],
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {
            "oauth2": {"type": "oauth2", "flows": {"clientCredentials": {
                "tokenUrl": "/oauth2/token",
                "scopes": {SCOPE_PREFIX + s: s for s in ("read_catalogue", "issue_vouchers", "read_vouchers")},
            }}},
            "basic": {"type": "http", "scheme": "basic", "description": "client_id:client_secret (token endpoint)"},
        },
    },
    "paths": {
        "/oauth2/token": {"post": {
            "operationId": "token",
            "summary": "Client-credentials token (§3.2)",
            "security": [{"basic": []}],
            "requestBody": {"required": True, "content": content(ref("TokenRequest"), FORM)},
            "responses": {
                "200": answer("a bearer token", ref("Token"), headers={"Cache-Control": header("no-store")}),
                "400": answer("refused (RFC 6749 §5.2)", ref("OAuthError"), undocumented=True),
            },
        }},
        "/v3/products": {"get": {
            "operationId": "retrieveProducts",
            "security": _secured("read_catalogue"),
            "responses": {
                "200": answer("the caller's catalogue", ref("ProductList")),
                **_auth_errors(),
                "404": _error("no product is configured for this client", undocumented=True),
            },
        }},
        "/v3/products/{code}": {
            "get": {
                "operationId": "retrieveProduct",
                "security": _secured("read_catalogue"),
                "parameters": [_CODE],
                "responses": {
                    "200": answer("the product", ref("ProductOne")),
                    **_auth_errors(),
                    "404": _error("unknown product code"),
                },
            },
            "post": {
                "operationId": "issueVouchers",
                "security": _secured("issue_vouchers"),
                "parameters": [
                    _CODE,
                    {"name": "Idempotency-Key", "in": "header", "required": True,
                     "schema": {"type": "string", "pattern": UUID_PATTERN}, "description": "a UUID (400-9A0, 400-BB4)"},
                ],
                "requestBody": {"required": True, "content": content(ref("IssueRequest"))},
                "responses": {
                    "200": answer("every voucher issued (or the idempotent replay)", ref("VoucherList"), headers={
                        "Idempotency-Record": header("present only on a replay from the idempotency cache"),
                    }),
                    "207": answer("only part issued (207-762)", ref("PartialIssuance")),
                    "400": _error("400-056, 400-0C6, 400-4C3, 400-5DC, 400-9A0, 400-BB4"),
                    **_auth_errors(),
                    "404": _error("unknown product code", undocumented=True),
                    "409": _error("the Idempotency-Key is still in flight", undocumented=True),
                    "422": _error("the Idempotency-Key was used with another request", undocumented=True),
                    "500": _error("internal error; recover with the same Idempotency-Key"),
                },
            },
        },
        "/v3/vouchers": {"get": {
            "operationId": "retrieveVouchers",
            "security": _secured("read_vouchers"),
            "parameters": [{
                "name": "id", "in": "query", "required": True, "style": "form", "explode": False,
                "schema": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "uniqueItems": True,
                           "items": {"type": "string", "pattern": UUID_PATTERN}},
                "description": "1-20 unique voucher ids, comma-separated (400-215, 400-67B, 400-B32)",
            }],
            "responses": {
                "200": answer("the vouchers, in the order asked", ref("VoucherList")),
                "400": _error("400-215, 400-67B, 400-B32; id missing (placeholder code)"),
                **_auth_errors(),
                "404": _error("an id is unknown to the caller (all or nothing)", undocumented=True),
            },
        }},
        "/v3/vouchers/{id}": {"get": {
            "operationId": "retrieveVoucher",
            "security": _secured("read_vouchers"),
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": UUID_PATTERN}, "description": "voucher_id"}],
            "responses": {
                "200": answer("the voucher's current state", ref("VoucherOne")),
                "400": _error("the id is not a UUID", undocumented=True),
                **_auth_errors(),
                "404": _error("unknown voucher id"),
            },
        }},
    },
}

ROUTES = [document_route(DOC_PATH, DOCUMENT)]
