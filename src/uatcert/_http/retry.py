"""
Backoff and the one retry loop; *what* is retried is each API's own rule (its `RetryPolicy`).

A logical call is a function of the attempt number that returns a result or raises the API's error.
`call_with_retry` repeats it while the API's rule says the error is retryable and attempts remain,
sleeping between attempts: the server's `Retry-After` first (up to a cap), else exponential backoff
with full jitter. Anything that must stay the same across attempts (an idempotency key, an
X-Correlation-Id, a client reference) is made by the caller *before* calling this.
"""

from __future__ import annotations

import dataclasses
import random as _random
from collections.abc import Callable
from typing import TypeVar

from uatcert._http.errors import ClientError, StatusFailure
from uatcert._http.exchange import CallState
from uatcert._http.headers import parse_retry_after

T = TypeVar("T")
ErrorT = TypeVar("ErrorT", bound=ClientError)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_BASE_S = 0.25
DEFAULT_BACKOFF_CAP_S = 4.0
DEFAULT_RETRY_AFTER_CAP_S = 30.0


@dataclasses.dataclass(frozen=True)
class Backoff:
    """How many attempts, and how long to wait before the next one; each API's `RetryPolicy` extends it."""

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

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base_s < 0 or self.backoff_cap_s < 0 or self.retry_after_cap_s < 0:
            raise ValueError("backoff and Retry-After caps must not be negative")

    def backoff_s(self, failed_attempt: int, fraction: float = 1.0) -> float:
        """Backoff after attempt `failed_attempt` (1-based): min(cap, base * 2**(n-1)), times `fraction` if jittered."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** max(0, failed_attempt - 1))
        return ceiling * min(1.0, max(0.0, fraction)) if self.jitter else ceiling

    def asked_wait_s(self, error: ClientError) -> float | None:
        """The wait the server asked for: `Retry-After` of an error status (None when it asked none)."""
        if isinstance(error, StatusFailure):
            return parse_retry_after(error.response.headers.get("retry-after"))
        return None

    def delay_s(self, error: ClientError, failed_attempt: int, fraction: float = 1.0) -> float:
        """Wait before the next attempt: the server's `Retry-After` (capped) if it sent one, else backoff."""
        asked = self.asked_wait_s(error)
        if asked is not None:
            return min(asked, self.retry_after_cap_s)
        return self.backoff_s(failed_attempt, fraction)


def call_with_retry(
    call: Callable[[int], T],
    *,
    policy: Backoff,
    retryable: Callable[[ErrorT], bool],
    error_type: type[ErrorT],
    sleep: Callable[[float], None],
    state: CallState | None = None,
    random: Callable[[], float] = _random.random,
) -> T:
    """
    Run `call(attempt)` until it returns, raises an error `retryable` refuses (or not an `error_type`), or
    attempts run out. The final error is stamped with the attempts and key of `state`, when given.
    """
    attempt = 1
    while True:
        try:
            return call(attempt)
        except error_type as error:
            if attempt >= policy.max_attempts or not retryable(error):
                if state is not None:
                    error.record_call(state.attempts, state.key)
                raise
            sleep(policy.delay_s(error, attempt, random()))
            attempt += 1
