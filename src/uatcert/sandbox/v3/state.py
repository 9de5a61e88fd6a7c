"""v3's world in the sandbox: catalogue, clients, stock, vouchers and idempotency records."""

from __future__ import annotations

import re

from starlette.requests import Request

from uatcert.sandbox._config import SandboxConfig, SandboxCredentials
from uatcert.sandbox._idempotency import IdempotencyStore
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox.v3.catalogue import Catalogue, load_catalogue
from uatcert.sandbox.v3.vouchers import Voucher

COMMIT_ROUTES = [("POST", re.compile(r"^/v3/products/.+$"))]
"""Where slow_commit holds a request after its idempotency key is taken (the issuance route)."""


class V3State:
    """Only touched from the server's event loop."""

    def __init__(self, cfg: SandboxConfig, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.clients: dict[str, SandboxCredentials] = {c.client_id: c for c in cfg.clients}
        self.idempotency = IdempotencyStore(cfg.idempotency_retention_s)
        self.stock: dict[str, int | None] = {}
        self.vouchers: dict[str, Voucher] = {}
        self.voucher_codes: set[str] = set()
        self.listings = 0
        """GET /products answers so far (the catalogue_drift defect counts them)."""
        self.last_issuance: tuple[str, str, int, bytes, int] | None = None
        """(client, fingerprint, status, body, quantity) of the last issuance (identical_body_replays)."""
        self.last_voucher_code: str | None = None
        self.reset()

    @classmethod
    def attached(cls, cfg: SandboxConfig, core: SandboxState) -> V3State:
        """v3's world for `cfg` (ConfigError if the catalogue file is bad), registered with the shared core."""
        v3 = cls(cfg, load_catalogue(cfg.catalogue_path))
        core.commit_routes.extend(COMMIT_ROUTES)
        core.reset_hooks.append(v3.reset)
        core.voucher_lookups.append(lambda key: v3.vouchers.get(key))
        return v3

    def reset(self) -> None:
        """Back to the seeded stock, no vouchers, no idempotency records."""
        self.stock = {p.code: p.stock for p in self.catalogue.products}
        self.vouchers.clear()
        self.voucher_codes = set()
        self.idempotency.clear()
        self.listings = 0
        self.last_issuance = None
        self.last_voucher_code = None


def v3_of(request: Request) -> V3State:
    v3: V3State = request.app.state.v3
    return v3
