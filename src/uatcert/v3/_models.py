"""
Typed bodies of the v3 API (reference §6, §7), strict where documented and tolerant where not.

Strict (documented): a voucher's `voucher_id` is a UUID string, `status` one of the five documented
values, `expiration` an RFC 3339 date-time with an offset, `remaining_amount` an integer, `currency`
a string, its `is_*` flags booleans.

Tolerant (UNDOCUMENTED in the reference): unknown keys are kept (`extra="allow"`) and never rejected;
the PIN (`short_url_pin`) may be a JSON string or number and is always a `str` here; a product's code
may be keyed `code` or `product_code`; every product field other than the code is optional.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from uatcert._http.parsing import integer_as_text, text_only

VoucherStatus = Literal["active", "inactive", "expired", "voided", "used"]
"""The five documented voucher statuses (reference §7.2)."""

ProductKind = Literal["fixed value", "open value", "product based", "gift card", "unknown"]
"""A product's kind as told by its flags (reference §6.2); "unknown" when the flags are missing."""

_GIFT_CARD_NAME = re.compile(r"\be-?gift\s*card\b|\begift\b|\bsuper\s*voucher\b", re.IGNORECASE)
_GIFT_CARD_TYPES = ("gift", "super", "convertible")


class ApiErrorBody(BaseModel):
    """The provider's error object (`{"error": {"code", "message"}}` or a bare `{"code", "message"}`)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: str | None = None
    """Provider error code such as `400-5DC`; unknown codes are kept as they came."""
    message: str | None = None
    """Human-readable text; its wording is not part of the contract."""


class Product(BaseModel):
    """A catalogue entry (reference §6.1); only the code is required, unknown keys are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: StrictStr = Field(validation_alias=AliasChoices("code", "product_code"))
    """Product code, read from `code` or `product_code`."""
    name: str | None = None
    description: str | None = None
    currency: str | None = None
    face_value: StrictInt | None = None
    """Fixed denomination in cents for fixed value-based products; None for open-value ones."""
    is_value_based: StrictBool | None = None
    is_open_value: StrictBool | None = None
    is_status_available: StrictBool | None = None
    is_multiple_use: StrictBool | None = None
    """Multi-redemption flag; None when the provider does not say (key name UNDOCUMENTED)."""
    available_stock: StrictInt | None = None
    """Vouchers left to issue, when the provider lists it (UNDOCUMENTED key; None: not listed, or unlimited)."""

    @property
    def is_gift_card(self) -> bool:
        """Best guess: an explicit flag or type among the unknown keys, else the name (e.g. "eGift Card")."""
        extra = self.model_extra or {}
        flag = extra.get("is_gift_card")
        if isinstance(flag, bool):
            return flag
        for key in ("type", "product_type", "kind"):
            value = extra.get(key)
            if isinstance(value, str) and any(word in value.lower() for word in _GIFT_CARD_TYPES):
                return True
        return bool(self.name and _GIFT_CARD_NAME.search(self.name))

    @property
    def kind(self) -> ProductKind:
        """Kind from the flags: product based, open value, fixed value (or gift card), else unknown."""
        if self.is_value_based is False:
            return "product based"
        if self.is_open_value is True:
            return "open value"
        if self.is_value_based is None or self.is_open_value is None:
            return "unknown"
        return "gift card" if self.is_gift_card else "fixed value"

    @property
    def needs_face_value(self) -> bool:
        """True for open-value products, whose issuance must carry `face_value`."""
        return self.is_open_value is True


class Voucher(BaseModel):
    """An issued voucher (reference §7.1); documented keys are required and strictly typed."""

    model_config = ConfigDict(extra="allow", frozen=True)

    voucher_id: StrictStr
    """Technical id, a UUID string (kept as sent)."""
    voucher_code: StrictStr = Field(repr=False)
    """Merchant-facing voucher number (money: kept out of `repr`)."""
    name: StrictStr
    status: VoucherStatus
    expiration: AwareDatetime
    currency: StrictStr
    """`SGD` for value-based vouchers, `""` for product-based ones."""
    remaining_amount: StrictInt
    """Cents left (value-based) or items left (product-based)."""
    product_code: StrictStr
    product_name: StrictStr
    is_value_based: StrictBool
    is_status_available: StrictBool
    is_multiple_use: StrictBool
    url: StrictStr = Field(repr=False)
    short_url: StrictStr | None = Field(default=None, repr=False)
    short_url_pin: str | None = Field(default=None, repr=False)
    """PIN for `short_url`; a JSON string or number on the wire, always text here."""

    @field_validator("voucher_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        try:
            uuid.UUID(value)
        except ValueError:
            raise ValueError("voucher_id is not a UUID") from None
        return value

    _status_is_text = field_validator("status", mode="before")(text_only("status must be a string"))
    _expiration_is_text = field_validator("expiration", mode="before")(
        text_only("expiration must be an RFC 3339 string")
    )
    _pin_as_text = field_validator("short_url_pin", mode="before")(integer_as_text("short_url_pin"))

    @property
    def uuid(self) -> uuid.UUID:
        """`voucher_id` as a `uuid.UUID` (for order- and case-independent matching)."""
        return uuid.UUID(self.voucher_id)


class Issuance(BaseModel):
    """The result of one logical `issue()` call, however many attempts it took."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    """The one key sent on every attempt."""
    product_code: str
    quantity: int
    face_value: int | None
    status_code: int
    """200 (all issued) or 207 (partial)."""
    vouchers: list[Voucher]
    replayed: bool
    """True when the answer came from the provider's idempotency cache (`Idempotency-Record` present)."""
    idempotency_record: str | None = None
    """Value of the `Idempotency-Record` header, if any."""
    attempts: int = 1
    """HTTP requests sent for this issuance (retries and a token-renewal resend included)."""
    partial_error: ApiErrorBody | None = None
    """The error object of a 207 answer (code `207-762`)."""
    request_ids: list[str] = Field(default_factory=list)
    """Provider request ids of the responses received, in order."""
    raw: dict[str, Any] | list[Any] | None = Field(default=None, repr=False)
    """The decoded body of the final response."""

    @property
    def voucher_ids(self) -> list[str]:
        """Ids of the vouchers issued, in the order received."""
        return [voucher.voucher_id for voucher in self.vouchers]

    @property
    def is_partial(self) -> bool:
        """True for a 207 (fewer vouchers than asked)."""
        return self.status_code == 207
