"""The secrets canary finds a planted secret in any encoding, names the file, and never the secret."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from tests.pack.builders import Run
from uatcert.evidence import recorded_hits, run_canary, scan_bytes, scan_for_secrets

SECRET = "s3cr3t-Client+Secret/value=="
VOUCHER = "GIFT-4111-2222-3333-3732"


def test_a_clean_run_has_no_hit(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.certify()
    assert scan_for_secrets(run.reports, [SECRET, VOUCHER]) == []


def test_a_planted_secret_is_found_and_named_by_file_only(make_run: Callable[..., Run]) -> None:
    run = make_run()
    attachment = next((run.reports / "allure-results").glob("*-attachment.json"))
    attachment.write_text(attachment.read_text(encoding="utf-8").replace("…3732", VOUCHER), encoding="utf-8")
    hits = scan_for_secrets(run.reports, {VOUCHER: "a voucher code", SECRET: "a configured secret"})

    assert [(h.file, h.kind, h.encoding) for h in hits] == [
        (f"allure-results/{attachment.name}", "a voucher code", "as is")]
    assert str(hits[0]) == f"allure-results/{attachment.name}: contains a voucher code"
    assert VOUCHER not in str(hits[0]) and VOUCHER not in repr(hits[0])


def test_encoded_forms_are_found(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    for offset in range(3):  # base64 at every byte alignment, as the single-file report embeds data
        blob = base64.b64encode(b"x" * offset + b'{"client_secret": "' + SECRET.encode() + b'"}').decode()
        (tmp_path / "html" / f"page{offset}.html").write_text(f'<script src="data:;base64,{blob}">', "utf-8")
    (tmp_path / "junit.xml").write_text(f"<failure>token={quote(SECRET, safe='')}</failure>", encoding="utf-8")
    (tmp_path / "run.json").write_text('{"message": "' + SECRET.replace("/", "\\/") + '"}', encoding="utf-8")
    hits = {h.file: h.encoding for h in scan_for_secrets(tmp_path, [SECRET])}

    assert hits == {"html/page0.html": "base64", "html/page1.html": "base64", "html/page2.html": "base64",
                    "junit.xml": "URL-encoded", "run.json": "JSON-escaped"}


def test_zip_members_are_scanned(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("allure-results/a-attachment.txt", f"Authorization: Basic {SECRET}")
    (tmp_path / "uatcert-evidence-x-20260101.zip").write_bytes(buffer.getvalue())
    hits = scan_for_secrets(tmp_path, [SECRET])

    assert [h.file for h in hits] == ["uatcert-evidence-x-20260101.zip!allure-results/a-attachment.txt"]


def test_binary_files_are_scanned_as_bytes(tmp_path: Path) -> None:
    (tmp_path / "shot.png").write_bytes(b"\x89PNG\x00\xff" + SECRET.encode() + b"\x00")
    assert [h.file for h in scan_for_secrets(tmp_path, [SECRET])] == ["shot.png"]


def test_short_values_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text('{"quantity": 12345, "pin": "***"}', encoding="utf-8")
    assert scan_for_secrets(tmp_path, ["12345", "***", ""]) == []
    assert scan_for_secrets(tmp_path / "missing", [SECRET]) == []


def test_pattern_scan_accepts_masked_values() -> None:
    masked = ('{"headers": {"Authorization": "Bearer ***"}, "url": "https://uat.example.test/v3/vouchers",'
              ' "vouchers": [{"voucher_id": "v-1", "voucher_code": "…3732", "url": "…9f1c", "short_url_pin": "***",'
              ' "pin": null}]}').encode()
    assert scan_bytes("a.json", masked) == []


def test_pattern_scan_finds_unmasked_values() -> None:
    leaked = b'{"voucher_id": "v-1", "url": "https://vouchers.example.test/r/abc123", "short_url_pin": 4321}'
    hits = scan_bytes("a.json", leaked)
    assert [str(h) for h in hits] == ["a.json: contains unmasked voucher values (short_url_pin, url)"]
    basic = scan_bytes("junit.xml", b"<system-out>authorization: basic dWF0Y2VydDpzM2NyM3Q=</system-out>")
    assert [h.kind for h in basic] == ["an unmasked Basic Authorization header"]
    lines = scan_bytes("ledger.jsonl", b'{"event": "outcome"}\n{"voucher_code": "GIFT-1234-5678"}\n')
    assert [h.kind for h in lines] == ["unmasked voucher values (voucher_code)"]


def test_run_canary_records_each_pass_without_the_values(make_run: Callable[..., Run]) -> None:
    run = make_run()
    attachment = next((run.reports / "allure-results").glob("*-attachment.json"))
    attachment.write_text(attachment.read_text(encoding="utf-8").replace("…3732", VOUCHER), encoding="utf-8")
    first = run_canary(run.reports, {VOUCHER: "a voucher code"}, stage="pytest")
    second = run_canary(run.reports, {SECRET: "a configured secret"}, stage="evidence")

    assert [h.kind for h in first] == ["a voucher code"] and second == []
    record = json.loads((run.reports / "canary.json").read_text(encoding="utf-8"))
    assert [(p["stage"], p["values"], p["hits"]) for p in record["passes"]] == [
        ("pytest", 1, [f"allure-results/{attachment.name}: contains a voucher code"]), ("evidence", 1, [])]
    assert record["passes"][1]["files"] > record["passes"][0]["files"] > 10
    text = (run.reports / "canary.json").read_text(encoding="utf-8")
    assert VOUCHER not in text and SECRET not in text
    assert recorded_hits(run.reports) == [f"allure-results/{attachment.name}: contains a voucher code"]
    assert recorded_hits(run.reports / "nowhere") == []
