"""
A grep for secret values, independent of the product's own canary (`uatcert.evidence.canary`): it must
not share that code, or a blind spot of the canary would be a blind spot of the test that checks it.

Each secret is looked for as written, URL-encoded, JSON- and HTML-escaped, and inside HTTP Basic
credentials (`base64(user:secret)`, also with the secret URL-encoded first as RFC 6749 §2.3.1 asks).
Every file under a folder is read; a zip file's members are read too (nested zips included); and every
run of base64 text (the single-file HTML report embeds its data so) is decoded and read again.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote, quote_plus

BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{24,}={0,2}")
MAX_DEPTH = 3


@dataclasses.dataclass(frozen=True)
class Secret:
    label: str
    value: str
    user: str | None = None
    """The user name it is sent with in HTTP Basic credentials, if any."""

    def forms(self) -> dict[str, bytes]:
        """Encoding name -> bytes to look for."""
        v = self.value
        found = {
            "as is": v, "URL-encoded": quote(v, safe=""), "form-encoded": quote_plus(v, safe=""),
            "JSON-escaped": json.dumps(v)[1:-1], "JSON-escaped /": json.dumps(v)[1:-1].replace("/", "\\/"),
            "HTML-escaped": html.escape(v, quote=True),
        }
        out = {name: text.encode() for name, text in found.items()}
        if self.user is not None:
            for name, pair in (("Basic", f"{self.user}:{v}"), ("Basic URL-encoded", f"{self.user}:{quote(v, safe='')}"),
                               ("Basic form-encoded", f"{self.user}:{quote_plus(v, safe='')}")):
                out[name] = base64.b64encode(pair.encode())
        return out


@dataclasses.dataclass(frozen=True)
class Hit:
    place: str
    secret: str
    form: str

    def __str__(self) -> str:
        return f"{self.place}: {self.secret} ({self.form})"


@dataclasses.dataclass
class Scan:
    hits: list[Hit] = dataclasses.field(default_factory=list)
    files: int = 0
    """Files on disk."""
    members: int = 0
    """Zip members."""
    decoded: int = 0
    """base64 runs decoded and read again."""
    bytes: int = 0
    """Bytes read, all of the above."""

    def figures(self) -> str:
        return (f"{self.files} files, {self.members} zip members, {self.decoded} decoded base64 runs, "
                f"{self.bytes} bytes scanned, {len(self.hits)} hits")


def _decoded_runs(data: bytes) -> Iterator[bytes]:
    """The text (UTF-8) that base64 runs of `data` decode to; runs that decode to binary noise are dropped."""
    for match in BASE64_RUN.finditer(data):
        run = match.group().rstrip(b"=")
        if b"-" in run or b"_" in run:
            run = run.replace(b"-", b"+").replace(b"_", b"/")
        for start in range(4):  # the run may begin mid-quantum
            chunk = run[start:]
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            try:
                decoded = base64.b64decode(chunk, validate=True)
                decoded.decode("utf-8")
            except (binascii.Error, ValueError):
                continue
            yield decoded
            break


def _look(place: str, data: bytes, secrets: list[Secret], scan: Scan, depth: int) -> None:
    scan.bytes += len(data)
    for secret in secrets:
        for form, needle in secret.forms().items():
            if needle and needle in data:
                scan.hits.append(Hit(place, secret.label, form))
    if depth >= MAX_DEPTH:
        return
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    scan.members += 1
                    _look(f"{place}!{info.filename}", archive.read(info), secrets, scan, depth + 1)
        return
    for index, decoded in enumerate(_decoded_runs(data)):
        scan.decoded += 1
        _look(f"{place} (base64 run {index})", decoded, secrets, scan, depth + 1)


def scan_folder(root: Path, secrets: list[Secret], streams: Mapping[str, str] = {}) -> Scan:
    """Every file under `root` (recursively) and every named output stream, for every secret."""
    scan = Scan()
    for name, text in streams.items():
        _look(name, text.encode(), secrets, scan, 0)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        scan.files += 1
        _look(path.relative_to(root).as_posix(), path.read_bytes(), secrets, scan, 0)
    return scan
