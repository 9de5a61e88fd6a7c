"""
Reading v3 response bodies: where the success payload sits (`BODY`) and the provider's error objects.

The success envelope is UNDOCUMENTED (reference §4.1): payloads are accepted under `data`, under a
plural member (`vouchers`, `products`, `items`, `results`) or bare. Field paths in validation errors are
JSONPath-like (`$.data[0].status`) and never show the offending value (it may be a voucher code).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from uatcert._http.parsing import BodyReader
from uatcert.v3._exceptions import ResponseValidationError
from uatcert.v3._models import ApiErrorBody

BODY = BodyReader(
    ResponseValidationError,
    list_keys=("data", "vouchers", "products", "items", "results"),
    object_keys=("data", "voucher", "product"),
    nested_data=True,
)
"""How v3 success bodies are read (`BODY.read_list(Product, response)`, ...)."""


def parse_error_body(response: httpx.Response) -> ApiErrorBody | None:
    """The provider's error object, found tolerantly; None when the body holds none. Never raises."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    return error_body_from(body)


def error_body_from(body: Any) -> ApiErrorBody | None:
    """Error object from `{"error": {...}}`, `{"errors": [{...}]}`, `{"code", "message"}` or OAuth style."""
    if not isinstance(body, dict):
        return None
    candidate: Any = None
    error = body.get("error")
    if isinstance(error, dict):
        candidate = error
    elif isinstance(error, str):  # OAuth style: {"error": "invalid_client", "error_description": "..."}
        candidate = {"code": error, "message": body.get("error_description")}
    elif isinstance(body.get("errors"), list) and body["errors"] and isinstance(body["errors"][0], dict):
        candidate = body["errors"][0]
    elif "code" in body or "message" in body:
        candidate = body
    if candidate is None:
        return None
    code = candidate.get("code")
    message = candidate.get("message")
    extra = {k: v for k, v in candidate.items() if k not in ("code", "message") and isinstance(k, str)}
    return ApiErrorBody.model_validate(
        {
            **extra,
            "code": None if code is None else str(code),
            "message": None if message is None else str(message),
        }
    )
