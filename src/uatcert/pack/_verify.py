"""
`uatcert verify BUNDLE.zip [--provider-records CSV]`: is this evidence pack intact, and is its verdict honest?

Checks, each reported PASS or FAIL with the files concerned:
  manifest       the manifest's own digest matches its entries
  files          every file's SHA-256 and size match the manifest; the manifest covers the whole zip
  results        run.json agrees with the Allure results (an edited outcome or a removed result shows)
  certificate    the certificate rebuilt from the bundle's results, Allure results and ledger equals
                 certificate.json, and its Markdown and HTML renderings equal the ones in the bundle
  expiry         the certificate has not expired
  secrets        nothing in the bundle looks like a token, credential or unmasked voucher value
  reconciliation (with --provider-records) the ledger and the provider's export agree, both ways

Exit codes: 0 every check passed (the pack is intact and its verdict honest; the verdict itself may be
NOT CERTIFIED), 1 a check failed, 2 unusable input (not a zip, no manifest, unreadable CSV).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from uatcert.pack._allure import RESULT_SUFFIX, AllureResult, compatible, match_scenarios, parse_result
from uatcert.pack._canary import scan_bytes
from uatcert.pack._certificate import build_document, mask_client_id, render_all
from uatcert.pack._errors import BundleError
from uatcert.pack._ledger import ProviderRecords, read_provider_csv, read_records, reconcile, totals_of
from uatcert.pack._manifest import MANIFEST, manifest_digest
from uatcert.suite.results import RunResults
from uatcert.verdict import judge

MAX_MEMBER = 512 * 1024 * 1024
MAX_LINES = 25
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, EOFError, NotImplementedError, ValueError)


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    lines: list[str] = dataclasses.field(default_factory=list)
    summary: str = ""


@dataclasses.dataclass
class VerifyReport:
    """The outcome of `verify_bundle`: one entry per check, and the verdict the bundle supports."""

    bundle: Path
    checks: list[Check] = dataclasses.field(default_factory=list)
    verdict: str | None = None
    certificate_verdict: str | None = None
    expires_at: str | None = None
    manifest_digest: str | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def failures(self) -> list[str]:
        return [f"{c.name}: {line}" for c in self.checks if not c.ok for line in c.lines]

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def render(self) -> str:
        out = [f"uatcert verify {self.bundle.name}"]
        if self.manifest_digest:
            out.append(f"  manifest digest  sha256:{self.manifest_digest}")
        out.append("")
        for check in self.checks:
            out.append(f"  {'PASS' if check.ok else 'FAIL'}  {check.name:<16}{check.summary}")
            shown = check.lines[:MAX_LINES]
            out += [f"        {line}" for line in shown]
            if len(check.lines) > MAX_LINES:
                out.append(f"        … and {len(check.lines) - MAX_LINES} more")
        out.append("")
        results = self.check("results")
        if self.verdict and results is not None and not results.ok:
            out.append(f"Verdict re-derived from run.json: {self.verdict}, NOT TRUSTWORTHY: run.json disagrees "
                       "with the Allure results")
        elif self.verdict:
            said = self.certificate_verdict or "(unreadable)"
            agreement = "the certificate agrees" if said == self.verdict else f"the certificate says {said}"
            out.append(f"Verdict re-derived from the bundle's results: {self.verdict} ({agreement})")
        if self.expires_at:
            out.append(f"Certificate valid until {self.expires_at[:10]}")
        if self.ok:
            out.append("Result: the evidence pack is intact and its verdict is honest.")
        else:
            failed = ", ".join(c.name for c in self.checks if not c.ok)
            out.append(f"Result: DO NOT TRUST this evidence pack (failed: {failed}).")
        return "\n".join(out) + "\n"


class _Bundle:
    """Read-only access to the zip's members (nothing is ever extracted to disk)."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise BundleError(f"{path}: no such file")
        if path.is_dir():
            raise BundleError(f"{path}: is a folder, expected an evidence bundle (.zip)")
        try:
            self.archive = zipfile.ZipFile(path)
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise BundleError(f"{path}: not a readable zip file ({exc})") from None
        self.infos = [i for i in infos if not i.is_dir()]
        self.names = [i.filename for i in self.infos]
        self._names = set(self.names)
        self.errors: dict[str, str] = {}
        self._cache: dict[str, bytes] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def read(self, name: str) -> bytes | None:
        """A member's bytes; None (with the reason in `errors`) when it is missing, too large or corrupt."""
        if name in self._cache:
            return self._cache[name]
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            self.errors[name] = "missing from the bundle"
            return None
        if info.file_size > MAX_MEMBER:
            self.errors[name] = f"too large to check ({info.file_size} bytes)"
            return None
        try:
            data = self.archive.read(info)
        except _READ_ERRORS as exc:
            self.errors[name] = f"corrupt in the zip ({type(exc).__name__})"
            return None
        if len(self._cache) < 4096:
            self._cache[name] = data
        return data

    def close(self) -> None:
        self.archive.close()


def _json(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        return None


# checks -----------------------------------------------------------------------------------------
def _check_manifest(bundle: _Bundle, report: VerifyReport) -> list[dict[str, Any]] | None:
    manifest = _json(bundle.read(MANIFEST))
    entries = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)
        and isinstance(e.get("size"), int) for e in entries
    ):
        report.checks.append(Check("manifest", False, [f"{MANIFEST} is not a readable uatcert manifest"]))
        return None
    assert isinstance(manifest, dict)
    digest = manifest_digest(entries)
    report.manifest_digest = digest
    if manifest.get("digest") != digest:
        report.checks.append(Check("manifest", False, [
            f"{MANIFEST}: its digest does not match its entries (the manifest was edited)"]))
    else:
        report.checks.append(Check("manifest", True, summary=f"{len(entries)} files listed"))
    return entries


def _check_files(bundle: _Bundle, entries: list[dict[str, Any]], report: VerifyReport) -> None:
    problems: list[str] = []
    listed = {e["path"] for e in entries}
    if len(listed) != len(entries):
        problems.append(f"{MANIFEST}: lists a file more than once")
    duplicates = sorted(n for n, count in Counter(bundle.names).items() if count > 1)
    problems += [f"{name}: appears more than once in the zip" for name in duplicates]
    for name in bundle.names:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or "\\" in name:
            problems.append(f"{name}: unsafe path in the zip")
    for entry in sorted(entries, key=lambda e: e["path"]):
        name = entry["path"]
        if name not in bundle:
            problems.append(f"{name}: listed in the manifest but missing from the bundle (removed?)")
            continue
        data = bundle.read(name)
        if data is None:
            problems.append(f"{name}: {bundle.errors.get(name, 'unreadable')}")
        elif len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{name}: content differs from the manifest (edited?)")
    for name in sorted(set(bundle.names) - listed - {MANIFEST}):
        problems.append(f"{name}: in the bundle but not in the manifest (added?)")
    report.checks.append(Check("files", not problems, problems,
                               "" if problems else f"{len(entries)} files match their SHA-256"))


def _run_results(data: bytes | None) -> RunResults | None:
    raw = _json(data)
    if not isinstance(raw, dict):
        return None
    try:
        return RunResults.from_dict(raw)
    except TypeError:
        return None


def _allure_results(bundle: _Bundle, problems: list[str]) -> list[AllureResult]:
    results = []
    for name in sorted(bundle.names):
        if name.startswith("allure-results/") and name.endswith(RESULT_SUFFIX) and name.count("/") == 1:
            data = bundle.read(name)
            try:
                if data is None:
                    raise ValueError(bundle.errors.get(name, "unreadable"))
                results.append(parse_result(name.split("/", 1)[1], data))
            except (ValueError, UnicodeDecodeError):
                problems.append(f"{name}: not a readable Allure result")
    return results


def _check_results(results: RunResults, allure: list[AllureResult], problems: list[str],
                   report: VerifyReport) -> None:
    matched, leftover = match_scenarios(results.scenarios, allure)
    missing_evidence = 0
    for scenario in results.scenarios:
        evidence = matched.get(scenario.nodeid)
        if evidence is None:
            if scenario.outcome == "passed":
                problems.append(f"run.json: scenario '{scenario.name}' ({scenario.nodeid}) passed, "
                                "but no Allure result records it (removed?)")
            else:
                missing_evidence += 1
        elif not compatible(scenario.outcome, evidence.status):
            problems.append(f"run.json says '{scenario.name}' {scenario.outcome}, but "
                            f"allure-results/{evidence.file} says {evidence.status} (one of them was edited)")
    for result in leftover:
        problems.append(f"allure-results/{result.file}: '{result.name}' ({result.status}) "
                        "has no scenario in run.json (removed from run.json?)")
    summary = f"{len(results.scenarios)} scenarios agree with {len(allure)} Allure results"
    if missing_evidence:
        summary += f" ({missing_evidence} skipped or broken before starting, no Allure result)"
    report.checks.append(Check("results", not problems, problems, "" if problems else summary))


def _diff(said: Any, derived: Any, path: str, out: list[str]) -> None:
    if len(out) >= MAX_LINES:
        return
    if isinstance(said, dict) and isinstance(derived, dict):
        for key in sorted(set(said) | set(derived), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in derived:
                out.append(f"{where}: not expected (added)")
            elif key not in said:
                out.append(f"{where}: missing")
            else:
                _diff(said[key], derived[key], where, out)
    elif isinstance(said, list) and isinstance(derived, list):
        if len(said) != len(derived):
            out.append(f"{path}: {len(said)} entries, the results give {len(derived)}")
        for index, (a, b) in enumerate(zip(said, derived, strict=False)):
            _diff(a, b, f"{path}[{_label(b, index)}]", out)
    elif said != derived:
        out.append(f"{path}: says {json.dumps(said, ensure_ascii=False)[:120]}, "
                   f"the results give {json.dumps(derived, ensure_ascii=False)[:120]}")


def _label(item: Any, index: int) -> str:
    """How a list entry is named in a difference: its requirement id, node id or product, else its index."""
    if isinstance(item, dict):
        for key in ("id", "nodeid", "product", "path"):
            if isinstance(item.get(key), str):
                value: str = item[key]
                return f"{value} {item['face_value']}" if key == "product" and item.get("face_value") else value
    return str(index)


def _parse_time(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _ledger_records(bundle: _Bundle) -> tuple[list[dict[str, Any]], int] | None:
    """The ledger's records and unreadable line count, or None when the bundle has no ledger."""
    if "ledger.jsonl" not in bundle:
        return None
    return read_records((bundle.read("ledger.jsonl") or b"").decode("utf-8", "replace").splitlines())


def _check_certificate(bundle: _Bundle, results: RunResults, allure: list[AllureResult],
                       ledger_records: tuple[list[dict[str, Any]], int] | None,
                       report: VerifyReport, now: dt.datetime) -> None:
    certificate = _json(bundle.read("certificate.json"))
    if not isinstance(certificate, dict):
        report.checks.append(Check("certificate", False, ["certificate.json: missing or not valid JSON"]))
        return
    report.certificate_verdict = str(certificate.get("verdict"))
    issued = _parse_time(certificate.get("issued_at"))
    required = certificate.get("required")
    days = certificate.get("expiry_days")
    if issued is None or not isinstance(required, list) or not isinstance(days, int) or days < 1:
        report.checks.append(Check("certificate", False, [
            "certificate.json: no readable issued_at, expiry_days or required list"]))
        return
    ledger = totals_of(*ledger_records) if ledger_records is not None else None
    verdict = judge(results, [str(r) for r in required])
    derived = build_document(results, verdict, client=str(certificate.get("client_id")), issued_at=issued,
                             expiry_days=days, ledger=ledger, allure=allure)
    report.verdict = str(derived["verdict"])
    problems: list[str] = []
    if certificate.get("verdict") != derived["verdict"]:
        problems.append(f"certificate.json says {certificate.get('verdict')}, but the bundle's results give "
                        f"{derived['verdict']} (the certificate was edited)")
    differences: list[str] = []
    _diff(certificate, derived, "", differences)
    problems += [f"certificate.json: {d}" for d in differences if not d.startswith("verdict:")]
    run_client = results.target.get("client_id")
    if run_client and mask_client_id(str(run_client)) != certificate.get("client_id"):
        problems.append("certificate.json: client_id does not match the client of run.json")
    if results.finished and (finished := _parse_time(results.finished)) and issued < finished - dt.timedelta(
        minutes=5
    ):
        problems.append("certificate.json: issued before the run finished")
    for name, text in render_all(derived).items():
        if name == "certificate.json":
            continue
        rendered = bundle.read(name)
        if rendered is None:
            problems.append(f"{name}: missing from the bundle")
        elif rendered != text.encode("utf-8"):
            problems.append(f"{name}: does not match the certificate rebuilt from the results (edited?)")
    summary = f"{derived['verdict']}, rebuilt from {len(results.scenarios)} scenarios"
    report.checks.append(Check("certificate", not problems, problems, "" if problems else summary))
    expires = _parse_time(certificate.get("expires_at"))
    report.expires_at = str(certificate.get("expires_at")) if expires else None
    if expires is None:
        report.checks.append(Check("expiry", False, ["certificate.json: no readable expires_at"]))
    elif now > expires:
        report.checks.append(Check("expiry", False, [f"the certificate expired on {expires:%Y-%m-%d}"]))
    else:
        report.checks.append(Check("expiry", True, summary=f"valid until {expires:%Y-%m-%d}"))


def _check_secrets(bundle: _Bundle, report: VerifyReport) -> None:
    hits = []
    for name in bundle.names:
        data = bundle.read(name)
        if data is not None:
            hits += scan_bytes(name, data)
    lines = [str(hit) for hit in hits]
    report.checks.append(Check("secrets", not hits, lines,
                               "" if hits else "no token, credential or unmasked voucher value found"))


def _check_reconciliation(ledger_records: tuple[list[dict[str, Any]], int] | None, provider: ProviderRecords,
                          report: VerifyReport) -> None:
    if ledger_records is None:
        report.checks.append(Check("reconciliation", False, ["ledger.jsonl: missing from the bundle"]))
        return
    problems = reconcile(ledger_records[0], provider)
    summary = f"ledger agrees with {provider.rows} provider records"
    report.checks.append(Check("reconciliation", not problems, problems, "" if problems else summary))


def verify_bundle(
    path: Path, *, provider_records: Path | None = None, now: dt.datetime | None = None
) -> VerifyReport:
    """Check an evidence bundle; raises BundleError (exit 2) only when the input is unusable."""
    # unusable records are a usage error, before any work
    provider = read_provider_csv(provider_records) if provider_records is not None else None
    bundle = _Bundle(path)
    try:
        if MANIFEST not in bundle:
            raise BundleError(f"{path}: not a uatcert evidence bundle (it has no {MANIFEST})")
        report = VerifyReport(bundle=path)
        entries = _check_manifest(bundle, report)
        if entries is not None:
            _check_files(bundle, entries, report)
        problems: list[str] = []
        ledger_records = _ledger_records(bundle)
        results = _run_results(bundle.read("run.json"))
        allure = _allure_results(bundle, problems)
        if results is None:
            report.checks.append(Check("results", False, ["run.json: missing or not a uatcert run record"]))
        else:
            _check_results(results, allure, problems, report)
            _check_certificate(bundle, results, allure, ledger_records, report, now or dt.datetime.now(dt.UTC))
        _check_secrets(bundle, report)
        if provider is not None:
            _check_reconciliation(ledger_records, provider, report)
        return report
    finally:
        bundle.close()


def verify_main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`uatcert verify BUNDLE.zip [--provider-records CSV]`; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="uatcert verify",
        description="Check that an evidence bundle is intact and that its certificate's verdict is honest.",
        epilog="Exit codes: 0 intact and honest, 1 a check failed (tampering, mismatch, expiry, leak), "
               "2 unusable input.",
    )
    parser.add_argument("bundle", type=Path, help="the uatcert-evidence-….zip to check")
    parser.add_argument("--provider-records", type=Path, metavar="CSV",
                        help="the provider's export of issued vouchers (idempotency_key, voucher_id columns)")
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        report = verify_bundle(args.bundle, provider_records=args.provider_records)
    except BundleError as exc:
        err.write(f"uatcert verify: {exc}\n")
        return exc.exit_code
    out.write(report.render())
    return report.exit_code
