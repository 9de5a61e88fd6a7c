"""The control-API clients: `ControlClient` (the shared plumbing) and `SandboxControl` (the generic and v3 calls)."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import httpx

from uatcert.errors import SandboxError


class ControlClient:
    """A synchronous client of `/__sandbox` on a running sandbox; SandboxError on any failure."""

    fault_api = "v3"
    """The API `arm_fault` targets unless told otherwise."""

    def __init__(self, base_url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base_url}/__sandbox", timeout=timeout, transport=transport)

    def reset(self) -> None:
        """The whole sandbox back to its seed (every API)."""
        self._call("POST", "/reset")

    def set_defect(self, mode: str | None) -> None:
        self._call("PUT", "/defect", json={"mode": mode})

    def arm_fault(
        self,
        kind: str,
        *,
        method: str = "POST",
        path: str = "",
        times: int = 1,
        nth: int = 1,
        delay_s: float | None = None,
        retry_after: int | None = None,
        status: int | None = None,
        count: int | None = None,
        api: str | None = None,
    ) -> dict[str, Any]:
        """Arm a fault (on `fault_api` by default); `path` is a regex searched in the request path ("" = every path);
        it fires on its `nth` matching request (1 = the first) and after, at most `times` times."""
        body: dict[str, Any] = {
            "kind": kind, "api": api or self.fault_api, "method": method, "path": path, "times": times, "nth": nth,
        }
        options = {"delay_s": delay_s, "retry_after": retry_after, "status": status, "count": count}
        body.update({k: v for k, v in options.items() if v is not None})
        result: dict[str, Any] = self._call("POST", "/faults", json=body)
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise SandboxError(f"sandbox control API at {self.base_url} unreachable: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or not isinstance(body, dict) or "data" not in body:
            message = body.get("error", {}).get("message") if isinstance(body, dict) else None
            raise SandboxError(
                f"sandbox control {method} {path} failed: HTTP {response.status_code}: {message or response.text[:200]}"
            )
        return body["data"]


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
        """use / redeem (amount) / void / expire / activate (v3 and v2 vouchers); returns the voucher's true state."""
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
