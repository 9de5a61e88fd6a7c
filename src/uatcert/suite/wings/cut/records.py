"""
What the client-under-test judges read: the proxy's records of what the integrator's system sent (the
`Seen` protocol, which `uatcert.proxy.ProxyRecord` satisfies) and what the system itself said (`SystemRun`:
its exit status and printed ids, from the trigger command or the interactive mode).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any, Protocol

from uatcert.events import Exchange

ISSUING = ("issue", "allocate")
"""Operations that issue (v3, v2) or allocate (AllSafe)."""
UNKNOWN_FAULTS = ("lose_response", "error_after_commit", "reset", "drop_request")
"""Faults after which the system cannot know whether the provider issued."""


class Seen(Protocol):
    """One request the proxy received from the system (`uatcert.proxy.ProxyRecord`)."""

    @property
    def seq(self) -> int: ...
    @property
    def api(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def received_at(self) -> float: ...
    @property
    def exchange(self) -> Exchange: ...
    @property
    def fault(self) -> str | None: ...
    @property
    def delivered_status(self) -> int | None: ...
    @property
    def delivered_headers(self) -> dict[str, str]: ...
    def json(self) -> Any: ...


@dataclasses.dataclass(frozen=True)
class SystemRun:
    """One run of the integrator's system (one trigger command, or one interactive prompt)."""

    exit_code: int | None
    """Its exit status; None in the interactive mode (nobody reports one) or when it was killed."""
    printed: tuple[str, ...] = ()
    """The ids it printed, one per line (voucher ids, settlement refs, a code's last 4 characters)."""
    started_at: float = 0.0
    """time.monotonic() when it was started."""
    finished_at: float = float("inf")
    timed_out: bool = False
    stderr: str = ""

    @property
    def reported(self) -> bool:
        return self.exit_code is not None


def issuing(records: Sequence[Seen]) -> list[Seen]:
    """The issuance (allocation) requests, in the order the proxy received them."""
    return sorted((r for r in records if r.operation in ISSUING), key=lambda r: r.seq)


def delivered_at(record: Seen) -> float:
    """When the system got its answer (or its connection closed)."""
    return record.received_at + record.exchange.duration_s


def body_of(record: Seen) -> Any:
    """The request body as JSON (None when it is not JSON)."""
    try:
        return record.json()
    except ValueError:
        return None


def upstream_json(record: Seen) -> Any:
    """What the upstream answered, as JSON (None when not forwarded or not JSON)."""
    body = record.exchange.response_body
    if record.exchange.status is None or not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def header(record: Seen, name: str) -> str | None:
    """A request header as the system sent it (case-insensitive), or None."""
    wanted = name.lower()
    return next((v for k, v in record.exchange.request_headers.items() if k.lower() == wanted), None)


def during(records: Sequence[Seen], run: SystemRun) -> list[Seen]:
    """The records of requests that arrived while `run` ran."""
    return [r for r in records if run.started_at <= r.received_at <= run.finished_at]
