"""Named defaults and documented limits of the v2 client, in one place (reference §11)."""

from __future__ import annotations

from decimal import Decimal

PRODUCT_CLASS = "ETX_001"
"""The product class in every path, in every environment (DOC)."""

MIN_QUANTITY = 1
MAX_QUANTITY = 20
"""`manual_quantity`: at most 20 vouchers per Request Vouchers call (DOC)."""

MIN_FACE_VALUE = Decimal("1.00")
MAX_FACE_VALUE = Decimal("1000.00")
"""Dynamic value-based `face_value`: SGD 1 to 1000, cents allowed (DOC)."""
CENT = Decimal("0.01")

DISTRIBUTION_MODE = "manual"
"""The client distributes the vouchers itself (the only mode the v2 documentation shows)."""

MAX_REFS_PER_CHECK = 20
"""Refs per Check Vouchers call: UNDOCUMENTED, the reference proposes 20; the client never sends more."""

DEFAULT_TIMEOUT_S = 15.0
"""The reference recommends at least 15 s, so the API's own 10 s cut-off (ERV1102) is seen, not a disconnect."""
DEFAULT_TOKEN_REFRESH_MARGIN_S = 60.0
DEFAULT_TOKEN_EXPIRES_IN_S = 3600.0
"""Token lifetime when the token response carries no `expires_in` (DOC: one hour)."""

DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({408, 409, 429})
"""Statuses retried besides every 5xx: timeout, correlation id in progress, rate limited (backoff: `_http.retry`)."""
AMBIGUOUS_STATUSES: frozenset[int] = frozenset({408, 409})
"""Error statuses after which an earlier attempt may have issued (besides every 5xx)."""

CORRELATION_ID_HEADER = "X-Correlation-Id"
X_CLIENT_ID_HEADER = "X-Client-Id"
X_CLIENT_SECRET_HEADER = "X-Client-Secret"
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-request-id", "x-amzn-requestid", "request-id")
"""Response headers that may carry the provider's request id, first match wins."""

RECOVERABLE_CODES: frozenset[str] = frozenset({"ERV1102", "ERV1202"})
"""Documented codes after which vouchers may exist: recover with the same X-Correlation-Id (DOC)."""

STATUSES: tuple[str, ...] = ("Active", "Inactive", "Expired", "Trashed", "Used")
"""The five documented voucher statuses (DOC, capitalised)."""

USER_AGENT = "uatcert-v2-client"
