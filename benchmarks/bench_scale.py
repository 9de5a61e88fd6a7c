"""
Scale: generated v3 catalogues of 10, 100 and 500 products on the embedded sandbox with 50 ms injected
latency per API request, certified with 1 and with 4 workers. For each run: wall time of `uatcert run
--profile v3` (start to exit, evidence and HTML report included), provider calls the sandbox served,
and the ratio to the floor, calls x 50 ms / workers. Also the peak RSS of the process tree of the
500-product runs: of the pytest process tree (the suite; `peak_rss_500_mb`) and of the whole tree
(`uatcert`, pytest, node building the HTML report).

Run: .venv/bin/python benchmarks/bench_scale.py [SIZES...]   (default 10 100 500)
Bounded: six runs, each stopped after 20 minutes; loopback only.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _catalogue import write_catalogue
from _common import clean_env, run_uatcert

LATENCY_MS = 50
WORKERS = (1, 4)


def main(sizes: list[int]) -> dict[str, float]:
    figures: dict[str, float] = {}
    folder = Path(tempfile.mkdtemp(prefix="uatcert-scale-"))
    for size in sizes:
        catalogue = write_catalogue(size, folder)
        for workers in WORKERS:
            env = clean_env(UATCERT_SANDBOX__CATALOGUE=str(catalogue), UATCERT_SANDBOX__LATENCY_MS=str(LATENCY_MS))
            run = run_uatcert("--profile", "v3", "--workers", str(workers), env=env)
            floor = run.calls * LATENCY_MS / 1000 / workers
            ratio = run.wall_s / floor if floor else float("nan")
            verdict = "CERTIFIED" if run.returncode == 0 else f"exit {run.returncode}"
            print(f"scale {size:>3} products, {workers} worker(s): {run.wall_s:7.1f} s, {run.calls} calls, "
                  f"floor {floor:6.1f} s, ratio {ratio:.2f}, peak in flight {run.figures.get('peak_in_flight')}, "
                  f"made ahead {run.figures.get('dispatched_ahead')}, peak RSS {run.peak_rss_mb:.0f} MB "
                  f"(pytest process tree {run.pytest_rss_mb:.0f} MB), {verdict}",
                  flush=True)
            figures[f"scale_{size}_w{workers}_floor_ratio"] = round(ratio, 2)
            if size == 500:
                figures[f"peak_rss_500_w{workers}_mb"] = round(run.pytest_rss_mb)
                figures[f"peak_rss_500_w{workers}_all_mb"] = round(run.peak_rss_mb)
    if "peak_rss_500_w4_mb" in figures:
        figures["peak_rss_500_mb"] = max(figures.get("peak_rss_500_w1_mb", 0), figures["peak_rss_500_w4_mb"])
    return figures


if __name__ == "__main__":
    for name, value in main([int(a) for a in sys.argv[1:]] or [10, 100, 500]).items():
        print(f"{name}: {value}")
