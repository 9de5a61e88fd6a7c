"""
Typed bodies of the v2 API (reference §4.2, §5.5, §6.3, §8), strict where documented and tolerant where not.

Strict (documented): an issued voucher carries the eight keys of the documentation's example, `status`
is one of the five capitalised statuses, `expiration_date` is `YYYY-MM-DDTHH:mm:ss` at issuance and
`DD MMM YYYY` in Check Vouchers, `remaining_value` is a JSON number (never negative).

Tolerant (UNDOCUMENTED): unknown keys are kept (`extra="allow"`); `view_code` and `pin_code` may be JSON
strings or numbers and are always `str` here; `pin_code` is optional; the day of `DD MMM YYYY` may
have one digit; the unit of `remaining_value` (dollars or cents) is not interpreted.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from uatcert._http.parsing import integer_as_text, text_only

V2Status = Literal["Active", "Inactive", "Expired", "Trashed", "Used"]
"""The five documented voucher statuses (reference §8.2)."""

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISSUE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_CHECK_DATE = re.compile(r"^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})$")


def parse_issue_date(value: str) -> dt.datetime:
    """`2029-12-31T23:59:59` (no offset, reference §4.3) as a naive datetime; ValueError otherwise."""
    if not _ISSUE_DATE.match(value):
        raise ValueError("expiration_date must be YYYY-MM-DDTHH:mm:ss without an offset")
    return dt.datetime.fromisoformat(value)


def parse_check_date(value: str) -> dt.date:
    """`18 Mar 2022` (English month abbreviation, reference §4.3) as a date; ValueError otherwise."""
    match = _CHECK_DATE.match(value)
    if match is None or match.group(2) not in MONTHS:
        raise ValueError("expiration_date must be DD MMM YYYY with an English month abbreviation")
    return dt.date(int(match.group(3)), MONTHS.index(match.group(2)) + 1, int(match.group(1)))


class ErrorMessage(BaseModel):
    """One entry of `meta.messages`: `{"code": "ERV1102", "level": "error", "text": "..."}`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: str | None = None
    level: str | None = None
    text: str | None = None


class IssuedVoucher(BaseModel):
    """A voucher object of a Request Vouchers answer (reference §5.5, §8.1)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    voucher_ref: StrictStr = Field(repr=False, min_length=1)
    """The voucher number used for redemption (money: kept out of `repr`)."""
    voucher_settlement_ref: StrictStr = Field(min_length=1)
    """Unique per voucher; the settlement reference and the input of Check Vouchers."""
    voucher_name: StrictStr
    """Display name; for a dynamic value-based product, the name with `${FV}` replaced by the amount."""
    status: V2Status
    expiration_date: dt.datetime
    """As sent (`YYYY-MM-DDTHH:mm:ss`), naive: the time zone is UNDOCUMENTED."""
    edenred_url: StrictStr = Field(repr=False)
    view_code: str = Field(repr=False)
    display_codes: list[StrictStr] = Field(repr=False)
    pin_code: str | None = Field(default=None, repr=False)
    """Not in the documentation's example; present in public client models (optional here)."""

    _status_is_text = field_validator("status", mode="before")(text_only("status must be a string"))

    _issue_date = field_validator("expiration_date", mode="before")(
        text_only("expiration_date must be a string", parse_issue_date)
    )

    _view_code = field_validator("view_code", mode="before")(integer_as_text("view_code"))
    _pin_code = field_validator("pin_code", mode="before")(integer_as_text("pin_code"))


class CheckedVoucher(BaseModel):
    """An entry of a Check Vouchers answer (reference §6.3)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    voucher_settlement_ref: StrictStr
    status: V2Status
    expiration_date: dt.date
    """As sent (`DD MMM YYYY`)."""
    remaining_value: Decimal = Field(ge=0)
    """Amount (value-based) or items (product-based) left; the money unit is UNDOCUMENTED."""

    _status_is_text = field_validator("status", mode="before")(text_only("status must be a string"))

    _check_date = field_validator("expiration_date", mode="before")(
        text_only("expiration_date must be a string", parse_check_date)
    )

    @field_validator("remaining_value", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError("remaining_value must be a JSON number")
        return Decimal(str(value)) if isinstance(value, float) else value


class Issuance(BaseModel):
    """The result of one logical Request Vouchers call, however many attempts it took."""

    model_config = ConfigDict(frozen=True)

    correlation_id: str
    """The one X-Correlation-Id sent on every attempt."""
    product_class: str
    order_number: str
    product_code: str
    quantity: int
    face_value: Decimal | None
    """SGD dollars as sent (dynamic value-based products only)."""
    status_code: int
    vouchers: list[IssuedVoucher]
    attempts: int = 1
    """HTTP requests sent for this issuance (retries and a token-renewal resend included)."""
    recovered: bool = False
    """True when an earlier attempt may have issued (lost answer, 5xx, ERV code): the final answer
    came from a recovery attempt with the same X-Correlation-Id. v2 has no replay marker to confirm it."""
    request_ids: list[str] = Field(default_factory=list)
    raw: dict[str, Any] | list[Any] | None = Field(default=None, repr=False)
    """The decoded body of the final answer."""

    @property
    def settlement_refs(self) -> list[str]:
        """The vouchers' `voucher_settlement_ref`, in the order received."""
        return [voucher.voucher_settlement_ref for voucher in self.vouchers]


class TokenInfo(BaseModel):
    """What the last token response said besides the token itself (for the evidence)."""

    model_config = ConfigDict(frozen=True)

    status_code: int
    expires_in: float | None
    token_type: str | None
    scope: str | None
