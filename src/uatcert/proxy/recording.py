"""Redacted recordings of the proxy's exchanges: one JSON document per `ProxyRecord`, as the evidence is
redacted (`uatcert.evidence.Redactor`: secrets masked whole, voucher codes, PINs and URLs to their last 4).

    redactor = Redactor(known_secrets)
    with RecordWriter(Path("proxy.jsonl"), redactor) as writer, FaultProxy(..., observers=[writer]) as proxy:
        ...
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from uatcert.errors import ConfigError
from uatcert.evidence import Redactor, exchange_document
from uatcert.proxy._record import ProxyRecord


def record_document(record: ProxyRecord, redactor: Redactor) -> dict[str, Any]:
    """The redacted JSON document of one record (the redactor first learns the record's secrets)."""
    redactor.learn(record.exchange)
    return {
        "seq": record.seq,
        "api": record.api,
        "operation": record.operation,
        "fault": record.fault,
        "exchange": exchange_document(record.exchange, redactor),
        "delivered": {"status": record.delivered_status, "headers": redactor.headers(record.delivered_headers)},
    }


def record_line(record: ProxyRecord) -> str:
    """A one-line summary of a record for a console (path only: no query, no secret)."""
    exchange = record.exchange
    path = exchange.url.split("://", 1)[-1].partition("/")[2].partition("?")[0]
    upstream = f"upstream {exchange.status}" if exchange.status is not None else "not forwarded"
    delivered = f"system got {record.delivered_status}" if record.delivered_status is not None else \
        "system got NOTHING"
    fault = f"  [{record.fault}]" if record.fault else ""
    return f"#{record.seq} {record.api} {record.operation} {exchange.method} /{path}: {upstream}, {delivered}{fault}"


class RecordWriter:
    """An observer writing each record as one redacted JSON line to `path` (created or truncated)."""

    def __init__(self, path: Path, redactor: Redactor) -> None:
        self.path = path
        self._redactor = redactor
        self._lock = threading.Lock()
        self.written = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] | None = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write the recording {path}: {exc.strerror or exc}") from None

    def __call__(self, record: ProxyRecord) -> None:
        document = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                    **record_document(record, self._redactor)}
        line = json.dumps(document, ensure_ascii=False)
        with self._lock:
            if self._file is not None:
                self._file.write(line + "\n")
                self._file.flush()
                self.written += 1

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
