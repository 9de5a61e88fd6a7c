"""The run's issuance ledger: intent before sending, outcome after, crash-tolerant, CSV export."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from uatcert.events import Exchange, IssueIntent, IssueOutcome
from uatcert.evidence import (
    IssuanceLedger,
    LedgerLock,
    LedgerLocked,
    open_intents,
    read_ledger,
    read_ledger_file,
    write_ledger_csv,
)
from uatcert.reconcile import write_ledger_summary

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


# crash safety: torn lines, the lock, atomic appends, the intent on disk before the request leaves ----

def test_a_torn_line_is_reported_and_the_next_record_is_not_glued_to_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = IssuanceLedger(path)
    ledger.before(INTENT)
    ledger.close()
    with path.open("a") as handle:
        handle.write('{"event": "outcome", "idempo')  # killed mid-write
    contents = read_ledger_file(path)
    assert [r["event"] for r in contents.records] == ["intent"] and contents.unreadable == (2,)
    assert "1 unreadable line(s) skipped (line 2" in str(contents.describe_unreadable())
    again = IssuanceLedger(path)  # e.g. `uatcert reconcile` appending its settlement
    again.after(IssueOutcome(INTENT, "issued", 200, ("v1",)))
    again.close()
    after = read_ledger_file(path)
    assert [r["event"] for r in after.records] == ["intent", "outcome"] and after.unreadable == (2,)
    out = io.StringIO()
    write_ledger_summary(tmp_path, out)  # the run's summary says so too
    assert "Ledger: 1 intent(s), 1 with an outcome, 0 open, 1 unreadable line(s)" in out.getvalue()
    assert "torn last line" in out.getvalue()


_HOLD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from uatcert.evidence import LedgerLock
    lock = LedgerLock(Path(sys.argv[1])).acquire()
    print("held", flush=True)
    sys.stdin.read()
""")


def test_the_lock_refuses_a_second_holder_and_is_freed_when_every_holder_ended(tmp_path: Path) -> None:
    with LedgerLock(tmp_path) as first:
        with pytest.raises(LedgerLocked, match=rf"in use by a running uatcert run \(pid {os.getpid()}"):
            LedgerLock(tmp_path, what="uatcert reconcile").acquire()
        # a child that inherits the descriptor (the run's pytest process) holds the lock with it
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                                 pass_fds=[first.fd] if first.fd is not None else [])
    try:
        with pytest.raises(LedgerLocked):  # the first holder is gone, its child still runs
            LedgerLock(tmp_path).acquire()
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    LedgerLock(tmp_path).acquire().release()  # free once every process of that run ended


def test_run_and_reconcile_are_refused_with_one_line_while_another_process_holds_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from uatcert.cli import main

    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        (tmp_path / "ledger.jsonl").write_text(json.dumps({"event": "intent", **INTENT.__dict__}) + "\n")
        monkeypatch.chdir(tmp_path)
        for name in [n for n in os.environ if n.startswith("UATCERT_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("UATCERT_RUN__REPORTS_DIR", str(tmp_path))  # the CLI sets it; restored afterwards
        for argv in (["reconcile", "--reports", str(tmp_path)], ["run", "--profile", "v3", "--reports", str(tmp_path)]):
            code = main(argv)
            err = capsys.readouterr().err
            assert code == 2, (argv, err)
            assert err.count("\n") == 1 and f"in use by a running uatcert run (pid {holder.pid}" in err
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from uatcert.evidence import IssuanceLedger
    ledger = IssuanceLedger(Path(sys.argv[1]))
    for n in range(int(sys.argv[3])):
        ledger.record({"event": "probe", "writer": sys.argv[2], "n": n, "pad": sys.argv[2] * 9000})
    ledger.close()
""")


def test_lines_of_several_processes_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name, "150"]) for name in "abcd"]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    contents = read_ledger_file(path)  # lines of 9 kB: larger than any pipe or page buffer
    assert contents.unreadable == ()
    for name in "abcd":
        assert [r["n"] for r in contents.records if r["writer"] == name] == list(range(150))
        assert all(r["pad"] == name * 9000 for r in contents.records if r["writer"] == name)


class _Peek:
    """A fake provider that, when an issuance request arrives, reads the ledger from disk."""

    def __init__(self, path: Path, issue_path: str) -> None:
        self.path, self.issue_path = path, issue_path
        self.seen: list[list[str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if "token" in request.url.path:
            return httpx.Response(200, json={"access_token": "T" * 40, "token_type": "Bearer", "expires_in": 3600})
        if request.url.path.endswith(self.issue_path):
            self.seen.append([str(r.get("event")) for r in read_ledger(self.path)])
        return httpx.Response(400, json={"error": {"code": "400-001", "message": "no"}})


@pytest.mark.parametrize("api", ["v3", "v2", "allsafe"])
def test_the_intent_is_on_disk_before_any_issuance_request_leaves_raw_ones_included(api: str, tmp_path: Path) -> None:
    from uatcert.allsafe import AllSafeClient
    from uatcert.v2 import V2Client
    from uatcert.v3 import V3Client

    path = tmp_path / "ledger.jsonl"
    ledger = IssuanceLedger(path)
    kit: dict[str, Any] = {"observers": [ledger], "issuance_hooks": [ledger]}
    if api == "v3":
        peek = _Peek(path, "/v3/products/P1")
        v3 = V3Client("http://h/v3", "http://h/token", "c", "s", transport=httpx.MockTransport(peek), **kit)
        logical: Callable[[], object] = lambda: v3.issue("P1", 1, idempotency_key="k-1")  # noqa: E731
        raw: Callable[[], object] = lambda: v3.send(  # noqa: E731
            "POST", "/products/P1", headers={"Idempotency-Key": "k-2"}, json={"quantity": 0})
    elif api == "v2":
        peek = _Peek(path, "/vouchers/actions/request")
        v2 = V2Client("http://h/v2", "http://h/v2/connect/token", "c", "s", "x", "xs",
                      transport=httpx.MockTransport(peek), **kit)
        logical = lambda: v2.request_vouchers("P1", "123", 1, correlation_id="k-1")  # noqa: E731
        raw = lambda: v2.send("POST", v2.issue_path("P1", "123"), json={"manual_quantity": 0})  # noqa: E731
    else:
        peek = _Peek(path, "/allocate")
        allsafe = AllSafeClient("http://127.0.0.1:9", "u", "p", transport=httpx.MockTransport(peek), **kit)
        logical = lambda: allsafe.allocate("ExampleMart", 50, reference="k-1")  # noqa: E731
        raw = lambda: allsafe.send("POST", "/allocate", json={"vendor": ""}, reference="k-2")  # noqa: E731
    for call in (logical, raw):
        with contextlib.suppress(Exception):  # refused: only what was on disk when it arrived matters
            call()
    ledger.close()
    assert peek.seen[0][-1] == "intent"  # written and fsynced before the first attempt was sent
    assert peek.seen[-1][-1] == "raw_intent"
    records = read_ledger(path)
    [raw_intent] = [r for r in records if r["event"] == "raw_intent"]
    assert raw_intent["own_credentials"] is True and not any(
        name.lower() in ("authorization", "x-client-secret") for name in raw_intent["headers"])
    assert open_intents(records) == []  # the raw request was answered: its attempt line settles it


def test_a_new_run_says_when_the_ledger_it_moves_aside_still_has_open_intents(tmp_path: Path) -> None:
    from uatcert.reconcile import note_archived_ledger
    from uatcert.runner import _archive_ledger

    real = {"event": "intent", **INTENT.__dict__, "base_url": "https://uat.example/v3", "embedded_sandbox": False}
    for records, expected in (([{**real, "embedded_sandbox": True}], ""), ([real], "has 1 open intent(s)")):
        (tmp_path / "ledger.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        moved = _archive_ledger(tmp_path)
        assert moved is not None and moved.parent.name == "previous-ledgers"
        out = io.StringIO()
        note_archived_ledger(moved, out)
        assert expected in out.getvalue() and (not expected or f"uatcert reconcile --ledger {moved}" in out.getvalue())
        assert bool(out.getvalue()) == bool(expected)  # a sandbox-only ledger needs nothing: silent
