"""
The bases of the clients' error classes, and the wrapping of httpx errors.

Each API draws its own tree in its `_exceptions.py`; its classes also subclass these bases, so the
shared core can handle a connection failure, an error status, an unreadable body or a refused token
whatever the API:

    ClientError ............... `request`, `attempts`: each API's root error subclasses it
    ├── ConnectionFailure ..... no usable answer: `should_retry`, `outcome`, `lost_response`
    ├── StatusFailure ......... the API answered with an error status: `status`, `request_id`, `response`,
    │                           `message` (the provider's human-readable text, None if it sent none)
    ├── BodyInvalid ........... a success body not per the model: `errors` as (path, problem), `response`
    └── TokenRefused .......... the token endpoint refused the credentials (OAuth `error` kept)

An API's class takes its root first, e.g. `class ApiConnectionError(ApiError, ConnectionFailure)`.
Messages never contain a token, a secret or a response body.
"""

from __future__ import annotations

from typing import TypeVar

import httpx

from uatcert.events import ExchangeOutcome

MAX_TEXT = 300

ConnectionT = TypeVar("ConnectionT", bound="ConnectionFailure")


def clip(text: str, limit: int = MAX_TEXT, *, one_line: bool = False) -> str:
    """At most `limit` characters (`one_line`: whitespace runs, newlines included, made one space first)."""
    if one_line:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def redirect_note(response: httpx.Response) -> str:
    """` (redirect to HOST not followed)` for a 3xx naming a Location, else "" (the clients never follow one)."""
    location = response.headers.get("location")
    if not 300 <= response.status_code < 400 or not location:
        return ""
    try:
        host = httpx.URL(location).host
    except httpx.InvalidURL:
        host = ""
    return f" (redirect to {clip(host, 80) if host else 'the same host'} not followed)"


def where(request: httpx.Request | None) -> str:
    """`METHOD /path` of a request, for messages (never the query: it may hold ids)."""
    return f"{request.method} {request.url.path}" if request is not None else "request"


class ClientError(Exception):
    """Base of each API client's root error."""

    request: httpx.Request | None
    attempts: int
    """HTTP requests sent by the logical call that ended in this error."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request
        self.attempts = 1

    def record_call(self, attempts: int, key: str | None) -> None:
        """Note the logical call's attempts; an API's root also keeps its `key` under the API's own name."""
        self.attempts = attempts


class ConnectionFailure(ClientError):
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

    def response_lost(self, response: httpx.Response) -> None:
        """A fault-injecting transport reported the server's answer to this request, then dropped it."""
        self.outcome = "lost_response"
        self.lost_response = response


class StatusFailure(ClientError):
    """The API answered with an error status; `str(err)` is the summary, `message` the provider's own text."""

    status: int
    request_id: str | None
    """The provider's request id of the response (the API's `REQUEST_ID_HEADERS`, first match wins)."""
    message: str | None
    """The provider's human-readable message, if it sent one (wording not part of any contract)."""
    response: httpx.Response

    def __init__(
        self, summary: str, *, response: httpx.Response, request_id: str | None, message: str | None = None
    ) -> None:
        super().__init__(summary, request=response.request)
        self.status = response.status_code
        self.request_id = request_id
        self.message = message
        self.response = response


NOT_JSON = ("$", "not JSON")
"""The one error of a body that is not JSON at all."""


class BodyInvalid(ClientError):
    """A success body that is not JSON, or not per the model; `errors` holds (path, problem)."""

    errors: list[tuple[str, str]]
    response: httpx.Response | None

    def __init__(
        self, message: str, *, errors: list[tuple[str, str]] | None = None, response: httpx.Response | None = None
    ) -> None:
        super().__init__(message, request=response.request if response is not None else None)
        self.errors = list(errors or [])
        self.response = response

    @property
    def unreadable(self) -> bool:
        """True when the body is not JSON at all (cut short, an HTML page, bytes): nothing a model could judge."""
        return self.errors == [NOT_JSON]

    @property
    def paths(self) -> list[str]:
        """Field paths that failed, e.g. `$.data[0].status`."""
        return [path for path, _ in self.errors]


class TokenRefused(ClientError):
    """The token endpoint refused (400/401); `error` is the OAuth error string, e.g. `invalid_client`."""

    status: int
    error: str | None
    error_description: str | None
    response: httpx.Response

    def __init__(
        self, message: str, *, response: httpx.Response, error: str | None, error_description: str | None = None
    ) -> None:
        super().__init__(message, request=response.request)
        self.status = response.status_code
        self.error = error
        self.error_description = error_description
        self.response = response


def request_of(exc: httpx.RequestError) -> httpx.Request | None:
    """The request an httpx error belongs to, if it was built with one."""
    try:
        return exc.request
    except RuntimeError:  # httpx raises this when the error was built without a request
        return None


def transport_text(exc: httpx.RequestError, *, one_line: bool = False) -> str:
    """`METHOD /path: ErrorType: detail`, clipped."""
    return f"{where(request_of(exc))}: {type(exc).__name__}: {clip(str(exc) or 'no detail', one_line=one_line)}"


def wrap_transport_error(
    exc: httpx.RequestError, *, connection: type[ConnectionT], timeout: type[ConnectionT]
) -> ConnectionT:
    """
    Wrap any httpx request error (the rule of v3 and v2): a timeout becomes `timeout`, a connection
    that could not be opened `connection` with outcome `lost_request`, anything else `connection`;
    retrying cannot help an unsupported scheme or a request httpx refused to write.
    """
    request, text = request_of(exc), transport_text(exc)
    if isinstance(exc, httpx.TimeoutException):
        return timeout(text, request=request, outcome="timeout")
    if isinstance(exc, httpx.ConnectError):
        return connection(text, request=request, outcome="lost_request")
    hopeless = isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError)
    return connection(text, request=request, should_retry=not hopeless)
