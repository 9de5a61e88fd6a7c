"""
Errors raised by the v2 client. Every failure the client can see is one of these:

    ApiError
    ├── ApiConnectionError ............ no usable answer: refused, reset, protocol trouble
    │   └── ApiTimeoutError ........... timed out (a response lost after the server answered looks like this)
    ├── ApiStatusError ................ the API answered `meta.status: "failed"` or an error status
    │   ├── BadRequestError ........... 400  (quantity, face value, body, ...: codes UNDOCUMENTED)
    │   ├── AuthenticationError ....... 401  (token, or the X-Client-Id / X-Client-Secret pair)
    │   ├── PermissionDeniedError ..... 403  (token and X-Client pair of different clients)
    │   ├── NotFoundError ............. 404  (product class, product code, order number, settlement ref)
    │   ├── ConflictError ............. 409  (X-Correlation-Id in progress, or reused with another request)
    │   ├── RateLimitError ............ 429  (`retry_after`)
    │   ├── InternalServerError ....... >= 500
    │   │   └── RecoverableIssuanceError .. documented codes: vouchers may exist, recover with the same id
    │   │       ├── IssuanceInterruptedError  ERV1102 (internal failure, or the API's own > 10 s timeout)
    │   │       └── IssuanceFailedError ..... ERV1202 (internal failure)
    │   └── UnexpectedStatusError ..... any other status, or a 2xx whose envelope says `failed`
    ├── ResponseValidationError ....... a success body not per the documented envelope or voucher model
    └── TokenError .................... the token endpoint refused the credentials (OAuth `error` kept)

`make_status_error` is the one place that maps a status and an error code to a class: a documented
code (`ERV1102`, `ERV1202`) wins over the status, then the status table. Messages name the method, the
URL path, the status and the provider's code and message; never a token, a secret or a response body.

Every error carries `attempts` (HTTP requests sent by the logical call that failed) and the
`correlation_id` (X-Correlation-Id) of that call, if any. The classes also subclass the shared bases
of `uatcert._http.errors` (`ApiError` a `ClientError`, `ApiConnectionError` a `ConnectionFailure`,
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
from uatcert.v2._constants import REQUEST_ID_HEADERS
from uatcert.v2._models import ErrorMessage


class ApiError(ClientError):
    """Base class of every error the v2 client raises."""

    correlation_id: str | None = None
    """X-Correlation-Id of the logical call (Request Vouchers only)."""

    def record_call(self, attempts: int, key: str | None) -> None:
        super().record_call(attempts, key)
        self.correlation_id = key


class ApiConnectionError(ApiError, ConnectionFailure):
    """No usable answer: the connection failed, was reset, or the exchange broke."""


class ApiTimeoutError(ApiConnectionError):
    """The exchange timed out; the server may or may not have done the work."""


class ApiStatusError(ApiError, StatusFailure):
    """The API answered with a failure; `code`/`message` come from the first of the envelope's messages."""

    code: str | None
    """Provider error code such as `ERV1102` (unknown codes kept as they came); None if absent."""
    message: str | None
    """The first message's `text` (wording not part of the contract); None if absent. `str(err)` is the summary."""
    messages: list[ErrorMessage]
    """Every message of `meta.messages`, in order (each keeps its documented `text`)."""

    def __init__(self, message: str, *, response: httpx.Response, messages: list[ErrorMessage]) -> None:
        first = messages[0] if messages else None
        super().__init__(
            message, response=response, request_id=request_id_of(response, REQUEST_ID_HEADERS),
            message=first.text if first is not None else None,
        )
        self.code = first.code if first is not None else None
        self.messages = list(messages)

    @property
    def codes(self) -> list[str]:
        """Every error code the envelope carried."""
        return [m.code for m in self.messages if m.code]


class BadRequestError(ApiStatusError):
    """400: the request was refused as invalid."""

    status: Literal[400]


class AuthenticationError(ApiStatusError):
    """401: missing, invalid or expired token, or a wrong X-Client-Id / X-Client-Secret pair."""

    status: Literal[401]


class PermissionDeniedError(ApiStatusError):
    """403: the token and the X-Client pair belong to different clients (or another refusal of access)."""

    status: Literal[403]


class NotFoundError(ApiStatusError):
    """404: unknown product class, product code, order number or settlement ref."""

    status: Literal[404]


class ConflictError(ApiStatusError):
    """409: the X-Correlation-Id is still in progress, or was used with a different request."""

    status: Literal[409]


class RateLimitError(ApiStatusError):
    """429: rate limited; `retry_after` is the wait the server asked for, in seconds."""

    status: Literal[429]
    retry_after: float | None

    def __init__(self, message: str, *, response: httpx.Response, messages: list[ErrorMessage]) -> None:
        super().__init__(message, response=response, messages=messages)
        self.retry_after = parse_retry_after(response.headers.get("retry-after"))


class InternalServerError(ApiStatusError):
    """5xx: the server failed; it may have issued vouchers before failing."""


class RecoverableIssuanceError(InternalServerError):
    """A documented issuance failure: vouchers may exist; resend the identical request with the same id."""


class IssuanceInterruptedError(RecoverableIssuanceError):
    """ERV1102: an internal failure during issuance, also used when the API's own 10 s timeout passed."""


class IssuanceFailedError(RecoverableIssuanceError):
    """ERV1202: an internal failure during issuance."""


class UnexpectedStatusError(ApiStatusError):
    """A status the reference does not use (e.g. 418), or a 2xx whose envelope says `failed`."""


class ResponseValidationError(ApiError, BodyInvalid):
    """A success body that is not JSON, or not per the documented envelope or model; `errors` holds (path, problem)."""

    unparseable: bool
    """True when the body is not a JSON `meta`/`data` envelope at all (the answer is unusable: retry)."""

    def __init__(
        self,
        message: str,
        *,
        errors: list[tuple[str, str]] | None = None,
        response: httpx.Response | None = None,
        unparseable: bool = False,
    ) -> None:
        super().__init__(message, errors=errors, response=response)
        self.unparseable = unparseable


class TokenError(ApiError, TokenRefused):
    """The token endpoint refused (400/401); `error` is the OAuth error string, e.g. `invalid_client`."""


_STATUS_CLASSES: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

CODE_CLASSES: dict[str, type[ApiStatusError]] = {
    "ERV1102": IssuanceInterruptedError,
    "ERV1202": IssuanceFailedError,
}
"""Documented error codes and their classes; they win over the HTTP status."""


def status_error_class(status: int, code: str | None = None) -> type[ApiStatusError]:
    """The `ApiStatusError` subclass for a documented code, else the status table, any 5xx, else unexpected."""
    if code is not None and code in CODE_CLASSES:
        return CODE_CLASSES[code]
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return InternalServerError
    return UnexpectedStatusError


def make_status_error(response: httpx.Response, messages: list[ErrorMessage]) -> ApiStatusError:
    """Build the error for a failed answer (its messages already parsed tolerantly)."""
    text = f"{where(response.request)} -> {response.status_code}"
    if response.reason_phrase:
        text += f" {response.reason_phrase}"
    if response.is_success:
        text += " with meta.status failed"
    text += redirect_note(response)
    first = messages[0] if messages else None
    if first is not None and (first.code or first.text):
        text += f": [{first.code or 'no code'}] {clip(first.text or '')}".rstrip()
    if len(messages) > 1:
        text += f" (+{len(messages) - 1} more message(s))"
    code = next((m.code for m in messages if m.code in CODE_CLASSES), first.code if first else None)
    return status_error_class(response.status_code, code)(text, response=response, messages=messages)


def map_transport_error(exc: httpx.RequestError) -> ApiConnectionError:
    """Wrap any httpx request error: timeouts become `ApiTimeoutError`, everything else `ApiConnectionError`."""
    return wrap_transport_error(exc, connection=ApiConnectionError, timeout=ApiTimeoutError)
