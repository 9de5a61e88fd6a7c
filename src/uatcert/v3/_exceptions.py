"""
Errors raised by the v3 client. Every failure the client can see is one of these:

    ApiError
    ├── ApiConnectionError ............ no usable answer: refused, reset, protocol trouble
    │   └── ApiTimeoutError ........... timed out (a response lost after the server answered looks like this)
    ├── ApiStatusError ................ the API answered with an error status
    │   ├── BadRequestError ........... 400  (400-056, 400-0C6, 400-4C3, 400-5DC, 400-9A0, 400-BB4, ...)
    │   ├── AuthenticationError ....... 401
    │   ├── PermissionDeniedError ..... 403
    │   ├── NotFoundError ............. 404
    │   ├── ConflictError ............. 409  (idempotency key in flight)
    │   ├── UnprocessableEntityError .. 422  (idempotency key reused with another request)
    │   ├── RateLimitError ............ 429  (`retry_after`)
    │   ├── InternalServerError ....... >= 500
    │   └── UnexpectedStatusError ..... any other status
    ├── ResponseValidationError ....... a success body not per the documented model (field path kept)
    └── TokenError .................... the token endpoint refused the credentials (OAuth `error` kept)

`make_status_error` is the one place that maps a status to its class. Messages name the method, the
URL path, the status and the provider's code and message; they never contain a token, a secret or a
response body.

Every error carries `attempts` (HTTP requests sent by the logical call that failed) and the
`idempotency_key` of that call, if any. The classes also subclass the shared bases of
`uatcert._http.errors` (`ApiError` a `ClientError`, `ApiConnectionError` a `ConnectionFailure`,
`ApiStatusError` a `StatusFailure`, `ResponseValidationError` a `BodyInvalid`, `TokenError` a
`TokenRefused`), which is how the shared exchange, retry and token code handle them.
"""

from __future__ import annotations

from typing import Literal

import httpx

from uatcert._http.errors import (
    BodyInvalid,
    ClientError,
    ConnectionFailure,
    StatusFailure,
    TokenRefused,
    clip,
    redirect_note,
    where,
    wrap_transport_error,
)
from uatcert._http.headers import parse_retry_after, request_id_of
from uatcert.v3._constants import REQUEST_ID_HEADERS
from uatcert.v3._models import ApiErrorBody


class ApiError(ClientError):
    """Base class of every error the v3 client raises."""

    idempotency_key: str | None = None
    """Idempotency key of the logical call (issuance only)."""

    def record_call(self, attempts: int, key: str | None) -> None:
        super().record_call(attempts, key)
        self.idempotency_key = key


class ApiConnectionError(ApiError, ConnectionFailure):
    """No usable answer: the connection failed, was reset, or the exchange broke."""


class ApiTimeoutError(ApiConnectionError):
    """The exchange timed out; the server may or may not have done the work."""


class ApiStatusError(ApiError, StatusFailure):
    """The API answered with an error status; `code`/`message` are the provider's, if it sent any."""

    code: str | None
    """Provider error code such as `400-5DC` (unknown codes kept as they came); None if absent."""
    message: str | None
    """Provider error message (wording not part of the contract); None if absent. `str(err)` is the summary."""
    body: ApiErrorBody | None

    def __init__(self, message: str, *, response: httpx.Response, body: ApiErrorBody | None) -> None:
        super().__init__(
            message, response=response, request_id=request_id_of(response, REQUEST_ID_HEADERS),
            message=body.message if body is not None else None,
        )
        self.code = body.code if body is not None else None
        self.body = body


class BadRequestError(ApiStatusError):
    """400: the request was refused as invalid."""

    status: Literal[400]


class AuthenticationError(ApiStatusError):
    """401: missing, invalid or expired token."""

    status: Literal[401]


class PermissionDeniedError(ApiStatusError):
    """403: the token lacks the scope the route needs."""

    status: Literal[403]


class NotFoundError(ApiStatusError):
    """404: unknown product code or voucher id (or an empty catalogue)."""

    status: Literal[404]


class ConflictError(ApiStatusError):
    """409: the idempotency key is still in flight."""

    status: Literal[409]


class UnprocessableEntityError(ApiStatusError):
    """422: the idempotency key was already used with a different request."""

    status: Literal[422]


class RateLimitError(ApiStatusError):
    """429: rate limited; `retry_after` is the wait the server asked for, in seconds."""

    status: Literal[429]
    retry_after: float | None

    def __init__(self, message: str, *, response: httpx.Response, body: ApiErrorBody | None) -> None:
        super().__init__(message, response=response, body=body)
        self.retry_after = parse_retry_after(response.headers.get("retry-after"))


class InternalServerError(ApiStatusError):
    """5xx: the server failed; it may have committed the work before failing."""


class UnexpectedStatusError(ApiStatusError):
    """A status the reference does not use (e.g. 418)."""


class ResponseValidationError(ApiError, BodyInvalid):
    """A success body that is not JSON, or not per the documented model; `errors` holds (path, problem)."""


class TokenError(ApiError, TokenRefused):
    """The token endpoint refused (400/401); `error` is the OAuth error string, e.g. `invalid_client`."""


_STATUS_CLASSES: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[ApiStatusError]:
    """The `ApiStatusError` subclass for an HTTP status: the table above, any 5xx, else unexpected."""
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return InternalServerError
    return UnexpectedStatusError


def make_status_error(response: httpx.Response, body: ApiErrorBody | None) -> ApiStatusError:
    """Build the error for an error response (its body already parsed tolerantly)."""
    text = f"{where(response.request)} -> {response.status_code}"
    if response.reason_phrase:
        text += f" {response.reason_phrase}"
    text += redirect_note(response)
    if body is not None and (body.code or body.message):
        text += f": [{body.code or 'no code'}] {clip(body.message or '')}".rstrip()
    return status_error_class(response.status_code)(text, response=response, body=body)


def map_transport_error(exc: httpx.RequestError) -> ApiConnectionError:
    """Wrap any httpx request error: timeouts become `ApiTimeoutError`, everything else `ApiConnectionError`."""
    return wrap_transport_error(exc, connection=ApiConnectionError, timeout=ApiTimeoutError)
