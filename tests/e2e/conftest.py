"""End-to-end helpers: run `uatcert run` in a subprocess and read what it wrote."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from uatcert.suite.results import RunResults

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 600


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    reports: Path

    @property
    def results(self) -> RunResults:
        return RunResults.read(self.reports / "run.json")

    def allure_results(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted((self.reports / "allure-results").glob("*-result.json"))]

    def failing_requirements(self) -> set[str]:
        return {s.requirement or "?" for s in self.results.scenarios if s.outcome in ("failed", "broken")}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any UATCERT_* setting of the developer's, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UATCERT_")}
    env.update(extra)
    return env


def run_uatcert(reports: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "uatcert.cli", "run", "--reports", str(reports), *args],
        cwd=ROOT, env=env or clean_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, reports)


@pytest.fixture(scope="session")
def certified_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One full certification against the correct embedded sandbox, shared by the read-back tests."""
    return run_uatcert(tmp_path_factory.mktemp("certified") / "reports")
