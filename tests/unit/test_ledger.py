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


def _attempts(path: Path) -> list[dict[str, object]]:
    return [r for r in read_ledger(path) if r["event"] == "attempt"]


def test_every_http_attempt_at_an_issuance_is_recorded(tmp_path: Path) -> None:
    ledger = IssuanceLedger(tmp_path / "ledger.jsonl")
    body = json.dumps({"data": [{"voucher_id": "v9", "voucher_code": "UG1"}]}).encode()
    ledger(Exchange("v3", "POST", "http://h/v3/products/P1", {"Idempotency-Key": "k"}, b"{}", "lost_response",
                    status=200, response_body=body, idempotency_key="k", issuance=True))
    ledger(Exchange("v3", "GET", "http://h/v3/products/P1", {}, b"", "response", status=200))
    ledger.close()
    records = read_ledger(tmp_path / "ledger.jsonl")
    assert len(records) == 1
    assert records[0]["event"] == "attempt" and records[0]["outcome"] == "lost_response"
    assert records[0]["voucher_ids"] == ["v9"] and records[0]["path"] == "/v3/products/P1"
    assert "UG1" not in (tmp_path / "ledger.jsonl").read_text()


def test_the_client_flag_decides_not_the_path(tmp_path: Path) -> None:
    ledger = IssuanceLedger(tmp_path / "ledger.jsonl")
    ledger(Exchange("v3", "POST", "http://h/v3/products/P1", {}, b"{}", "response", status=400))
    ledger(Exchange("allsafe", "POST", "http://h/custom/give-me-one", {}, b"{}", "response", status=492,
                    response_body=b'{"title": "No vouchers"}', idempotency_key="r", issuance=True))
    ledger.close()
    [record] = _attempts(tmp_path / "ledger.jsonl")
    assert (record["api"], record["path"], record["http_status"], record["voucher_ids"]) == (
        "allsafe", "/custom/give-me-one", 492, [])


def test_v2_request_vouchers_records_settlement_refs_and_check_vouchers_is_not_an_attempt(tmp_path: Path) -> None:
    ledger = IssuanceLedger(tmp_path / "ledger.jsonl")
    issued = {"meta": {"status": "succeeded"}, "data": [
        {"voucher_ref": "SECRETREF0001", "voucher_settlement_ref": "s-1", "view_code": "99887766"},
        {"voucher_ref": "SECRETREF0002", "voucher_settlement_ref": "s-2", "view_code": "99887755"},
    ]}
    ledger(Exchange("v2", "POST", "http://h/v2/catalogs/ETX_001/product_assets/O1/products/P1/vouchers/actions/request",
                    {"X-Correlation-Id": "c-1"}, b"{}", "response", status=200,
                    response_body=json.dumps(issued).encode(), idempotency_key="c-1", issuance=True))
    checked = {"meta": {"status": "succeeded"}, "data": [{"voucher_settlement_ref": "s-1", "status": "Active"}]}
    ledger(Exchange("v2", "POST", "http://h/v2/catalogs/ETX_001/vouchers/actions/check", {}, b"{}", "response",
                    status=200, response_body=json.dumps(checked).encode()))
    ledger.close()
    [record] = _attempts(tmp_path / "ledger.jsonl")
    assert record["api"] == "v2" and record["idempotency_key"] == "c-1"
    assert record["voucher_ids"] == ["s-1", "s-2"]
    text = (tmp_path / "ledger.jsonl").read_text()
    assert "SECRETREF" not in text and "9988" not in text and "check" not in text


def test_allsafe_allocation_records_the_voucher_id_never_its_code_pin_or_serial(tmp_path: Path) -> None:
    ledger = IssuanceLedger(tmp_path / "ledger.jsonl")
    voucher = {"id": "a-77", "vendor": "ExampleMart", "value": 50, "code": "CODE12345678", "pin": "4321",
               "serialNumber": "SERIAL987654", "reference": "r-1"}
    for body in (voucher, {"data": voucher}, {"voucherId": "a-78", "code": "CODE87654321"}):
        ledger(Exchange("allsafe", "POST", "http://h/allsafe/allocate", {}, b"{}", "response", status=200,
                        response_body=json.dumps(body).encode(), idempotency_key="r-1", issuance=True))
    ledger(Exchange("allsafe", "POST", "http://h/allsafe/allocate", {}, b"{}", "response", status=495,
                    response_body=b'{"id": "problem-1", "title": "Validation Failed"}', idempotency_key="r-2",
                    issuance=True))
    ledger.close()
    records = _attempts(tmp_path / "ledger.jsonl")
    assert [r["voucher_ids"] for r in records] == [["a-77"], ["a-77"], ["a-78"], []]
    text = (tmp_path / "ledger.jsonl").read_text()
    assert not any(secret in text for secret in ("CODE1234", "CODE8765", "4321", "SERIAL987"))


def test_a_previous_runs_ledger_is_archived_not_mixed_into_the_next(tmp_path: Path) -> None:
    from uatcert.runner import _archive_ledger

    (tmp_path / "ledger.jsonl").write_text('{"event": "intent"}\n', encoding="utf-8")
    _archive_ledger(tmp_path)
    assert not (tmp_path / "ledger.jsonl").exists()
    archived = list((tmp_path / "previous-ledgers").glob("ledger-*.jsonl"))
    assert [p.read_text(encoding="utf-8") for p in archived] == ['{"event": "intent"}\n']
