"""Certification runs on other v2 catalogue files served by the sandbox (slow: one run each)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.e2e.conftest import clean_env, run_uatcert
from uatcert.profiles import PROFILES
from uatcert.sandbox import SEEDED_V2_CATALOGUE
from uatcert.suite.wings.v2.catalogue import NO_DYNAMIC

ODD_CODES = {"MAMVDDMMYY01": "MAMV DD #1?", "UNIVGROCERIESDYNAMIC01": "UNIV GROCERIES+50%&MORE",
             "SAMPLECAFE5CUPS01": "CAFÉ 5 CUPS"}
"""Seeded codes replaced by codes that must be quoted in a URL path (space, #, ?, +, %, &, non-ASCII)."""


@pytest.mark.slow
def test_a_catalogue_without_dynamic_products_runs_every_other_scenario(tmp_path: Path) -> None:
    lines = SEEDED_V2_CATALOGUE.read_text(encoding="utf-8").splitlines(keepends=True)
    file = tmp_path / "no-dynamic.csv"
    file.write_text("".join(line for line in lines if ",dynamic_value," not in line), encoding="utf-8")
    run = run_uatcert(tmp_path / "reports", "--profile", "v2", env=clean_env(UATCERT_V2__CATALOGUE_FILE=str(file)))
    scenarios = run.results.scenarios
    not_applicable = [s for s in scenarios if s.outcome == "not_applicable"]
    # only what needs a dynamic value-based product: ISS-OPEN, the face value refusals, another face value
    assert all(s.message.startswith("not applicable") and s.message.endswith(f": {NO_DYNAMIC}")
               for s in not_applicable), run.stdout
    assert sorted(s.requirement or "" for s in not_applicable) == (
        ["V2-IDEM"] + ["V2-ISS-OPEN"] * 2 + ["V2-ISS-VALID"] * 3)
    others = [s for s in scenarios if s.outcome != "not_applicable"]
    assert all(s.outcome == "passed" for s in others), [s.message for s in others if s.outcome != "passed"]
    assert {s.requirement for s in others} == set(PROFILES["v2"].requirements) - {"V2-ISS-OPEN"}
    assert run.returncode == 1 and "Verdict: NOT CERTIFIED" in run.stdout, run.stdout


@pytest.mark.slow
def test_a_catalogue_with_codes_that_need_quoting_certifies(tmp_path: Path) -> None:
    text = SEEDED_V2_CATALOGUE.read_text(encoding="utf-8")
    for code, odd in ODD_CODES.items():
        text = text.replace(f",{code},", f',"{odd}",')
    file = tmp_path / "odd-codes.csv"
    file.write_text(text, encoding="utf-8")
    run = run_uatcert(tmp_path / "reports", "--profile", "v2", env=clean_env(UATCERT_V2__CATALOGUE_FILE=str(file)))
    assert run.returncode == 0, run.stdout + run.stderr
    assert {s.outcome for s in run.results.scenarios} == {"passed"}
    ledger = [json.loads(line) for line in (run.reports / "ledger.jsonl").read_text().splitlines() if line.strip()]
    issued = {e.get("product_code") for e in ledger if e.get("event") == "outcome" and e.get("outcome") == "issued"}
    assert set(ODD_CODES.values()) <= issued
    paths = {e.get("path") for e in ledger if e.get("event") == "attempt"}
    assert all(any(f"/products/{quote(odd, safe='')}/" in str(p) for p in paths) for odd in ODD_CODES.values())
