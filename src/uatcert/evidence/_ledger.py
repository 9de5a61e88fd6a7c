"""
The run's issuance ledger: what support reconciles against its invoicing records.

Every logical issuance is written twice, as JSON lines appended to `ledger.jsonl`: an `intent` line
*before* the first request is sent, and an `outcome` line after the last attempt. A crash between the
two leaves the intent on disk, which is exactly what `uatcert reconcile` settles. The intent carries
what a replay needs (API, key, product, quantity, face value, the client's base and token URLs, v2's
order number and product class; never a secret) and whether it went to the embedded sandbox.

The ledger is also an exchange observer: every HTTP request the client flagged as an issuance
(`Exchange.issuance`: v3 `POST /products/{code}`, v2 Request Vouchers, AllSafe's allocate call) is
appended as an `attempt` line with what came back, so a provider that wrongly issued for a request it
should have refused is still on record. Its `voucher_ids` are the identifiers of the answer, never a
voucher's secret: v3 `voucher_id`, v2 `voucher_settlement_ref`, the AllSafe voucher's id (not its
code, PIN or serial number, which the redactor masks as money). A raw request on an issuance route
(validation scenarios) is announced as a `raw_intent` line before it leaves; its `attempt` line
carries the same `raw_id`.

Crash safety: each line is one `os.write` on a file opened with `O_APPEND` (several processes of one
run never interleave lines), followed by `fsync`, so the intent is on disk before the request leaves.
A torn last line (a process killed mid-write) is skipped and counted by `read_ledger_file`, never
fatal; before appending to such a file the ledger ends the torn line, so no later record is glued to
it. Two runs never write one ledger: `LedgerLock` (an exclusive `flock` on `ledger.lock` next to it)
is held by `uatcert run` for the whole run (its pytest process inherits it) and by `uatcert reconcile`.
`ledger.csv` is derived from the JSON lines at the end of the run (and by `uatcert reconcile`).
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from uatcert.errors import ConfigError
from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome, RawIssuance
from uatcert.evidence._open import SETTLED

CSV_COLUMNS = (
    "time", "api", "idempotency_key", "product_code", "quantity", "face_value", "currency", "outcome",
    "http_status", "voucher_ids", "replayed", "attempts", "request_ids", "error", "base_url", "order_number",
    "reconciled",
)

VOUCHER_ID_KEYS: dict[str, frozenset[str]] = {
    "v3": frozenset({"voucher_id"}),
    "v2": frozenset({"voucher_settlement_ref"}),
}
"""Keys of voucher identifiers in issuance answers, at any depth, per API."""
ALLSAFE_ID_KEYS = ("id", "voucherId", "voucher_id", "allocationId", "allocation_id")
"""The allocated voucher's id (AllSafe's model); only read from the voucher object of a 2xx answer."""
ALLSAFE_OBJECT_KEYS = ("data", "voucher", "allocation", "result")
LOCK_NAME = "ledger.lock"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class LedgerLocked(ConfigError):
    """Another run (or `uatcert reconcile`) holds the ledger of this reports folder."""


class LedgerLock:
    """
    An exclusive lock on a reports folder's ledger (`ledger.lock`, `flock`), held until `release()`.

    `acquire()` refuses at once with `LedgerLocked` naming the holder's pid when another process holds
    it. `fd` can be inherited by a child process (`pass_fds`), which then holds the lock too: the lock
    is free only when every process of the run has ended, however it ended.
    """

    def __init__(self, reports: Path, *, what: str = "uatcert run") -> None:
        self.path = reports / LOCK_NAME
        self.what = what
        self.fd: int | None = None

    def acquire(self) -> LedgerLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise LedgerLocked(
                f"the ledger of {self.path.parent} is in use by a running {holder}: wait for it to end "
                "(two runs never write one ledger)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.what} (pid {os.getpid()}, since {_now()})".encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)  # closing the last descriptor of the lock releases it

    def __enter__(self) -> LedgerLock:
        return self.acquire()

    def __exit__(self, *_: object) -> None:
        self.release()


def _append_fd(path: Path) -> int:
    """The ledger opened for appending; a torn last line left by a crash is ended first."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    size = os.fstat(fd).st_size
    if size:
        with path.open("rb") as handle:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                os.write(fd, b"\n")
    return fd


def client_fingerprint(client_id: str | None) -> str | None:
    """What the ledger writes of a client id: enough to tell two clients apart, not the id itself."""
    return None if client_id is None else "sha256:" + hashlib.sha256(client_id.encode("utf-8")).hexdigest()[:16]


def _intent_fields(intent: IssueIntent) -> dict[str, Any]:
    fields = dataclasses.asdict(intent)
    fields["client"] = client_fingerprint(fields.pop("client_id"))
    return fields


def _body_record(body: bytes) -> dict[str, str]:
    try:
        return {"body": body.decode("utf-8"), "body_encoding": "utf-8"}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode("ascii"), "body_encoding": "base64"}


class IssuanceLedger(IssuanceHook):
    """
    Appends intents and outcomes to `ledger.jsonl`, one fsynced line at a time.

    `embedded_roots` are the root URLs of the embedded sandbox (its state dies with the run): an intent
    to one of them says so. `reconciliation=True` marks every record written (by `uatcert reconcile`).
    """

    def __init__(self, path: Path, *, reconciliation: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.embedded_roots: set[str] = set()
        self._reconciliation = reconciliation
        self._lock = threading.Lock()
        self._fd: int | None = _append_fd(path)
        self._raw = threading.local()

    def _write(self, record: dict[str, Any]) -> None:
        if self._reconciliation:
            record["reconciliation"] = True
        data = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        with self._lock:
            if self._fd is None:
                self._fd = _append_fd(self.path)
            written = os.write(self._fd, data)  # one write on an O_APPEND file: never interleaved
            while written < len(data):  # a short write (disk full, signal) still completes the line
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)

    def _embedded(self, base_url: str | None) -> bool:
        return base_url is not None and any(base_url == root or base_url.startswith(root.rstrip("/") + "/")
                                            for root in self.embedded_roots)

    def before(self, intent: IssueIntent) -> None:
        self._write({"event": "intent", **_intent_fields(intent),
                     "embedded_sandbox": self._embedded(intent.base_url), "time": _now()})

    def after(self, outcome: IssueOutcome) -> None:
        record = dataclasses.asdict(outcome)
        record.pop("intent")
        record["voucher_ids"] = list(outcome.voucher_ids)
        record["request_ids"] = list(outcome.request_ids)
        self._write({"event": "outcome", **_intent_fields(outcome.intent), **record, "time": _now()})

    def raw_sending(self, request: RawIssuance) -> None:
        raw_id = str(uuid.uuid4())
        self._write({
            "event": "raw_intent", "raw_id": raw_id, "api": request.api, "idempotency_key": request.idempotency_key,
            "method": request.method, "base_url": request.base_url, "token_url": request.token_url,
            "client": client_fingerprint(request.client_id), "path": request.path, "headers": request.headers,
            **_body_record(request.body), "own_credentials": request.own_credentials,
            "embedded_sandbox": self._embedded(request.base_url), "time": _now(),
        })
        self._raw.pending = (raw_id, request.method, request.idempotency_key)

    def __call__(self, exchange: Exchange) -> None:
        """Observer: record each HTTP attempt at an issuance (the exchanges the client flagged)."""
        if not exchange.issuance:
            return
        pending = getattr(self._raw, "pending", None)
        raw_id = None
        if pending is not None and pending[1:] == (exchange.method, exchange.idempotency_key):
            raw_id, self._raw.pending = pending[0], None
        self._write({
            "event": "attempt", "api": exchange.api, "idempotency_key": exchange.idempotency_key,
            "path": urlsplit(exchange.url).path, "attempt": exchange.attempt, "outcome": exchange.outcome,
            "http_status": exchange.status, "voucher_ids": voucher_ids_of(exchange),
            "request_ids": list(exchange.request_ids), **({"raw_id": raw_id} if raw_id else {}), "time": _now(),
        })

    def record(self, record: dict[str, Any]) -> None:
        """Append one record as it is (`uatcert reconcile`'s settlements), stamped with the time."""
        self._write({**record, "time": _now()})

    def close(self) -> None:
        with self._lock:
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)


def voucher_ids_of(exchange: Exchange) -> list[str]:
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


@dataclasses.dataclass(frozen=True)
class LedgerContents:
    """The readable records of a ledger, and the line numbers (1-based) that could not be read."""

    records: list[dict[str, Any]]
    unreadable: tuple[int, ...] = ()

    def describe_unreadable(self, name: str = "ledger.jsonl") -> str | None:
        """One line about the unreadable lines (a torn last line: a process killed mid-write), or None."""
        if not self.unreadable:
            return None
        lines = ", ".join(map(str, self.unreadable))
        return (f"{name}: {len(self.unreadable)} unreadable line(s) skipped (line {lines}; a torn last line "
                "is what a process killed mid-write leaves)")


def read_ledger_file(path: Path) -> LedgerContents:
    """The ledger's records; a torn line (crash mid-write) is skipped and reported, never fatal."""
    if not path.exists():
        return LedgerContents([])
    records: list[dict[str, Any]] = []
    unreadable: list[int] = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            unreadable.append(number)
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            unreadable.append(number)
    return LedgerContents(records, tuple(unreadable))


def read_ledger(path: Path) -> list[dict[str, Any]]:
    """The ledger's records; a torn last line (crash mid-write) is skipped, not fatal."""
    return read_ledger_file(path).records


def _rank(outcome: dict[str, Any] | None) -> int:
    state = None if outcome is None else outcome.get("outcome")
    return 3 if state in ("issued", "partial") else 2 if state in SETTLED else 1 if outcome is not None else 0


def write_ledger_csv(jsonl: Path, csv_path: Path) -> Path:
    """One CSV row per issuance: its settled outcome (`reconciled` when `uatcert reconcile` settled it), or its
    intent alone when no outcome was ever written."""
    records = read_ledger(jsonl)
    outcomes: dict[str, dict[str, Any]] = {}
    for record in records:  # per key: the last issued outcome, else the last settled one, else the last
        if record.get("event") == "outcome":
            key = record["idempotency_key"]
            if _rank(record) >= _rank(outcomes.get(key)):
                outcomes[key] = record
    rows = []
    for record in records:
        if record.get("event") != "intent" or record.get("reconciliation"):
            continue
        final = outcomes.get(record["idempotency_key"], {**record, "outcome": "unknown (no outcome recorded)"})
        rows.append({
            column: ";".join(map(str, final.get(column) or [])) if column in ("voucher_ids", "request_ids")
            else bool(final.get("reconciliation")) if column == "reconciled"
            else final.get(column, "")
            for column in CSV_COLUMNS
        })
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return csv_path
