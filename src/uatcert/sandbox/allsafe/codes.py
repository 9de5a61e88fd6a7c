"""The AllSafe answers: the DOC status labels, the refusal a handler raises, JSON numbers."""

from __future__ import annotations

from decimal import Decimal

TITLES = {401: "Unauthorized", 491: "No Vault Linked", 492: "No vouchers", 495: "Validation Failed",
          496: "Invalid Vendor", 500: "Internal Server Error"}
"""DOC labels of the status table (500: the `allsafe_*_500` defects only)."""


class Refusal(Exception):
    """An AllSafe error answer: status, detail, optional field errors."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


def number(value: Decimal) -> int | float:
    """A JSON number: an integer when whole."""
    return int(value) if value == value.to_integral_value() else float(value)
