"""`ProxyRecord`: one exchange as the proxy saw it (what the system sent, what the upstream and the system got)."""

from __future__ import annotations

import dataclasses
import json as _json
from typing import Any

from uatcert.events import Exchange
from uatcert.proxy._plan import FaultKind


@dataclasses.dataclass(frozen=True)
class ProxyRecord:
    """One request the system sent through the proxy, unredacted (redact before writing it anywhere)."""

    seq: int
    """1-based order in which the proxy received the request."""
    api: str
    """"v3" | "v2" | "allsafe"."""
    operation: str
    received_at: float
    """`time.monotonic()` when the request arrived."""
    exchange: Exchange
    """The request as the system sent it, with `url` the UPSTREAM URL it maps to; `status`, `response_headers`
    and `response_body` are the UPSTREAM's answer (status None: not forwarded); `outcome` is what the SYSTEM got:
    "response", "lost_response" (the upstream answered, the system got nothing) or "lost_request" (not forwarded,
    the system got nothing); "connection_error" / "timeout" when the upstream could not be reached (the system
    got a 502 / 504). `api` is "token" for token calls, as the clients record them; `attempt` counts the requests
    with the same idempotency key (1 without a key); `request_ids` are the upstream's request ids (x-request-id,
    x-amzn-requestid, request-id), also for a lost response."""
    fault: FaultKind | None
    """The fault applied to this request, if any."""
    delivered_status: int | None
    """The status the system received (None: none)."""
    delivered_headers: dict[str, str]
    """The headers the system received."""

    def json(self) -> Any:
        """The request body parsed as JSON (None if it is not JSON)."""
        body = self.exchange.request_body
        if not body:
            return None
        try:
            return _json.loads(body)
        except ValueError:
            return None

    @property
    def lost(self) -> bool:
        """True when the system got no answer at all."""
        return self.delivered_status is None
