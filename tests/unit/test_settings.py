"""Settings: every supported environment variable, and clear errors for bad ones."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from uatcert.config import get_settings
from uatcert.errors import ConfigError

SUPPORTED = {
    "UATCERT_V3__BASE_URL": "https://api.uat.example/v3",
    "UATCERT_V3__TOKEN_URL": "https://auth.uat.example/oauth2/token",
    "UATCERT_V3__CLIENT_ID": "client-1",
    "UATCERT_V3__CLIENT_SECRET": "secret-1",
    "UATCERT_V3__SCOPE_PREFIX": "client_v3_uat/",
    "UATCERT_V3__READONLY_CLIENT_ID": "client-ro",
    "UATCERT_V3__READONLY_CLIENT_SECRET": "secret-ro",
    "UATCERT_V3__ENVIRONMENT": "uat",
    "UATCERT_V3__TIMEOUT_S": "7.5",
    "UATCERT_SANDBOX__DEFECT": "key_optional",
    "UATCERT_SANDBOX__SLOW_COMMIT_S": "2",
    "UATCERT_RETRY__MAX_ATTEMPTS": "6",
    "UATCERT_GUARD__ALLOW_PRODUCTION": "true",
    "UATCERT_GUARD__MAX_VOUCHERS": "40",
    "UATCERT_GUARD__MAX_FACE_VALUE_CENTS": "250000",
    "UATCERT_RUN__REPORTS_DIR": "out",
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("UATCERT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(str(tmp_path))  # no developer .env


def test_every_supported_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SUPPORTED.items():
        monkeypatch.setenv(name, value)
    s = get_settings()
    assert s.v3.base_url == "https://api.uat.example/v3" and s.v3.configured
    assert s.v3.client_secret is not None and s.v3.client_secret.get_secret_value() == "secret-1"
    assert "secret-1" not in repr(s)
    assert (s.v3.timeout_s, s.sandbox.defect, s.retry.max_attempts) == (7.5, "key_optional", 6)
    assert (s.guard.allow_production, s.guard.max_vouchers, s.guard.max_face_value_cents) == (True, 40, 250000)
    assert str(s.run.reports_dir) == "out"


def test_no_target_means_the_sandbox() -> None:
    assert not get_settings().v3.configured


def test_half_configured_target_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UATCERT_V3__BASE_URL", "https://api.uat.example/v3")
    with pytest.raises(ConfigError, match="UATCERT_V3__TOKEN_URL, UATCERT_V3__CLIENT_ID, UATCERT_V3__CLIENT_SECRET"):
        get_settings()


def test_invalid_values_give_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UATCERT_V3__TIMEOUT_S", "-1")
    with pytest.raises(ConfigError, match="UATCERT_V3__TIMEOUT_S"):
        get_settings()


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    Path(str(tmp_path), ".env").write_text("UATCERT_SANDBOX__DEFECT=replay_issues_new\n")
    assert get_settings().sandbox.defect == "replay_issues_new"


def test_setting_names_come_from_the_model() -> None:
    from uatcert.config import Settings, setting_names

    names = setting_names()
    expected = 0
    for field in Settings.model_fields.values():
        assert isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        expected += 1 + len(field.annotation.model_fields)
    assert len(names) == expected and set(SUPPORTED) <= set(names)
    assert names["UATCERT_V2__X_CLIENT_SECRET"].secret and not names["UATCERT_V2__X_CLIENT_ID"].secret
    assert names["UATCERT_GUARD__PRODUCTION_HOST_PATTERNS"].json and names["UATCERT_V3"].json


def test_unknown_variables_are_warned_with_the_closest_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from uatcert.config import unknown_variables

    Path(".env").write_text("UATCERT_ALLSAFE__PASWORD=x\nOTHER=1\n")
    env = {"UATCERT_V3__CLIENT_SECERT": "s", "uatcert_v3__base_url": "https://h/v3", "UATCERT_ZZZ": "1", "HOME": "/"}
    found = {u.name: u for u in unknown_variables(env, Path(".env"))}
    assert set(found) == {"UATCERT_V3__CLIENT_SECERT", "UATCERT_ZZZ", "UATCERT_ALLSAFE__PASWORD"}
    assert found["UATCERT_V3__CLIENT_SECERT"].suggestion == "UATCERT_V3__CLIENT_SECRET"
    assert found["UATCERT_ALLSAFE__PASWORD"].hint == ("UATCERT_ALLSAFE__PASWORD (in .env) is not a setting and is "
                                                      "ignored: did you mean UATCERT_ALLSAFE__PASSWORD?")
    assert found["UATCERT_ZZZ"].suggestion is None


def test_a_warning_does_not_block_and_a_related_one_joins_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    monkeypatch.setenv("UATCERT_V3__TIMEOUT_SEC", "5")
    assert get_settings(warn=warnings.append).v3.timeout_s == 10.0
    assert warnings == ["UATCERT_V3__TIMEOUT_SEC is not a setting and is ignored: did you mean UATCERT_V3__TIMEOUT_S?"]
    monkeypatch.setenv("UATCERT_V3__BASE_URL", "https://api.uat.example/v3")
    monkeypatch.setenv("UATCERT_V3__TOKEN_URL", "https://api.uat.example/token")
    monkeypatch.setenv("UATCERT_V3__CLIENTID", "c")
    monkeypatch.setenv("UATCERT_V3__CLIENT_SECRET", "s")
    warnings.clear()
    with pytest.raises(ConfigError, match=r"also set UATCERT_V3__CLIENT_ID \(UATCERT_V3__CLIENTID is not a setting"):
        get_settings(warn=warnings.append)
    assert warnings == ["UATCERT_V3__TIMEOUT_SEC is not a setting and is ignored: did you mean UATCERT_V3__TIMEOUT_S?"]


@pytest.mark.parametrize(("name", "value", "message"), [
    ("UATCERT_GUARD__PRODUCTION_HOST_PATTERNS", "prod", "UATCERT_GUARD__PRODUCTION_HOST_PATTERNS: not valid JSON"),
    ("UATCERT_V2", "{", "UATCERT_V2: not valid JSON"),
    ("UATCERT_V3__BASE_URL", "mailto:x@y", "UATCERT_V3__BASE_URL: must be an http:// or https:// URL with a host$"),
    ("UATCERT_V2__TOKEN_URL", "https://", "UATCERT_V2__TOKEN_URL: must be an http:// or https:// URL"),
    ("UATCERT_V3__CLIENT_SECRET", "", "UATCERT_V3__CLIENT_SECRET"),  # empty counts as unset: half-configured
])
def test_malformed_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                            message: str) -> None:
    monkeypatch.setenv(name, value)
    if name == "UATCERT_V3__CLIENT_SECRET":
        monkeypatch.setenv("UATCERT_V3__BASE_URL", "https://api.uat.example/v3")
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_a_dotenv_that_is_not_utf8_is_one_line() -> None:
    from pathlib import Path

    Path(".env").write_bytes(b"UATCERT_V3__CLIENT_ID=caf\xe9\n")
    with pytest.raises(ConfigError, match=r"^\.env: line 1: not UTF-8 \(byte 0xe9\); save it as UTF-8$"):
        get_settings()
