"""
Typed client of the UNIQREWARDS Client API v2 (see `shared/reference/uniqrewards-api-v2.md`) and the
reader of its catalogue file (v2 has no catalogue endpoint).

    from decimal import Decimal
    from uatcert.v2 import V2Client, read_catalogue

    catalogue = read_catalogue("uat-catalogue.csv")
    product = catalogue.dynamic[0]
    with V2Client(base_url, token_url, client_id, client_secret, x_client_id, x_client_secret) as client:
        issuance = client.request_vouchers(product.code, product.order_number, 2, Decimal("61.72"))
        statuses = client.check_vouchers(issuance.settlement_refs)
"""

from __future__ import annotations

from uatcert.formats.v2_catalogue import (
    COLUMNS,
    PRODUCT_TYPES,
    CatalogueEntry,
    CatalogueFile,
    CatalogueFileError,
    ProductType,
    read_catalogue,
)
from uatcert.v2._client import V2Client
from uatcert.v2._constants import (
    CORRELATION_ID_HEADER,
    MAX_FACE_VALUE,
    MAX_QUANTITY,
    MIN_FACE_VALUE,
    PRODUCT_CLASS,
    REQUEST_ID_HEADERS,
    STATUSES,
)
from uatcert.v2._exceptions import (
    CODE_CLASSES,
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    IssuanceFailedError,
    IssuanceInterruptedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RecoverableIssuanceError,
    ResponseValidationError,
    TokenError,
    UnexpectedStatusError,
    status_error_class,
)
from uatcert.v2._issuance import new_correlation_id, request_body, to_cents, to_face_value
from uatcert.v2._models import (
    CheckedVoucher,
    ErrorMessage,
    Issuance,
    IssuedVoucher,
    TokenInfo,
    V2Status,
    parse_check_date,
    parse_issue_date,
)
from uatcert.v2._retry import RetryPolicy

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CODE_CLASSES",
    "COLUMNS",
    "CORRELATION_ID_HEADER",
    "CatalogueEntry",
    "CatalogueFile",
    "CatalogueFileError",
    "CheckedVoucher",
    "ConflictError",
    "ErrorMessage",
    "InternalServerError",
    "Issuance",
    "IssuanceFailedError",
    "IssuanceInterruptedError",
    "IssuedVoucher",
    "MAX_FACE_VALUE",
    "MAX_QUANTITY",
    "MIN_FACE_VALUE",
    "NotFoundError",
    "PRODUCT_CLASS",
    "PRODUCT_TYPES",
    "PermissionDeniedError",
    "ProductType",
    "REQUEST_ID_HEADERS",
    "RateLimitError",
    "RecoverableIssuanceError",
    "ResponseValidationError",
    "RetryPolicy",
    "STATUSES",
    "TokenError",
    "TokenInfo",
    "UnexpectedStatusError",
    "V2Client",
    "V2Status",
    "new_correlation_id",
    "parse_check_date",
    "parse_issue_date",
    "read_catalogue",
    "request_body",
    "status_error_class",
    "to_cents",
    "to_face_value",
]
