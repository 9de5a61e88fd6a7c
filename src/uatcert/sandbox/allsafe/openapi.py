"""
The OpenAPI document of the AllSafe Redemption API as the sandbox implements it (reference `allsafe-api.md`),
served at `GET /allsafe/openapi.json` and, marked as simulated, at `GET /allsafe/docs` (§3.3).

Only `/availability` and the status table are documented by AllSafe; the allocate call, the bodies and the
error bodies are the reference's proposals (`x-undocumented`). Paths are given from the sandbox root.
"""

from __future__ import annotations

from typing import Any

from uatcert.sandbox._config import ALLSAFE_PREFIX
from uatcert.sandbox._openapi import OPENAPI_VERSION, answer, content, document_route, info, obj, ref
from uatcert.sandbox.allsafe.codes import TITLES

DOC_PATH = f"{ALLSAFE_PREFIX}/openapi.json"
SIMULATED_DOC_PATH = f"{ALLSAFE_PREFIX}/docs"
PROBLEM = "application/problem+json"


def _refusal(status: int, *, undocumented_body: bool = True) -> dict[str, Any]:
    return answer(f"{status} {TITLES[status]}", ref("Problem"), media_type=PROBLEM, undocumented=undocumented_body)


_SCHEMAS: dict[str, Any] = {
    "Problem": obj(
        {"status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"},
         "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}},
        ("status", "title"),
    ),
    "VoucherType": obj(
        {"vendor": {"type": "string"}, "value": {"type": "number", "exclusiveMinimum": 0},
         "remaining": {"type": "integer", "minimum": 0}},
        ("vendor", "value", "remaining"),
    ),
    "Availability": {"type": "array", "items": ref("VoucherType")},
    "AllocateRequest": obj(
        {"vendor": {"type": "string", "minLength": 1, "pattern": "\\S"},
         "value": {"type": "number", "exclusiveMinimum": 0},
         "reference": {"type": ["string", "null"], "description": "the caller's own id; null: as if absent"}},
        ("vendor", "value"),
    ) | {"example": {"vendor": "ExampleMart", "value": 50, "reference": "order-7f3c2a"}},
    "Voucher": obj(
        {
            "id": {"type": "string", "minLength": 1},
            "vendor": {"type": "string"},
            "value": {"type": "number"},
            "code": {"type": "string", "minLength": 1},
            "pin": {"type": ["string", "null"]},
            "serialNumber": {"type": ["string", "null"]},
            "expiryDate": {"type": ["string", "null"], "format": "date-time"},
            "reference": {"type": ["string", "null"]},
        },
        ("id", "vendor", "value", "code"),
    ),
}

DOCUMENT: dict[str, Any] = {
    "openapi": OPENAPI_VERSION,
    "info": info("AllSafe Redemption API", "Availability and the allocation of one voucher, per campaign "
                 "(the credentials name the integration, hence the campaign). SIMULATED: the real /docs was "
                 "never seen."),
    "x-simulated": True,
    "servers": [{"url": "/"}],
    "components": {"schemas": _SCHEMAS,
                   "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
    "security": [{"basic": []}],
    "paths": {
        f"{ALLSAFE_PREFIX}/availability": {"get": {
            "operationId": "availability",
            "responses": {
                "200": answer("the voucher types left to the campaign", ref("Availability"), undocumented=True),
                "204": answer("nothing available (proposed)", undocumented=True),
                "401": _refusal(401),
                "491": _refusal(491),
                "492": _refusal(492),
            },
        }},
        f"{ALLSAFE_PREFIX}/allocate": {"post": {
            "operationId": "allocate",
            "x-undocumented": True,
            "requestBody": {"required": True, "content": content(ref("AllocateRequest"))},
            "responses": {
                "200": answer("one voucher allocated (stock consumed)", ref("Voucher"), undocumented=True),
                "401": _refusal(401),
                "491": _refusal(491),
                "492": _refusal(492),
                "495": _refusal(495),
                "496": _refusal(496),
            },
        }},
    },
}

ROUTES = [document_route(DOC_PATH, DOCUMENT), document_route(SIMULATED_DOC_PATH, DOCUMENT)]
