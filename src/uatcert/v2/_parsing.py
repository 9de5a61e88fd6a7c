"""
Reading v2 answers: JSON (money kept exact as `Decimal`), the `meta`/`data` envelope, error messages.

Success (DOC): `{"meta": {"status": "succeeded"}, "data": [...]}`. Failure (CODE):
`{"meta": {"status": "failed", "messages": [{"code", "level", "text"}]}}`. Error messages are also
read, tolerantly, from an OAuth body (`{"error": "invalid_client"}`) and from `{"error": {"code", "message"}}`.
Field paths in validation errors are JSONPath-like (`$.data[0].status`) and never show the value.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from uatcert._http.errors import NOT_JSON
from uatcert._http.exchange import CallState
from uatcert._http.parsing import BodyReader, at
from uatcert.v2._constants import AMBIGUOUS_STATUSES, RECOVERABLE_CODES
from uatcert.v2._exceptions import ResponseValidationError, make_status_error
from uatcert.v2._models import ErrorMessage

SUCCEEDED = "succeeded"
FAILED = "failed"

BODY = BodyReader(ResponseValidationError)
"""Model validation of v2 payloads (`BODY.validate_list(IssuedVoucher, data, "$.data", response)`)."""


def loads(content: bytes) -> Any:
    """JSON with every decimal number as `Decimal` (61.72 stays 61.72)."""
    return json.loads(content, parse_float=Decimal)


def decode_json(response: httpx.Response) -> Any:
    """The decoded JSON body; an unparseable `ResponseValidationError` if it is not JSON."""
    try:
        return loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        kind = response.headers.get("content-type", "no content type")
        raise ResponseValidationError(
            f"{at(response)}: body is not JSON ({kind}, {len(response.content)} bytes)",
            errors=[NOT_JSON],
            response=response,
            unparseable=True,
        ) from None


def envelope_status(body: Any) -> str | None:
    """`meta.status` of a body, or None when there is no such member."""
    if isinstance(body, dict) and isinstance(body.get("meta"), dict):
        status = body["meta"].get("status")
        return status if isinstance(status, str) else None
    return None


def success_data(body: Any, response: httpx.Response) -> list[Any]:
    """The `data` list of a success envelope; `ResponseValidationError` when the envelope is not one."""
    status = envelope_status(body)
    if status is None:
        raise ResponseValidationError(
            f"{at(response)}: no meta.status in the body (expected the meta/data envelope)",
            errors=[("$.meta.status", "missing")],
            response=response,
            unparseable=True,
        )
    if status != SUCCEEDED:
        raise ResponseValidationError(
            f"{at(response)}: meta.status is {status[:40]!r}, expected {SUCCEEDED!r}",
            errors=[("$.meta.status", f"expected {SUCCEEDED!r}")],
            response=response,
        )
    data = body.get("data")
    if not isinstance(data, list):
        raise ResponseValidationError(
            f"{at(response)}: meta.status is succeeded but data is not an array",
            errors=[("$.data", "expected an array")],
            response=response,
        )
    return data


def error_messages(body: Any) -> list[ErrorMessage]:
    """Messages of a failure body, found tolerantly; empty when the body holds none. Never raises."""
    if not isinstance(body, dict):
        return []
    meta = body.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("messages"), list):
        found = []
        for item in meta["messages"]:
            if isinstance(item, dict):
                found.append(ErrorMessage.model_validate({
                    **{k: v for k, v in item.items() if isinstance(k, str)},
                    "code": _str(item.get("code")), "level": _str(item.get("level")), "text": _str(item.get("text")),
                }))
        return found
    error = body.get("error")
    if isinstance(error, str):  # OAuth: {"error": "invalid_client", "error_description": "..."}
        return [ErrorMessage(code=error, level="error", text=_str(body.get("error_description")))]
    if isinstance(error, dict):
        return [ErrorMessage(code=_str(error.get("code")), level="error",
                             text=_str(error.get("message", error.get("text"))))]
    return []


def parse_error_messages(response: httpx.Response) -> list[ErrorMessage]:
    """Messages of a failed answer's body, read tolerantly; empty when it is not JSON. Never raises."""
    try:
        body = loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    return error_messages(body)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def read_answer(response: httpx.Response, state: CallState) -> tuple[httpx.Response, Any]:
    """
    A succeeded answer and its body, decoded once; else the API's error for it. `state.ambiguous` is
    set when the request may have been processed anyway: a 5xx, 408/409, a recoverable code (ERV1102,
    ERV1202), or no usable v2 answer at all (not JSON, no envelope).
    """
    if response.is_success:
        try:
            body = decode_json(response)
        except ResponseValidationError:
            state.ambiguous = True  # no usable answer: the request may have been processed
            raise
        status = envelope_status(body)
        if status == FAILED:
            messages = error_messages(body)
            if any(m.code in RECOVERABLE_CODES for m in messages):
                state.ambiguous = True
            raise make_status_error(response, messages)
        if status is None:
            state.ambiguous = True  # not a v2 answer (a gateway page?): the request may have been processed
            success_data(body, response)  # raises the unparseable ResponseValidationError
        return response, body
    messages = parse_error_messages(response)
    if (response.status_code >= 500 or response.status_code in AMBIGUOUS_STATUSES
            or any(m.code in RECOVERABLE_CODES for m in messages)):
        state.ambiguous = True
    raise make_status_error(response, messages)
