"""
The v2 client's retry rule (reference §9.4); the loop and the backoff are `uatcert._http.retry`.

Retried: a timeout or disconnection, a 5xx (`ERV1102`, `ERV1202` above all, whatever their status),
408/409/429, or an answer that is not a v2 envelope at all. Known 4xx refusals are final. The
X-Correlation-Id is made by the caller *before* the first attempt, so every retry is the identical
request.
"""

from __future__ import annotations

import dataclasses

from uatcert._http.retry import Backoff
from uatcert.v2._constants import DEFAULT_RETRY_STATUSES
from uatcert.v2._exceptions import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    RecoverableIssuanceError,
    ResponseValidationError,
)


@dataclasses.dataclass(frozen=True)
class RetryPolicy(Backoff):
    """When and how long to wait before trying again; the defaults suit issue recovery."""

    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    """Statuses retried besides 5xx: 408, 409 (correlation id in progress) and 429 (rate limited)."""
    retry_server_errors: bool = True
    """Retry every 5xx and the documented recoverable codes (vouchers may exist; the same id makes it safe)."""
    retry_connection_errors: bool = True
    retry_unparseable: bool = True
    """Retry an answer that is not a v2 envelope at all (reference §9.4: unexpected or unparseable answers)."""

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
