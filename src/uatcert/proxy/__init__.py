"""
The recording fault proxy: a reverse proxy on 127.0.0.1 that an integrator's system uses as its API base URL
(and token URL). It forwards to the upstreams (the embedded sandbox or the real UAT), records every exchange
as a `ProxyRecord`, and applies a `FaultPlan` (lose the response after the upstream committed, drop the
request, 500 after commit, hold, 429, early 401, TCP reset), matched by API, operation and n-th occurrence.

    with FaultProxy(Upstreams.of_sandbox(srv.base_url), FaultPlan.load(Path("plan.toml"))) as proxy:
        urls = proxy.urls("v3")          # urls.base_url ends /v3, urls.token_url
        ...                              # the system under test calls urls.base_url
        proxy.wait_idle(5.0)
        records = proxy.records()

`uatcert proxy` runs it standalone (`uatcert.proxy.command`); `uatcert.proxy.recording` writes redacted records.
"""

from __future__ import annotations

from uatcert.proxy._plan import FAULT_KINDS, OPERATIONS, Fault, FaultKind, FaultPlan
from uatcert.proxy._proxy import FaultProxy, RecordObserver
from uatcert.proxy._record import ProxyRecord
from uatcert.proxy._routes import ProxyUrls, Upstreams

__all__ = [
    "FAULT_KINDS",
    "OPERATIONS",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FaultProxy",
    "ProxyRecord",
    "ProxyUrls",
    "RecordObserver",
    "Upstreams",
]
