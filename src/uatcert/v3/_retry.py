"""
The client's one retry loop.

A logical call (one issuance, one read) is a function of the attempt number that returns a result or
raises an `ApiError`. `call_with_retry` repeats it while the error is retryable and attempts remain,
sleeping between attempts: the server's `Retry-After` first (up to a cap), else exponential backoff
with full jitter. Anything that must stay the same across attempts — the idempotency key above all —
is made by the caller *before* calling this, never inside the attempt.
"""

from __future__ import annotations

import dataclasses
import random as _random
from collections.abc import Callable
from typing import TypeVar

from uatcert.v3._constants import (
    DEFAULT_BACKOFF_BASE_S,
    DEFAULT_BACKOFF_CAP_S,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_AFTER_CAP_S,
    DEFAULT_RETRY_STATUSES,
)
from uatcert.v3._exceptions import ApiConnectionError, ApiError, ApiStatusError
from uatcert.v3._http import parse_retry_after

T = TypeVar("T")

RetryListener = Callable[[ApiError, int, float], None]
"""Told (error, attempt that failed, delay before the next one) before each sleep."""


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying again; the defaults suit issuance recovery."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Attempts in total, the first included (1 = never retry)."""
    backoff_base_s: float = DEFAULT_BACKOFF_BASE_S
    """Ceiling of the first backoff; doubles on every retry."""
    backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S
    """Largest backoff ceiling."""
    jitter: bool = True
    """Full jitter: sleep a uniform random fraction of the ceiling (False: sleep the ceiling)."""
    retry_after_cap_s: float = DEFAULT_RETRY_AFTER_CAP_S
    """Longest `Retry-After` wait honoured; longer requests are shortened to this."""
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    """Statuses retried besides 5xx: 408, 409 (key in flight) and 429 (rate limited)."""
    retry_server_errors: bool = True
    """Retry every 5xx (the work may have been committed; the same key makes the retry safe)."""
    retry_connection_errors: bool = True
    """Retry connection errors and timeouts (unless the error says retrying cannot help)."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base_s < 0 or self.backoff_cap_s < 0 or self.retry_after_cap_s < 0:
            raise ValueError("backoff and Retry-After caps must not be negative")

    def should_retry(self, error: ApiError) -> bool:
        """True for connection errors, timeouts, the statuses in `retry_statuses` and 5xx."""
        if isinstance(error, ApiConnectionError):
            return self.retry_connection_errors and error.should_retry
        if isinstance(error, ApiStatusError):
            if error.status in self.retry_statuses:
                return True
            return self.retry_server_errors and error.status >= 500
        return False

    def backoff_s(self, failed_attempt: int, fraction: float = 1.0) -> float:
        """Backoff after attempt `failed_attempt` (1-based): min(cap, base * 2**(n-1)), times `fraction` if jittered."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** max(0, failed_attempt - 1))
        return ceiling * min(1.0, max(0.0, fraction)) if self.jitter else ceiling

    def delay_s(self, error: ApiError, failed_attempt: int, fraction: float = 1.0) -> float:
        """Wait before the next attempt: the server's `Retry-After` (capped) if it sent one, else backoff."""
        if isinstance(error, ApiStatusError):
            asked = parse_retry_after(error.response.headers.get("retry-after"))
            if asked is not None:
                return min(asked, self.retry_after_cap_s)
        return self.backoff_s(failed_attempt, fraction)


def call_with_retry(
    call: Callable[[int], T],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    random: Callable[[], float] = _random.random,
    on_retry: RetryListener | None = None,
) -> T:
    """Run `call(attempt)` until it returns, raises a non-retryable error, or attempts run out."""
    attempt = 1
    while True:
        try:
            return call(attempt)
        except ApiError as error:
            if attempt >= policy.max_attempts or not policy.should_retry(error):
                raise
            delay = policy.delay_s(error, attempt, random())
            if on_retry is not None:
                on_retry(error, attempt, delay)
            sleep(delay)
            attempt += 1
