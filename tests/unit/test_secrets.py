"""Secrets: every secret setting is a `SecretStr`; the leak grep of the full-run test finds what it must."""

from __future__ import annotations

import base64
import io
import json
import re
import typing
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, SecretStr

from tests.leakscan import Secret, scan_folder
from uatcert.config import Settings, setting_names

SECRET_WORDS = frozenset({"secret", "password", "passwd", "pw", "token", "key", "credential", "credentials"})
NOT_A_VALUE = frozenset({"url", "path", "file", "prefix", "field"})
"""A name ending so names where a secret is sent or found (`token_url`), not the secret itself."""
SECRET_FIELDS = ("v3.client_secret", "v3.readonly_client_secret", "v2.client_secret", "v2.x_client_secret",
                 "allsafe.password", "allsafe.novault_password")


def _says_secret(name: str) -> bool:
    words = name.lower().split("_")
    return bool(SECRET_WORDS & set(words)) and words[-1] not in NOT_A_VALUE


def _holds(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    return any(_holds(arg, kind) for arg in typing.get_args(annotation))


def _fields(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """Every field of `model`, nested models walked, as dotted name -> annotation."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.update(_fields(annotation, f"{prefix}{name}."))
        else:
            found[f"{prefix}{name}"] = annotation
    return found


def plain_secrets(model: type[BaseModel]) -> list[str]:
    """Fields whose name says secret, password or token, and whose type is not SecretStr."""
    return [name for name, annotation in _fields(model).items()
            if _says_secret(name.rsplit(".", 1)[-1]) and not _holds(annotation, SecretStr)]


def test_every_secret_setting_is_a_secret_type() -> None:
    assert plain_secrets(Settings) == []
    secret_like = sorted(n for n in _fields(Settings) if _says_secret(n.rsplit(".", 1)[-1]))
    assert secret_like == sorted(SECRET_FIELDS)  # a new secret setting must be added here (and to the e2e run)
    flagged = {n for n, s in setting_names().items() if s.secret}
    assert flagged == {"UATCERT_" + n.upper().replace(".", "__") for n in SECRET_FIELDS}


def test_the_walk_catches_a_plain_secret() -> None:
    class Group(BaseModel):
        api_token: str | None = None
        password: SecretStr | None = None
        token_url: str | None = None

    class Planted(BaseModel):
        group: Group = Group()
        client_secret: str = "x"

    assert plain_secrets(Planted) == ["group.api_token", "client_secret"]


SECRET = Secret("planted", "Zq7-plant+ed/se=cret", user="someone")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # nothing readable outside
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_leak_grep_finds_each_form(tmp_path: Path) -> None:
    value = SECRET.value
    basic = base64.b64encode(f"someone:{value}".encode()).decode()
    embedded = base64.b64encode(json.dumps({"headers": {"X-Client-Secret": value}}).encode()).decode()
    planted = {
        "clean.json": json.dumps({"Authorization": "Basic ***", "secret": "***"}).encode(),
        "a/deep/raw.txt": f"client_secret={value}\n".encode(),
        "url.log": f"GET /cb?s={quote(value, safe='')} 200".encode(),
        "escaped.json": json.dumps(value).replace("/", "\\/").encode(),
        "headers.json": json.dumps({"Authorization": f"Basic {basic}"}).encode(),
        "index.html": f'<script>d("data/x.json","{embedded}")</script>'.encode(),
        "bundle.zip": _zip({"inner.zip": _zip({"ledger.jsonl": value.encode()})}),
    }
    for name, data in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    scan = scan_folder(tmp_path, [SECRET], streams={"stdout": f"ok {value}", "stderr": "nothing"})
    found = {(re.sub(r" \(base64 run \d+\)", "", h.place), h.form) for h in scan.hits}
    assert {place for place, _ in found} == {
        "stdout", "a/deep/raw.txt", "url.log", "escaped.json", "headers.json", "index.html",
        "bundle.zip!inner.zip!ledger.jsonl",
    }
    assert ("url.log", "URL-encoded") in found and ("headers.json", "Basic") in found
    assert ("escaped.json", "JSON-escaped /") in found and ("index.html", "as is") in found
    assert scan.files == len(planted) and scan.members == 2 and scan.decoded >= 1


def test_the_leak_grep_finds_nothing_in_clean_files(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(json.dumps({"secret": "***", "note": "Zq7-plant"}))
    (tmp_path / "b.zip").write_bytes(_zip({"m.txt": b"Basic ***"}))
    scan = scan_folder(tmp_path, [SECRET], streams={"stdout": "Zq7-plant+ed"})
    assert scan.hits == [] and scan.files == 2 and scan.members == 1
