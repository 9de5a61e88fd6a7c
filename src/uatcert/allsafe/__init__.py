"""
Typed client of the AllSafe Redemption API (see `shared/reference/allsafe-api.md`).

    from uatcert.allsafe import AllSafeClient, NoVouchersError, ReconciliationRequired

    with AllSafeClient(base_url, username, password) as client:
        for kind in client.availability().available:
            ...
        try:
            allocation = client.allocate("ExampleMart", 50)
        except NoVouchersError as exc:
            ...                       # exc.cause, exc.action, exc.user_message
        except ReconciliationRequired as exc:
            ...                       # never retried: reconcile exc.reference in the portal
"""

from __future__ import annotations

from uatcert.allsafe._client import AllSafeClient, check_base_url, is_loopback, new_reference
from uatcert.allsafe._constants import REQUEST_ID_HEADERS, STATUS_TABLE, StatusInfo
from uatcert.allsafe._contract import AllSafeContract
from uatcert.allsafe._error_mapping import make_status_error, status_error_class
from uatcert.allsafe._exceptions import (
    AllSafeAuthenticationError,
    AllSafeConnectionError,
    AllSafeError,
    AllSafeServerError,
    AllSafeStatusError,
    AllSafeTimeoutError,
    InvalidVendorError,
    NoVaultLinkedError,
    NoVouchersError,
    RateLimitError,
    ReconciliationRequired,
    ResponseValidationError,
    UnexpectedStatusError,
    ValidationFailedError,
)
from uatcert.allsafe._models import (
    AllocatedVoucher,
    Allocation,
    Availability,
    AvailabilityForm,
    VoucherType,
    as_decimal,
    value_json,
    value_text,
)
from uatcert.allsafe._retry import RetryPolicy

__all__ = [
    "REQUEST_ID_HEADERS",
    "STATUS_TABLE",
    "AllSafeAuthenticationError",
    "AllSafeClient",
    "AllSafeConnectionError",
    "AllSafeContract",
    "AllSafeError",
    "AllSafeServerError",
    "AllSafeStatusError",
    "AllSafeTimeoutError",
    "AllocatedVoucher",
    "Allocation",
    "Availability",
    "AvailabilityForm",
    "InvalidVendorError",
    "NoVaultLinkedError",
    "NoVouchersError",
    "RateLimitError",
    "ReconciliationRequired",
    "ResponseValidationError",
    "RetryPolicy",
    "StatusInfo",
    "UnexpectedStatusError",
    "ValidationFailedError",
    "VoucherType",
    "as_decimal",
    "check_base_url",
    "is_loopback",
    "make_status_error",
    "new_reference",
    "status_error_class",
    "value_json",
    "value_text",
]
