"""v2's world in the sandbox: catalogue, clients, tokens, vouchers and X-Correlation-Id records.

A v2 voucher is v2's own (`V2Voucher`: settlement ref, voucher ref, edenred URL, view code); the control API's
voucher actions reach it by its settlement ref and show it in the same form as a v3 voucher."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from uatcert.sandbox._config import SandboxConfig, SandboxV2Credentials
from uatcert.sandbox._idempotency import IdempotencyStore
from uatcert.sandbox._ledger import Ledger
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox._vouchers import Lifecycle, expiry_after, format_amount, new_id, new_links, unique_code
from uatcert.sandbox.v2.catalogue import V2Product, V2Products, load_products

COMMIT_ROUTES = [
    ("POST", re.compile(r"^/v2/catalogs/[^/]+/product_assets/[^/]+/products/[^/]+/vouchers/actions/request$")),
]


@dataclasses.dataclass
class V2Voucher(Lifecycle):
    """One issued v2 voucher and its current state."""

    owner: str
    """The X-Client-Id of the client that issued it (no other client sees it)."""
    product: V2Product
    settlement_ref: str
    voucher_ref: str
    name: str
    status: str
    expiration: datetime
    remaining_amount: int
    """Cents (value-based) or items (product-based)."""
    url: str
    edenred_url: str
    view_code: str
    issued_status: str = "active"
    issued_remaining: int = 0
    issued_expiration: datetime | None = None
    """As issued (what a third-party voucher keeps showing)."""

    @property
    def multiple_use(self) -> bool:
        return self.product.trackable

    def control_view(self, now: datetime) -> dict[str, Any]:
        """The voucher as the control API shows every voucher (the v3 voucher object's keys)."""
        return self.voucher_object(now, code=self.voucher_ref, voucher_id=self.settlement_ref,
                                   short_url=self.edenred_url, short_url_pin=self.view_code,
                                   status_available=self.product.trackable)


class V2State:
    """Only touched from the server's event loop."""

    def __init__(self, cfg: SandboxConfig, ledger: Ledger) -> None:
        self.cfg = cfg
        self.ledger = ledger
        self.catalogue: V2Products = load_products(cfg.v2_catalogue_path)
        self.clients: dict[str, SandboxV2Credentials] = {c.client_id: c for c in cfg.v2_clients}
        self.by_x_client_id: dict[str, SandboxV2Credentials] = {c.x_client_id: c for c in cfg.v2_clients}
        self.tokens: dict[str, str] = {}
        """Opaque bearer token -> the signed token behind it (so `POST /__sandbox/tokens/expire` applies)."""
        self.idempotency = IdempotencyStore(cfg.idempotency_retention_s)
        self.vouchers: dict[str, V2Voucher] = {}
        """By settlement ref."""
        self.voucher_refs: set[str] = set()
        self.last_voucher_ref: str | None = None
        self.last_issue: dict[str, tuple[str, list[str]]] = {}
        """Per X-Client-Id: fingerprint and refs of its last complete issuance (for a defect mode)."""

    @classmethod
    def attached(cls, cfg: SandboxConfig, core: SandboxState) -> V2State:
        """v2's world for `cfg` (CatalogueFileError if the catalogue file is bad), registered with the core."""
        v2 = cls(cfg, core.ledger)
        core.commit_routes.extend(COMMIT_ROUTES)
        core.faults.register_api("/v2/", "v2")
        core.reset_hooks.append(v2.reset)
        core.voucher_lookups.append(lambda key: v2.vouchers.get(key))
        return v2

    def reset(self) -> None:
        """No vouchers, no X-Correlation-Id records (stock follows the ledger, cleared by the core)."""
        self.vouchers.clear()
        self.voucher_refs = set()
        self.idempotency.clear()
        self.last_voucher_ref = None
        self.last_issue.clear()

    def issued(self, code: str) -> int:
        """Vouchers of `code` issued since the last reset (from the ledger, so a reset restores stock)."""
        return sum(len(e["voucher_ids"]) for e in self.ledger.of("v2") if e["product_code"] == code)

    def unchanged(self, refs: list[str]) -> bool:
        """True when each of these vouchers is still as issued (status, value, expiry)."""
        now = datetime.now(UTC)
        vouchers = [self.vouchers.get(r) for r in refs]
        return all(v is not None and v.current_status(now) == v.issued_status and v.expiration == v.issued_expiration
                   and v.remaining_amount == v.issued_remaining for v in vouchers)

    def new_voucher(self, product: V2Product, owner: str, cents: int | None, now: datetime, *,
                    named: bool = True) -> V2Voucher:
        """Issue one voucher of `product`; dynamic products take their face value in `cents` (in the name
        unless not `named`, for a defect mode)."""
        if product.is_dynamic:
            assert cents is not None
            amount = cents
            name = product.name.replace("${FV}", format_amount(cents) if named else "").strip()
        else:
            amount, name = product.value or 0, product.name
        expiration = product.expires_fixed or expiry_after(now, product.validity_days)
        url, edenred_url, view_code = new_links()
        status = "inactive" if product.needs_activation else "active"
        voucher = V2Voucher(
            owner=owner, product=product, settlement_ref=new_id(), voucher_ref=unique_code(self.voucher_refs),
            name=name, status=status, expiration=expiration, remaining_amount=amount, url=url,
            edenred_url=edenred_url, view_code=view_code,
        )
        voucher.issued_status = voucher.current_status(now)
        voucher.issued_remaining, voucher.issued_expiration = amount, expiration
        self.vouchers[voucher.settlement_ref] = voucher
        return voucher


def v2_of(request: Request) -> V2State:
    v2: V2State = request.app.state.v2
    return v2
