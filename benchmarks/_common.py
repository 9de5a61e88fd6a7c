"""What the benchmarks share: running `uatcert run` as a user would (a subprocess, timed, its process tree's
memory sampled), and reading the figures the bench plugin wrote."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
RUN_TIMEOUT_S = 1200
"""No single run of a benchmark may take longer (the whole bench stays bounded)."""


@dataclasses.dataclass
class Timed:
    wall_s: float
    returncode: int
    stdout: str
    peak_rss_mb: float
    figures: dict[str, Any]
    pytest_rss_mb: float = 0.0
    """Peak RSS of the pytest process and its children (the suite itself, without the runner and node)."""

    @property
    def calls(self) -> int:
        return int(sum(self.figures.get("requests", {}).values()))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UATCERT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """Resident memory (KB) of `root` and all its descendants, and of the pytest process's own tree (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm", encoding="ascii") as statm:
                pages = int(statm.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * page_kb

    def tree(top: int) -> list[int]:
        found, stack = [], [top]
        while stack:
            pid = stack.pop()
            found.append(pid)
            stack.extend(children.get(pid, []))
        return found

    everything = tree(root)
    pytest_kb = 0
    for pid in everything:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"\0pytest\0" in cmdline.read():
                    pytest_kb = sum(rss.get(p, 0) for p in tree(pid))
                    break
        except OSError:
            continue
    return sum(rss.get(pid, 0) for pid in everything), pytest_kb


def run_uatcert(*args: str, env: dict[str, str] | None = None, reports: Path | None = None) -> Timed:
    """`uatcert run ARGS -- -p _bench_plugin`, timed from start to exit, the process tree's peak RSS sampled
    every 0.2 s, and the bench plugin's figures (provider calls served, peak in flight, calls made ahead)."""
    folder = Path(tempfile.mkdtemp(prefix="uatcert-bench-"))
    reports = reports or folder / "reports"
    counts = folder / "counts.json"
    run_env = dict(env or clean_env())
    run_env["UATCERT_BENCH_COUNTS"] = str(counts)
    command = [sys.executable, "-m", "uatcert.cli", "run", "--reports", str(reports), *args,
               "--", "-p", "_bench_plugin"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            whole, pytest_only = _tree_rss_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], whole), max(peak[1], pytest_only)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, _ = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, _ = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    figures = json.loads(counts.read_text()) if counts.exists() else {}
    return Timed(wall, proc.returncode, stdout, peak[0] / 1024, figures, peak[1] / 1024)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
