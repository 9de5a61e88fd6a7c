"""Named defaults of the v3 client, in one place (backoff defaults: `uatcert._http.retry`)."""

from __future__ import annotations

DEFAULT_SCOPE_PREFIX = "client_v3_uat/"
DEFAULT_SCOPES: tuple[str, ...] = ("issue_vouchers", "read_catalogue", "read_vouchers")
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_TOKEN_REFRESH_MARGIN_S = 60.0
DEFAULT_TOKEN_EXPIRES_IN_S = 3600.0
"""Token lifetime assumed when the token response carries no `expires_in` (reference §3.3)."""

DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({408, 409, 429})
"""Statuses retried besides every 5xx: timeout, idempotency key in flight, rate limited."""
AMBIGUOUS_STATUSES: frozenset[int] = frozenset({408, 409})
"""Error statuses after which an earlier attempt may have committed (besides every 5xx)."""

MIN_QUANTITY = 1
MAX_QUANTITY = 20
MAX_IDS_PER_BATCH = 20

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_RECORD_HEADER = "Idempotency-Record"
REQUEST_ID_HEADERS: tuple[str, ...] = (
    "x-request-id",
    "x-amzn-requestid",
    "x-amz-apigw-id",
    "request-id",
    "x-correlation-id",
)
"""Response headers that may carry the provider's request id, first match wins."""

USER_AGENT = "uatcert-v3-client"
