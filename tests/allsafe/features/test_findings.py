"""Harness vs finding: a malformed AllSafe answer is a finding (failed), never harness trouble (broken)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from steps.allsafe.common import succeed
from uatcert import allsafe, v2, v3
from uatcert.suite.checks import Check
from uatcert.suite.findings import Nonconformance
from uatcert.suite.wings import WINGS

ROOT = Path(__file__).resolve().parents[3]


def _malformed(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[{"vendor": 5, "value": "fifty"}])


def _client() -> allsafe.AllSafeClient:
    return allsafe.AllSafeClient("http://127.0.0.1:1/allsafe", "integration", "pw",
                                 transport=httpx.MockTransport(_malformed), sleep=lambda _: None)


@pytest.mark.parametrize(("api", "error"), [("allsafe", allsafe.ResponseValidationError),
                                            ("v2", v2.ResponseValidationError),
                                            ("v3", v3.ResponseValidationError)])
def test_every_wings_validation_error_is_a_finding_in_conformant(api: str, error: type[Exception]) -> None:
    assert error in WINGS[api].validation_errors
    check = Check("REQ", "P-1", WINGS[api].validation_errors)
    with pytest.raises(Nonconformance) as raised, check.conformant("the answer"):
        raise error("body is not a valid thing: $[0].vendor: Input should be a valid string")
    assert isinstance(raised.value, AssertionError)  # Allure: failed, not broken
    assert raised.value.line().startswith("REQ [P-1]: expected the answer matching the documented model; got")


@pytest.mark.parametrize(("api", "error"), [("allsafe", allsafe.ResponseValidationError),
                                            ("v2", v2.ResponseValidationError),
                                            ("v3", v3.ResponseValidationError)])
def test_a_body_that_is_not_json_at_all_is_no_finding(api: str, error: type[v3.ResponseValidationError]) -> None:
    check = Check("REQ", "P-1", WINGS[api].validation_errors)
    with pytest.raises(error) as raised, check.conformant("the answer"):
        raise error("GET /x -> 200: body is not JSON (text/html, 93 bytes)", errors=[("$", "not JSON")])
    assert not isinstance(raised.value, AssertionError)  # Allure: broken, with the error's one line


def test_a_malformed_allsafe_availability_is_a_finding_of_the_step() -> None:
    check = Check("ALS-AVAIL", None, WINGS["allsafe"].validation_errors)
    with _client() as client, pytest.raises(Nonconformance, match=r"^ALS-AVAIL: expected the campaign's "):
        succeed(check, "the campaign's availability", client.availability)


def test_a_malformed_allsafe_answer_is_recorded_failed_not_broken(tmp_path: Path) -> None:
    """Through the suite's plugin: the scenario's outcome in run.json is `failed`, its message the finding."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["uatcert.suite.plugin"]\n', encoding="utf-8")
    (tmp_path / "test_malformed.py").write_text(textwrap.dedent("""
        import httpx
        import pytest

        from steps.allsafe.common import succeed
        from uatcert.allsafe import AllSafeClient

        @pytest.mark.allsafe
        @getattr(pytest.mark, "ALS-AVAIL")
        def test_availability(check):
            answer = lambda _: httpx.Response(200, json=[{"vendor": 5, "value": "fifty"}])
            with AllSafeClient("http://127.0.0.1:1/allsafe", "u", "p", transport=httpx.MockTransport(answer),
                               sleep=lambda _: None) as client:
                succeed(check, "the campaign's availability", client.availability)
    """), encoding="utf-8")
    results = tmp_path / "run.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UATCERT_")}
    env.update(UATCERT_RUN__REPORTS_DIR=str(tmp_path / "reports"), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--uatcert-results={results}"]
    run = subprocess.run([*command, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    (scenario,) = json.loads(results.read_text(encoding="utf-8"))["scenarios"]
    assert scenario["requirement"] == "ALS-AVAIL"
    assert scenario["outcome"] == "failed", scenario
    assert scenario["message"].startswith("ALS-AVAIL: expected the campaign's availability matching the proposed model")


def test_a_bare_assertion_is_harness_trouble_not_a_finding(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["uatcert.suite.plugin"]\n', encoding="utf-8")
    (tmp_path / "test_bare.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.allsafe
        @getattr(pytest.mark, "ALS-ERR")
        def test_refusal():
            assert 1 == 2, "the harness assumed something"
    """), encoding="utf-8")
    results = tmp_path / "run.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UATCERT_")}
    env.update(UATCERT_RUN__REPORTS_DIR=str(tmp_path / "reports"), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--uatcert-results={results}"]
    subprocess.run([*command, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    (scenario,) = json.loads(results.read_text(encoding="utf-8"))["scenarios"]
    assert (scenario["outcome"], scenario["message"]) == ("broken", "harness assertion: the harness assumed something")
