"""
Typed client of the UNIQREWARDS Client API v3 (see `shared/reference/uniqrewards-api-v3.md`).

    from uatcert.v3 import V3Client, NotFoundError

    with V3Client(base_url, token_url, client_id, client_secret) as client:
        for product in client.products():
            ...
"""

from __future__ import annotations

from uatcert.v3._client import V3Client
from uatcert.v3._constants import REQUEST_ID_HEADERS
from uatcert.v3._exceptions import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    TokenError,
    UnexpectedStatusError,
    UnprocessableEntityError,
    status_error_class,
)
from uatcert.v3._issuance import new_idempotency_key
from uatcert.v3._models import ApiErrorBody, Issuance, Product, ProductKind, Voucher, VoucherStatus
from uatcert.v3._retry import RetryPolicy

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiErrorBody",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "Issuance",
    "NotFoundError",
    "PermissionDeniedError",
    "Product",
    "ProductKind",
    "REQUEST_ID_HEADERS",
    "RateLimitError",
    "ResponseValidationError",
    "RetryPolicy",
    "TokenError",
    "UnexpectedStatusError",
    "UnprocessableEntityError",
    "V3Client",
    "Voucher",
    "VoucherStatus",
    "new_idempotency_key",
    "status_error_class",
]
