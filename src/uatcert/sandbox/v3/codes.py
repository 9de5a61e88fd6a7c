"""The v3 error catalogue: every status/code pair v3 answers with (the generic ones are `_errors`'s).

Documented codes come from the v3 errors list. Codes ending in `-Fxx` are placeholders for
statuses the documentation does not show (UNDOCUMENTED in the reference); change them here only.
"""

from __future__ import annotations

from uatcert.sandbox._errors import METHOD_NOT_ALLOWED as METHOD_NOT_ALLOWED
from uatcert.sandbox._errors import RATE_LIMITED as RATE_LIMITED
from uatcert.sandbox._errors import ROUTE_UNKNOWN as ROUTE_UNKNOWN
from uatcert.sandbox._errors import SERVER_ERROR as SERVER_ERROR
from uatcert.sandbox._errors import ApiError as ApiError
from uatcert.sandbox._errors import ErrorCode

# Documented (v3 errors list).
PARTIAL = ErrorCode(207, "207-762", "only part of the requested vouchers could be issued")
FACE_VALUE = ErrorCode(
    400, "400-056", "face_value must be an integer number of cents between 100 and 100000 (open-value product)"
)
STOCK = ErrorCode(400, "400-0C6", "quantity exceeds the product's available stock")
BAD_BODY = ErrorCode(400, "400-4C3", "request body cannot be parsed")
QUANTITY = ErrorCode(400, "400-5DC", "quantity must be an integer between 1 and 20")
KEY_MISSING = ErrorCode(400, "400-9A0", "Idempotency-Key header is required")
KEY_NOT_UUID = ErrorCode(400, "400-BB4", "Idempotency-Key must be in UUID format")
IDS_NOT_UNIQUE = ErrorCode(400, "400-215", "values of id must be unique")
IDS_NOT_UUIDS = ErrorCode(400, "400-67B", "id must be a comma-separated list of UUIDs")
IDS_TOO_MANY = ErrorCode(400, "400-B32", "id must contain at most 20 values")

# Placeholders (UNDOCUMENTED).
IDS_MISSING = ErrorCode(400, "400-F01", "query parameter id is required", documented=False)
VOUCHER_ID_MALFORMED = ErrorCode(400, "400-F02", "voucher id must be a UUID", documented=False)
TOKEN_MISSING = ErrorCode(401, "401-F01", "missing or malformed Authorization: Bearer header", documented=False)
TOKEN_INVALID = ErrorCode(401, "401-F02", "access token is invalid", documented=False)
TOKEN_EXPIRED = ErrorCode(401, "401-F03", "access token has expired", documented=False)
SCOPE_MISSING = ErrorCode(403, "403-F01", "access token lacks the scope this operation needs", documented=False)
PRODUCT_UNKNOWN = ErrorCode(404, "404-F01", "product not found in the caller's catalogue", documented=False)
VOUCHER_UNKNOWN = ErrorCode(404, "404-F02", "voucher not found", documented=False)
CATALOGUE_EMPTY = ErrorCode(404, "404-F03", "no product is configured for this client", documented=False)
KEY_IN_FLIGHT = ErrorCode(
    409, "409-F01", "a request with this Idempotency-Key is still being processed", documented=False
)
KEY_MISMATCH = ErrorCode(
    422, "422-F01", "Idempotency-Key was already used with a different request", documented=False
)

ALL_CODES: tuple[ErrorCode, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, ErrorCode))
"""Every code v3 answers with, the generic ones (unknown route, wrong method, faults) included."""

