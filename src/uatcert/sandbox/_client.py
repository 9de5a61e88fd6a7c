"""`SandboxControl`: a thin synchronous client of the control API."""

from __future__ import annotations

from typing import Any

from uatcert.sandbox._control_client import ControlClient


class SandboxControl(ControlClient):
    """Drive a running sandbox (`base_url` without /__sandbox); SandboxError on any failure."""

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/info")
        return result

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/faults")
        return result

    def ledger(
        self, *, api: str | None = "v3", idempotency_key: str | None = None, product_code: str | None = None
    ) -> list[dict[str, Any]]:
        """Issuance ledger entries (one per real issuance), oldest first; api=None = every API."""
        params = {"api": api, "idempotency_key": idempotency_key, "product_code": product_code}
        result: list[dict[str, Any]] = self._call(
            "GET", "/ledger", params={k: v for k, v in params.items() if v is not None}
        )
        return result

    def set_voucher_state(self, voucher_id: str, action: str, amount: int | None = None) -> dict[str, Any]:
        """use / redeem (amount) / void / expire / activate; returns the voucher's true state."""
        body: dict[str, Any] = {"action": action}
        if amount is not None:
            body["amount"] = amount
        result: dict[str, Any] = self._call("POST", f"/vouchers/{voucher_id}", json=body)
        return result

    def expire_tokens(self) -> None:
        self._call("POST", "/tokens/expire")

    def stock(self, code: str) -> int | None:
        result: dict[str, Any] = self._call("GET", f"/stock/{code}")
        remaining: int | None = result["remaining"]
        return remaining
