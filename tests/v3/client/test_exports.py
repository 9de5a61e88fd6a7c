"""The public surface of `uatcert.v3` is exactly its sorted `__all__`."""

from __future__ import annotations

import types

import uatcert.v3


def test_all_is_sorted() -> None:
    assert uatcert.v3.__all__ == sorted(uatcert.v3.__all__)


def test_all_equals_public_names() -> None:
    public = {
        name
        for name, value in vars(uatcert.v3).items()
        if not name.startswith("_") and name != "annotations" and not isinstance(value, types.ModuleType)
    }
    assert public == set(uatcert.v3.__all__)


def test_spec_names_are_exported() -> None:
    expected = {
        "V3Client", "RetryPolicy", "Product", "Voucher", "Issuance", "ApiErrorBody", "ApiError",
        "ApiConnectionError", "ApiTimeoutError", "ApiStatusError", "BadRequestError", "AuthenticationError",
        "PermissionDeniedError", "NotFoundError", "ConflictError", "UnprocessableEntityError",
        "RateLimitError", "InternalServerError", "UnexpectedStatusError", "ResponseValidationError",
        "TokenError", "new_idempotency_key",
    }
    assert expected <= set(uatcert.v3.__all__)

