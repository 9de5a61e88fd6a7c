"""v3 vouchers: creation from a product and the public view (reference §7); the lifecycle is `_vouchers`'s."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from uatcert.sandbox._vouchers import Lifecycle, expiry_after, format_amount, new_id, new_links, unique_code
from uatcert.sandbox.v3.catalogue import CatalogueProduct


@dataclasses.dataclass
class Voucher(Lifecycle):
    """One issued v3 voucher and its current state."""

    client_id: str
    product: CatalogueProduct
    voucher_id: str
    voucher_code: str
    name: str
    status: str
    expiration: datetime
    remaining_amount: int
    url: str
    short_url: str
    short_url_pin: str
    snapshot: dict[str, Any] = dataclasses.field(default_factory=dict)
    """The voucher as issued (what the issuance response showed)."""

    @property
    def multiple_use(self) -> bool:
        return self.product.is_multiple_use

    def view(self, now: datetime) -> dict[str, Any]:
        """The voucher object with its current state (keys exactly as reference §7.1)."""
        return self.voucher_object(now, code=self.voucher_code, voucher_id=self.voucher_id, short_url=self.short_url,
                                   short_url_pin=self.short_url_pin, status_available=self.product.is_status_available)

    def control_view(self, now: datetime) -> dict[str, Any]:
        return self.view(now)


def new_voucher(
    product: CatalogueProduct, client_id: str, face_value: int | None, now: datetime, taken_codes: set[str]
) -> Voucher:
    """Create one voucher of `product`; open-value products take `face_value` (cents)."""
    if product.is_open_value:
        assert face_value is not None
        amount = face_value
        name = product.name.replace("${FV}", format_amount(face_value))
    else:
        amount = product.face_value or 0
        name = product.name
    url, short_url, pin = new_links()
    voucher = Voucher(
        client_id=client_id,
        product=product,
        voucher_id=new_id(),
        voucher_code=unique_code(taken_codes),
        name=name,
        status="inactive" if product.needs_activation else "active",
        expiration=expiry_after(now, product.validity_days),
        remaining_amount=amount,
        url=url,
        short_url=short_url,
        short_url_pin=pin,
    )
    voucher.snapshot = voucher.view(now)
    return voucher
