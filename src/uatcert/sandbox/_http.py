"""JSON helpers shared by the routes of every API, and the shared state of the app."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from uatcert.sandbox._errors import ApiError, ErrorCode
from uatcert.sandbox._state import SandboxState

JSON = "application/json"
REQUEST_ID_KEY = "uatcert.request_id"
FAULT_KEY = "uatcert.fault"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""Headers of every token endpoint answer."""


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def reject_json_constant(name: str) -> Any:
    """`parse_constant` for json.loads: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) of an HTTP Basic `Authorization` header; None when absent or malformed."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(obj), status_code=status, media_type=JSON, headers=headers)


def data_response(data: Any, status: int = 200) -> Response:
    return json_response({"data": data}, status)


def error_body(error: ErrorCode, message: str | None = None) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": message or error.message}}


def error_response(error: ErrorCode, message: str | None = None, headers: dict[str, str] | None = None) -> Response:
    return json_response(error_body(error, message), error.status, headers)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for ApiError."""
    assert isinstance(exc, ApiError)
    return error_response(exc.error, exc.message, exc.headers)


def state_of(request: Request) -> SandboxState:
    """The shared sandbox state attached to the app."""
    state: SandboxState = request.app.state.sandbox
    return state


def request_id_of(request: Request) -> str:
    return str(request.scope.get(REQUEST_ID_KEY, ""))
