"""
From what the wire gave to the AllSafe client's errors (`_exceptions`): an error response to its typed
`AllSafeStatusError` (the one place that maps a status to its class), an httpx error to an
`AllSafeConnectionError`.
"""

from __future__ import annotations

from decimal import Decimal

import httpx

from uatcert._http.errors import clip, redirect_note, request_of, transport_text, where
from uatcert._http.headers import request_id_of
from uatcert.allsafe._constants import REQUEST_ID_HEADERS, STATUS_TABLE, status_info
from uatcert.allsafe._error_body import decode_error_body, text_field
from uatcert.allsafe._exceptions import (
    AllSafeAuthenticationError,
    AllSafeConnectionError,
    AllSafeServerError,
    AllSafeStatusError,
    AllSafeTimeoutError,
    InvalidVendorError,
    NoVaultLinkedError,
    NoVouchersError,
    RateLimitError,
    UnexpectedStatusError,
    ValidationFailedError,
)

_STATUS_CLASSES: dict[int, type[AllSafeStatusError]] = {
    401: AllSafeAuthenticationError,
    491: NoVaultLinkedError,
    492: NoVouchersError,
    495: ValidationFailedError,
    496: InvalidVendorError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[AllSafeStatusError]:
    """The `AllSafeStatusError` subclass for a status: the documented table, 429, any 5xx, else unexpected."""
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return AllSafeServerError
    return UnexpectedStatusError


def make_status_error(
    response: httpx.Response, *, vendor: str | None = None, value: Decimal | None = None
) -> AllSafeStatusError:
    """Build the typed error of an error response (with the provider's request id). Never raises for an odd body."""
    status = response.status_code
    documented = status in STATUS_TABLE
    info = status_info(status)
    body = decode_error_body(response)
    text = f"{where(response.request)} -> {status} {info.label}{redirect_note(response)}"
    detail = text_field(body, "detail") or text_field(body, "message") or text_field(body, "title")
    if detail:
        text += f": {clip(detail, 200, one_line=True)}"
    text += f". Cause: {info.cause}. Action: {info.action}."
    error = status_error_class(status)(
        text, response=response, info=info, documented=documented, body=body,
        request_id=request_id_of(response, REQUEST_ID_HEADERS),
    )
    if isinstance(error, NoVouchersError):
        error.vendor, error.value = vendor, value
    elif isinstance(error, InvalidVendorError):
        error.vendor = vendor
    return error


def map_transport_error(exc: httpx.RequestError) -> AllSafeConnectionError:
    """Wrap an httpx error; `sent=False` only when the request provably never left (connect failed)."""
    request, text = request_of(exc), transport_text(exc, one_line=True)
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return AllSafeTimeoutError(text, request=request, outcome="lost_request", sent=False)
    if isinstance(exc, httpx.TimeoutException):
        return AllSafeTimeoutError(text, request=request, outcome="timeout")
    if isinstance(exc, httpx.ConnectError):
        return AllSafeConnectionError(text, request=request, outcome="lost_request", sent=False)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return AllSafeConnectionError(text, request=request, sent=False, should_retry=False)
    return AllSafeConnectionError(text, request=request)
