"""
The v3 client's retry rule: what is retried (the loop and the backoff are `uatcert._http.retry`).

Connection errors and timeouts (unless retrying cannot help), 408, 409 (idempotency key in flight),
429 (after `Retry-After`, capped) and every 5xx are retried with the same idempotency key, made by
the caller before the first attempt; any other status is final.
"""

from __future__ import annotations

import dataclasses

from uatcert._http.retry import Backoff
from uatcert.v3._constants import DEFAULT_RETRY_STATUSES
from uatcert.v3._exceptions import ApiConnectionError, ApiError, ApiStatusError


@dataclasses.dataclass(frozen=True)
class RetryPolicy(Backoff):
    """When and how long to wait before trying again; the defaults suit issuance recovery."""

    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    """Statuses retried besides 5xx: 408, 409 (key in flight) and 429 (rate limited)."""
    retry_server_errors: bool = True
    """Retry every 5xx (the work may have been committed; the same key makes the retry safe)."""
    retry_connection_errors: bool = True
    """Retry connection errors and timeouts (unless the error says retrying cannot help)."""

    def should_retry(self, error: ApiError) -> bool:
        """True for connection errors, timeouts, the statuses in `retry_statuses` and 5xx."""
        if isinstance(error, ApiConnectionError):
            return self.retry_connection_errors and error.should_retry
        if isinstance(error, ApiStatusError):
            if error.status in self.retry_statuses:
                return True
            return self.retry_server_errors and error.status >= 500
        return False
