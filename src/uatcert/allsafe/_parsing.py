"""
Reading AllSafe bodies: JSON decoding, where the payload sits, and model validation.

The envelope is UNDOCUMENTED: a list is accepted bare or under `data`, `items`, `availability`,
`voucherTypes`, `vouchers` or `results`; an object bare or under `data`, `voucher`, `allocation` or
`result`. Field paths in errors never show the offending value (it may be a voucher code).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from uatcert.allsafe._exceptions import ResponseValidationError, where

ModelT = TypeVar("ModelT", bound=BaseModel)

_LIST_KEYS = ("data", "items", "availability", "voucherTypes", "vouchers", "results")
_OBJECT_KEYS = ("data", "voucher", "allocation", "result")


def _at(response: httpx.Response) -> str:
    return f"{where(response.request)} -> {response.status_code}"


def decode_json(response: httpx.Response) -> Any:
    """The decoded JSON body; `ResponseValidationError` if it is empty or not JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "no content type")
        raise ResponseValidationError(
            f"{_at(response)}: body is not JSON ({kind}, {len(response.content)} bytes)",
            errors=[("$", "not JSON")],
            response=response,
        ) from None


def locate_list(body: Any, response: httpx.Response) -> tuple[str, list[Any]]:
    if isinstance(body, list):
        return "$", body
    if isinstance(body, dict):
        for key in _LIST_KEYS:
            if isinstance(body.get(key), list):
                return f"$.{key}", body[key]
    raise ResponseValidationError(
        f"{_at(response)}: no list of voucher types in the body",
        errors=[("$", "expected an array or an object holding one")],
        response=response,
    )


def locate_object(body: Any, response: httpx.Response) -> tuple[str, dict[str, Any]]:
    if isinstance(body, dict):
        for key in _OBJECT_KEYS:
            if isinstance(body.get(key), dict):
                return f"$.{key}", body[key]
        return "$", body
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
        return "$[0]", body[0]
    raise ResponseValidationError(
        f"{_at(response)}: expected a JSON object in the body",
        errors=[("$", "expected an object")],
        response=response,
    )


def _join(prefix: str, loc: tuple[int | str, ...]) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_model(model: type[ModelT], data: Any, path: str, response: httpx.Response) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [(_join(path, tuple(err["loc"])), err["msg"]) for err in exc.errors(include_url=False)]
        raise _invalid(model, errors, response) from None


def validate_list(model: type[ModelT], items: list[Any], path: str, response: httpx.Response) -> list[ModelT]:
    result: list[ModelT] = []
    errors: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        try:
            result.append(model.model_validate(item))
        except ValidationError as exc:
            errors.extend(
                (_join(f"{path}[{index}]", tuple(e["loc"])), e["msg"]) for e in exc.errors(include_url=False)
            )
    if errors:
        raise _invalid(model, errors, response)
    return result


def _invalid(
    model: type[BaseModel], errors: list[tuple[str, str]], response: httpx.Response
) -> ResponseValidationError:
    shown = "; ".join(f"{path}: {msg}" for path, msg in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return ResponseValidationError(
        f"{_at(response)}: body is not a valid {model.__name__}: {shown}{more}", errors=errors, response=response
    )
