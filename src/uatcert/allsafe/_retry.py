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
import random as _random
from collections.abc import Callable
from typing import TypeVar

from uatcert.allsafe._constants import (
    DEFAULT_BACKOFF_BASE_S,
    DEFAULT_BACKOFF_CAP_S,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_AFTER_CAP_S,
)
from uatcert.allsafe._exceptions import (
    AllSafeConnectionError,
    AllSafeError,
    AllSafeStatusError,
    RateLimitedError,
    ResponseValidationError,
)

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying again."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Attempts in total, the first included (1 = never retry)."""
    backoff_base_s: float = DEFAULT_BACKOFF_BASE_S
    backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S
    jitter: bool = True
    retry_after_cap_s: float = DEFAULT_RETRY_AFTER_CAP_S
    resend_unsent_allocations: bool = True
    """Resend an allocation whose connection could not even be opened (it never reached the provider)."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base_s < 0 or self.backoff_cap_s < 0 or self.retry_after_cap_s < 0:
            raise ValueError("backoff and Retry-After caps must not be negative")

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

    def delay_s(self, error: AllSafeError, failed_attempt: int, fraction: float = 1.0) -> float:
        """`Retry-After` (capped) when a 429 carried one, else min(cap, base * 2**(n-1)) times the jitter fraction."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return min(error.retry_after, self.retry_after_cap_s)
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** max(0, failed_attempt - 1))
        return ceiling * min(1.0, max(0.0, fraction)) if self.jitter else ceiling


def call_with_retry(
    call: Callable[[int], T],
    *,
    retryable: Callable[[AllSafeError], bool],
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    random: Callable[[], float] = _random.random,
) -> T:
    """Run `call(attempt)` until it returns, raises an error `retryable` refuses, or attempts run out."""
    attempt = 1
    while True:
        try:
            return call(attempt)
        except AllSafeError as error:
            if attempt >= policy.max_attempts or not retryable(error):
                raise
            sleep(policy.delay_s(error, attempt, random()))
            attempt += 1
