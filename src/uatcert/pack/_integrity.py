"""
The integrity checks of `uatcert verify`: the manifest's own digest, every file against the manifest, and
a pattern scan for anything that looks like a secret.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import PurePosixPath
from typing import Any

from uatcert.evidence import scan_bytes
from uatcert.pack._bundle import Bundle, read_json
from uatcert.pack._manifest import MANIFEST, manifest_digest
from uatcert.pack._verify_report import Check, VerifyReport


def check_manifest(bundle: Bundle, report: VerifyReport) -> list[dict[str, Any]] | None:
    manifest = read_json(bundle.read(MANIFEST))
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


def check_files(bundle: Bundle, entries: list[dict[str, Any]], report: VerifyReport) -> None:
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


def check_secrets(bundle: Bundle, report: VerifyReport) -> None:
    hits = []
    for name in bundle.names:
        data = bundle.read(name)
        if data is not None:
            hits += scan_bytes(name, data)
    lines = [str(hit) for hit in hits]
    report.checks.append(Check("secrets", not hits, lines,
                               "" if hits else "no token, credential or unmasked voucher value found"))
