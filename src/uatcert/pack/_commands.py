"""`uatcert report`: build (or rebuild) the HTML report of a finished run and refresh its bundle."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from uatcert.evidence import recorded_hits, scan_patterns
from uatcert.pack._manifest import MANIFEST, make_bundle, manifest_digest_of
from uatcert.pack._report import HOW_TO_GET_HTML, build_run_report, commit_history
from uatcert.suite.results import RunResults


def report_main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`uatcert report [--reports DIR]`: exit 0 when the HTML report was built, 2 when it could not be."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(prog="uatcert report",
                                     description="Build the single-file offline HTML report of the last run.")
    parser.add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR",
                        help="the run's output folder (default: reports)")
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    reports: Path = args.reports
    try:
        results = RunResults.read(reports / "run.json")
    except (OSError, ValueError, AttributeError, TypeError):
        err.write(f"uatcert report: no readable run.json in {reports}: run `uatcert run` first\n")
        return 2

    def log(line: str) -> None:
        err.write(f"uatcert report: {line}\n")

    index = build_run_report(reports, results, log=log)
    if index is None:
        err.write(f"uatcert report: no HTML report; to get it, {HOW_TO_GET_HTML}\n")
        return 2
    out.write(f"HTML report: {index}\n")
    leaks = scan_patterns((str(p.relative_to(reports)), p.read_bytes()) for p in index.parent.rglob("*")
                          if p.is_file())
    commit_history(reports, clean=not leaks and not recorded_hits(reports))
    if leaks:
        for hit in leaks:
            err.write(f"uatcert report: {hit}\n")
        err.write("uatcert report: the bundle was not refreshed\n")
        return 1
    if (reports / MANIFEST).exists():
        bundle = make_bundle(reports, str(results.target_of(results.lead_api).get("client_id") or ""))
        out.write(f"Evidence bundle: {bundle}\nManifest digest: sha256:{manifest_digest_of(reports)}\n")
    return 0
