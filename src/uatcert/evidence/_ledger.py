"""
The run's issuance ledger: what support reconciles against its invoicing records.

Every logical issuance is written twice, as JSON lines appended and flushed to disk one by one:
an `intent` line *before* the first request is sent, and an `outcome` line after the last attempt.
A crash between the two leaves the intent on disk, which is exactly what needs reconciling.
`ledger.csv` is derived from the JSON lines at the end of the run.

The ledger is also an exchange observer: every HTTP request the client flagged as an issuance
(`Exchange.issuance`: v3 `POST /products/{code}`, v2 Request Vouchers, AllSafe's allocate call, also
the deliberately invalid requests of the validation scenarios sent raw) is appended as an `attempt`
line with what came back, so a provider that wrongly issued for a request it should have refused is
still on record. Its `voucher_ids` are the identifiers of the answer, never a voucher's secret: v3
`voucher_id`, v2 `voucher_settlement_ref`, the AllSafe voucher's id (not its code, PIN or serial
number, which the redactor masks as money).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome

CSV_COLUMNS = (
    "time", "api", "idempotency_key", "product_code", "quantity", "face_value", "currency", "outcome",
    "http_status", "voucher_ids", "replayed", "attempts", "request_ids", "error",
)

VOUCHER_ID_KEYS: dict[str, frozenset[str]] = {
    "v3": frozenset({"voucher_id"}),
    "v2": frozenset({"voucher_settlement_ref"}),
}
"""Keys of voucher identifiers in issuance answers, at any depth, per API."""
ALLSAFE_ID_KEYS = ("id", "voucherId", "voucher_id", "allocationId", "allocation_id")
"""The allocated voucher's id (AllSafe's model); only read from the voucher object of a 2xx answer."""
ALLSAFE_OBJECT_KEYS = ("data", "voucher", "allocation", "result")


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
        """Observer: record each HTTP attempt at an issuance (the exchanges the client flagged)."""
        if not exchange.issuance:
            return
        self._write({
            "event": "attempt", "api": exchange.api, "idempotency_key": exchange.idempotency_key,
            "path": urlsplit(exchange.url).path, "attempt": exchange.attempt, "outcome": exchange.outcome,
            "http_status": exchange.status, "voucher_ids": _voucher_ids_of(exchange),
            "request_ids": list(exchange.request_ids), "time": _now(),
        })

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()


def _voucher_ids_of(exchange: Exchange) -> list[str]:
    """Identifiers of the vouchers in an issuance answer (also one the client lost), in order."""
    if exchange.response_body[:1] not in (b"{", b"["):
        return []
    try:
        body = json.loads(exchange.response_body)
    except ValueError:
        return []
    if exchange.api == "allsafe":
        ok = exchange.status is not None and 200 <= exchange.status < 300
        return _allsafe_voucher_id(body) if ok else []
    return _ids_at(body, VOUCHER_ID_KEYS.get(exchange.api, frozenset()))


def _ids_at(node: Any, keys: frozenset[str]) -> list[str]:
    if isinstance(node, list):
        return [v for item in node for v in _ids_at(item, keys)]
    if isinstance(node, dict):
        own = [str(node[key]) for key in node if key in keys and node[key] is not None]
        return own + [v for key, value in node.items() if key not in keys for v in _ids_at(value, keys)]
    return []


def _allsafe_voucher_id(body: Any) -> list[str]:
    """The id of the allocated voucher: bare or under `data`/`voucher`/`allocation`/`result`, like the client."""
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, dict):
        return []
    voucher = next((body[key] for key in ALLSAFE_OBJECT_KEYS if isinstance(body.get(key), dict)), body)
    found = next((voucher[key] for key in ALLSAFE_ID_KEYS if voucher.get(key) not in (None, "")), None)
    return [str(found)] if isinstance(found, str | int) and not isinstance(found, bool) else []


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
