"""
Client-side network faults: an httpx transport that loses requests and responses on demand.

    transport = FaultTransport()                  # wraps httpx.HTTPTransport()
    fault = transport.arm("lose_response", method="POST", path=r"/products/")
    client = V3Client(..., transport=transport)   # the client registers itself in `on_lost`

Kinds (each fires on the `nth` matching request and the `times - 1` matching requests after it;
`delay_s` sleeps before any kind acts):

| kind            | what the server sees       | what the caller gets                              |
|-----------------|----------------------------|---------------------------------------------------|
| `lose_response` | the request, processed     | `httpx.ReadTimeout`; the answer kept in `lost_responses` |
| `lose_request`  | nothing                    | `httpx.ConnectError`                              |
| `reset`         | the request, processed     | `httpx.ReadError` (connection reset by peer); answer kept |
| `delay`         | the request, late          | the real response, `delay_s` later                |

Every lost answer is also passed, as `(request, response)`, to each listener in `on_lost` before the
error is raised, so a client can record what the server really answered (status and body) for the
evidence. Anything with an `on_lost` list is a `LostResponseReporter`.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Callable
from typing import Literal, Protocol, get_args, runtime_checkable

import httpx

FaultKind = Literal["lose_response", "lose_request", "reset", "delay"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

LostResponseListener = Callable[[httpx.Request, httpx.Response], None]
"""Told about a response the server sent and the caller never received."""


@runtime_checkable
class LostResponseReporter(Protocol):
    """A transport that reports the responses it drops to the listeners in `on_lost`."""

    on_lost: list[LostResponseListener]


@dataclasses.dataclass(eq=False)
class ArmedFault:
    """One armed fault and its counters."""

    kind: FaultKind
    method: str | None
    path: re.Pattern[str] | None
    nth: int
    times: int
    delay_s: float
    matched: int = 0
    """Matching requests seen so far (while armed)."""
    fired: int = 0
    """Times the fault acted."""
    armed: bool = True

    def matches(self, request: httpx.Request) -> bool:
        """True when method and path regex (searched in the URL path) match the request."""
        if self.method is not None and request.method.upper() != self.method.upper():
            return False
        return self.path is None or self.path.search(request.url.path) is not None

    @property
    def exhausted(self) -> bool:
        """True once the fault fired `times` times or was disarmed."""
        return not self.armed or self.fired >= self.times

    def disarm(self) -> None:
        """Stop this fault from firing again."""
        self.armed = False


class FaultTransport(httpx.BaseTransport):
    """Forwards to `inner` (default `httpx.HTTPTransport()`) except where an armed fault fires."""

    def __init__(self, inner: httpx.BaseTransport | None = None, *, sleep: Callable[[float], None] = time.sleep):
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.faults: list[ArmedFault] = []
        self.fired: list[tuple[str, httpx.Request]] = []
        """(kind, request) for every fault that acted, in order."""
        self.lost_responses: list[httpx.Response] = []
        """Responses read from the server and then withheld from the caller (`lose_response`, `reset`)."""
        self.on_lost: list[LostResponseListener] = []
        self._sleep = sleep
        self._lock = threading.Lock()

    def arm(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        path: str | None = None,
        nth: int = 1,
        times: int = 1,
        delay_s: float = 0.0,
    ) -> ArmedFault:
        """Arm a fault for the `nth` matching request and the `times - 1` matching ones after it."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if nth < 1 or times < 1:
            raise ValueError("nth and times must be at least 1")
        if delay_s < 0:
            raise ValueError("delay_s must not be negative")
        fault = ArmedFault(
            kind=kind,
            method=method,
            path=re.compile(path) if path is not None else None,
            nth=nth,
            times=times,
            delay_s=delay_s,
        )
        with self._lock:
            self.faults.append(fault)
        return fault

    def disarm_all(self) -> None:
        """Disarm every fault (counters and evidence lists are kept)."""
        with self._lock:
            for fault in self.faults:
                fault.disarm()
            self.faults.clear()

    def _firing(self, request: httpx.Request) -> list[ArmedFault]:
        firing: list[ArmedFault] = []
        with self._lock:
            for fault in self.faults:
                if fault.exhausted or not fault.matches(request):
                    continue
                fault.matched += 1
                if fault.matched >= fault.nth:
                    fault.fired += 1
                    firing.append(fault)
                    self.fired.append((fault.kind, request))
        return firing

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        firing = self._firing(request)
        for fault in firing:
            if fault.delay_s > 0:
                self._sleep(fault.delay_s)
        action = next((fault.kind for fault in firing if fault.kind != "delay"), None)
        if action is None:
            return self.inner.handle_request(request)
        if action == "lose_request":
            raise httpx.ConnectError("simulated: request lost before reaching the server", request=request)
        response = self.inner.handle_request(request)
        try:
            response.read()  # the whole answer arrived: the server did the work
        finally:
            response.close()  # hand the connection back to the pool
        self.lost_responses.append(response)
        for listener in list(self.on_lost):
            listener(request, response)
        if action == "reset":
            raise httpx.ReadError("simulated: connection reset by peer", request=request)
        raise httpx.ReadTimeout("simulated: response lost after the server processed the request", request=request)

    def close(self) -> None:
        self.inner.close()
