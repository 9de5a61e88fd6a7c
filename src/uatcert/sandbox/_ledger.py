"""The issuance ledger: one entry per real issuance, every API (`api` field), read by the control API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class Ledger:
    """Entries oldest first; `seq` counts from 1 after every reset."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, **entry: Any) -> dict[str, Any]:
        """Append an entry and return it (with `seq` first and `time` last)."""
        full = {"seq": len(self.entries) + 1, **entry, "time": datetime.now(UTC).isoformat(timespec="milliseconds")}
        self.entries.append(full)
        return full

    def of(self, api: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["api"] == api]

    def clear(self) -> None:
        self.entries = []
