"""Ledger counts (intents, with an outcome, open) and the notes `uatcert run` prints about its ledger."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TextIO

from uatcert.evidence import (
    open_intents,
    read_ledger_file,
)


@dataclasses.dataclass(frozen=True)
class LedgerCounts:
    """What a ledger holds, in the words `uatcert run` and `uatcert reconcile` print."""

    intents: int
    outcomes: int
    open: int
    unreadable: int

    def line(self) -> str:
        torn = f", {self.unreadable} unreadable line(s)" if self.unreadable else ""
        return f"{self.intents} intent(s), {self.outcomes} with an outcome, {self.open} open{torn}"


def ledger_counts(records: list[dict[str, Any]], unreadable: int = 0) -> LedgerCounts:
    """Intents (an issuance key or a raw request; a replay of the same key is not a new one), those with any
    outcome (settled or `unknown`; a raw request's answer counts), and the open ones."""
    intents: set[tuple[str, str]] = set()
    answered: set[tuple[str, str]] = set()
    for r in records:
        event = r.get("event")
        if event == "intent":
            intents.add(("key", f"{r.get('api')}:{r.get('idempotency_key')}"))
        elif event == "outcome":
            answered.add(("key", f"{r.get('api')}:{r.get('idempotency_key')}"))
        elif event == "raw_intent" and not r.get("reconciliation"):
            intents.add(("raw", str(r.get("raw_id"))))
        elif event == "raw_outcome" or (event == "attempt" and r.get("raw_id")):
            answered.add(("raw", str(r.get("raw_id"))))
    return LedgerCounts(len(intents), len(intents & answered), len(open_intents(records)), unreadable)


def write_ledger_summary(reports: Path, out: TextIO) -> None:
    """The run's ledger in one or two lines of the run's summary: counts, open intents, a torn line."""
    contents = read_ledger_file(reports / "ledger.jsonl")
    if not contents.records and not contents.unreadable:
        return
    counts = ledger_counts(contents.records, len(contents.unreadable))
    out.write(f"\nLedger: {counts.line()}\n")
    if counts.open:
        out.write("  open intents are listed in the certificate; settle them with: uatcert reconcile\n")
    note = contents.describe_unreadable()
    if note:
        out.write(f"  {note}\n")


def note_archived_ledger(archived: Path, out: TextIO) -> None:
    """A previous ledger moved aside by a new run: say so when it still holds open intents."""
    contents = read_ledger_file(archived)
    still_open = [o for o in open_intents(contents.records) if not o.embedded_sandbox]
    if still_open:
        out.write(f"note: the previous run's ledger, moved to {archived}, has {len(still_open)} open intent(s); "
                  f"settle them with: uatcert reconcile --ledger {archived}\n")
