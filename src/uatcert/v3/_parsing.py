"""
Reading response bodies: JSON decoding, the success envelope, error objects and model validation.

The success envelope is UNDOCUMENTED (reference §4.1): payloads are accepted under `data`, under a
plural member (`vouchers`, `products`, `items`, `results`) or bare. Field paths in validation errors are
JSONPath-like (`$.data[0].status`) and never show the offending value (it may be a voucher code).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from uatcert.v3._exceptions import ResponseValidationError
from uatcert.v3._models import ApiErrorBody

ModelT = TypeVar("ModelT", bound=BaseModel)

_LIST_KEYS: tuple[str, ...] = ("data", "vouchers", "products", "items", "results")
_OBJECT_KEYS: tuple[str, ...] = ("data", "voucher", "product")


def _where(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path} -> {response.status_code}"


def decode_json(response: httpx.Response) -> Any:
    """The decoded JSON body; `ResponseValidationError` if it is not JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "no content type")
        raise ResponseValidationError(
            f"{_where(response)}: body is not JSON ({kind}, {len(response.content)} bytes)",
            errors=[("$", "not JSON")],
            response=response,
        ) from None


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


def locate_list(body: Any, response: httpx.Response) -> tuple[str, list[Any]]:
    """(path, items) of a list payload: bare array, or under `data` (possibly nested once) or a plural key."""
    if isinstance(body, list):
        return "$", body
    if isinstance(body, dict):
        for key in _LIST_KEYS:
            value = body.get(key)
            if isinstance(value, list):
                return f"$.{key}", value
            if key == "data" and isinstance(value, dict):
                for inner in _LIST_KEYS[1:]:
                    if isinstance(value.get(inner), list):
                        return f"$.data.{inner}", value[inner]
    raise ResponseValidationError(
        f"{_where(response)}: no list of items in the body (looked for a bare array and {', '.join(_LIST_KEYS)})",
        errors=[("$", "expected an array or an object holding one")],
        response=response,
    )


def locate_object(body: Any, response: httpx.Response) -> tuple[str, dict[str, Any]]:
    """(path, object) of a single-object payload: under `data` (or `voucher`/`product`), or bare."""
    if isinstance(body, dict):
        for key in _OBJECT_KEYS:
            value = body.get(key)
            if isinstance(value, dict):
                return f"$.{key}", value
            if key == "data" and isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
                return "$.data[0]", value[0]
        return "$", body
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
        return "$[0]", body[0]
    raise ResponseValidationError(
        f"{_where(response)}: expected a JSON object in the body",
        errors=[("$", "expected an object")],
        response=response,
    )


def _join(prefix: str, loc: Sequence[int | str]) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_model(model: type[ModelT], data: Any, path: str, response: httpx.Response) -> ModelT:
    """Validate one object; `ResponseValidationError` naming every failing field path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [(_join(path, err["loc"]), err["msg"]) for err in exc.errors(include_url=False)]
        raise _invalid(model, errors, response) from None


def validate_list(model: type[ModelT], items: list[Any], path: str, response: httpx.Response) -> list[ModelT]:
    """Validate every item; one `ResponseValidationError` listing the failures of all items."""
    result: list[ModelT] = []
    errors: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        try:
            result.append(model.model_validate(item))
        except ValidationError as exc:
            errors.extend((_join(f"{path}[{index}]", e["loc"]), e["msg"]) for e in exc.errors(include_url=False))
    if errors:
        raise _invalid(model, errors, response)
    return result


def _invalid(
    model: type[BaseModel], errors: list[tuple[str, str]], response: httpx.Response
) -> ResponseValidationError:
    shown = "; ".join(f"{path}: {msg}" for path, msg in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return ResponseValidationError(
        f"{_where(response)}: body is not a valid {model.__name__}: {shown}{more}",
        errors=errors,
        response=response,
    )
