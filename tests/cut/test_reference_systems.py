"""
Each reference integrator system (tests/cut_systems/) through `uatcert run --profile cut|cut-v2|cut-allsafe`
with its trigger set: the correct ones are CERTIFIED, each buggy one fails exactly the requirements its
defect breaks (findings, never broken scenarios). One run per system; Node is kept off the PATH so no HTML
report is built (the evidence pack is otherwise complete).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Run, clean_env, run_uatcert
from uatcert.profiles import PROFILES

SYSTEMS = ROOT / "tests" / "cut_systems"
SLOW_COMMIT_S = "3"
"""Longer than the v3 reference systems wait for an answer (2 s), so their retry meets the issuance in progress."""
TRIGGER_VARIABLE = {"cut": "UATCERT_CUT__TRIGGER", "cut-v2": "UATCERT_CUT__V2_TRIGGER",
                    "cut-allsafe": "UATCERT_CUT__ALLSAFE_TRIGGER"}
EXPECTED_FAILURES: dict[tuple[str, str], set[str]] = {
    ("cut", "v3_system"): set(),
    ("cut", "v3_fresh_key"): {"CUT-RECOVER", "CUT-KEY"},
    ("cut", "v3_give_up"): {"CUT-RECOVER"},
    ("cut", "v3_hammer"): {"CUT-WAIT", "CUT-BOUND"},
    # v3 refuses every issuance without a key (400-9A0): nothing is ever obtained
    ("cut", "v3_no_key"): {"CUT-RECOVER", "CUT-KEY", "CUT-TOKEN", "CUT-LIMITS"},
    ("cut", "v3_changed_body"): {"CUT-RECOVER"},
    ("cut", "v3_wrong_unit"): {"CUT-LIMITS"},
    ("cut", "v3_stale_token"): {"CUT-TOKEN"},
    ("cut", "v3_retry_invalid"): {"CUT-INVALID"},
    ("cut-v2", "v2_system"): set(),
    ("cut-v2", "v2_fresh_key"): {"CUT-V2-RECOVER", "CUT-V2-KEY"},
    ("cut-v2", "v2_give_up"): {"CUT-V2-RECOVER"},
    ("cut-v2", "v2_hammer"): {"CUT-V2-WAIT", "CUT-V2-BOUND"},
    # v2 issues without an X-Correlation-Id: each retry issues again
    ("cut-v2", "v2_no_key"): {"CUT-V2-RECOVER", "CUT-V2-KEY"},
    ("cut-v2", "v2_changed_body"): {"CUT-V2-RECOVER"},
    ("cut-v2", "v2_wrong_unit"): {"CUT-V2-LIMITS"},
    ("cut-v2", "v2_stale_token"): {"CUT-V2-TOKEN"},
    ("cut-v2", "v2_retry_invalid"): {"CUT-V2-INVALID"},
    ("cut-allsafe", "allsafe_system"): set(),
    ("cut-allsafe", "allsafe_realloc"): {"CUT-ALS-UNKNOWN"},
    ("cut-allsafe", "allsafe_retry_refusal"): {"CUT-ALS-REFUSAL"},
    ("cut-allsafe", "allsafe_ignore_401"): {"CUT-ALS-AUTH"},
    ("cut-allsafe", "allsafe_reports_id"): {"CUT-ALS-ALLOC"},
}


def certify_system(reports: Path, profile: str, system: str) -> Run:
    trigger = f"{sys.executable} {SYSTEMS / system}.py"
    env = clean_env(**{TRIGGER_VARIABLE[profile]: trigger, "PATH": str(Path(sys.executable).parent),
                       "UATCERT_SANDBOX__SLOW_COMMIT_S": SLOW_COMMIT_S})
    return run_uatcert(reports, "--profile", profile, env=env)


@pytest.mark.parametrize(("profile", "system"), list(EXPECTED_FAILURES), ids=[s for _, s in EXPECTED_FAILURES])
def test_reference_system_verdict(tmp_path: Path, profile: str, system: str) -> None:
    run = certify_system(tmp_path / "reports", profile, system)
    expected = EXPECTED_FAILURES[(profile, system)]
    results = run.results
    outcomes = {s.outcome for s in results.scenarios}
    assert "broken" not in outcomes, [s.message for s in results.scenarios if s.outcome == "broken"]
    assert results.scenarios and not results.collection_errors
    assert {s.requirement for s in results.scenarios} <= set(PROFILES[profile].requirements)
    failed = {s.requirement for s in results.scenarios if s.outcome == "failed"}
    assert failed == expected, run.stdout[-3000:]
    assert run.returncode == (1 if expected else 0), run.stdout[-2000:] + run.stderr[-2000:]
    summary = run.stdout
    assert ("Verdict: NOT CERTIFIED" if expected else "Verdict: CERTIFIED") in summary
    for requirement in expected:
        assert f"FAILED {requirement}" in summary
    # every scenario carries the proxy's recording and the system's report as evidence
    for result in run.allure_results():
        names = [a["name"] for step in _steps(result) for a in step.get("attachments", [])]
        assert any(n.startswith("proxy recording: ") for n in names), result["name"]
        assert "the system's report" in names, result["name"]
    certificate = (run.reports / "certificate.md").read_text(encoding="utf-8")
    section = certificate.split("## The integrator's system", 1)[1].split("\n## ", 1)[0]
    assert f"trigger command {sys.executable}" in section
    rows = {line.split(" | ")[0].strip("| "): line for line in section.splitlines() if line.startswith("| CUT-")}
    assert set(rows) == set(PROFILES[profile].requirements)
    for requirement, row in rows.items():
        assert f"| {'FAILED' if requirement in expected else 'PASSED'} |" in row, row
    if not expected:  # support's check of the bundle agrees
        bundle = next(run.reports.glob("uatcert-evidence-*.zip"))
        verify = subprocess.run([sys.executable, "-m", "uatcert.cli", "verify", str(bundle)], capture_output=True,
                                text=True, check=False, env=clean_env(), timeout=120)
        assert verify.returncode == 0 and "CERTIFIED" in verify.stdout, verify.stdout


def _steps(node: dict[str, object]) -> list[dict[str, object]]:
    found = [node]
    for child in node.get("steps", []) or []:  # type: ignore[union-attr]
        found += _steps(child)
    return found


def test_every_reference_system_is_run() -> None:
    scripts = {p.stem for p in SYSTEMS.glob("*.py")}
    assert scripts == {system for _, system in EXPECTED_FAILURES}


def test_every_client_under_test_requirement_is_failed_by_some_reference_system() -> None:
    required = {r for name in TRIGGER_VARIABLE for r in PROFILES[name].requirements}
    assert set().union(*EXPECTED_FAILURES.values()) == required


def test_the_client_under_test_profiles_run_only_when_named() -> None:
    from uatcert.config import Settings
    from uatcert.profiles import select

    chosen = [p.name for p in select(None, Settings())]
    assert chosen and not set(chosen) & set(TRIGGER_VARIABLE)
    assert [p.name for p in select(["cut-allsafe"], Settings())] == ["cut-allsafe"]
