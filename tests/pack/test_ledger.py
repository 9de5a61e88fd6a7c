"""Issuance totals from the ledger, and reconciliation with the provider's records."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.pack.builders import Run
from uatcert.pack import ledger_totals, verify_main


def _write(path: Path, records: list[dict[str, Any]], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


def test_totals_count_each_voucher_once_and_flag_what_needs_reconciling(tmp_path: Path) -> None:
    base: dict[str, Any] = {"api": "v3", "quantity": 1, "currency": "EUR"}
    records: list[dict[str, Any]] = [
        {"event": "intent", "idempotency_key": "k1", "face_value": 500, **base},
        {"event": "outcome", "idempotency_key": "k1", "face_value": 500, "outcome": "issued",
         "voucher_ids": ["v1"], "attempts": 1, **base},
        # the same key replayed later: same voucher, counted once
        {"event": "outcome", "idempotency_key": "k1", "face_value": 500, "outcome": "issued",
         "voucher_ids": ["v1"], "replayed": True, "attempts": 1, **base},
        {"event": "intent", "idempotency_key": "k2", "face_value": None, **base},
        {"event": "outcome", "idempotency_key": "k2", "face_value": None, "value_cents": 2000, "outcome": "partial",
         "voucher_ids": ["v2", "v3"], "attempts": 3, **base},
        {"event": "intent", "idempotency_key": "k3", "face_value": None, "api": "v3", "quantity": 1},
        {"event": "outcome", "idempotency_key": "k3", "face_value": None, "outcome": "issued",
         "voucher_ids": ["v4"], "api": "v3", "quantity": 1},
        {"event": "intent", "idempotency_key": "k4", "face_value": 100, **base},
        {"event": "outcome", "idempotency_key": "k4", "face_value": 100, "outcome": "unknown", "voucher_ids": [],
         "attempts": 5, **base},
        {"event": "intent", "idempotency_key": "k5", "face_value": 100, **base},  # crashed before its outcome
        {"event": "attempt", "idempotency_key": "k5", "http_status": None},
    ]
    totals = ledger_totals(_write(tmp_path / "ledger.jsonl", records, tail='{"event": "outc'))

    open_keys = [(o["idempotency_key"], o["state"]) for o in totals.pop("open_intents")]
    assert sorted(open_keys) == [("k4", "unknown: no answer"), ("k5", "no outcome recorded")]
    assert totals == {
        "issuances": 4,
        "vouchers": 4,
        "face_value": [{"currency": "EUR", "unit": "cents", "total": 4500, "vouchers": 3}],
        "vouchers_without_value": 1,
        "replays": 1,
        "refused": 0,
        "attempts": 11,
        "needing_reconciliation": 2,
        "reconciliation_keys": ["k5", "k4"],
        "unreadable_lines": 1,
    }


def test_no_ledger_gives_zeros(tmp_path: Path) -> None:
    totals = ledger_totals(tmp_path / "missing.jsonl")
    assert totals["vouchers"] == 0 and totals["face_value"] == [] and totals["needing_reconciliation"] == 0


def _verify(bundle: Path, csv: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return verify_main([str(bundle), "--provider-records", str(csv)], out=out, err=err), out.getvalue(), err.getvalue()


ISSUED = [("key-every-open", "v-1"), ("key-every-fix", "v-2"), ("key-every-prd", "v-3"), ("key-open-100", "v-4"),
          ("key-open-100000", "v-5"), ("key-open-1051", "v-6"), ("key-open-1051", "v-7"), ("key-idem-lost", "v-8")]


def test_matching_provider_records_reconcile(make_run: Callable[..., Run], tmp_path: Path) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    csv = tmp_path / "provider.csv"
    csv.write_text("\ufeffIdempotency Key;Voucher ID;Amount\n" + "".join(f"{k};{v};10\n" for k, v in ISSUED),
                   encoding="utf-8")
    code, out, _ = _verify(bundle, csv)
    assert code == 0, out
    assert "PASS  reconciliation  ledger agrees with 8 provider records" in out


def test_differences_are_listed_both_ways(make_run: Callable[..., Run], tmp_path: Path) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    rows = [r for r in ISSUED if r[1] != "v-5"] + [("key-valid-q0", "v-99"), ("key-elsewhere", "v-100")]
    csv = tmp_path / "provider.csv"
    csv.write_text("idempotency_key,voucher_id\n" + "".join(f"{k},{v}\n" for k, v in rows), encoding="utf-8")
    code, out, _ = _verify(bundle, csv)

    assert code == 1 and "FAIL  reconciliation" in out
    for line in (
        "idempotency key key-open-100000: issued in the ledger, absent from the provider's records",
        "idempotency key key-valid-q0: in the provider's records, the ledger says refused",
        "idempotency key key-elsewhere: in the provider's records, not in the ledger",
        "voucher v-5: issued in the ledger, absent from the provider's records",
        "voucher v-99: in the provider's records, not issued in the ledger",
    ):
        assert line in out


def test_unusable_provider_records_exit_2(make_run: Callable[..., Run], tmp_path: Path) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    csv = tmp_path / "provider.csv"
    csv.write_text("amount,currency\n10,EUR\n", encoding="utf-8")
    code, out, err = _verify(bundle, csv)
    assert code == 2 and out == ""
    assert "have no idempotency key or voucher id column (headers: amount, currency" in err
    code, _, err = _verify(bundle, tmp_path / "missing.csv")
    assert code == 2 and "cannot read the provider records" in err
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x01")
    code, _, err = _verify(bundle, tmp_path / "binary.csv")
    assert code == 2 and "not UTF-8 text" in err


def test_open_intents_are_in_the_certificate_and_reported_by_verify(make_run: Callable[..., Run]) -> None:
    settled = make_run()
    settled.certify(bundle=False)
    md = (settled.reports / "certificate.md").read_text(encoding="utf-8")
    assert md.split("## Open issuance intents", 1)[1].split("##", 1)[0].strip().endswith("none")

    run = make_run()
    crashed = {"event": "intent", "api": "v3", "idempotency_key": "key-crashed", "product_code": "GIFT-OPEN-1",
               "quantity": 2, "face_value": 1000, "currency": "EUR", "time": "2026-11-21T10:02:00.000+00:00"}
    with (run.reports / "ledger.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(crashed) + "\n" + '{"event": "outc')  # then killed mid-write
    bundle = run.certify()
    assert bundle is not None
    md = (run.reports / "certificate.md").read_text(encoding="utf-8")
    section = md.split("## Open issuance intents", 1)[1].split("\n## ", 1)[0]
    assert "| key-crashed | GIFT-OPEN-1 x2, 10.00 EUR | no outcome recorded |" in section
    assert "Unreadable ledger lines (torn by a crash, skipped) | 1" in md
    assert "key-crashed" in (run.reports / "certificate.html").read_text(encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert verify_main([str(bundle)], out=out, err=err) == 0, out.getvalue()  # information, not tampering
    report = out.getvalue()
    assert "PASS  ledger          9 intent(s), 1 open" in report
    assert "open: v3 key-crashed GIFT-OPEN-1 x2, no outcome recorded" in report
    assert "1 unreadable line(s) skipped" in report
