"""
Profile: where the suite's own time goes in a serial v3 certification of the default catalogue. The pytest
process the runner would start is run under pyinstrument (the `bench` extra); printed: the functions with
the most time of their own (flat view), and the file of the full call tree.

Run: .venv/bin/python benchmarks/bench_profile.py [CATALOGUE_SIZE]   (default 10: the seeded catalogue)
Bounded: one run; loopback only. Needs `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _catalogue import write_catalogue
from _common import ROOT, clean_env

TOP = 25


def main(size: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="uatcert-profile-"))
    reports = folder / "reports"
    reports.mkdir()
    session = folder / "run.pyisession"
    env = clean_env(UATCERT_RUN__REPORTS_DIR=str(reports))
    if size != 10:
        env["UATCERT_SANDBOX__CATALOGUE"] = str(write_catalogue(size, folder))
    pyinstrument = [sys.executable, "-m", "pyinstrument"]
    subprocess.run([*pyinstrument, "-r", "pyisession", "-o", str(session), "-m", "pytest", "steps/uniqrewards_v3",
                    "-c", "pyproject.toml", "-p", "no:cacheprovider", f"--alluredir={reports / 'allure-results'}",
                    f"--uatcert-results={reports / 'run.json'}", "-q", "--no-header", "-rN", "--tb=no"],
                   cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    flat = subprocess.run([*pyinstrument, f"--load={session}", "-r", "text", "-p", "flat=true"], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True).stdout
    tree = folder / "profile.txt"
    tree.write_text(subprocess.run([*pyinstrument, f"--load={session}", "-r", "text"], cwd=ROOT, env=env,
                                   check=True, capture_output=True, text=True).stdout, encoding="utf-8")
    lines = flat.splitlines()
    header = [re.sub(r"^.*?(Duration)", r"\1", line).strip() for line in lines[:8] if "Duration" in line]
    body = [line for line in lines if line[:1].isdigit()]
    print(f"profile of the serial v3 pytest process ({size} products): {header[0] if header else ''}")
    for line in body[:TOP]:
        print(f"  {line}")
    print(f"  full call tree: {tree}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
