"""Idempotency records (reference §8.2): keyed per client, fingerprinted, in flight or completed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from datetime import UTC, datetime


@dataclasses.dataclass
class Record:
    """One key's record: in flight until `complete` stores the answer."""

    fingerprint: str
    created: str
    """RFC 3339 time of the first use: the Idempotency-Record header value."""
    created_mono: float
    in_flight: bool = True
    status: int = 0
    body: bytes = b""


def fingerprint(method: str, code: str, body: bytes) -> str:
    """Method + product code + canonical JSON of the body (raw bytes when it is not JSON)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")) if body.strip() else ""
    except (ValueError, RecursionError):
        canonical = "raw:" + hashlib.sha256(body).hexdigest()
    return f"{method.upper()} {code} {canonical}"


class IdempotencyStore:
    """Records per (client id, lower-cased key). Only ever touched from the event loop."""

    def __init__(self, retention_s: int) -> None:
        self.retention_s = retention_s
        self._records: dict[tuple[str, str], Record] = {}

    def lookup(self, client_id: str, key: str) -> Record | None:
        record = self._records.get((client_id, key))
        if (
            record is not None
            and not record.in_flight
            and self.retention_s
            and time.monotonic() - record.created_mono >= self.retention_s
        ):
            del self._records[(client_id, key)]
            return None
        return record

    def begin(self, client_id: str, key: str, fp: str) -> Record:
        """Mark the key in flight (the caller checked `lookup` first, with no await in between)."""
        now = datetime.now(UTC)
        record = Record(fp, now.isoformat(timespec="seconds"), time.monotonic())
        self._records[(client_id, key)] = record
        return record

    def complete(self, record: Record, status: int, body: bytes) -> None:
        record.status, record.body, record.in_flight = status, body, False

    def abandon(self, client_id: str, key: str, record: Record) -> None:
        """Drop an in-flight record whose request stored nothing (validation error, 5xx before commit)."""
        if record.in_flight and self._records.get((client_id, key)) is record:
            del self._records[(client_id, key)]

    def clear(self) -> None:
        self._records.clear()
