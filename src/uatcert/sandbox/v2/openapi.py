"""
The OpenAPI document of the UNIQREWARDS Client API v2 as the sandbox implements it (reference
`uniqrewards-api-v2.md`), served at `GET /v2/openapi.json`.

Paths are given from the sandbox root (the real API's base is `https://{environment}/v2`). Every voucher call
carries the bearer token and the X-Client-Id/X-Client-Secret pair (§3.1). Elements marked `x-undocumented`
are the reference's proposals, which the sandbox implements (`SIM-` codes are invented).
"""

from __future__ import annotations

from typing import Any

from uatcert.sandbox._openapi import (
    FORM,
    OPENAPI_VERSION,
    answer,
    content,
    document_route,
    header,
    info,
    obj,
    ref,
)
from uatcert.sandbox.v2.control import PREFIX, PRODUCT_CLASS, TOKEN_PATH
from uatcert.sandbox.v2.routes import MAX_QUANTITY, MAX_REFS

DOC_PATH = f"{PREFIX}/openapi.json"
_VOUCHERS: list[dict[str, list[str]]] = [{"bearer": [], "clientId": [], "clientSecret": []}]
_CORRELATION = {"X-Correlation-Id": header("the request's X-Correlation-Id, echoed")}


def _failed(description: str, *, undocumented: bool = True) -> dict[str, Any]:
    return answer(description, ref("Failed"), headers=_CORRELATION, undocumented=undocumented)


def _auth_errors() -> dict[str, Any]:
    return {
        "401": _failed("bearer token, or X-Client-Id/X-Client-Secret, missing or wrong (SIM-AUTH-TOKEN, "
                       "SIM-AUTH-CLIENT; §3.5)"),
        "403": _failed("the token and the X-Client-Id belong to different clients (SIM-AUTH-MISMATCH)"),
    }


_MESSAGE = obj({"code": {"type": "string", "minLength": 1}, "level": {"type": "string"}, "text": {"type": "string"}},
               ("code", "text"))

_SCHEMAS: dict[str, Any] = {
    "Message": _MESSAGE,
    "Failed": obj(
        {"meta": obj({"status": {"const": "failed"},
                      "messages": {"type": "array", "minItems": 1, "items": ref("Message")}}, ("status", "messages"))},
        ("meta",),
    ),
    "Succeeded": obj({"status": {"const": "succeeded"}}, ("status",)),
    "IssuedVoucher": obj(
        {
            "voucher_ref": {"type": "string"},
            "voucher_settlement_ref": {"type": "string", "minLength": 1},
            "voucher_name": {"type": "string"},
            "status": {"type": "string", "enum": ["Active", "Inactive", "Expired", "Trashed", "Used"]},
            "expiration_date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"},
            "edenred_url": {"type": "string"},
            "view_code": {"type": "string"},
            "display_codes": {"type": "array", "items": {"type": "string"}},
            "pin_code": {"type": "string", "x-undocumented": True},
        },
        ("voucher_ref", "voucher_settlement_ref", "voucher_name", "status", "expiration_date"),
    ),
    "CheckedVoucher": obj(
        {
            "voucher_settlement_ref": {"type": "string"},
            "status": {"type": "string", "enum": ["Active", "Inactive", "Expired", "Trashed", "Used"]},
            "expiration_date": {"type": "string", "pattern": r"^\d{2} [A-Z][a-z]{2} \d{4}$"},
            "remaining_value": {"type": "number", "minimum": 0},
        },
        ("voucher_settlement_ref", "status", "expiration_date", "remaining_value"),
    ),
    "Issued": obj({"meta": ref("Succeeded"), "data": {"type": "array", "items": ref("IssuedVoucher")}},
                  ("meta", "data")),
    "Checked": obj({"meta": ref("Succeeded"), "data": {"type": "array", "items": ref("CheckedVoucher")}},
                   ("meta", "data")),
    "RequestVouchers": obj(
        {
            "manual_quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
            "distribution_mode": {"type": "string", "enum": ["manual"]},
            "face_value": {"description": "SGD, a number from 1 to 1000 with at most 2 decimals, for dynamic "
                                          "value-based products (SIM-FV-*); ignored for the other products (§5.4, "
                                          "lenient)"},
        },
        ("manual_quantity",),
    ),
    "CheckVouchers": obj(
        {"voucher_settlement_refs": {"type": "array", "minItems": 1, "maxItems": MAX_REFS,
                                     "items": {"type": "string"}}},
        ("voucher_settlement_refs",),
    ),
    "TokenRequest": obj(
        {
            "client_id": {"type": "string", "minLength": 1},
            "client_secret": {"type": "string", "minLength": 1},
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            "scope": {"type": "string"},
        },
        ("client_id", "client_secret", "grant_type"),
    ),
    "Token": obj(
        {"access_token": {"type": "string", "minLength": 1}, "expires_in": {"type": "integer", "minimum": 0},
         "token_type": {"type": "string"}, "scope": {"type": "string"}},
        ("access_token",),
    ),
    "OAuthError": obj({"error": {"type": "string"}, "error_description": {"type": "string"}}, ("error",)),
}

_CLASS = {"name": "product_class", "in": "path", "required": True,
          "schema": {"type": "string", "enum": [PRODUCT_CLASS]}, "description": "always ETX_001"}

DOCUMENT: dict[str, Any] = {
    "openapi": OPENAPI_VERSION,
    "info": info("UNIQREWARDS Client API v2", "Request Vouchers and Check Vouchers (reference §5, §6)."),
    "servers": [{"url": "/"}],
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": f"a token from {TOKEN_PATH}"},
            "clientId": {"type": "apiKey", "in": "header", "name": "X-Client-Id"},
            "clientSecret": {"type": "apiKey", "in": "header", "name": "X-Client-Secret"},
        },
    },
    "paths": {
        TOKEN_PATH: {"post": {
            "operationId": "token",
            "summary": "Client-credentials token (§3.2); credentials in the form body",
            "security": [],
            "requestBody": {"required": True, "content": content(ref("TokenRequest"), FORM)},
            "responses": {
                "200": answer("a bearer token (opaque)", ref("Token")),
                "400": answer("refused (RFC 6749 §5.2)", ref("OAuthError"), undocumented=True),
                "401": answer("HTTP Basic client authentication failed", ref("OAuthError"), undocumented=True),
            },
        }},
        f"{PREFIX}/catalogs/{{product_class}}/product_assets/{{order_number}}/products/{{product_code}}"
        "/vouchers/actions/request": {"post": {
            "operationId": "requestVouchers",
            "security": _VOUCHERS,
            "parameters": [
                _CLASS,
                {"name": "order_number", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "the product's order number (catalogue file)", "example": "202112172914"},
                {"name": "product_code", "in": "path", "required": True, "schema": {"type": "string"},
                 "example": "MAMVDDMMYY01"},
                {"name": "X-Correlation-Id", "in": "header", "required": False,
                 "schema": {"type": "string", "pattern": "^[\\x20-\\x7e]{1,128}$"},
                 "description": "idempotency key of the issuance (§9)"},
            ],
            "requestBody": {"required": True, "content": content(ref("RequestVouchers"))},
            "responses": {
                "200": answer("the vouchers issued (or the replay of the X-Correlation-Id)", ref("Issued"),
                              headers=_CORRELATION),
                "400": _failed("body, manual_quantity, distribution_mode, face_value, stock or X-Correlation-Id "
                               "invalid (SIM-*)"),
                **_auth_errors(),
                "404": _failed("unknown product class, product code or order number (SIM-CLASS, SIM-PRODUCT, "
                               "SIM-ORDER)"),
                "409": _failed("X-Correlation-Id used with another request, or still in progress"),
                "500": _failed("ERV1102 / ERV1202: vouchers may exist, recover with the same X-Correlation-Id",
                               undocumented=False),
            },
        }},
        f"{PREFIX}/catalogs/{{product_class}}/vouchers/actions/check": {"post": {
            "operationId": "checkVouchers",
            "security": _VOUCHERS,
            "parameters": [_CLASS],
            "requestBody": {"required": True, "content": content(ref("CheckVouchers"))},
            "responses": {
                "200": answer("the statuses, in the order asked", ref("Checked")),
                "400": _failed("body invalid, no ref, or more than 20 (SIM-BODY, SIM-REFS-*)"),
                **_auth_errors(),
                "404": _failed("unknown product class, or a ref unknown to the caller (SIM-REF-NOT-FOUND)"),
            },
        }},
    },
}

ROUTES = [document_route(DOC_PATH, DOCUMENT)]
