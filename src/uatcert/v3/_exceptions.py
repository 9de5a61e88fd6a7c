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
`idempotency_key` of that call, if any.
"""

from __future__ import annotations

from typing import Literal

import httpx

from uatcert.events import ExchangeOutcome
from uatcert.v3._http import parse_retry_after, request_id_of
from uatcert.v3._models import ApiErrorBody

_MAX_TEXT = 300


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _where(request: httpx.Request | None) -> str:
    return f"{request.method} {request.url.path}" if request is not None else "request"


class ApiError(Exception):
    """Base class of every error the v3 client raises."""

    request: httpx.Request | None
    attempts: int
    """HTTP requests sent by the logical call that ended in this error."""
    idempotency_key: str | None
    """Idempotency key of the logical call (issuance only)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request
        self.attempts = 1
        self.idempotency_key = None


class ApiConnectionError(ApiError):
    """No usable answer: the connection failed, was reset, or the exchange broke."""

    should_retry: bool
    """False when retrying cannot help (e.g. an unsupported URL scheme)."""
    outcome: ExchangeOutcome
    """How the exchange ended (`lost_request`, `lost_response`, `connection_error`, `timeout`)."""
    lost_response: httpx.Response | None
    """The server's answer, when a fault-injecting transport saw it and dropped it."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        should_retry: bool = True,
        outcome: ExchangeOutcome = "connection_error",
        lost_response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.should_retry = should_retry
        self.outcome = outcome
        self.lost_response = lost_response


class ApiTimeoutError(ApiConnectionError):
    """The exchange timed out; the server may or may not have done the work."""


class ApiStatusError(ApiError):
    """The API answered with an error status; `code`/`message` are the provider's, if it sent any."""

    status: int
    code: str | None
    """Provider error code such as `400-5DC` (unknown codes kept as they came); None if absent."""
    message: str | None
    """Provider error message (wording not part of the contract); None if absent. `str(err)` is the summary."""
    request_id: str | None
    response: httpx.Response
    body: ApiErrorBody | None

    def __init__(self, message: str, *, response: httpx.Response, body: ApiErrorBody | None) -> None:
        super().__init__(message, request=response.request)
        self.status = response.status_code
        self.code = body.code if body is not None else None
        self.message = body.message if body is not None else None
        self.request_id = request_id_of(response)
        self.response = response
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


class ResponseValidationError(ApiError):
    """A success body that is not JSON, or not per the documented model; `errors` holds (path, problem)."""

    errors: list[tuple[str, str]]
    response: httpx.Response | None

    def __init__(
        self,
        message: str,
        *,
        errors: list[tuple[str, str]] | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, request=response.request if response is not None else None)
        self.errors = list(errors or [])
        self.response = response

    @property
    def paths(self) -> list[str]:
        """Field paths that failed, e.g. `data[0].status`."""
        return [path for path, _ in self.errors]


class TokenError(ApiError):
    """The token endpoint refused (400/401); `error` is the OAuth error string, e.g. `invalid_client`."""

    status: int
    error: str | None
    error_description: str | None
    response: httpx.Response

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        error: str | None,
        error_description: str | None = None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.status = response.status_code
        self.error = error
        self.error_description = error_description
        self.response = response


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
    text = f"{_where(response.request)} -> {response.status_code}"
    if response.reason_phrase:
        text += f" {response.reason_phrase}"
    if body is not None and (body.code or body.message):
        text += f": [{body.code or 'no code'}] {_clip(body.message or '')}".rstrip()
    return status_error_class(response.status_code)(text, response=response, body=body)


def map_transport_error(exc: httpx.RequestError) -> ApiConnectionError:
    """Wrap any httpx request error: timeouts become `ApiTimeoutError`, everything else `ApiConnectionError`."""
    request = _request_of(exc)
    text = f"{_where(request)}: {type(exc).__name__}: {_clip(str(exc) or 'no detail')}"
    if isinstance(exc, httpx.TimeoutException):
        return ApiTimeoutError(text, request=request, outcome="timeout")
    if isinstance(exc, httpx.ConnectError):
        return ApiConnectionError(text, request=request, outcome="lost_request")
    hopeless = isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError)
    return ApiConnectionError(text, request=request, should_retry=not hopeless)


def _request_of(exc: httpx.RequestError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:  # httpx raises this when the error was built without a request
        return None
