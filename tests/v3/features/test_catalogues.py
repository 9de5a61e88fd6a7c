"""Certification runs on other sandbox catalogues and with an expected catalogue (slow: one run each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import clean_env, run_uatcert
from uatcert.sandbox import load_catalogue
from uatcert.suite.wings.v3.catalogue import NO_OPEN_VALUE

DATA = Path(__file__).parent / "data"
NO_OPEN_VALUE_FILE = DATA / "v3_no_open_value_catalogue.json"
ODD_CODES_FILE = DATA / "v3_odd_codes_catalogue.json"
FACE_VALUE_ROWS = {"An issuance request with a face value of 99 cents is refused",
                   "An issuance request with a face value of 100001 cents is refused",
                   "An issuance request with no face value is refused",
                   "The same idempotency key at another face value is refused"}


def test_the_catalogue_files_are_what_their_names_say() -> None:
    assert not any(p.is_open_value for p in load_catalogue(NO_OPEN_VALUE_FILE).products)
    codes = [p.code for p in load_catalogue(ODD_CODES_FILE).products]
    assert all(any(c in "".join(codes) for c in char) for char in (" ", "/", "%", "#", "?", "&", "+"))


@pytest.mark.slow
def test_a_catalogue_without_open_value_products_runs_every_other_scenario(tmp_path: Path) -> None:
    run = run_uatcert(tmp_path / "reports", "--profile", "v3",
                      env=clean_env(UATCERT_SANDBOX__CATALOGUE=str(NO_OPEN_VALUE_FILE)))
    scenarios = run.results.scenarios
    not_applicable = {s.name: s.message for s in scenarios if s.outcome == "not_applicable"}
    [open_value] = [s for s in scenarios if s.requirement == "ISS-OPEN"]
    assert open_value.outcome == "not_applicable" and NO_OPEN_VALUE in open_value.message
    assert set(not_applicable) - {open_value.name} == FACE_VALUE_ROWS, not_applicable
    assert all("no open-value product" in reason for reason in not_applicable.values())
    others = [s for s in scenarios if s.outcome != "not_applicable"]
    assert others and all(s.outcome == "passed" for s in others), [(s.name, s.message) for s in others]
    assert {s.requirement for s in others} == {"AUTH", "CAT", "ISS-EVERY", "ISS-VALID", "STS", "IDEM"}


@pytest.mark.slow
def test_a_catalogue_of_codes_that_need_quoting_certifies(tmp_path: Path) -> None:
    run = run_uatcert(tmp_path / "reports", "--profile", "v3",
                      env=clean_env(UATCERT_SANDBOX__CATALOGUE=str(ODD_CODES_FILE)))
    assert run.returncode == 0, run.stdout + run.stderr
    assert {s.outcome for s in run.results.scenarios} == {"passed"}
    assert "Verdict: CERTIFIED" in run.stdout
    listed = [p["code"] for p in run.results.catalogues["v3"]["products"]]
    assert listed == [p.code for p in load_catalogue(ODD_CODES_FILE).products]


@pytest.mark.slow
def test_an_expected_product_the_catalogue_lacks_is_not_certified(tmp_path: Path) -> None:
    run = run_uatcert(tmp_path / "reports", "--profile", "v3",
                      env=clean_env(UATCERT_V3__EXPECTED_PRODUCTS="MAMVDDMMYY01, UATCERTMISSING01"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Verdict: NOT CERTIFIED" in run.stdout
    assert run.failing_requirements() == {"CAT", "ISS-EVERY"}
    failed = [s for s in run.results.scenarios if s.outcome != "passed"]
    assert all(s.outcome == "failed" and "UATCERTMISSING01" in s.message for s in failed), failed
    assert "FAILED CAT: expected every expected product listed (MAMVDDMMYY01, UATCERTMISSING01); " \
           "got not listed: UATCERTMISSING01" in run.stdout
    assert [s.product for s in failed if s.requirement == "ISS-EVERY"] == ["UATCERTMISSING01"]
    catalogue = run.results.catalogues["v3"]
    assert catalogue["expected"] == ["MAMVDDMMYY01", "UATCERTMISSING01"]
    assert catalogue["missing"] == ["UATCERTMISSING01"]
