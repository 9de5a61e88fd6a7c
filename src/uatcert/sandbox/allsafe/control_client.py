"""`AllSafeSandboxControl`: a thin synchronous client of the sandbox's AllSafe control API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from uatcert.sandbox._control_client import ControlClient


class AllSafeSandboxControl(ControlClient):
    """
    Drive the AllSafe side of a running sandbox (`base_url` without /__sandbox); SandboxError on failure.

    Uses `/__sandbox/allsafe/*` (stock, allocations, switches, info) and the generic control API for
    reset, faults (api "allsafe"), the issuance ledger and defect modes.
    """

    # AllSafe control ---------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/allsafe/info")
        return result

    def stock(self, *, campaign: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
        """Rows (campaign, pool, vendor, value, available, allocated, expired, exported)."""
        params = {k: v for k, v in {"campaign": campaign, "username": username}.items() if v is not None}
        result: list[dict[str, Any]] = self._call("GET", "/allsafe/stock", params=params)
        return result

    def available(self, vendor: str, value: int | float | Decimal, *, campaign: str = "camp-live",
                  pool: str = "test") -> int:
        """Usable vouchers of one type (0 when the type is unknown)."""
        wanted = Decimal(str(value))
        return sum(
            row["available"] for row in self.stock(campaign=campaign)
            if row["pool"] == pool and row["vendor"] == vendor and Decimal(str(row["value"])) == wanted
        )

    def set_stock(self, vendor: str, value: int | float, count: int, *, campaign: str = "camp-live",
                  pool: str = "test") -> None:
        """Make exactly `count` usable vouchers of vendor/value in the campaign (first vault)."""
        body = {"vendor": vendor, "value": value, "count": count, "campaign": campaign, "pool": pool}
        self._call("PUT", "/allsafe/stock", json=body)

    def allocations(self, *, reference: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"reference": reference, "username": username}.items() if v is not None}
        result: list[dict[str, Any]] = self._call("GET", "/allsafe/allocations", params=params)
        return result

    def switches(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/allsafe/switches")
        return result

    def set_switches(self, **switches: Any) -> dict[str, Any]:
        """availability_empty_mode, live_integration_allowed_when_pending, include_zero_remaining, error_body,
        www_authenticate_header, allocation_answer."""
        result: dict[str, Any] = self._call("PUT", "/allsafe/switches", json=switches)
        return result

    fault_api = "allsafe"

    # generic control ---------------------------------------------------------------------------
    def ledger(self, *, reference: str | None = None) -> list[dict[str, Any]]:
        """The provider's ledger entries of AllSafe allocations (one per voucher handed out), oldest first."""
        entries: list[dict[str, Any]] = self._call("GET", "/ledger", params={"api": "allsafe"})
        if reference is not None:
            entries = [e for e in entries if e.get("reference") == reference]
        return entries
