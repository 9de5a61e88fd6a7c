"""
An evidence bundle opened for checking: its members read from the zip (never extracted to disk), and the
documents `uatcert verify` needs from it (run.json, the Allure results, the ledger).
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from uatcert.pack._allure import RESULT_SUFFIX, AllureResult, parse_result
from uatcert.pack._errors import BundleError
from uatcert.pack._ledger import read_records
from uatcert.suite.results import RunResults

MAX_MEMBER = 512 * 1024 * 1024
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, EOFError, NotImplementedError, ValueError)
LedgerRecords = tuple[list[dict[str, Any]], int]
"""The ledger's records and how many of its lines could not be read."""


class Bundle:
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


def read_json(data: bytes | None) -> Any:
    """A member's JSON document; None when it is missing or not JSON."""
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        return None


def run_results(data: bytes | None) -> RunResults | None:
    """run.json as this version writes it; None when it is not one (unreadable, or other fields)."""
    raw = read_json(data)
    if not isinstance(raw, dict):
        return None
    try:
        return RunResults.from_dict(raw)
    except TypeError:
        return None


def allure_results(bundle: Bundle, problems: list[str]) -> list[AllureResult]:
    """The bundle's Allure results; a line in `problems` for each unreadable one."""
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


def read_ledger_records(bundle: Bundle) -> LedgerRecords | None:
    """The ledger's records and unreadable line count, or None when the bundle has no ledger."""
    if "ledger.jsonl" not in bundle:
        return None
    return read_records((bundle.read("ledger.jsonl") or b"").decode("utf-8", "replace").splitlines())
