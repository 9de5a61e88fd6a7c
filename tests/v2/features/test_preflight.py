"""v2 settings, pre-flight (catalogue file, guard, reachability, plan), the CLI's answers, and redaction."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from uatcert.config import get_settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.events import Exchange
from uatcert.evidence import Redactor
from uatcert.sandbox import (
    SEEDED_V2_CATALOGUE,
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    V2_X_CLIENT_ID,
    V2_X_CLIENT_SECRET,
    BackgroundServer,
)
from uatcert.suite.wings.v2.issued import IssuedV2Vouchers
from uatcert.suite.wings.v2.preflight import check_v2_target, plan_v2
from uatcert.v2 import CatalogueFileError, read_catalogue

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("UATCERT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no developer .env


def _target_env(monkeypatch: pytest.MonkeyPatch, base: str, **overrides: str) -> None:
    values = {
        "UATCERT_V2__BASE_URL": f"{base}/v2", "UATCERT_V2__TOKEN_URL": f"{base}/v2/connect/token",
        "UATCERT_V2__CLIENT_ID": V2_CLIENT_ID, "UATCERT_V2__CLIENT_SECRET": V2_CLIENT_SECRET,
        "UATCERT_V2__X_CLIENT_ID": V2_X_CLIENT_ID, "UATCERT_V2__X_CLIENT_SECRET": V2_X_CLIENT_SECRET,
        "UATCERT_V2__CATALOGUE_FILE": str(SEEDED_V2_CATALOGUE),
    }
    values.update(overrides)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def free_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]  # bound, never listening: connections are refused


# -- settings --------------------------------------------------------------------------------------
def test_every_v2_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    _target_env(monkeypatch, "https://api.uat.example", UATCERT_V2__SCOPE="s", UATCERT_V2__PRODUCT_CLASS="ETX_001",
                UATCERT_V2__ENVIRONMENT="uat", UATCERT_V2__TIMEOUT_S="20")
    v2 = get_settings().v2
    assert v2.configured and v2.missing() == [] and v2.base_url == "https://api.uat.example/v2"
    assert v2.x_client_secret is not None and v2.x_client_secret.get_secret_value() == V2_X_CLIENT_SECRET
    assert (v2.scope, v2.product_class, v2.environment, v2.timeout_s) == ("s", "ETX_001", "uat", 20.0)
    assert V2_X_CLIENT_SECRET not in repr(v2) and V2_CLIENT_SECRET not in repr(v2)


def test_no_v2_target_but_a_catalogue_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UATCERT_V2__CATALOGUE_FILE", "mine.csv")
    v2 = get_settings().v2
    assert not v2.configured and v2.catalogue_file == Path("mine.csv")


def test_a_half_configured_v2_target_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UATCERT_V2__BASE_URL", "https://api.uat.example/v2")
    with pytest.raises(ConfigError, match="UATCERT_V2__X_CLIENT_SECRET, UATCERT_V2__CATALOGUE_FILE"):
        get_settings()


# -- pre-flight ------------------------------------------------------------------------------------
def test_plan() -> None:
    plan = plan_v2(read_catalogue(SEEDED_V2_CATALOGUE).products)
    # every product 2; dynamic products 3 more at 1.00 + 61.72 + 1000.00; 32 more at 50.00 (AUTH, ISS-VALID, IDEM)
    assert plan.vouchers == 7 * 2 + 2 * 3 + 32
    fixed = 2 * (1000 + 5000 + 1200 + 2500)
    assert plan.face_value_cents == fixed + 2 * (2 * 5000 + 106272) + 32 * 5000
    assert plan.unknown_value_products == ()


def test_plan_without_dynamic_products() -> None:
    products = [p for p in read_catalogue(SEEDED_V2_CATALOGUE).products if not p.is_dynamic]
    plan = plan_v2(products)  # the scenarios pick the first fixed value product, MAMVDDMMYY01 at $10
    assert plan.vouchers == 5 * 2 + 32
    assert plan.face_value_cents == 2 * (1000 + 5000 + 1200 + 2500) + 32 * 1000


def test_a_malformed_catalogue_file_is_refused_with_line_and_column(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    bad = tmp_path / "uat.csv"
    bad.write_text("Product Name,Product Code,Order Number,Product Type\nA,B,12-3,fixed value-based\n")
    monkeypatch.setenv("UATCERT_V2__CATALOGUE_FILE", str(bad))
    with pytest.raises(CatalogueFileError, match=r"line 2, column 3 \(order_number\): '12-3'"):
        check_v2_target(get_settings(), io.StringIO())


def test_the_sandbox_needs_no_check(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    check_v2_target(get_settings(), out)
    assert out.getvalue() == ""


def test_a_configured_target_is_reached_and_planned(monkeypatch: pytest.MonkeyPatch, server: BackgroundServer) -> None:
    _target_env(monkeypatch, server.base_url)
    out = io.StringIO()
    check_v2_target(get_settings(), out)
    assert "7 products in v2_catalogue.csv; will issue up to 52 vouchers" in out.getvalue()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"UATCERT_V2__CLIENT_SECRET": "wrong-secret-123"}, "refused UATCERT_V2__CLIENT_ID .* UATCERT_V2__CLIENT_SECRET"),
    ({"UATCERT_V2__X_CLIENT_SECRET": "wrong-secret-456"}, r"refused the credentials \(HTTP 401"),
])
def test_refused_credentials_are_unreachable(monkeypatch: pytest.MonkeyPatch, server: BackgroundServer,
                                             overrides: dict[str, str], message: str) -> None:
    _target_env(monkeypatch, server.base_url, **overrides)
    with pytest.raises(TargetUnreachable, match=message) as caught:
        check_v2_target(get_settings(), io.StringIO())
    assert "wrong-secret" not in str(caught.value)


def test_an_unreachable_target(monkeypatch: pytest.MonkeyPatch, free_port: int) -> None:
    _target_env(monkeypatch, f"http://127.0.0.1:{free_port}")
    with pytest.raises(TargetUnreachable, match="cannot reach UATCERT_V2__TOKEN_URL .*: connection refused"):
        check_v2_target(get_settings(), io.StringIO())


def test_production_is_guarded(monkeypatch: pytest.MonkeyPatch, server: BackgroundServer) -> None:
    _target_env(monkeypatch, "https://api.uniqrewards.com")
    with pytest.raises(ConfigError, match="looks like production"):
        check_v2_target(get_settings(), io.StringIO())
    _target_env(monkeypatch, server.base_url, UATCERT_V2__ENVIRONMENT="production",
                UATCERT_GUARD__ALLOW_PRODUCTION="true", UATCERT_GUARD__MAX_VOUCHERS="5",
                UATCERT_GUARD__MAX_FACE_VALUE_CENTS="10000")
    with pytest.raises(ConfigError, match="v2 plan exceeds the production budget"):
        check_v2_target(get_settings(), io.StringIO())


def test_the_cli_names_line_and_column_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "uat.csv"
    bad.write_text('product_name,product_code,order_number,product_type\n"A,B,1,fixed\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("UATCERT_")}
    env["UATCERT_V2__CATALOGUE_FILE"] = str(bad)
    result = subprocess.run([sys.executable, "-m", "uatcert.cli", "run", "--profile", "v2", "--reports",
                             str(tmp_path / "reports")], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"v2 catalogue file {bad}: line 2, column 1: a quoted value is never closed" in result.stderr
    assert "Traceback" not in result.stderr


# -- evidence --------------------------------------------------------------------------------------
def _exchange(body: bytes) -> Exchange:
    return Exchange(api="v2", method="POST", url="https://h/v2/catalogs/ETX_001/product_assets/1/products/P/"
                    "vouchers/actions/request", request_headers={"x-client-secret": V2_X_CLIENT_SECRET},
                    request_body=b"{}", outcome="response", status=200, response_body=body)


def test_v2_voucher_secrets_are_redacted() -> None:
    body = (b'{"meta":{"status":"succeeded"},"data":[{"voucher_ref":"UG5031948826","voucher_settlement_ref":"s-1",'
            b'"edenred_url":"https://s.x/v/Qm7XwP2kT9a","view_code":"4417","display_codes":["SC1234567890"],'
            b'"pin_code":"654321"}]}')
    redactor = Redactor()
    redactor.learn(_exchange(body))
    voucher = redactor.body(body)["data"][0]
    assert voucher["voucher_ref"] == "…8826" and voucher["display_codes"] == ["…7890"]
    assert voucher["view_code"] == voucher["pin_code"] == "***" and voucher["voucher_settlement_ref"] == "s-1"
    assert redactor.text("code SC1234567890, secret " + V2_X_CLIENT_SECRET) == "code …7890, secret ***"


def test_issued_vouchers_register_reads_successful_answers_only() -> None:
    issued = IssuedV2Vouchers()
    ok = (b'{"meta":{"status":"succeeded"},"data":[{"voucher_settlement_ref":"r1","voucher_name":"$5 X",'
          b'"expiration_date":"2029-12-31T23:59:59","status":"Active"}]}')
    issued(_exchange(ok))
    issued(_exchange(ok))  # a replay adds nothing
    issued(Exchange(**{**_exchange(ok).__dict__, "outcome": "lost_response"}))
    issued(_exchange(b'{"meta":{"status":"failed"}}'))
    [voucher] = issued.all()
    assert (voucher.settlement_ref, voucher.product_code, voucher.order_number) == ("r1", "P", "1")
