"""The run's issuance ledger: intent before sending, outcome after, crash-tolerant, CSV export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from uatcert.events import Exchange, IssueIntent, IssueOutcome
from uatcert.evidence import IssuanceLedger, read_ledger, write_ledger_csv

INTENT = IssueIntent(api="v3", idempotency_key="k-1", product_code="P1", quantity=2, face_value=5000, currency="SGD")


def test_intent_is_on_disk_before_the_outcome(tmp_path: Path) -> None:
    ledger = IssuanceLedger(tmp_path / "ledger.jsonl")
    ledger.before(INTENT)
    on_disk = read_ledger(tmp_path / "ledger.jsonl")  # read while the ledger is still open: flushed
    assert [r["event"] for r in on_disk] == ["intent"]
    ledger.after(IssueOutcome(INTENT, "issued", 200, ("v1", "v2"), replayed=True, attempts=2, request_ids=("r",)))
    ledger.close()
    records = read_ledger(tmp_path / "ledger.jsonl")
    assert records[1]["event"] == "outcome" and records[1]["voucher_ids"] == ["v1", "v2"]
    assert records[1]["replayed"] is True and records[1]["product_code"] == "P1"


def test_torn_last_line_is_skipped_and_intent_without_outcome_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = IssuanceLedger(path)
    ledger.before(INTENT)
    ledger.close()
    with path.open("a") as handle:
        handle.write('{"event": "outcome", "idempo')  # crash mid-write
    assert len(read_ledger(path)) == 1
    with write_ledger_csv(path, tmp_path / "ledger.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["idempotency_key"] == "k-1"
    assert rows[0]["outcome"].startswith("unknown")


def test_every_http_attempt_at_an_issuance_endpoint_is_recorded(tmp_path: Path) -> None:
    ledger = IssuanceLedger(tmp_path / "ledger.jsonl")
    body = json.dumps({"data": [{"voucher_id": "v9", "voucher_code": "UG1"}]}).encode()
    ledger(Exchange("v3", "POST", "http://h/v3/products/P1", {"Idempotency-Key": "k"}, b"{}", "lost_response",
                    status=200, response_body=body, idempotency_key="k"))
    ledger(Exchange("v3", "GET", "http://h/v3/products/P1", {}, b"", "response", status=200))
    ledger.close()
    records = read_ledger(tmp_path / "ledger.jsonl")
    assert len(records) == 1
    assert records[0]["event"] == "attempt" and records[0]["outcome"] == "lost_response"
    assert records[0]["voucher_ids"] == ["v9"]
    assert "UG1" not in (tmp_path / "ledger.jsonl").read_text()
