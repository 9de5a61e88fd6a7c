"""
The secrets canary: proof that no secret of the run reached an artifact.

`scan_for_secrets` knows the run's secret values (the redactor's list) and looks for each one in every
file under `reports/`, zip members included, as raw text and in the encodings an artifact could carry
it in: base64 (at each byte alignment, since the single-file HTML report embeds its data as base64),
URL encoding, JSON and HTML escaping. `scan_patterns` needs no list: it looks for what a leak looks
like (a JWT, an unmasked Authorization header, an unmasked voucher code, PIN or URL in JSON) and is
what `uatcert verify` runs on a bundle. A hit names the file and the kind of secret, never the value.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import ahocorasick

from uatcert.evidence._redact import SECRET

MIN_SECRET_LENGTH = 6
MIN_FRAGMENT = 8
DEFAULT_KIND = "a secret value of the run"
CANARY_REPORT = "canary.json"
"""Where each canary pass is recorded, in the reports folder (evidence that it ran)."""


@dataclasses.dataclass(frozen=True)
class SecretHit:
    """A secret found in an artifact: where, what kind, in which encoding (never the value)."""

    file: str
    kind: str
    encoding: str = "as is"

    def __str__(self) -> str:
        encoded = "" if self.encoding == "as is" else f" ({self.encoding})"
        return f"{self.file}: contains {self.kind}{encoded}"


def _forms(secret: str) -> list[tuple[str, bytes]]:
    raw = secret.encode("utf-8")
    forms: dict[bytes, str] = {raw: "as is"}
    for name, text in (
        ("URL-encoded", quote(secret, safe="")),
        ("URL-encoded", quote_plus(secret, safe="")),
        ("JSON-escaped", json.dumps(secret)[1:-1]),
        ("JSON-escaped", json.dumps(secret, ensure_ascii=False)[1:-1]),
        ("JSON-escaped", json.dumps(secret)[1:-1].replace("/", "\\/")),
        ("HTML-escaped", html.escape(secret, quote=True)),
    ):
        forms.setdefault(text.encode("utf-8"), name)
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        whole = (len(raw) + offset) // 3 * 4
        fragment = encoded[4 if offset else 0:whole]
        if len(fragment) >= MIN_FRAGMENT:
            forms.setdefault(fragment, "base64")
            forms.setdefault(fragment.replace(b"+", b"-").replace(b"/", b"_"), "base64")
    return [(name, form) for form, name in forms.items()]


def _files(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under root (relative name, bytes), and every member of a zip file as `zip!member`."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError:
            continue
        yield name, data
        if zipfile.is_zipfile(io.BytesIO(data)):
            yield from _members(name, data)


def _members(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                try:
                    yield f"{name}!{info.filename}", archive.read(info)
                except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
                    continue
    except zipfile.BadZipFile:
        return


def _scan(reports: Path, secrets: Iterable[str] | Mapping[str, str]) -> tuple[list[SecretHit], int, int]:
    kinds: dict[str, str] = (
        {str(v): str(k) for v, k in secrets.items()} if isinstance(secrets, Mapping)
        else {str(v): DEFAULT_KIND for v in secrets}
    )
    values = [v for v in kinds if v and len(v) >= MIN_SECRET_LENGTH]
    needles = [(kinds[value], encoding, form) for value in values for encoding, form in _forms(value)]
    hits: list[SecretHit] = []
    files = 0
    if not reports.exists():
        return hits, files, len(values)
    if not needles:
        return hits, sum(1 for p in reports.rglob("*") if p.is_file()), 0
    automaton = _automaton(form for _, _, form in needles)
    for name, data in _files(reports):
        files += 1
        present = _present(automaton, data)
        if not present:
            continue
        found: dict[str, str] = {}
        for kind, encoding, form in needles:
            if kind not in found and form in present:
                found[kind] = encoding
        hits.extend(SecretHit(name, kind, encoding) for kind, encoding in found.items())
    return hits, files, len(values)


def _automaton(forms: Iterable[bytes]) -> Any:
    """One Aho-Corasick automaton of every form of every secret: a file is read once, whatever their
    number (looking for each form in turn made the scan grow with files x secrets)."""
    automaton = ahocorasick.Automaton()
    for form in forms:
        text = form.decode("latin-1")  # one character per byte, both ways
        automaton.add_word(text, form)
    automaton.make_automaton()
    return automaton


def _present(automaton: Any, data: bytes) -> set[bytes]:
    """The forms found anywhere in `data` (overlapping ones included)."""
    return {form for _, form in automaton.iter(data.decode("latin-1"))}


def scan_for_secrets(reports: Path, secrets: Iterable[str] | Mapping[str, str]) -> list[SecretHit]:
    """Look for each secret value in every file under `reports`; one hit per file and kind.

    `secrets` is a list of values (reported as "a secret value of the run"), or a mapping of value to
    the kind shown in a hit (e.g. "a configured secret", "a voucher code"). Values shorter than six
    characters are ignored: they would match by chance.
    """
    return _scan(reports, secrets)[0]



def run_canary(reports: Path, secrets: Iterable[str] | Mapping[str, str], *, stage: str) -> list[SecretHit]:
    """Scan like `scan_for_secrets` and record the pass in `reports/canary.json` (evidence that it ran).

    A run has two stages: inside the pytest process, which knows every value the redactor learned
    (tokens, voucher codes, PINs, URLs), over the raw evidence; then in `uatcert run` after the
    certificate and HTML report exist, with the configured secrets. Each pass appends one entry with
    the number of values and files scanned and the hits (file and kind only).
    """
    hits, files, values = _scan(reports, secrets)
    path = reports / CANARY_REPORT
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        passes = record["passes"] if isinstance(record, dict) and isinstance(record.get("passes"), list) else []
    except (OSError, ValueError):
        passes = []
    passes.append({"stage": stage, "values": values, "files": files, "hits": [str(hit) for hit in hits]})
    if reports.is_dir():
        path.write_text(json.dumps({"passes": passes}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return hits


def recorded_hits(reports: Path) -> list[str]:
    """Every hit recorded in `reports/canary.json` by any pass (file and kind, never the value)."""
    try:
        record = json.loads((reports / CANARY_REPORT).read_text(encoding="utf-8"))
        return [str(hit) for p in record["passes"] for hit in p["hits"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


# pattern scan (no secret list) ------------------------------------------------------------------
_JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*")
_AUTH = re.compile(
    rb"(?i)(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(basic|bearer)\s+([^\s\"',;}\\]+)"
)
_VOUCHER_ALWAYS = frozenset({"voucher_code", "short_url_pin", "pin", "view_code", "barcode", "voucher_number"})
_VOUCHER_CONTEXT = frozenset({"url", "short_url", "voucher_url", "code_url", "edenred_url", "serial", "voucher_ref"})
_VOUCHER_OBJECT = frozenset({"voucher_id", "voucher_code", "short_url_pin"})
_MASKED = re.compile(rf"^({re.escape(SECRET)}|….{{0,4}}|__ALLURE_REDACTED__)?$", re.S)


def _masked(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return False
    if isinstance(value, str):
        return bool(_MASKED.match(value))
    return True


def _unmasked_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        voucher_object = any(k in _VOUCHER_OBJECT for k in node)
        for key, value in node.items():
            lowered = str(key).lower()
            watched = lowered in _VOUCHER_ALWAYS or (voucher_object and lowered in _VOUCHER_CONTEXT)
            if watched and not isinstance(value, dict | list) and not _masked(value):
                yield lowered
            yield from _unmasked_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _unmasked_keys(item)


def _unmasked_keys_of(data: bytes) -> Iterator[str]:
    """Unmasked voucher keys in a JSON document, or in JSON lines."""
    if data.lstrip()[:1] not in (b"{", b"[") or len(data) > 64 * 1024 * 1024:
        return
    text = data.decode("utf-8", "replace")
    try:
        yield from _unmasked_keys(json.loads(text))
        return
    except ValueError:
        pass
    for line in text.splitlines():
        try:
            yield from _unmasked_keys(json.loads(line))
        except ValueError:
            continue


def scan_bytes(name: str, data: bytes) -> list[SecretHit]:
    """What looks like a leak in one file, without knowing the run's secrets."""
    hits: list[SecretHit] = []
    if _JWT.search(data):
        hits.append(SecretHit(name, "a JWT (bearer token)"))
    for match in _AUTH.finditer(data):
        if match.group(2) not in (SECRET.encode(), b"\\u2026", b"__ALLURE_REDACTED__"):
            hits.append(SecretHit(name, f"an unmasked {match.group(1).decode().title()} Authorization header"))
            break
    keys = sorted(set(_unmasked_keys_of(data)))
    if keys:
        hits.append(SecretHit(name, f"unmasked voucher values ({', '.join(keys)})"))
    return hits


def scan_patterns(files: Iterable[tuple[str, bytes]]) -> list[SecretHit]:
    return [hit for name, data in files for hit in scan_bytes(name, data)]
