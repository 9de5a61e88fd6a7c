"""A sandbox catalogue without any open-value product is NOT CERTIFIED, with that reason first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import clean_env, run_uatcert

SEEDED = Path(__file__).resolve().parents[2] / "src" / "uatcert" / "sandbox" / "data" / "v3_catalogue.json"


def no_open_value_catalogue(folder: Path) -> Path:
    """The seeded catalogue without its open-value products."""
    seeded = json.loads(SEEDED.read_text(encoding="utf-8"))
    products = [p for p in seeded["products"] if not p["is_open_value"]]
    assert products and len(products) < len(seeded["products"])
    path = folder / "no-open-value.json"
    path.write_text(json.dumps({"products": products}, indent=2), encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_catalogue_without_open_value_products_is_not_certified_reason_first(tmp_path: Path) -> None:
    catalogue = no_open_value_catalogue(tmp_path)
    run = run_uatcert(tmp_path / "reports", "--profile", "v3",
                      env=clean_env(UATCERT_SANDBOX__CATALOGUE=str(catalogue)))

    assert run.returncode == 1, run.stdout + run.stderr
    certificate = json.loads((run.reports / "certificate.json").read_text(encoding="utf-8"))
    assert certificate["verdict"] == "NOT CERTIFIED"
    first = certificate["reasons"][0]
    assert first.startswith("ISS-OPEN: not met: ") and "no open-value product" in first, certificate["reasons"]
    issuance_open = next(r for r in certificate["requirements"] if r["id"] == "ISS-OPEN")
    assert issuance_open["verdict"] == "not_met"
    assert "Verdict: NOT CERTIFIED" in run.stdout
    summary = run.stdout.split("Verdict: NOT CERTIFIED", 1)[1]
    assert summary.splitlines()[1].strip() == f"first reason: {first}"
    assert f"1. {first}" in summary
    markdown = (run.reports / "certificate.md").read_text(encoding="utf-8")
    assert f"1. {first}" in markdown
