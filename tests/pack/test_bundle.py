"""Manifest, bundle, and `uatcert verify`: an untouched pack passes; every kind of tampering fails."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pack.builders import CLIENT_ID, REQUIRED, Run, default_specs, with_outcome
from uatcert.pack import (
    bundle_name,
    certificate_verdict,
    clean_outputs,
    make_bundle,
    manifest_digest_of,
    verify_bundle,
    verify_main,
    write_allure_metadata,
    write_certificate,
    write_manifest,
)
from uatcert.pack._manifest import manifest_digest


def _verify(bundle: Path, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = verify_main([str(bundle), *extra], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _rewrite(bundle: Path, members: dict[str, bytes], *, regenerate_manifest: bool = False) -> None:
    """Write the zip again with these members; optionally with a manifest that matches them (a careful forger)."""
    if regenerate_manifest:
        entries = [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                   for name, data in sorted(members.items()) if name != "manifest.json"]
        members["manifest.json"] = json.dumps({"schema": "uatcert.manifest/1", "algorithm": "sha256",
                                               "files": entries, "digest": manifest_digest(entries)}).encode()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _not_certified(make_run: Callable[..., Run]) -> tuple[Run, Path]:
    specs = with_outcome(default_specs(), "every_voucher_issued_in_the_run_is_retrieved_on_its_own", "failed",
                         "STS: expected status 200 for voucher v-1, got 500")
    run = make_run(specs)
    bundle = run.certify()
    assert bundle is not None
    return run, bundle


# manifest and bundle ----------------------------------------------------------------------------
def test_the_manifest_covers_every_evidence_file(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.certify(bundle=False)
    (run.reports / "html").mkdir()
    (run.reports / "html" / "index.html").write_text("<html></html>", encoding="utf-8")
    (run.reports / "stray.log").write_text("not evidence", encoding="utf-8")
    manifest = json.loads(write_manifest(run.reports).read_text(encoding="utf-8"))

    paths = [entry["path"] for entry in manifest["files"]]
    allure = sorted(p.name for p in (run.reports / "allure-results").iterdir())
    assert paths == sorted([
        "certificate.html", "certificate.json", "certificate.md", "html/index.html", "junit.xml", "ledger.csv",
        "ledger.jsonl", "run.json", *(f"allure-results/{name}" for name in allure)])
    assert {"allure-results/categories.json", "allure-results/environment.properties",
            "allure-results/executor.json"} <= set(paths)
    for entry in manifest["files"]:
        data = (run.reports / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    assert manifest["digest"] == manifest_digest(manifest["files"])


def test_the_bundle_holds_the_evidence_and_the_manifest(make_run: Callable[..., Run]) -> None:
    run = make_run()
    bundle = run.certify()
    issued = json.loads((run.reports / "certificate.json").read_text())["issued_at"][:10].replace("-", "")
    assert bundle is not None and bundle.name == f"uatcert-evidence-uatcert-client-sandbox-{issued}.zip"
    members = _members(bundle)
    manifest = json.loads(members["manifest.json"])
    assert sorted(members) == sorted([*(e["path"] for e in manifest["files"]), "manifest.json"])
    assert members["certificate.json"] == (run.reports / "certificate.json").read_bytes()
    assert manifest_digest_of(run.reports) == manifest["digest"] == verify_bundle(bundle).manifest_digest


def test_the_bundle_name_is_safe_for_a_file_system() -> None:
    assert bundle_name("ACME Corp/UAT#1", dt.date(2026, 1, 2)) == "uatcert-evidence-ACME-Corp-UAT-1-20260102.zip"
    assert bundle_name("../..", dt.date(2026, 1, 2)) == "uatcert-evidence-client-20260102.zip"


# untouched packs ----------------------------------------------------------------------------------
def test_an_untouched_certified_pack_verifies(make_run: Callable[..., Run]) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    code, out, err = _verify(bundle)

    assert code == 0, out
    assert err == ""
    for check in ("manifest", "files", "results", "certificate", "expiry", "secrets"):
        assert f"PASS  {check}" in out
    assert "Verdict re-derived from the bundle's results: CERTIFIED (the certificate agrees)" in out
    assert "manifest digest  sha256:" in out


def test_an_untouched_not_certified_pack_verifies_and_says_so(make_run: Callable[..., Run]) -> None:
    _, bundle = _not_certified(make_run)
    code, out, _ = _verify(bundle)

    assert code == 0, out
    assert "NOT CERTIFIED (the certificate agrees)" in out


# tampering ----------------------------------------------------------------------------------------
def test_a_certificate_edited_to_certified_fails(make_run: Callable[..., Run]) -> None:
    _, bundle = _not_certified(make_run)
    members = _members(bundle)
    certificate = json.loads(members["certificate.json"])
    certificate.update(verdict="CERTIFIED", certified=True, reasons=[])
    members["certificate.json"] = json.dumps(certificate, indent=2).encode()
    _rewrite(bundle, members)

    code, out, _ = _verify(bundle)
    assert code == 1
    assert "FAIL  files" in out and "certificate.json: content differs from the manifest" in out
    assert "certificate.json says CERTIFIED, but the bundle's results give NOT CERTIFIED" in out
    assert "DO NOT TRUST" in out


def test_a_certificate_edited_with_a_matching_manifest_still_fails(make_run: Callable[..., Run]) -> None:
    _, bundle = _not_certified(make_run)
    members = _members(bundle)
    certificate = json.loads(members["certificate.json"])
    certificate.update(verdict="CERTIFIED", certified=True, reasons=[])
    members["certificate.json"] = json.dumps(certificate, indent=2).encode()
    _rewrite(bundle, members, regenerate_manifest=True)

    code, out, _ = _verify(bundle)
    assert code == 1
    assert "PASS  files" in out and "FAIL  certificate" in out
    assert "certificate.json says CERTIFIED" in out


def test_an_edited_certificate_page_fails(make_run: Callable[..., Run]) -> None:
    _, bundle = _not_certified(make_run)
    members = _members(bundle)
    members["certificate.html"] = members["certificate.html"].replace(b"NOT CERTIFIED", b"CERTIFIED")
    _rewrite(bundle, members, regenerate_manifest=True)

    code, out, _ = _verify(bundle)
    assert code == 1 and "certificate.html: does not match the certificate rebuilt from the results" in out


def test_an_edited_allure_attachment_fails_naming_it(make_run: Callable[..., Run]) -> None:
    _, bundle = _not_certified(make_run)
    members = _members(bundle)
    attachment = next(n for n in sorted(members) if n.endswith("-attachment.json"))
    members[attachment] = members[attachment].replace(b"201", b"200")
    _rewrite(bundle, members)

    code, out, _ = _verify(bundle)
    assert code == 1
    assert f"{attachment}: content differs from the manifest (edited?)" in out


def test_a_removed_allure_result_fails_naming_it(make_run: Callable[..., Run]) -> None:
    run, bundle = _not_certified(make_run)
    members = _members(bundle)
    removed = "allure-results/" + next(iter(run.result_files.values()))
    del members[removed]
    _rewrite(bundle, members)

    code, out, _ = _verify(bundle)
    assert code == 1
    assert f"{removed}: listed in the manifest but missing from the bundle" in out


def test_a_removed_allure_result_with_a_matching_manifest_still_fails(make_run: Callable[..., Run]) -> None:
    run, bundle = _not_certified(make_run)
    members = _members(bundle)
    nodeid, result_file = next(iter(run.result_files.items()))
    del members[f"allure-results/{result_file}"]
    _rewrite(bundle, members, regenerate_manifest=True)

    code, out, _ = _verify(bundle)
    assert code == 1
    assert "FAIL  results" in out and f"({nodeid}) passed, but no Allure result records it" in out


def test_a_run_json_edited_from_failed_to_passed_is_caught_by_the_allure_results(
    make_run: Callable[..., Run],
) -> None:
    run, bundle = _not_certified(make_run)
    members = _members(bundle)
    record = json.loads(members["run.json"])
    failed = next(s for s in record["scenarios"] if s["outcome"] == "failed")
    failed.update(outcome="passed", message="")
    members["run.json"] = json.dumps(record, indent=2).encode()
    _rewrite(bundle, members, regenerate_manifest=True)

    code, out, _ = _verify(bundle)
    assert code == 1
    assert "PASS  files" in out and "FAIL  results" in out
    result_file = run.result_files[failed["nodeid"]]
    assert f"run.json says '{failed['name']}' passed, but allure-results/{result_file} says failed" in out
    assert "NOT TRUSTWORTHY: run.json disagrees with the Allure results" in out


def test_a_run_json_and_certificate_forged_together_are_caught(make_run: Callable[..., Run]) -> None:
    """Even a forger who rebuilds run.json, certificate and manifest consistently is caught by Allure."""
    run, bundle = _not_certified(make_run)
    record = json.loads((run.reports / "run.json").read_text(encoding="utf-8"))
    for scenario in record["scenarios"]:
        if scenario["outcome"] == "failed":
            scenario.update(outcome="passed", message="")
    (run.reports / "run.json").write_text(json.dumps(record), encoding="utf-8")
    run.results = type(run.results).read(run.reports / "run.json")
    forged = run.certify()
    assert forged is not None
    assert json.loads((run.reports / "certificate.json").read_text(encoding="utf-8"))["verdict"] == "CERTIFIED"

    code, out, _ = _verify(forged)
    assert code == 1 and "FAIL  results" in out and "says failed" in out


def test_an_edited_ledger_is_caught(make_run: Callable[..., Run]) -> None:
    _, bundle = _not_certified(make_run)
    members = _members(bundle)
    members["ledger.jsonl"] = members["ledger.jsonl"].replace(b'"voucher_ids": ["v-6", "v-7"]',
                                                              b'"voucher_ids": ["v-6"]')
    _rewrite(bundle, members, regenerate_manifest=True)

    code, out, _ = _verify(bundle)
    assert code == 1 and "certificate.json: issuance.vouchers: says 8, the results give 7" in out


def test_a_file_added_to_the_bundle_fails(make_run: Callable[..., Run]) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    members = _members(bundle)
    members["allure-results/extra-attachment.txt"] = b"hello"
    _rewrite(bundle, members)

    code, out, _ = _verify(bundle)
    assert code == 1 and "allure-results/extra-attachment.txt: in the bundle but not in the manifest" in out


def test_an_edited_manifest_fails(make_run: Callable[..., Run]) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    members = _members(bundle)
    manifest = json.loads(members["manifest.json"])
    manifest["files"][0]["size"] += 1
    members["manifest.json"] = json.dumps(manifest).encode()
    _rewrite(bundle, members)

    code, out, _ = _verify(bundle)
    assert code == 1 and "manifest.json: its digest does not match its entries" in out


def test_an_expired_certificate_fails(make_run: Callable[..., Run]) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=91)
    report = verify_bundle(bundle, now=later)

    assert report.exit_code == 1
    expiry = report.check("expiry")
    assert expiry is not None and not expiry.ok and "the certificate expired on" in expiry.lines[0]
    assert all(c.ok for c in report.checks if c.name != "expiry")


def test_an_old_pack_is_expired_on_the_command_line(make_run: Callable[..., Run]) -> None:
    run = make_run(started="2025-01-10T10:00:00+00:00", finished="2025-01-10T10:03:00+00:00")
    bundle = run.certify(issued_at=dt.datetime(2025, 1, 10, 10, 5, tzinfo=dt.UTC), expiry_days=30)
    assert bundle is not None
    code, out, _ = _verify(bundle)

    assert code == 1 and "FAIL  expiry" in out and "the certificate expired on 2025-02-09" in out


def test_a_planted_token_is_found_by_verify_without_naming_it(make_run: Callable[..., Run]) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    members = _members(bundle)
    attachment = next(n for n in sorted(members) if n.endswith("-attachment.json"))
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1YXRjZXJ0LWNsaWVudCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    members[attachment] = members[attachment].replace(b"Bearer ***", f"Bearer {token}".encode())
    _rewrite(bundle, members, regenerate_manifest=True)

    code, out, _ = _verify(bundle)
    assert code == 1 and "FAIL  secrets" in out
    assert f"{attachment}: contains a JWT (bearer token)" in out
    assert f"{attachment}: contains an unmasked Bearer Authorization header" in out
    assert token not in out and "eyJ" not in out


def test_an_unmasked_voucher_code_is_found_by_verify(make_run: Callable[..., Run]) -> None:
    bundle = make_run().certify()
    assert bundle is not None
    members = _members(bundle)
    attachment = next(n for n in sorted(members) if n.endswith("-attachment.json"))
    members[attachment] = members[attachment].replace("…3732".encode(), b"GIFT-2222-3333-3732")
    _rewrite(bundle, members, regenerate_manifest=True)

    code, out, _ = _verify(bundle)
    assert code == 1 and f"{attachment}: contains unmasked voucher values (voucher_code)" in out
    assert "GIFT-2222" not in out


# unusable input -----------------------------------------------------------------------------------
def test_a_file_that_is_not_a_zip_is_unusable(tmp_path: Path) -> None:
    fake = tmp_path / "bundle.zip"
    fake.write_text("not a zip", encoding="utf-8")
    code, out, err = _verify(fake)
    assert code == 2 and out == ""
    assert err.startswith(f"uatcert verify: {fake}: not a readable zip file")
    assert "Traceback" not in err


def test_a_missing_bundle_is_unusable(tmp_path: Path) -> None:
    code, _, err = _verify(tmp_path / "nope.zip")
    assert code == 2 and "no such file" in err
    code, _, err = _verify(tmp_path)
    assert code == 2 and "is a folder" in err


def test_a_zip_without_a_manifest_is_unusable(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    code, _, err = _verify(other)
    assert code == 2 and "not a uatcert evidence bundle (it has no manifest.json)" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_main([]) == 2
    assert "usage: uatcert verify" in capsys.readouterr().err


def test_make_bundle_replaces_an_older_bundle(make_run: Callable[..., Run]) -> None:
    run = make_run()
    first = run.certify()
    (run.reports / "ledger.csv").write_text("time,idempotency_key\nnew,row\n", encoding="utf-8")
    second = make_bundle(run.reports, "uatcert-client-sandbox")  # same certificate date: same name
    assert first == second
    assert _members(second)["ledger.csv"] == b"time,idempotency_key\nnew,row\n"
    assert verify_bundle(second).ok


def test_the_runner_flow_with_certificate_verdict_verifies(make_run: Callable[..., Run]) -> None:
    """certify() passes certificate_verdict (judge plus the matrix rule); verify must agree with it."""
    specs = [s for s in default_specs() if not (s.requirement == "CAT" and s.product == "GIFT-FIX-25")]
    run = make_run(specs)
    write_allure_metadata(run.results, run.reports / "allure-results")
    verdict = certificate_verdict(run.results, REQUIRED)
    assert verdict.reasons == ["CAT: GIFT-FIX-25: not run"]
    write_certificate(run.results, verdict, run.reports, client_id=CLIENT_ID,
                      issued_at=dt.datetime(2026, 11, 21, 10, 4, tzinfo=dt.UTC))
    bundle = make_bundle(run.reports, CLIENT_ID)
    assert bundle.name == "uatcert-evidence-uatcert-client-sandbox-20261121.zip"  # the certificate's date

    report = verify_bundle(bundle, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert report.ok, report.render()
    assert report.verdict == "NOT CERTIFIED" and report.certificate_verdict == "NOT CERTIFIED"


def test_clean_outputs_removes_what_a_previous_run_left(make_run: Callable[..., Run]) -> None:
    run = make_run()
    bundle = run.certify()
    assert bundle is not None
    (run.reports / "html").mkdir()
    (run.reports / "html" / "index.html").write_text("old", encoding="utf-8")
    clean_outputs(run.reports)

    left = sorted(p.name for p in run.reports.iterdir())
    assert left == ["allure-results", "junit.xml", "ledger.csv", "ledger.jsonl", "run.json"]
