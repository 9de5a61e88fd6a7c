"""The sandbox's in-memory world: stock, vouchers, ledger, idempotency records, faults, tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from uatcert.sandbox._catalogue import Catalogue
from uatcert.sandbox._config import SandboxClient, SandboxConfig
from uatcert.sandbox._faults import FaultBook
from uatcert.sandbox._idempotency import IdempotencyStore
from uatcert.sandbox._tokens import TokenSigner
from uatcert.sandbox._vouchers import Voucher


class SandboxState:
    """Everything the routes share. Only touched from the server's event loop."""

    def __init__(self, cfg: SandboxConfig, catalogue: Catalogue) -> None:
        self.cfg = cfg
        self.catalogue = catalogue
        self.defect: str | None = cfg.defect
        self.clients: dict[str, SandboxClient] = {c.client_id: c for c in cfg.clients}
        self.signer = TokenSigner(cfg.token_ttl_s)
        self.faults = FaultBook()
        self.idempotency = IdempotencyStore(cfg.idempotency_retention_s)
        self.commit_routes: list[tuple[str, re.Pattern[str]]] = []
        """(method, path regex) of routes that commit under an idempotency key (slow_commit waits there)."""
        self.stock: dict[str, int | None] = {}
        self.vouchers: dict[str, Voucher] = {}
        self.voucher_codes: set[str] = set()
        self.ledger: list[dict[str, Any]] = []
        self.reset_hooks: list[Callable[[], None]] = []
        """Told after every reset (`POST /__sandbox/reset`): each API's world goes back to its seed too."""
        self.reset()

    def reset(self) -> None:
        """Back to the seeded state, every API's (`reset_hooks`); the defect mode and issued tokens are kept."""
        self.stock = {p.code: p.stock for p in self.catalogue.products}
        self.vouchers = {}
        self.voucher_codes = set()
        self.ledger = []
        self.idempotency.clear()
        self.faults.clear()
        for hook in self.reset_hooks:
            hook()

    def is_commit_route(self, method: str, path: str) -> bool:
        return any(m == method and rx.search(path) for m, rx in self.commit_routes)

    def record_issuance(self, **entry: Any) -> dict[str, Any]:
        """Append a ledger entry (one per real issuance) and return it."""
        full = {"seq": len(self.ledger) + 1, **entry, "time": datetime.now(UTC).isoformat(timespec="milliseconds")}
        self.ledger.append(full)
        return full
