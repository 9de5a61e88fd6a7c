"""
The v2 client's one retry loop (reference §9.4).

A logical call (one Request Vouchers, one Check Vouchers batch) is a function of the attempt number
that returns a result or raises an `ApiError`. `call_with_retry` repeats it while the error is
retryable and attempts remain: after a timeout or disconnection, a 5xx (`ERV1102`, `ERV1202` above
all), 408/409/429, or an answer that is not a v2 envelope at all. Known 4xx refusals are final. The
X-Correlation-Id is made by the caller *before* calling this, never inside the attempt, so every
retry is the identical request.
"""

from __future__ import annotations

import dataclasses
import random as _random
from collections.abc import Callable
from typing import TypeVar

from uatcert.v2._constants import (
    DEFAULT_BACKOFF_BASE_S,
    DEFAULT_BACKOFF_CAP_S,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_AFTER_CAP_S,
    DEFAULT_RETRY_STATUSES,
)
from uatcert.v2._exceptions import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    RecoverableIssuanceError,
    ResponseValidationError,
)
from uatcert.v2._http import parse_retry_after

T = TypeVar("T")

RetryListener = Callable[[ApiError, int, float], None]
"""Told (error, attempt that failed, delay before the next one) before each sleep."""


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying again; the defaults suit issue recovery."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Attempts in total, the first included (1 = never retry)."""
    backoff_base_s: float = DEFAULT_BACKOFF_BASE_S
    backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S
    jitter: bool = True
    """Full jitter: sleep a uniform random fraction of the ceiling (False: sleep the ceiling)."""
    retry_after_cap_s: float = DEFAULT_RETRY_AFTER_CAP_S
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    retry_server_errors: bool = True
    """Retry every 5xx and the documented recoverable codes (vouchers may exist; the same id makes it safe)."""
    retry_connection_errors: bool = True
    retry_unparseable: bool = True
    """Retry an answer that is not a v2 envelope at all (reference §9.4: unexpected or unparseable answers)."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base_s < 0 or self.backoff_cap_s < 0 or self.retry_after_cap_s < 0:
            raise ValueError("backoff and Retry-After caps must not be negative")

    def should_retry(self, error: ApiError) -> bool:
        if isinstance(error, ApiConnectionError):
            return self.retry_connection_errors and error.should_retry
        if isinstance(error, ResponseValidationError):
            return self.retry_unparseable and error.unparseable
        if isinstance(error, ApiStatusError):
            if error.status in self.retry_statuses:
                return True
            recoverable = error.status >= 500 or isinstance(error, RecoverableIssuanceError)
            return self.retry_server_errors and recoverable
        return False

    def backoff_s(self, failed_attempt: int, fraction: float = 1.0) -> float:
        """min(cap, base * 2**(n-1)), times `fraction` when jittered."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** max(0, failed_attempt - 1))
        return ceiling * min(1.0, max(0.0, fraction)) if self.jitter else ceiling

    def delay_s(self, error: ApiError, failed_attempt: int, fraction: float = 1.0) -> float:
        """The server's `Retry-After` (capped) if it sent one, else backoff."""
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
