"""`uatcert init`: the commented .env derived from the settings model."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from uatcert.config import GIVEN_BY, Settings
from uatcert.envfile import SHARED_GROUPS, init_main, variable

ASSIGNMENT = re.compile(r"^# (UATCERT_[A-Z0-9_]+)=(.*)$")


def _group_fields(group: str) -> dict[str, object]:
    model = Settings.model_fields[group].annotation
    assert model is not None
    return dict(model.model_fields)  # type: ignore[union-attr]


def _assignments(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in text.splitlines() if (m := ASSIGNMENT.match(line))}


def test_every_setting_of_the_chosen_apis_is_written_commented_with_its_origin(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    out = io.StringIO()
    assert init_main(["--api", "v3", "--api", "allsafe", "--file", str(path)], out=out) == 0
    assert f"wrote {path}" in out.getvalue()
    text = path.read_text(encoding="utf-8")
    written = _assignments(text)
    expected = {variable(group, name) for group in ("v3", "allsafe", *SHARED_GROUPS) for name in _group_fields(group)}
    assert set(written) == expected  # every field of the model, nothing invented, v2 left out
    assert not any(line and not line.startswith("#") for line in text.splitlines())  # nothing set until filled in
    for group in ("v3", "allsafe"):
        for name, info in _group_fields(group).items():
            block = text.split(f"# {variable(group, name)}=")[0].rsplit("#\n", 1)[-1]
            assert info.description in block  # type: ignore[attr-defined]
            extra = info.json_schema_extra or {}  # type: ignore[attr-defined]
            if extra.get(GIVEN_BY):
                assert f"where: {extra[GIVEN_BY]}" in block
            if "SecretStr" in str(info.annotation):  # type: ignore[attr-defined]
                assert written[variable(group, name)] == "" and "secret:" in block
    assert "where: UNIQREWARDS API Support" in text and "AllSafe management portal" in text
    assert "required for a target" in text.split("UATCERT_V3__BASE_URL=")[0].rsplit("#\n", 1)[-1]


def test_the_defaults_written_are_the_models_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncommenting every line that shows a value must leave the settings exactly at their defaults."""
    path = tmp_path / "written.env"
    assert init_main(["--file", str(path)], out=io.StringIO()) == 0
    active = tmp_path / ".env"
    active.write_text("".join(f"{k}={v}\n" for k, v in _assignments(path.read_text()).items() if v), encoding="utf-8")
    for key in [k for k in os.environ if k.startswith("UATCERT_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    from_file = Settings()
    assert from_file.model_dump() == Settings(_env_file=None).model_dump()  # type: ignore[call-arg]
    assert from_file.v3.scope_prefix == "client_v3_uat/" and isinstance(from_file.v3.client_secret, SecretStr | None)
    assert len(active.read_text().splitlines()) > 15  # the check covered real values, not an empty file


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("UATCERT_V3__CLIENT_ID=mine\n", encoding="utf-8")
    err = io.StringIO()
    assert init_main(["--file", str(path)], out=io.StringIO(), err=err) == 2
    assert path.read_text(encoding="utf-8") == "UATCERT_V3__CLIENT_ID=mine\n"
    assert err.getvalue() == f"uatcert init: {path} already exists; it was not changed (remove it or choose --file)\n"
    assert init_main(["--api", "v9", "--file", str(tmp_path / "other.env")], err=io.StringIO()) == 2
    assert not (tmp_path / "other.env").exists()
