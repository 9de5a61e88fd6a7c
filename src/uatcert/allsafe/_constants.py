"""
Named defaults of the AllSafe client and the documented status table, in one place.

DOC: labels and causes come from the AllSafe wiki (reference §4.1). The operator action, the message
for an end user and the retry advice are the reference's recommendations. Nothing here depends on a
reason phrase: the client branches on the numeric status only.
"""

from __future__ import annotations

import dataclasses

DEFAULT_TIMEOUT_S = 30.0
"""Total per-request timeout (UNDOCUMENTED: the reference proposes 30 s)."""
DEFAULT_CONNECT_TIMEOUT_S = 10.0
"""Connect timeout (UNDOCUMENTED: the reference proposes 10 s)."""
DEFAULT_CURRENCY = "ZAR"
"""UNDOCUMENTED: the currency of `value`; the host is South African, so Rand is assumed."""

DEFAULT_MAX_ATTEMPTS = 3
"""Fewer attempts than v3/v2 (only availability and never-sent allocations are retried); backoff: `_http.retry`."""

USER_AGENT = "uatcert-allsafe-client"
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid")
"""Response headers that may carry the provider's request id (UNDOCUMENTED), first match wins."""


@dataclasses.dataclass(frozen=True)
class StatusInfo:
    """What the documentation says about one status, and what a caller should do about it."""

    status: int
    label: str
    """The documented label (DOC)."""
    cause: str
    """The documented cause (DOC)."""
    action: str
    """What an operator should do (the reference's recommendation)."""
    user_message: str
    """What an end user may be shown: never the authentication detail."""
    retry: str
    """Retry advice."""


STATUS_TABLE: dict[int, StatusInfo] = {
    info.status: info
    for info in (
        StatusInfo(
            401,
            "Unauthorized",
            "wrong username or password, the integration's permission revoked, or the campaign not live "
            "(or outside its start and end dates)",
            "check the credentials, the integration's status (Revoked?) and the campaign's status and dates "
            "in the AllSafe portal",
            "Vouchers are temporarily unavailable.",
            "do not retry: a retry cannot fix it; re-check once after an operator acted",
        ),
        StatusInfo(
            491,
            "No Vault Linked",
            "the integration's campaign has no linked vault",
            "link a vault to the campaign in the AllSafe portal",
            "Vouchers are temporarily unavailable.",
            "do not retry: it is a configuration problem",
        ),
        StatusInfo(
            492,
            "No vouchers",
            "out of stock, or nothing in stock for that vendor/value combination",
            "stock is exhausted for the vendor/value: re-read availability and offer another voucher type",
            "That voucher is out of stock.",
            "do not retry the same vendor/value",
        ),
        StatusInfo(
            495,
            "Validation Failed",
            "the request failed validation or was malformed",
            "a client bug: fix the request (logged without credentials)",
            "Something went wrong; please try again later.",
            "never retry: the same request fails again",
        ),
        StatusInfo(
            496,
            "Invalid Vendor",
            "the vendor sent is not known",
            "refresh the vendor list from availability: the configuration may be stale",
            "That voucher option is no longer available.",
            "never retry",
        ),
    )
}
"""The documented error statuses (DOC: 401, 491, 492, 495, 496)."""

RECONCILE_ACTION = (
    "do not retry automatically: the provider may have allocated a voucher; mark the allocation "
    "'pending reconciliation' and check the campaign report in the AllSafe portal for its reference"
)
RECONCILE_USER_MESSAGE = "We're confirming your voucher."


def status_info(status: int) -> StatusInfo:
    """What is known of a status: its documented entry, else what 429, a 5xx or any other status means."""
    if status in STATUS_TABLE:
        return STATUS_TABLE[status]
    if status == 429:
        return StatusInfo(429, "Too Many Requests", "rate limited (undocumented)",
                          "wait as long as Retry-After asks before sending again", "Please try again shortly.",
                          "retry only after Retry-After; nothing was consumed")
    if status >= 500:
        return StatusInfo(status, "Server Error", "the provider failed (undocumented status)",
                          "retry later; for an allocation, reconcile first", "Vouchers are temporarily unavailable.",
                          "availability: retry with backoff; allocation: never retry automatically")
    return StatusInfo(status, "Undocumented status", "a status the AllSafe documentation does not list",
                      "check the request against the API's /docs page and log the response",
                      "Something went wrong; please try again later.", "do not retry")
