"""Settings: every supported environment variable, and clear errors for bad ones."""

from __future__ import annotations

import pytest

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
