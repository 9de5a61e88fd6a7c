"""
One client-under-test scenario: the run's recording fault proxy in front of the profile's upstream, the
scenario's fault plan, the system's runs (trigger or interactive) and the evidence of what the proxy saw
(attached, redacted, under the step that ran the system: a table of the recording and one attachment per
exchange).
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from uatcert.evidence import Redactor, exchange_document
from uatcert.proxy import Fault, FaultPlan, FaultProxy, ProxyRecord, Upstreams
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings.cut.records import SystemRun
from uatcert.suite.wings.cut.target import CutTarget, cut_target
from uatcert.suite.wings.cut.trigger import run_trigger, wait_interactively

IDLE_WAIT_S = 10.0
"""How long to wait, after the system returned, for requests still in the proxy (held answers included)."""


class Proxies:
    """The run's proxies, one per client-under-test profile, started on first use and stopped at the end."""

    def __init__(self, runtime: SuiteRuntime) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        self._started: dict[str, tuple[FaultProxy, SystemAccess]] = {}

    def of(self, profile: str) -> tuple[FaultProxy, SystemAccess]:
        with self._lock:
            if profile not in self._started:
                access = system_access(self._runtime, cut_target(self._runtime, profile))
                port = self._runtime.settings.cut.proxy_port
                self._started[profile] = (FaultProxy(access.upstreams, port=port).start(), access)
            return self._started[profile]

    def stop(self) -> None:
        with self._lock:
            started, self._started = self._started, {}
        for proxy, _ in started.values():
            proxy.stop()


class SystemAccess:
    """The upstream behind the proxy and the credentials the system gets (from that API's own target)."""

    def __init__(self, target: CutTarget, upstreams: Upstreams, credentials: dict[str, str]) -> None:
        self.target = target
        self.upstreams = upstreams
        self.credentials = credentials


def system_access(runtime: SuiteRuntime, target: CutTarget) -> SystemAccess:
    # the API's own target: guarded when configured, its secrets known to the redactor
    if target.api == "v3":
        from uatcert.suite.wings.v3.target import target as v3_target

        v3 = v3_target(runtime)
        return SystemAccess(target, Upstreams(v3_base_url=v3.base_url, v3_token_url=v3.token_url), {
            "UATCERT_CUT_CLIENT_ID": v3.client_id, "UATCERT_CUT_CLIENT_SECRET": v3.client_secret})
    if target.api == "v2":
        from uatcert.suite.wings.v2.target import target as v2_target

        v2 = v2_target(runtime)
        return SystemAccess(target, Upstreams(v2_base_url=v2.base_url, v2_token_url=v2.token_url), {
            "UATCERT_CUT_CLIENT_ID": v2.client_id, "UATCERT_CUT_CLIENT_SECRET": v2.client_secret,
            "UATCERT_CUT_X_CLIENT_ID": v2.x_client_id, "UATCERT_CUT_X_CLIENT_SECRET": v2.x_client_secret})
    from uatcert.suite.wings.allsafe.target import target as allsafe_target

    allsafe = allsafe_target(runtime)
    return SystemAccess(target, Upstreams(allsafe_base_url=allsafe.base_url), {
        "UATCERT_CUT_USERNAME": allsafe.username, "UATCERT_CUT_PASSWORD": allsafe.password})


class CutScenario:
    """A scenario's view of the proxy: its faults, its system runs, its records (the proxy is cleared first)."""

    def __init__(self, proxy: FaultProxy, access: SystemAccess, redactor: Redactor,
                 say: Callable[[str], None] = print) -> None:
        self.proxy = proxy
        self.say = say
        """Writes to the integrator's terminal (the interactive mode's instructions)."""
        self.access = access
        self.target = access.target
        self.redactor = redactor
        self.faults: list[Fault] = []
        self.runs: list[SystemRun] = []
        self.asked: tuple[int, Decimal | None] = (0, None)
        """What the scenario asked the system for: a quantity and a face value (the judges compare them)."""
        self.refused_locally_ok = False
        """True when the system may refuse the request itself without sending it (a malformed one)."""
        self._attached = 0
        self._closing: list[Callable[[], None]] = []
        proxy.set_plan(FaultPlan())
        proxy.clear()

    def arm(self, fault: Fault) -> None:
        """Add a fault to the scenario's plan (the occurrence counters restart)."""
        self.faults.append(fault)
        self.proxy.set_plan(FaultPlan(tuple(self.faults)))

    def environment(self, credentials: dict[str, str] | None = None) -> dict[str, str]:
        urls = self.proxy.urls(self.target.api)
        values = {"UATCERT_CUT_BASE_URL": urls.base_url}
        if urls.token_url:
            values["UATCERT_CUT_TOKEN_URL"] = urls.token_url
        values.update(self.access.credentials)
        values.update(credentials or {})
        return values

    def run(self, args: Sequence[str], instructions: str, credentials: dict[str, str] | None = None) -> SystemRun:
        """Run the system once (its trigger with `args`, or interactively), then attach what the proxy saw."""
        if self.target.trigger:
            result = run_trigger(self.target.trigger, args, self.environment(credentials), self.target.timeout_s)
        else:
            urls = self.proxy.urls(self.target.api)
            where = f"; its API base URL must be {urls.base_url}" + (f", its token URL {urls.token_url}"
                                                                     if urls.token_url else "")
            result = wait_interactively(instructions + where, self.records, self.target.interactive_wait_s, self.say)
        self.proxy.wait_idle(IDLE_WAIT_S)
        self.runs.append(result)
        self.attach(result)
        return result

    def records(self) -> list[ProxyRecord]:
        return self.proxy.records()

    def on_close(self, action: Callable[[], None]) -> None:
        """Run `action` when the scenario ends (last registered, first run)."""
        self._closing.append(action)

    def close(self) -> None:
        for action in reversed(self._closing):
            action()
        self.proxy.set_plan(FaultPlan())
        self.proxy.wait_idle(IDLE_WAIT_S)
        self.proxy.clear()

    # evidence ----------------------------------------------------------------------------------
    def attach(self, run: SystemRun) -> None:
        import allure

        records = self.records()
        new, self._attached = records[self._attached:], len(records)
        start = run.started_at
        for record in records:
            self.redactor.learn(record.exchange)
        allure.attach(self._table(new, start), name=f"proxy recording: {len(new)} requests",
                      attachment_type=allure.attachment_type.CSV)
        for record in new:
            allure.attach(json.dumps(self._document(record, start), indent=2, ensure_ascii=False),
                          name=self.redactor.text(record_title(record)), attachment_type=allure.attachment_type.JSON)
        allure.attach(self.redactor.text(json.dumps(self._run_document(run), indent=2)), name="the system's report",
                      attachment_type=allure.attachment_type.JSON)

    def _document(self, record: ProxyRecord, start: float) -> dict[str, Any]:
        return {
            "seq": record.seq, "operation": record.operation, "at_s": round(record.received_at - start, 3),
            "fault": record.fault, "delivered_to_system": {
                "status": record.delivered_status, "headers": self.redactor.headers(record.delivered_headers)},
            "exchange": exchange_document(record.exchange, self.redactor),
        }

    def _table(self, records: list[ProxyRecord], start: float) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["#", "at (s)", "operation", "request", "key", "fault", "upstream", "system got"])
        for r in records:
            e = r.exchange
            writer.writerow([r.seq, f"{r.received_at - start:.3f}", r.operation,
                             f"{e.method} {urlsplit(e.url).path}", self.redactor.text(e.idempotency_key or ""),
                             r.fault or "", e.status if e.status is not None else "not forwarded",
                             r.delivered_status if r.delivered_status is not None else "no answer"])
        return self.redactor.text(out.getvalue())

    def _run_document(self, run: SystemRun) -> dict[str, Any]:
        return {"mode": self.target.mode, "exit_code": run.exit_code, "timed_out": run.timed_out,
                "printed": list(run.printed), "duration_s": round(run.finished_at - run.started_at, 3),
                "stderr": run.stderr[-600:]}


def record_title(record: ProxyRecord) -> str:
    e = record.exchange
    upstream = "not forwarded" if e.status is None else f"upstream {e.status}"
    got = "no answer" if record.delivered_status is None else str(record.delivered_status)
    fault = f" [{record.fault}]" if record.fault else ""
    return f"#{record.seq} {e.method} {urlsplit(e.url).path} → {upstream}; system got {got}{fault}"
