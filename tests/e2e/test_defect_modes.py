"""
Proof the suite can fail: each sandbox defect mode fails exactly its requirement, and nothing else.
The table is here; the slow runs (one certification per mode) are in each API's features tests
(`tests/<api>/features/test_defect_modes.py`).
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Run, run_uatcert
from uatcert.profiles import PROFILES
from uatcert.sandbox import DEFECT_MODES
from uatcert.suite.requirements import REQUIREMENTS

EXPECTED_FAILURE = {
    "scope_not_enforced": "AUTH",
    "unknown_code_found": "CAT",
    "one_product_fails": "ISS-EVERY",
    "face_value_truncated": "ISS-OPEN",
    "quantity_limit_not_enforced": "ISS-VALID",
    "key_optional": "ISS-VALID",
    "batch_limit_not_enforced": "STS",
    "status_not_updated": "STS",
    "replay_issues_new": "IDEM",
    "mismatch_accepted": "IDEM",
    "product_lookup_other": "CAT",
    "catalogue_drift": "CAT",
    "empty_voucher_code": "ISS-EVERY",
    "duplicate_voucher_codes": "ISS-EVERY",
    "voucher_flags_wrong": "ISS-EVERY",
    "fv_placeholder_kept": "ISS-OPEN",
    "quantity_capped": "ISS-VALID",
    "stock_not_enforced": "ISS-VALID",
    "value_changed_on_read": "STS",
    "batch_fields_altered": "STS",
    "replay_new_codes": "IDEM",
    "mismatch_product_replays": "IDEM",
    "mismatch_face_value_replays": "IDEM",
    "identical_body_replays": "IDEM",
    "v2_client_secret_not_checked": "V2-AUTH",
    "v2_unknown_product_issued": "V2-CAT",
    "v2_one_product_fails": "V2-ISS-EVERY",
    "v2_face_value_as_cents": "V2-ISS-OPEN",
    "v2_quantity_limit_not_enforced": "V2-ISS-VALID",
    "v2_status_not_updated": "V2-STS",
    "v2_replay_issues_new": "V2-IDEM",
    "v2_voucher_ref_reused": "V2-ISS-EVERY",
    "v2_empty_voucher_ref": "V2-ISS-EVERY",
    "v2_name_without_amount": "V2-ISS-OPEN",
    "v2_quantity_capped": "V2-ISS-VALID",
    "v2_check_value_truncated": "V2-STS",
    "v2_check_inactive_as_active": "V2-STS",
    "v2_replay_new_links": "V2-IDEM",
    "v2_mismatch_replays": "V2-IDEM",
    "v2_identical_body_replays": "V2-IDEM",
    "allsafe_stock_not_decremented": "ALS-AVAIL",
    "allsafe_empty_availability_500": "ALS-AVAIL",
    "allsafe_voucher_without_code": "ALS-ALLOC",
    "allsafe_allocation_not_atomic": "ALS-ALLOC",
    "allsafe_allocation_no_content": "ALS-ALLOC",
    "allsafe_wrong_password_accepted": "ALS-ERR",
    "allsafe_availability_wrong_password_accepted": "ALS-ERR",
    "allsafe_revoked_integration_allowed": "ALS-ERR",
    "allsafe_ended_campaign_allowed": "ALS-ERR",
    "allsafe_no_vault_492": "ALS-ERR",
    "allsafe_unmatched_value_500": "ALS-ERR",
    "allsafe_invalid_value_accepted": "ALS-ERR",
    "allsafe_unknown_vendor_allocates": "ALS-ERR",
}


def test_every_defect_mode_has_an_expected_failure() -> None:
    assert set(EXPECTED_FAILURE) == set(DEFECT_MODES)


def test_every_requirement_can_be_made_to_fail() -> None:
    # the client-under-test profiles fail by the reference systems instead (tests/cut/test_reference_systems.py)
    assert set(EXPECTED_FAILURE.values()) == {r for p in PROFILES.values() if p.selected_by_default
                                              for r in p.requirements}


def test_correct_sandbox_is_certified(certified_run: Run) -> None:
    assert certified_run.returncode == 0, certified_run.stdout + certified_run.stderr
    outcomes = {s.outcome for s in certified_run.results.scenarios}
    assert outcomes == {"passed"}, outcomes
    assert "Verdict: CERTIFIED" in certified_run.stdout
    required = {r for p in PROFILES.values() if p.selected_by_default for r in p.requirements}
    assert {s.requirement for s in certified_run.results.scenarios} == required


def modes_of(profile: str) -> list[tuple[str, str]]:
    """(defect mode, requirement) of one profile's requirements; each API's features tests run its own."""
    return sorted((mode, req) for mode, req in EXPECTED_FAILURE.items() if REQUIREMENTS[req].profile == profile)


def fails_exactly_its_requirement(tmp_path: Path, mode: str, requirement: str) -> None:
    """Each run covers the defect's whole profile: every other requirement of that API must still pass.

    Other profiles talk to other routes of the sandbox; one run with every profile is the certified run."""
    profile = REQUIREMENTS[requirement].profile
    run = run_uatcert(tmp_path / "reports", "--defect", mode, "--profile", profile)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.failing_requirements() == {requirement}, run.stdout
    ran = {s.requirement for s in run.results.scenarios}
    assert ran == set(PROFILES[profile].requirements)
    assert all(s.outcome == "passed" for s in run.results.scenarios if s.requirement != requirement)
    failed = [s for s in run.results.scenarios if s.outcome in ("failed", "broken")]
    assert all(s.outcome == "failed" for s in failed), [s.message for s in failed]  # API finding, not harness trouble
    assert "Verdict: NOT CERTIFIED" in run.stdout
    for scenario in failed:
        assert f"FAILED {scenario.message}" in run.stdout
        assert scenario.message.startswith(requirement)


def test_every_defect_mode_is_run_by_its_api_features_tests() -> None:
    assert sorted(m for p in PROFILES for m in modes_of(p)) == sorted(EXPECTED_FAILURE.items())
