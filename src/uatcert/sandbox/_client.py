"""`SandboxControl`: a thin synchronous client of the control API."""

from __future__ import annotations

from typing import Any

from uatcert.sandbox._control_client import ControlClient


class SandboxControl(ControlClient):
    """Drive a running sandbox (`base_url` without /__sandbox); SandboxError on any failure."""

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/info")
        return result

    def arm_fault(
        self,
        kind: str,
        *,
        method: str = "POST",
        path: str = "",
        times: int = 1,
        skip: int = 0,
        delay_s: float | None = None,
        retry_after: int | None = None,
        status: int | None = None,
        count: int | None = None,
        api: str = "v3",
    ) -> dict[str, Any]:
        """Arm a fault; `path` is a regex searched in the request path ("" = every path)."""
        body: dict[str, Any] = {"kind": kind, "api": api, "method": method, "path": path, "times": times, "skip": skip}
        options = {"delay_s": delay_s, "retry_after": retry_after, "status": status, "count": count}
        body.update({k: v for k, v in options.items() if v is not None})
        result: dict[str, Any] = self._call("POST", "/faults", json=body)
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
