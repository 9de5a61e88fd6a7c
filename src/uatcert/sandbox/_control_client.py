"""`ControlClient`: the request/raise plumbing shared by the sandbox's control-API clients."""

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
        skip: int = 0,
        delay_s: float | None = None,
        retry_after: int | None = None,
        status: int | None = None,
        count: int | None = None,
        api: str | None = None,
    ) -> dict[str, Any]:
        """Arm a fault (on `fault_api` by default); `path` is a regex searched in the request path ("" = every path)."""
        body: dict[str, Any] = {
            "kind": kind, "api": api or self.fault_api, "method": method, "path": path, "times": times, "skip": skip,
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
