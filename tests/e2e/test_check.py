"""`uatcert check`: the pre-flight alone, against the embedded sandbox and against an unreachable target."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.e2e.conftest import clean_env
from uatcert.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, BackgroundServer


def _check(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uatcert.cli", "check", *args], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_on_the_sandbox_shows_every_api_its_catalogue_and_plan_and_issues_nothing(tmp_path: Path) -> None:
    result = _check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for api in ("v3", "v2", "allsafe"):
        assert f"no {api} target is configured: `uatcert run` certifies against the embedded sandbox" in out
    assert "catalogue: 10 products: " in out and "× value based, open value" in out  # v3, by product kind
    assert "catalogue (catalogue file v2_catalogue.csv): 7 products: " in out and "× dynamic value-based" in out
    assert "ExampleMart 50 (voucher type, 120 left)" in out  # AllSafe: its voucher types
    assert out.count("  plan: will ") == 3 and "plan: will issue up to " in out and "plan: will allocate up to 5" in out
    assert "issued: nothing" in out
    assert "ready: `uatcert run` would certify UNIQREWARDS Client API v3, UNIQREWARDS Client API v2 and AllSafe " \
           "Redemption API on embedded sandbox" in out
    assert list(tmp_path.iterdir()) == []  # no reports, no ledger: nothing written


def test_check_against_an_unreachable_target_exits_3(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        result = _check(tmp_path, "--profile", "v3", UATCERT_V3__BASE_URL=f"http://127.0.0.1:{port}/v3",
                        UATCERT_V3__TOKEN_URL=f"http://127.0.0.1:{port}/oauth2/token", UATCERT_V3__CLIENT_ID="c",
                        UATCERT_V3__CLIENT_SECRET="s3cret-value")
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith("uatcert: cannot reach ") and f"127.0.0.1:{port}" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "s3cret-value" not in result.stdout + result.stderr
    assert "ready:" not in result.stdout
    bad = _check(tmp_path, UATCERT_V3__TIMEOUT_S="soon")
    assert bad.returncode == 2 and "UATCERT_V3__TIMEOUT_S" in bad.stderr and "Traceback" not in bad.stderr


def test_check_on_a_configured_target_runs_the_run_pre_flight(tmp_path: Path,
                                                              start_sandbox: Callable[..., BackgroundServer]) -> None:
    server = start_sandbox()  # a sandbox of its own, configured as a real v3 target
    result = _check(tmp_path, UATCERT_V3__BASE_URL=server.v3_base_url, UATCERT_V3__TOKEN_URL=server.token_url,
                    UATCERT_V3__CLIENT_ID=DEFAULT_CLIENT_ID, UATCERT_V3__CLIENT_SECRET=DEFAULT_CLIENT_SECRET)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("uatcert check: v3;")  # only the configured profile, as `uatcert run` would choose
    assert f"v3 target {server.v3_base_url}: 10 products; will issue up to " in out  # the run's own pre-flight line
    assert "reachable; credentials accepted (client uatc…dbox)" in out and "embedded sandbox" not in out
    plan = next(line for line in out.splitlines() if line.startswith("  plan: "))
    assert plan.startswith("  plan: will issue up to ") and "on a real target" not in plan
    assert DEFAULT_CLIENT_SECRET not in out + result.stderr


def test_check_is_not_ready_when_an_expected_product_is_missing(tmp_path: Path) -> None:
    result = _check(tmp_path, "--profile", "v3", UATCERT_V3__EXPECTED_PRODUCTS="MAMVDDMMYY01,NOSUCHPRODUCT01")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "expected but not in the catalogue: NOSUCHPRODUCT01" in result.stdout
    assert result.stdout.endswith("not ready: the catalogue of v3 lacks expected products\n")
