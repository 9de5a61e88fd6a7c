"""The installable tool: build the wheel, install it into a fresh virtual environment, certify from an empty folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.e2e.conftest import ROOT, clean_env

BUILD_TIMEOUT_S = 300
SUITE = "uatcert/_suite/"


def _run(command: list[str], cwd: Path, timeout: float = BUILD_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"), capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_the_wheel_carries_the_suite_and_certifies_from_an_empty_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)], tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("uatcert-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in ("features", "steps"):  # every file of the checkout's suite, none left out
        expected = {SUITE + p.relative_to(ROOT).as_posix() for p in (ROOT / source).rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts}
        assert expected <= names, sorted(expected - names)
    for single in ("conftest.py", "suite.ini", "package.json", "package-lock.json"):
        assert SUITE + single in names
    assert {"uatcert/sandbox/data/v3_catalogue.json", "uatcert/sandbox/data/v2_catalogue.csv"} <= names
    assert not any("__pycache__" in name for name in names)

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr

    work = tmp_path / "work"
    work.mkdir()
    run = _run([str(venv / "bin" / "uatcert"), "run", "--profile", "v3"], work, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Verdict: CERTIFIED" in run.stdout
    assert "UNIQREWARDS Client API v3 on embedded sandbox" in run.stdout
    reports = work / "reports"
    assert (reports / "certificate.json").is_file() and list(reports.glob("uatcert-evidence-*.zip"))
    assert sorted(p.name for p in work.iterdir()) == ["reports"]  # nothing else written into the user's folder
    # The installed copy has the generator's package.json but no node_modules: one line says how to get it.
    suite_copy = next((venv / "lib").glob("python3*/site-packages/uatcert/_suite"))
    assert f"HTML report:  not built; to get it, install Node.js 20+, run `npm ci --prefix {suite_copy}`" in run.stdout
    assert not (suite_copy / "node_modules").exists()
