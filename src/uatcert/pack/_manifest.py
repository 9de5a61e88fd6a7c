"""
The manifest (SHA-256 and size of every evidence file, plus one digest over them all) and the zip
bundle that carries the evidence to the provider.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from uatcert.evidence import CANARY_REPORT

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "uatcert.manifest/1"
TOP_LEVEL = ("certificate.json", "certificate.md", "certificate.html", "ledger.jsonl", "ledger.csv", "run.json",
             "junit.xml", CANARY_REPORT)
FOLDERS = ("allure-results", "html")
_CHUNK = 1 << 20


def evidence_files(reports: Path) -> list[str]:
    """The evidence files under `reports`, as sorted POSIX paths relative to it."""
    found = [name for name in TOP_LEVEL if (reports / name).is_file()]
    for folder in FOLDERS:
        base = reports / folder
        if base.is_dir():
            found += [
                p.relative_to(reports).as_posix()
                for p in base.rglob("*")
                if p.is_file() and not p.name.endswith(".tmp")
            ]
    return sorted(found)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_digest(entries: Iterable[dict[str, Any]]) -> str:
    """One SHA-256 over every entry (`sha256  size  path` lines, sorted by path)."""
    lines = "".join(f"{e['sha256']}  {e['size']}  {e['path']}\n" for e in sorted(entries, key=lambda e: e["path"]))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def write_manifest(reports: Path) -> Path:
    """Write `reports/manifest.json` covering every evidence file; returns its path."""
    entries = [
        {"path": name, "sha256": sha256_file(reports / name), "size": (reports / name).stat().st_size}
        for name in evidence_files(reports)
    ]
    document = {
        "schema": MANIFEST_SCHEMA,
        "algorithm": "sha256",
        "files": entries,
        "digest": manifest_digest(entries),
    }
    path = reports / MANIFEST
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def manifest_digest_of(reports: Path) -> str | None:
    """The digest recorded in `reports/manifest.json` (to print, so it can be quoted out of band)."""
    try:
        digest = json.loads((reports / MANIFEST).read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError, AttributeError):
        return None
    return digest if isinstance(digest, str) else None


def safe_name(client_id: str | None) -> str:
    """A client id made safe for a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", client_id or "").strip("-._")[:64]
    return cleaned or "client"


def bundle_name(client_id: str | None, date: dt.date | dt.datetime | None = None) -> str:
    day = date or dt.datetime.now(dt.UTC)
    return f"uatcert-evidence-{safe_name(client_id)}-{day:%Y%m%d}.zip"


def _issue_date(reports: Path) -> dt.datetime | None:
    try:
        certificate = json.loads((reports / "certificate.json").read_text(encoding="utf-8"))
        return dt.datetime.fromisoformat(str(certificate["issued_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clean_outputs(reports: Path) -> None:
    """Remove what a previous run left that this run will write again (so nothing stale is bundled)."""
    for name in ("certificate.json", "certificate.md", "certificate.html", CANARY_REPORT, MANIFEST):
        (reports / name).unlink(missing_ok=True)
    for old in reports.glob("uatcert-evidence-*.zip"):
        old.unlink(missing_ok=True)
    shutil.rmtree(reports / "html", ignore_errors=True)


def make_bundle(reports: Path, client_id: str | None, date: dt.date | dt.datetime | None = None) -> Path:
    """Write the manifest, then `reports/uatcert-evidence-<client>-<YYYYMMDD>.zip` with every evidence
    file and the manifest; returns the zip's path. The date defaults to the certificate's issue date."""
    date = date or _issue_date(reports)
    manifest = write_manifest(reports)
    document = json.loads(manifest.read_text(encoding="utf-8"))
    path = reports / bundle_name(client_id, date)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for entry in document["files"]:
            archive.write(reports / entry["path"], entry["path"])
        archive.write(manifest, MANIFEST)
    tmp.replace(path)
    return path
