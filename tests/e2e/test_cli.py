"""`uatcert run` exit codes, bad input, production guard, and a second sandbox as a configured target."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, clean_env, run_uatcert
from uatcert.sandbox import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    READONLY_CLIENT_ID,
    READONLY_CLIENT_SECRET,
    BackgroundServer,
    SandboxConfig,
    create_app,
)

SEEDED = ROOT / "src" / "uatcert" / "sandbox" / "data" / "v3_catalogue.json"


def _uatcert(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uatcert.cli", *args], cwd=ROOT, env=env or clean_env(),
                          capture_output=True, text=True, timeout=120, check=False)


def _target_env(server: BackgroundServer, **extra: str) -> dict[str, str]:
    settings = {
        "UATCERT_V3__BASE_URL": server.v3_base_url, "UATCERT_V3__TOKEN_URL": server.token_url,
        "UATCERT_V3__CLIENT_ID": DEFAULT_CLIENT_ID, "UATCERT_V3__CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "UATCERT_V3__READONLY_CLIENT_ID": READONLY_CLIENT_ID,
        "UATCERT_V3__READONLY_CLIENT_SECRET": READONLY_CLIENT_SECRET,
    }
    return clean_env(**{**settings, **extra})


@pytest.fixture
def second_sandbox(tmp_path: Path) -> Iterator[BackgroundServer]:
    """A standalone sandbox with a different catalogue: three products of the seeded file, renamed."""
    products = json.loads(SEEDED.read_text())["products"]
    picked = [p for p in products if p["is_open_value"]][:1] + [p for p in products if not p["is_value_based"]][:1]
    picked += [p for p in products if p["is_value_based"] and not p["is_open_value"]][:1]
    for index, product in enumerate(picked):
        product["code"] = f"SECONDSANDBOX{index:02d}"
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps({"products": picked}))
    with BackgroundServer(create_app(SandboxConfig(catalogue_path=catalogue))) as server:
        yield server


def test_usage_errors_exit_2() -> None:
    assert _uatcert().returncode == 2
    unknown = _uatcert("run", "--profile", "v9")
    assert unknown.returncode == 2 and "unknown profile v9" in unknown.stderr
    defect = _uatcert("run", "--defect", "no_such_defect")
    assert defect.returncode == 2 and "unknown defect mode" in defect.stderr
    bad = _uatcert("run", env=clean_env(UATCERT_V3__TIMEOUT_S="soon"))
    assert bad.returncode == 2 and "UATCERT_V3__TIMEOUT_S" in bad.stderr
    half = _uatcert("run", env=clean_env(UATCERT_V3__BASE_URL="https://api.uat.example/v3"))
    assert half.returncode == 2 and "UATCERT_V3__CLIENT_SECRET" in half.stderr
    for result in (unknown, defect, bad, half):
        assert "Traceback" not in result.stderr


def test_unreachable_target_exits_3() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        env = clean_env(UATCERT_V3__BASE_URL=f"http://127.0.0.1:{port}/v3",
                        UATCERT_V3__TOKEN_URL=f"http://127.0.0.1:{port}/oauth2/token",
                        UATCERT_V3__CLIENT_ID="c", UATCERT_V3__CLIENT_SECRET="s3cret-value")
        result = _uatcert("run", env=env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "cannot reach" in result.stderr and "Traceback" not in result.stderr
    assert "s3cret-value" not in result.stderr + result.stdout


def test_wrong_credentials_exit_3(second_sandbox: BackgroundServer) -> None:
    result = _uatcert("run", env=_target_env(second_sandbox, UATCERT_V3__CLIENT_SECRET="wrong-secret-123"))
    assert result.returncode == 3 and "refused UATCERT_V3__CLIENT_ID" in result.stderr, result.stderr
    assert "wrong-secret-123" not in result.stderr


@pytest.mark.parametrize(("base_url", "token_url"), [
    ("https://api.uniqrewards.com/v3", "https://auth.invalid/oauth2/token"),
    ("https://API.UNIQREWARDS.COM./v3", "https://auth.invalid/oauth2/token"),  # the same host, spelled otherwise
    ("https://api.uat.invalid/v3", "https://auth.prod.invalid/oauth2/token"),  # a production token URL
])
def test_production_is_refused_before_any_request(base_url: str, token_url: str) -> None:
    env = clean_env(UATCERT_V3__BASE_URL=base_url, UATCERT_V3__TOKEN_URL=token_url,
                    UATCERT_V3__CLIENT_ID="c", UATCERT_V3__CLIENT_SECRET="s")
    refused = _uatcert("run", env=env)
    assert refused.returncode == 2 and "looks like production" in refused.stderr
    no_budget = _uatcert("run", "--allow-production", env=env)
    assert no_budget.returncode == 2 and "budget" in no_budget.stderr


def test_production_budget_smaller_than_the_plan_is_refused(second_sandbox: BackgroundServer) -> None:
    env = _target_env(second_sandbox, UATCERT_V3__ENVIRONMENT="production")
    result = _uatcert("run", "--allow-production", "--max-vouchers", "5", "--max-face-value", "100.00", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "will issue up to" in result.stdout and "exceeds the production budget" in result.stderr


def test_suite_certifies_a_second_sandbox_configured_by_environment(
    second_sandbox: BackgroundServer, tmp_path: Path
) -> None:
    run = run_uatcert(tmp_path / "reports", env=_target_env(second_sandbox))
    assert run.returncode == 0, run.stdout + run.stderr
    every = {s.product for s in run.results.scenarios if s.requirement == "ISS-EVERY"}
    assert every == {"SECONDSANDBOX00", "SECONDSANDBOX01", "SECONDSANDBOX02"}
    na = [s for s in run.results.scenarios if s.outcome == "not_applicable"]
    assert any("needs the sandbox control API" in s.message for s in na)
    assert all(s.message.startswith("not applicable") for s in na)
    assert {s.requirement for s in na} <= {"IDEM", "STS", "ISS-VALID"}
    # its catalogue lists no limited stock: exceeding the stock is not provable there (v3, issue 10)
    assert all("not provable on this catalogue" in s.message for s in na if s.requirement == "ISS-VALID")
    assert run.results.targets["v3"]["sandbox"] is False
