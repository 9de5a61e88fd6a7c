"""What every API of the sandbox shares: defect mode, tokens, faults, ledger, reset, the control API's reach."""

from __future__ import annotations

import re
from collections.abc import Callable

from uatcert.sandbox._config import SandboxConfig
from uatcert.sandbox._defects import DefectMode
from uatcert.sandbox._faults import FaultBook
from uatcert.sandbox._ledger import Ledger
from uatcert.sandbox._tokens import TokenSigner
from uatcert.sandbox._vouchers import Lifecycle

VoucherLookup = Callable[[str], Lifecycle | None]


class SandboxState:
    """The shared core; each API keeps its own world (`app.state.v3`, `.v2`, `.allsafe`) and registers here
    its reset hook, its fault target, its commit routes and its voucher lookup. Only touched from the event loop."""

    def __init__(self, cfg: SandboxConfig) -> None:
        self.cfg = cfg
        self.api_requests: dict[str, int] = {}
        """Provider API requests served so far, per API ("token" for the v3 token endpoint): the benchmarks' count."""
        self.defect: str | None = cfg.defect
        self.signer = TokenSigner(cfg.token_ttl_s)
        self.faults = FaultBook()
        self.ledger = Ledger()
        self.commit_routes: list[tuple[str, re.Pattern[str]]] = []
        """(method, path regex) of routes that commit under an idempotency key (slow_commit waits there)."""
        self.reset_hooks: list[Callable[[], None]] = []
        """Told on every reset (`POST /__sandbox/reset`): each API's world goes back to its seed."""
        self.voucher_lookups: list[VoucherLookup] = []
        """Each API's vouchers by id (lower-cased), for the control API's voucher actions."""

    def defective(self, mode: DefectMode) -> bool:
        """True when the sandbox runs with this defect mode."""
        return self.defect == mode.name

    def reset(self) -> None:
        """Back to the seeded state, every API's (`reset_hooks`); the defect mode and issued tokens are kept."""
        self.ledger.clear()
        self.faults.clear()
        for hook in self.reset_hooks:
            hook()

    def is_commit_route(self, method: str, path: str) -> bool:
        return any(m == method and rx.search(path) for m, rx in self.commit_routes)

    def voucher(self, voucher_id: str) -> Lifecycle | None:
        """The voucher with this id, whichever API issued it."""
        key = voucher_id.lower()
        return next((v for lookup in self.voucher_lookups if (v := lookup(key)) is not None), None)
