"""AllSafe settings, profile, requirements, pre-flight, redaction and the run description."""

from __future__ import annotations

import io
import json
import os
import socket
from pathlib import Path

import pytest

from tests.allsafe.conftest import Live
from uatcert.allsafe import Availability, VoucherType
from uatcert.config import get_settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.events import Exchange
from uatcert.evidence import Redactor, exchange_document
from uatcert.profiles import PROFILES, select
from uatcert.sandbox import ALLSAFE_NOVAULT_PASSWORD, ALLSAFE_NOVAULT_USERNAME, ALLSAFE_PASSWORD, ALLSAFE_USERNAME
from uatcert.suite.requirements import API_MARKERS, REQUIREMENTS
from uatcert.suite.wings.allsafe.availability import availability_summary
from uatcert.suite.wings.allsafe.preflight import ALLSAFE_ALLOCATIONS, check_allsafe_target

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("UATCERT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no developer .env
    return monkeypatch


def _target(monkeypatch: pytest.MonkeyPatch, base_url: str, password: str = ALLSAFE_PASSWORD) -> None:
    monkeypatch.setenv("UATCERT_ALLSAFE__BASE_URL", base_url)
    monkeypatch.setenv("UATCERT_ALLSAFE__USERNAME", ALLSAFE_USERNAME)
    monkeypatch.setenv("UATCERT_ALLSAFE__PASSWORD", password)


# -- settings ------------------------------------------------------------------------------------
def test_every_allsafe_variable_is_read(isolated: pytest.MonkeyPatch) -> None:
    values = {
        "BASE_URL": "https://allsafe.uat.example", "USERNAME": "integration", "PASSWORD": "s3cret-pw",
        "NOVAULT_USERNAME": "novault", "NOVAULT_PASSWORD": "n0vault-pw", "ENVIRONMENT": "test", "TIMEOUT_S": "12",
        "CONNECT_TIMEOUT_S": "4", "AVAILABILITY_PATH": "/v1/availability", "ALLOCATE_PATH": "/voucher",
        "ALLOCATE_METHOD": "put", "VENDOR_FIELD": "vendorName", "VALUE_FIELD": "faceValue",
        "REFERENCE_FIELD": "", "CURRENCY": "ZAR",
    }
    for name, value in values.items():
        isolated.setenv(f"UATCERT_ALLSAFE__{name}", value)
    s = get_settings().allsafe
    assert s.configured and s.novault_configured and s.password is not None
    assert s.password.get_secret_value() == "s3cret-pw" and "s3cret-pw" not in repr(s)
    assert (s.allocate_method, s.allocate_path, s.vendor_field, s.reference_field, s.timeout_s) == (
        "PUT", "/voucher", "vendorName", "", 12.0)


@pytest.mark.parametrize(("env", "message"), [
    ({"BASE_URL": "https://allsafe.uat.example"}, "UATCERT_ALLSAFE__USERNAME"),
    ({"BASE_URL": "http://allsafe.uat.example", "USERNAME": "u", "PASSWORD": "p"}, "must be an https URL"),
    ({"NOVAULT_USERNAME": "n"}, "NOVAULT_PASSWORD"),
    ({"ALLOCATE_METHOD": "DELETE"}, "UATCERT_ALLSAFE__ALLOCATE_METHOD"),
    ({"ALLOCATE_PATH": "allocate"}, "UATCERT_ALLSAFE__ALLOCATE_PATH"),
    ({"VENDOR_FIELD": "value"}, "must differ"),
    ({"BASE_URL": "https://a.example", "USERNAME": "a:b", "PASSWORD": "p"}, "':'"),
])
def test_bad_allsafe_settings_are_clear_config_errors(isolated: pytest.MonkeyPatch, env: dict[str, str],
                                                       message: str) -> None:
    for name, value in env.items():
        isolated.setenv(f"UATCERT_ALLSAFE__{name}", value)
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_plain_http_on_loopback_is_accepted(isolated: pytest.MonkeyPatch) -> None:
    _target(isolated, "http://127.0.0.1:8765/allsafe")
    assert get_settings().allsafe.configured


# -- profile and requirements ----------------------------------------------------------------------
def test_the_allsafe_profile_and_its_requirements() -> None:
    profile = PROFILES["allsafe"]
    assert profile.requirements == ("ALS-AVAIL", "ALS-ALLOC", "ALS-ERR")
    assert (ROOT / profile.steps_dir).is_dir() and "allsafe" in API_MARKERS
    for rid in profile.requirements:
        assert REQUIREMENTS[rid].profile == "allsafe" and REQUIREMENTS[rid].api == "AllSafe Redemption API"
    features = "".join(p.read_text() for p in (ROOT / "features" / "allsafe").glob("*.feature"))
    for rid in profile.requirements:
        assert f"@{rid}" in features


def test_profile_selection(isolated: pytest.MonkeyPatch) -> None:
    assert "allsafe" in [p.name for p in select(None, get_settings())]  # nothing configured: all, on the sandbox
    _target(isolated, "https://allsafe.uat.example")
    assert [p.name for p in select(None, get_settings())] == ["allsafe"]
    assert [p.name for p in select(["v3", "allsafe"], get_settings())] == ["v3", "allsafe"]


# -- pre-flight ------------------------------------------------------------------------------------
def test_preflight_is_a_no_op_without_a_configured_target(isolated: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    check_allsafe_target(get_settings(), out)
    assert out.getvalue() == ""


def test_preflight_reaches_and_authenticates_and_prints_the_plan(isolated: pytest.MonkeyPatch, live: Live) -> None:
    _target(isolated, live.base_url)
    isolated.setenv("UATCERT_ALLSAFE__NOVAULT_USERNAME", ALLSAFE_NOVAULT_USERNAME)
    isolated.setenv("UATCERT_ALLSAFE__NOVAULT_PASSWORD", ALLSAFE_NOVAULT_PASSWORD)
    out = io.StringIO()
    check_allsafe_target(get_settings(), out)
    assert "5 voucher types available" in out.getvalue()
    assert f"will allocate up to {ALLSAFE_ALLOCATIONS} vouchers of ExampleMart 50" in out.getvalue()


def test_preflight_refused_credentials_are_target_unreachable(isolated: pytest.MonkeyPatch, live: Live) -> None:
    _target(isolated, live.base_url, password="wrong-password")
    with pytest.raises(TargetUnreachable, match="refused the credentials of .* UATCERT_ALLSAFE__PASSWORD") as caught:
        check_allsafe_target(get_settings(), io.StringIO())
    assert caught.value.exit_code == 3 and "wrong-password" not in str(caught.value)


def test_preflight_unreachable_host_is_target_unreachable(isolated: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        _target(isolated, f"http://127.0.0.1:{sock.getsockname()[1]}/allsafe")
        with pytest.raises(TargetUnreachable, match="cannot reach"):
            check_allsafe_target(get_settings(), io.StringIO())


def test_a_live_integration_is_guarded_like_production(isolated: pytest.MonkeyPatch) -> None:
    _target(isolated, "https://allsafe.uat.example")
    isolated.setenv("UATCERT_ALLSAFE__ENVIRONMENT", "live")
    with pytest.raises(ConfigError, match="looks like production"):
        check_allsafe_target(get_settings(), io.StringIO())


# -- evidence --------------------------------------------------------------------------------------
def _allocation_exchange(status: int, body: dict[str, object], api: str = "allsafe") -> Exchange:
    return Exchange(api=api, method="POST", url="https://allsafe.example/allocate",
                    request_headers={"Authorization": "Basic YWxsc2FmZS11YXQ6c2VjcmV0LXBhc3N3b3Jk"},
                    request_body=b'{"vendor": "ExampleMart", "value": 50}', outcome="response", status=status,
                    response_body=json.dumps(body).encode())


def test_allocated_voucher_codes_pins_and_serials_are_redacted_everywhere() -> None:
    redactor = Redactor()
    exchange = _allocation_exchange(200, {"id": "v-1", "code": "EXM-4K9P-77QZ-2M1D", "pin": "8831",
                                          "serialNumber": "000123456789"})
    redactor.learn(exchange)
    document = json.dumps(exchange_document(exchange, redactor), ensure_ascii=False)
    for secret in ("EXM-4K9P-77QZ-2M1D", "8831", "000123456789", "secret-password"):
        assert secret not in document
    assert "…2M1D" in document and "v-1" in document
    assert redactor.text("voucher EXM-4K9P-77QZ-2M1D was lost") == "voucher …2M1D was lost"


def test_a_code_in_an_error_body_is_not_taken_for_a_voucher() -> None:
    redactor = Redactor()
    redactor.learn(_allocation_exchange(500, {"error": {"code": "500-F01", "message": "boom"}}))
    redactor.learn(_allocation_exchange(200, {"code": "400-5DC"}, api="v3"))
    assert redactor.text("[500-F01] and [400-5DC]") == "[500-F01] and [400-5DC]"


def test_the_availability_summary_for_run_json() -> None:
    availability = Availability(
        (VoucherType(vendor="B", value=7.5, remaining=2), VoucherType(vendor="A", value=50, remaining=0)), "list", 200)
    summary = availability_summary(availability)
    assert summary["size"] == 1 and summary["products"] == [{"code": "B 7.5", "kind": "voucher type, 2 left"}]
    assert len(summary["sha256"]) == 64 and summary["form"] == "list"
