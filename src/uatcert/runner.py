"""
`uatcert run`: run the certification features of the selected profiles against the configured
target (or the embedded sandbox), then summarise requirement verdicts and write the evidence.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pytest

from uatcert import __version__
from uatcert.config import Settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.evidence import LedgerLock, write_ledger_csv
from uatcert.pack import (
    HOW_TO_GET_HTML,
    build_run_report,
    certificate_verdict,
    clean_outputs,
    make_bundle,
    manifest_digest_of,
    recorded_hits,
    run_canary,
    verdict_word,
    write_allure_metadata,
    write_certificate,
)
from uatcert.profiles import Profile
from uatcert.reconcile import note_archived_ledger, write_ledger_summary
from uatcert.sandbox import SANDBOX_SECRETS
from uatcert.suite.results import RunResults, catalogue_precondition
from uatcert.verdict import RunVerdict

EXIT_CERTIFIED, EXIT_NOT_CERTIFIED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
SUMMARY_REASONS = 10
"""Reasons of a NOT CERTIFIED run printed in the summary (the certificate lists them all)."""


def project_root() -> Path:
    """The folder holding features/, steps/ and conftest.py (the checkout the suite runs from)."""
    candidates = [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]
    for folder in candidates:
        if (folder / "features").is_dir() and (folder / "steps").is_dir() and (folder / "conftest.py").is_file():
            return folder
    raise ConfigError("cannot find the suite (features/, steps/, conftest.py): run uatcert from its checkout")


def run_suite(
    profiles: Sequence[Profile], reports: Path, pytest_args: Sequence[str] = (), *, pass_fds: Sequence[int] = ()
) -> tuple[int, RunResults | None]:
    """Run pytest over the profiles' steps; returns pytest's exit code and the recorded results.
    `pass_fds` are inherited by the pytest process (the ledger lock: held while any process of the run lives)."""
    root = project_root()
    results_path = reports / "run.json"
    for stale in (results_path, reports / "junit.xml", reports / "ledger.csv"):
        stale.unlink(missing_ok=True)
    shutil.rmtree(reports / "allure-results", ignore_errors=True)
    clean_outputs(reports)  # certificate.*, canary.json, manifest.json, html/, old bundles
    archived = _archive_ledger(reports)
    if archived is not None:
        note_archived_ledger(archived, sys.stdout)
    args = [
        *(str(root / p.steps_dir) for p in profiles),
        f"--rootdir={root}",
        "-c", str(root / "pyproject.toml"),
        "-p", "no:cacheprovider",
        f"--alluredir={reports / 'allure-results'}",
        f"--junitxml={reports / 'junit.xml'}",
        f"--uatcert-results={results_path}",
        "-q", "--no-header", "-rN", "--tb=no",
        *pytest_args,
    ]
    env = dict(os.environ)
    env["UATCERT_RUN__REPORTS_DIR"] = str(reports)
    env.setdefault("PYTHONUNBUFFERED", "1")
    code = subprocess.call([sys.executable, "-m", "pytest", *args], cwd=root, env=env, pass_fds=tuple(pass_fds))
    results = RunResults.read(results_path) if results_path.exists() else None
    return code, results


def _archive_ledger(reports: Path) -> Path | None:
    """The ledger is appended to; a previous run's ledger is kept aside, never mixed into this run's."""
    ledger = reports / "ledger.jsonl"
    if not ledger.exists():
        return None
    archive = reports / "previous-ledgers"
    archive.mkdir(exist_ok=True)
    stamp = dt.datetime.fromtimestamp(ledger.stat().st_mtime, dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    moved = archive / f"ledger-{stamp}.jsonl"
    ledger.replace(moved)
    return moved


def render_summary(results: RunResults, verdict: RunVerdict, out: TextIO) -> None:
    """One screen: the first API's target, requirement -> verdict, one line per failure, the overall verdict."""
    lead = results.lead_api
    target = results.target_of(lead)
    catalogue = results.catalogue_of(lead)
    out.write(f"\nuatcert {__version__} — {target.get('api', '?')} on {target.get('label', '?')}\n")
    if catalogue:
        out.write(f"catalogue: {catalogue.get('size')} products, sha256 {str(catalogue.get('sha256'))[:16]}…\n")
    out.write("\n")
    for summary in verdict.requirements:
        total = len(summary.scenarios)
        passed = summary.count("passed")
        na = summary.count("not_applicable")
        detail = f"{passed}/{total - na} scenarios passed"
        if summary.products:
            detail += f", {len(summary.products)} products"
        if na:
            detail += f", {na} not applicable"
        out.write(f"  {summary.requirement:<13} {verdict_word(summary.verdict):<11} {detail}\n")
    failures = [s for s in results.scenarios if s.outcome in ("failed", "broken")]
    if failures or results.collection_errors:
        out.write("\nFailures:\n")
        for error in results.collection_errors:
            out.write(f"  BROKEN collection: {error}\n")
        for scenario in failures:
            out.write(f"  {scenario.outcome.upper()} {scenario.message}\n")
    na_reasons = sorted({s.message for s in results.scenarios if s.outcome == "not_applicable"},
                        key=lambda m: (catalogue_precondition(m) is None, m))  # what the catalogue lacks first
    if na_reasons:
        out.write("\nNot applicable:\n")
        for reason in na_reasons:
            out.write(f"  {reason}\n")
    out.write(f"\nVerdict: {verdict.label}\n")
    if not verdict.certified:
        out.write(f"  first reason: {verdict.reasons[0]}\n")
        shown = verdict.reasons[:SUMMARY_REASONS]
        out.write("  why:\n" + "".join(f"    {i}. {reason}\n" for i, reason in enumerate(shown, 1)))
        if len(verdict.reasons) > len(shown):
            out.write(f"    ... and {len(verdict.reasons) - len(shown)} more (see the certificate)\n")


def certify(
    profiles: Sequence[Profile], settings: Settings, out: TextIO, pytest_args: Sequence[str] = ()
) -> int:
    """Run, judge and report; the exit code follows the documented table."""
    reports = settings.run.reports_dir.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    with LedgerLock(reports) as lock:  # two runs never write one ledger (refused: exit 2)
        return _certify(profiles, settings, out, reports, pytest_args, lock)


def _certify(profiles: Sequence[Profile], settings: Settings, out: TextIO, reports: Path,
             pytest_args: Sequence[str], lock: LedgerLock) -> int:
    code, results = run_suite(profiles, reports, pytest_args, pass_fds=[lock.fd] if lock.fd is not None else [])
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        raise ConfigError(f"the suite could not start (pytest exit code {int(code)}; its message is above)")
    if results is None:
        raise TargetUnreachable(f"the suite produced no results (pytest exit code {code})")
    if results.collection_errors and not results.scenarios:
        message = results.collection_errors[0]
        out.write(f"uatcert: {message}\n")
        if "TargetUnreachable" in message or "could not" in message:
            return EXIT_UNREACHABLE
    required = [r for p in profiles for r in p.requirements]
    verdict = certificate_verdict(results, required)  # judge() plus the requirement x product matrix rule
    render_summary(results, verdict, out)
    write_ledger_summary(reports, out)
    if not write_evidence(results, verdict, settings, reports, out):
        return EXIT_NOT_CERTIFIED
    return EXIT_CERTIFIED if verdict.certified else EXIT_NOT_CERTIFIED


def configured_secrets(settings: Settings) -> dict[str, str]:
    """The secrets this process knows (the pytest process also scans every value its redactor learned)."""
    secrets = dict.fromkeys(SANDBOX_SECRETS, "a sandbox credential")
    secrets.update(dict.fromkeys(settings.secret_values(), "a configured client secret"))
    return secrets


def write_evidence(results: RunResults, verdict: RunVerdict, settings: Settings, reports: Path, out: TextIO) -> bool:
    """Certificate, Allure metadata, HTML report, canary, manifest and bundle; False when a secret leaked."""

    def note(line: str) -> None:
        out.write(f"  {line}\n")

    write_allure_metadata(results, reports / "allure-results")
    if (reports / "ledger.jsonl").exists():
        write_ledger_csv(reports / "ledger.jsonl", reports / "ledger.csv")
    client_id = results.target_of(results.lead_api).get("client_id") or settings.v3.client_id
    write_certificate(results, verdict, reports, client_id=client_id)
    out.write(f"\nCertificate:  {reports / 'certificate.html'}\n")
    html = build_run_report(reports, results, log=note)
    out.write(f"HTML report:  {html}\n" if html else f"HTML report:  not built; to get it, {HOW_TO_GET_HTML}\n")
    run_canary(reports, configured_secrets(settings), stage="evidence")
    hits = recorded_hits(reports)  # this pass and the pytest process's pass
    if hits:
        out.write("SECRETS CANARY: secret values reached the evidence; no bundle was made:\n")
        for hit in hits:
            out.write(f"  {hit}\n")
        return False
    bundle = make_bundle(reports, client_id)
    out.write(f"Evidence:     {bundle}\n              manifest digest sha256:{manifest_digest_of(reports)}\n"
              f"              check it with: uatcert verify {bundle}\n")
    return True
