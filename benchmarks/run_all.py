"""
`make bench`: every benchmark in turn, then one line per figure, `name: value`. The machine's figures
are noisy when it is shared: compare ratios measured in one run, not runs with each other.

Run: .venv/bin/python benchmarks/run_all.py   (about 15 minutes on 2 cores; every run bounded)
"""

from __future__ import annotations

import os
import platform
import sys
import time

import bench_overhead
import bench_profile
import bench_sandbox
import bench_scale
from _common import clean_env, run_uatcert


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, Python {platform.python_version()}"


def certify_s() -> float:
    """`make certify` after set-up: `uatcert run` with every profile on the embedded sandbox."""
    run = run_uatcert(env=clean_env())
    print(f"certify: uatcert run (every profile, embedded sandbox) {run.wall_s:.1f} s, exit {run.returncode}, "
          f"{run.calls} provider calls", flush=True)
    return round(run.wall_s, 1)


def main() -> None:
    started = time.perf_counter()
    print(f"machine: {machine()}", flush=True)
    figures: dict[str, float] = {}
    figures["certify_s"] = certify_s()
    figures.update(bench_sandbox.main(150))
    bench_profile.main(10)
    figures.update(bench_overhead.main(3, 0.0))
    figures.update(bench_overhead.main(3, 50.0))
    figures.update(bench_scale.main([10, 100, 500]))
    print(f"\nbench took {time.perf_counter() - started:.0f} s")
    order = ["overhead_ratio", "overhead_ratio_50ms",
             *(f"scale_{n}_w{w}_floor_ratio" for n in (10, 100, 500) for w in (1, 4)),
             "sandbox_issuances_per_s", "sandbox_p50_ms", "sandbox_p99_ms", "sandbox_retrievals_per_s",
             "peak_rss_500_mb", "peak_rss_500_w4_all_mb", "certify_s"]
    for name in order:
        print(f"{name}: {figures.get(name, 'not measured')}")


if __name__ == "__main__":
    main()
    sys.exit(0)
