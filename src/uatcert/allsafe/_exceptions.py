"""
Errors raised by the AllSafe client. Every failure the client can see is one of these:

    AllSafeError
    ├── AllSafeConnectionError ........ no usable answer to a call that is safe to repeat (availability), or an
    │   │                               allocation that provably never reached the provider (connect failed)
    │   └── AllSafeTimeoutError ....... availability timed out (after its retries)
    ├── AllSafeStatusError ............ the provider answered with an error status: `status`, `label`, `cause`,
    │   │                               `action`, `user_message`, `retry_advice`; `title` and `message` of the body
    │   ├── AllSafeAuthenticationError  401  credentials, revoked integration, campaign not live or out of dates
    │   ├── NoVaultLinkedError ........ 491  the campaign has no linked vault
    │   ├── NoVouchersError ........... 492  nothing in stock for the vendor/value (`vendor`, `value`)
    │   ├── ValidationFailedError ..... 495  the request failed validation (`field_errors` when given)
    │   ├── InvalidVendorError ........ 496  the vendor is not known (`vendor`)
    │   ├── RateLimitError ............ 429  (`retry_after`; undocumented, tolerated)
    │   ├── AllSafeServerError ........ 5xx  on availability (after its retries)
    │   └── UnexpectedStatusError ..... any other status: tolerated, typed, never retried
    ├── ReconciliationRequired ........ an allocation whose outcome is unknown: timeout, connection lost after
    │                                   sending, 5xx, 204 or an unreadable 2xx. NEVER retried automatically;
    │                                   carries the allocation's `reference` (recorded in the ledger as unknown)
    └── ResponseValidationError ....... an availability body that is not per the (proposed) model

`make_status_error` (in `_error_mapping`, with `map_transport_error`) is the one place that maps a status
to its class. Messages name the method, the URL path, the status, the documented label, cause and action;
they never contain credentials.
Every error carries `attempts` (HTTP requests sent by the logical call) and the call's `reference`.
The classes also subclass the shared bases of `uatcert._http.errors` (`AllSafeError` a `ClientError`,
`AllSafeConnectionError` a `ConnectionFailure`, `AllSafeStatusError` a `StatusFailure`,
`ResponseValidationError` a `BodyInvalid`), which is how the shared exchange and retry code handle them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import httpx

from uatcert._http.errors import (
    BodyInvalid,
    ClientError,
    ConnectionFailure,
    StatusFailure,
)
from uatcert._http.headers import parse_retry_after
from uatcert.allsafe._constants import (
    RECONCILE_ACTION,
    RECONCILE_USER_MESSAGE,
    StatusInfo,
)
from uatcert.allsafe._error_body import field_errors, text_field
from uatcert.events import ExchangeOutcome

ReconcileReason = Literal["timeout", "connection_lost", "server_error", "no_content", "unreadable_success"]


class AllSafeError(ClientError):
    """Base class of every error the AllSafe client raises."""

    reference: str | None = None
    """The client reference of the allocation (None for availability)."""

    def record_call(self, attempts: int, key: str | None) -> None:
        super().record_call(attempts, key)
        self.reference = key


class AllSafeConnectionError(AllSafeError, ConnectionFailure):
    """No usable answer: the connection failed, was reset or the exchange broke."""

    sent: bool
    """False when the request provably never reached the provider (connect failed): safe to resend."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        outcome: ExchangeOutcome = "connection_error",
        sent: bool = True,
        should_retry: bool = True,
        lost_response: httpx.Response | None = None,
    ) -> None:
        super().__init__(
            message, request=request, should_retry=should_retry, outcome=outcome, lost_response=lost_response
        )
        self.sent = sent

    def response_lost(self, response: httpx.Response) -> None:
        """The server answered (a fault-injecting transport dropped it): the request did reach the provider."""
        super().response_lost(response)
        self.sent = True


class AllSafeTimeoutError(AllSafeConnectionError):
    """The exchange timed out; the provider may or may not have done the work."""


class AllSafeStatusError(AllSafeError, StatusFailure):
    """The provider answered with an error status. Decisions rest on `status` only; the body is for logs."""

    label: str
    cause: str
    action: str
    user_message: str
    retry_advice: str
    documented: bool
    """True for the documented statuses (401, 491, 492, 495, 496)."""
    title: str | None
    """`title` of the error body, if any (UNDOCUMENTED body; logging only)."""
    message: str | None
    """The provider's text: `detail` (or `message`) of the error body, if any (logging only)."""
    body: Any

    def __init__(
        self, message: str, *, response: httpx.Response, info: StatusInfo, documented: bool, body: Any,
        request_id: str | None,
    ) -> None:
        super().__init__(
            message, response=response, request_id=request_id,
            message=text_field(body, "detail") or text_field(body, "message"),
        )
        self.label = info.label
        self.cause = info.cause
        self.action = info.action
        self.user_message = info.user_message
        self.retry_advice = info.retry
        self.documented = documented
        self.body = body
        self.title = text_field(body, "title")

    @property
    def retryable(self) -> bool:
        """Whether a caller may resend the same request automatically (never, for the documented statuses)."""
        return False


class AllSafeAuthenticationError(AllSafeStatusError):
    """401: wrong username or password, integration revoked, or campaign not live / outside its dates."""

    status: Literal[401]
    www_authenticate: str | None

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.www_authenticate = self.response.headers.get("www-authenticate")


class NoVaultLinkedError(AllSafeStatusError):
    """491: the integration's campaign has no linked vault."""

    status: Literal[491]


class NoVouchersError(AllSafeStatusError):
    """492: out of stock, or nothing in stock for that vendor/value combination."""

    status: Literal[492]
    vendor: str | None = None
    value: Decimal | None = None


class ValidationFailedError(AllSafeStatusError):
    """495: the request failed validation or was malformed; `field_errors` when the body gives them."""

    status: Literal[495]
    field_errors: dict[str, list[str]]

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = field_errors(self.body)


class InvalidVendorError(AllSafeStatusError):
    """496: the vendor sent is not known."""

    status: Literal[496]
    vendor: str | None = None


class RateLimitError(AllSafeStatusError):
    """429 (undocumented): refused before anything was done; `retry_after` seconds if the provider said."""

    status: Literal[429]
    retry_after: float | None

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = parse_retry_after(self.response.headers.get("retry-after"), http_date=False)


class AllSafeServerError(AllSafeStatusError):
    """5xx on a call that is safe to repeat (availability), after its retries."""


class UnexpectedStatusError(AllSafeStatusError):
    """A status the documentation does not list (400, 403, 404, 405, 415, 490, 493, 494, 497-499, ...)."""


class ReconciliationRequired(AllSafeError):
    """
    An allocation whose outcome is unknown: the provider may have allocated a voucher. Never retried.

    `reason` says why (timeout, connection_lost, server_error, no_content, unreadable_success); `status`
    is the status the client received, if any; `cause_error` the underlying error. `action` and
    `user_message` say what to do and show.
    """

    reason: ReconcileReason
    status: int | None
    cause_error: AllSafeError | None
    action: str
    user_message: str
    vendor: str
    value: Decimal

    def __init__(
        self,
        message: str,
        *,
        reason: ReconcileReason,
        reference: str,
        vendor: str,
        value: Decimal,
        status: int | None = None,
        cause_error: AllSafeError | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.reason = reason
        self.reference = reference
        self.vendor = vendor
        self.value = value
        self.status = status
        self.cause_error = cause_error
        self.action = RECONCILE_ACTION
        self.user_message = RECONCILE_USER_MESSAGE


class ResponseValidationError(AllSafeError, BodyInvalid):
    """A success body that is not JSON, or not per the (proposed) model; `errors` holds (path, problem)."""
