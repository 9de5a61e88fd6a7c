"""
The run's issuance ledger: what support reconciles against its invoicing records.

Every logical issuance is written twice, as JSON lines appended and flushed to disk one by one:
an `intent` line *before* the first request is sent, and an `outcome` line after the last attempt.
A crash between the two leaves the intent on disk, which is exactly what needs reconciling.
`ledger.csv` is derived from the JSON lines at the end of the run.

The ledger is also an exchange observer: every HTTP attempt at an issuance endpoint (including the
deliberately invalid requests of the validation scenarios) is appended as an `attempt` line with what
came back, so a provider that wrongly issued for a request it should have refused is still on record.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome

CSV_COLUMNS = (
    "time", "api", "idempotency_key", "product_code", "quantity", "face_value", "currency", "outcome",
    "http_status", "voucher_ids", "replayed", "attempts", "request_ids", "error",
)


ISSUE_PATHS = re.compile(r"/products/(?P<code>[^/?]+)$|/vouchers/actions/|/allocat")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class IssuanceLedger(IssuanceHook):
    """Appends intents and outcomes to `ledger.jsonl`, one flushed line at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, sort_keys=False)
        with self._lock:
            if self._file.closed:
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def before(self, intent: IssueIntent) -> None:
        self._write({"event": "intent", **dataclasses.asdict(intent), "time": _now()})

    def after(self, outcome: IssueOutcome) -> None:
        record = dataclasses.asdict(outcome)
        intent = record.pop("intent")
        record["voucher_ids"] = list(outcome.voucher_ids)
        record["request_ids"] = list(outcome.request_ids)
        self._write({"event": "outcome", **intent, **record, "time": _now()})

    def __call__(self, exchange: Exchange) -> None:
        """Observer: record each HTTP attempt at an issuance endpoint."""
        from urllib.parse import urlsplit

        path = urlsplit(exchange.url).path
        match = ISSUE_PATHS.search(path)
        if exchange.method != "POST" or match is None:
            return
        voucher_ids: list[str] = []
        if exchange.response_body[:1] in (b"{", b"["):
            try:
                voucher_ids = _voucher_ids(json.loads(exchange.response_body))
            except ValueError:
                voucher_ids = []
        self._write({
            "event": "attempt", "api": exchange.api, "idempotency_key": exchange.idempotency_key,
            "path": path, "attempt": exchange.attempt, "outcome": exchange.outcome, "http_status": exchange.status,
            "voucher_ids": voucher_ids, "request_ids": _request_ids(exchange.response_headers), "time": _now(),
        })

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()


def _voucher_ids(node: Any) -> list[str]:
    if isinstance(node, list):
        return [v for item in node for v in _voucher_ids(item)]
    if isinstance(node, dict):
        own = [str(node["voucher_id"])] if "voucher_id" in node else []
        return own + [v for key, value in node.items() if key != "voucher_id" for v in _voucher_ids(value)]
    return []


def _request_ids(headers: dict[str, str]) -> list[str]:
    wanted = ("x-request-id", "x-amzn-requestid", "x-amz-apigw-id", "request-id")
    return [v for k, v in headers.items() if k.lower() in wanted]


def read_ledger(path: Path) -> list[dict[str, Any]]:
    """The ledger's records; a torn last line (crash mid-write) is skipped, not fatal."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def write_ledger_csv(jsonl: Path, csv_path: Path) -> Path:
    """One CSV row per issuance: its outcome, or its intent alone when no outcome was ever written."""
    records = read_ledger(jsonl)
    outcomes = {r["idempotency_key"]: r for r in records if r.get("event") == "outcome"}
    rows = []
    for record in records:
        if record.get("event") != "intent":
            continue
        final = outcomes.get(record["idempotency_key"], {**record, "outcome": "unknown (no outcome recorded)"})
        rows.append({
            column: ";".join(map(str, final.get(column) or [])) if column in ("voucher_ids", "request_ids")
            else final.get(column, "")
            for column in CSV_COLUMNS
        })
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return csv_path
