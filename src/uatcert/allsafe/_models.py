"""
Typed bodies of the AllSafe API. Every shape is UNDOCUMENTED (reference §3): the models follow the
proposal and are tolerant where it says the client must be.

- Unknown keys are kept (`extra="allow"`), never rejected.
- Names are read in the proposed camelCase and in a few likely alternatives (`serialNumber` or
  `serial_number`...).
- `value` is compared numerically (`50` equals `50.0`): it is a `Decimal` here.
- A PIN, code or id sent as a JSON number is read as text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StrictStr, field_validator

AvailabilityForm = Literal["list", "no_content", "empty_list", "no_vouchers"]
"""How availability came back: a list with entries, `204 No Content`, `200 []`, or `492`."""


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be text, not a boolean")
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


def as_decimal(value: int | float | Decimal | str) -> Decimal:
    """A face value as a finite Decimal (`50`, `50.0`, `"50.00"` all compare equal)."""
    if isinstance(value, bool):
        raise TypeError("value must be a number")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError("value must be a finite number")
    return number


def value_text(value: Decimal) -> str:
    """`Decimal('50')` -> "50", `Decimal('75.50')` -> "75.5"."""
    normal = value.normalize()
    return f"{normal:f}" if normal != normal.to_integral_value() else str(int(normal))


def value_json(value: Decimal) -> int | float:
    """The JSON number for a value: an integer when it is whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


class VoucherType(BaseModel):
    """One entry of availability: a (vendor, value) pair and how many are left (names UNDOCUMENTED)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    vendor: StrictStr = Field(validation_alias=AliasChoices("vendor", "vendorName", "vendor_name"))
    value: Decimal = Field(validation_alias=AliasChoices("value", "faceValue", "face_value", "denomination"))
    remaining: int = Field(
        ge=0, validation_alias=AliasChoices("remaining", "remainingCount", "remaining_count", "available", "count")
    )

    _numbers = field_validator("value", "remaining", mode="before")(_number)

    @field_validator("value")
    @classmethod
    def _finite(cls, value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError("must be a finite number")
        return value

    @property
    def label(self) -> str:
        """E.g. `ExampleMart 50`."""
        return f"{self.vendor} {value_text(self.value)}"


class AllocatedVoucher(BaseModel):
    """The voucher an allocation handed out. Only `code` is needed; everything else is optional.

    The code, PIN and serial number are money: they never show in `repr()` (so not in logs or reports).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    code: StrictStr = Field(
        min_length=1, repr=False,
        validation_alias=AliasChoices("code", "voucherCode", "voucher_code", "voucherNumber"),
    )
    """The code or number the end user redeems (money: redacted in every artifact)."""
    id: StrictStr | None = Field(
        None, validation_alias=AliasChoices("id", "voucherId", "voucher_id", "allocationId", "allocation_id")
    )
    vendor: StrictStr | None = Field(None, validation_alias=AliasChoices("vendor", "vendorName", "vendor_name"))
    value: Decimal | None = Field(None, validation_alias=AliasChoices("value", "faceValue", "face_value"))
    pin: StrictStr | None = Field(None, repr=False, validation_alias=AliasChoices("pin", "voucherPin", "voucher_pin"))
    serial_number: StrictStr | None = Field(
        None, repr=False, validation_alias=AliasChoices("serialNumber", "serial_number", "serial")
    )
    expiry_date: StrictStr | None = Field(
        None, validation_alias=AliasChoices("expiryDate", "expiry_date", "expiry", "expiresAt")
    )
    reference: StrictStr | None = None

    _texts = field_validator("code", "id", "pin", "serial_number", mode="before")(_text)
    _numbers = field_validator("value", mode="before")(_number)

    @property
    def expires_at(self) -> dt.datetime | None:
        """`expiry_date` as an aware datetime (a bare date ends that day, UTC); None if absent or unreadable."""
        if not self.expiry_date:
            return None
        text = self.expiry_date.strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            if len(text) <= 10:
                moment = moment.replace(hour=23, minute=59, second=59)
            moment = moment.replace(tzinfo=dt.UTC)
        return moment


@dataclasses.dataclass(frozen=True)
class Availability:
    """Availability as the provider answered it, in whichever form it chose for "nothing available"."""

    types: tuple[VoucherType, ...]
    """Entries as listed (some providers may list types with nothing left)."""
    form: AvailabilityForm
    status_code: int
    attempts: int = 1

    @property
    def available(self) -> tuple[VoucherType, ...]:
        """Entries with something left (the client filters `remaining > 0` itself)."""
        return tuple(t for t in self.types if t.remaining > 0)

    @property
    def nothing_available(self) -> bool:
        return not self.available

    def remaining(self, vendor: str, value: Decimal | int | float | str) -> int:
        """How many are left of (vendor, value): exact vendor, numeric value; 0 when not listed."""
        wanted = as_decimal(value)
        return sum(t.remaining for t in self.types if t.vendor == vendor and t.value == wanted)

    def snapshot(self) -> dict[tuple[str, Decimal], int]:
        """(vendor, value) -> remaining, for comparisons (entries with nothing left omitted)."""
        result: dict[tuple[str, Decimal], int] = {}
        for entry in self.available:
            key = (entry.vendor, entry.value.normalize())
            result[key] = result.get(key, 0) + entry.remaining
        return result


@dataclasses.dataclass(frozen=True)
class Allocation:
    """One successful allocation."""

    reference: str
    """The client reference of the allocation (sent when the contract has a reference field)."""
    vendor: str
    """The vendor asked."""
    value: Decimal
    """The value asked."""
    voucher: AllocatedVoucher
    status_code: int
    attempts: int = 1
    request_ids: tuple[str, ...] = ()
    reference_sent: bool = True
