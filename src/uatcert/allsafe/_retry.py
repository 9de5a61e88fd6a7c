"""
The AllSafe client's retry policy: availability is safe to repeat, an allocation is not.

- Availability retries connection errors, timeouts, 5xx, 429 (after `Retry-After`, capped) and an
  unreadable 2xx, with exponential backoff and full jitter, up to `max_attempts`.
- An allocation is resent only when the request provably never reached the provider (the connection
  could not be opened). Everything else that leaves the outcome unknown (timeout after sending, a
  connection lost mid-response, 5xx, 204, an unreadable 2xx) is never retried: the caller gets
  `ReconciliationRequired`. No idempotency key is documented, so a blind retry could allocate twice.
"""

from __future__ import annotations

import dataclasses

from uatcert._http.errors import ClientError
from uatcert._http.retry import Backoff
from uatcert.allsafe._constants import DEFAULT_MAX_ATTEMPTS
from uatcert.allsafe._exceptions import (
    AllSafeConnectionError,
    AllSafeError,
    AllSafeStatusError,
    RateLimitError,
    ResponseValidationError,
)


@dataclasses.dataclass(frozen=True)
class RetryPolicy(Backoff):
    """When and how long to wait before trying again (the loop and the backoff are `uatcert._http.retry`)."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Attempts in total, the first included (1 = never retry)."""
    resend_unsent_allocations: bool = True
    """Resend an allocation whose connection could not even be opened (it never reached the provider)."""

    def should_retry_read(self, error: AllSafeError) -> bool:
        """Availability: connection errors, timeouts, 429, 5xx and unreadable success bodies."""
        if isinstance(error, AllSafeConnectionError):
            return error.should_retry
        if isinstance(error, AllSafeStatusError):
            return error.status == 429 or error.status >= 500
        return isinstance(error, ResponseValidationError)

    def should_retry_allocation(self, error: AllSafeError) -> bool:
        """Allocation: only a request that never reached the provider."""
        return (
            self.resend_unsent_allocations
            and isinstance(error, AllSafeConnectionError)
            and not error.sent
            and error.should_retry
        )

    def asked_wait_s(self, error: ClientError) -> float | None:
        """`Retry-After` of a 429 only (delta-seconds), the one status AllSafe may ask a wait with."""
        return error.retry_after if isinstance(error, RateLimitError) else None
