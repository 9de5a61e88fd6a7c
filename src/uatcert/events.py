"""
Client events: every HTTP exchange a client makes is handed to observers as an `Exchange`.

Evidence (Allure attachments, the run's issuance ledger, the secrets canary) consumes these events;
the clients never know about Allure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

ExchangeOutcome = Literal["response", "lost_response", "lost_request", "connection_error", "timeout"]


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One request and what became of it."""

    api: str
    """Which API the exchange belongs to: "v3", "v2", "allsafe" or "token"."""
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    outcome: ExchangeOutcome
    status: int | None = None
    """HTTP status, also for a lost response (the server answered; the client never saw it)."""
    response_headers: dict[str, str] = dataclasses.field(default_factory=dict)
    response_body: bytes = b""
    request_ids: tuple[str, ...] = ()
    """The provider's request ids in the response headers, read by the client with its API's
    `REQUEST_ID_HEADERS` (in that list's order; also for a lost response). Empty without a response."""
    duration_s: float = 0.0
    error: str | None = None
    attempt: int = 1
    """1 for the first attempt of a logical call, 2 for its first retry, and so on."""
    idempotency_key: str | None = None
    """The Idempotency-Key / X-Correlation-Id / client reference of the logical call, if any."""
    issuance: bool = False
    """True when this request asked the provider to issue or allocate (set by the client, which alone
    knows its issuance route: v3 `POST /products/{code}`, v2 Request Vouchers, AllSafe's allocate call)."""

    @property
    def delivered(self) -> bool:
        """True when the client actually received the response."""
        return self.outcome == "response"


Observer = Callable[[Exchange], None]
"""A callable that receives every exchange; it must not raise."""


@dataclasses.dataclass(frozen=True)
class IssueIntent:
    """A logical issuance, announced before its first request is sent (the ledger writes it first)."""

    api: str
    idempotency_key: str
    product_code: str
    quantity: int
    face_value: int | None
    """Face value in cents (v3; v2 sends dollars and its client converts them to cents); AllSafe: the
    value in whole currency units as sent (None when it has cents). None if not sent."""
    currency: str | None = None
    base_url: str | None = None
    """Where the request goes: the client's base URL (what `uatcert reconcile` replays against)."""
    token_url: str | None = None
    """The token URL of the client (v3, v2); None for Basic auth (AllSafe)."""
    order_number: str | None = None
    """v2: the order number in the Request Vouchers path (a replay needs it)."""
    product_class: str | None = None
    """v2: the product class in the Request Vouchers path."""
    client_id: str | None = None
    """The client the key belongs to (v3 `client_id`, v2 `X-Client-Id`, AllSafe username): keys are scoped
    per client, so a replay must use the same one. The ledger writes a fingerprint of it, never the id."""


@dataclasses.dataclass(frozen=True)
class IssueOutcome:
    """What became of a logical issuance after its last attempt."""

    intent: IssueIntent
    outcome: Literal["issued", "partial", "refused", "unknown"]
    """issued/partial: vouchers exist; refused: the provider answered with an error;
    unknown: no answer was ever received (needs reconciliation)."""
    http_status: int | None
    voucher_ids: tuple[str, ...] = ()
    replayed: bool = False
    attempts: int = 1
    request_ids: tuple[str, ...] = ()
    error: str | None = None


@dataclasses.dataclass(frozen=True)
class RawIssuance:
    """
    A raw request on an issuance route (the deliberately invalid requests of the validation scenarios),
    announced before it is sent. Credentials are never part of it: `headers` leaves out the credential
    headers, and `own_credentials` says whether the client's own credentials went with it unchanged.
    """

    api: str
    method: str
    base_url: str
    path: str
    """Below the base URL, query included."""
    headers: dict[str, str]
    body: bytes
    idempotency_key: str | None
    own_credentials: bool
    token_url: str | None = None
    client_id: str | None = None
    """As `IssueIntent.client_id`."""


class IssuanceHook:
    """Told about every logical issuance; `before` may refuse it by raising (budget guard)."""

    def before(self, intent: IssueIntent) -> None:
        """Called once before the first attempt is sent."""

    def after(self, outcome: IssueOutcome) -> None:
        """Called once after the last attempt, whatever happened."""

    def raw_sending(self, request: RawIssuance) -> None:
        """Called before a raw request on an issuance route is sent (raising there stops it: nothing is sent)."""
