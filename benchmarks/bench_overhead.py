"""
Overhead: the full v3 certification of the default catalogue on the embedded sandbox (`uatcert run
--profile v3`, start to exit: pytest, evidence, certificate, HTML report, bundle) against a bare httpx
script that makes the identical sequence of calls: every request the suite's sandbox received (control
API included), recorded in order with its body, replayed on one keep-alive connection to a fresh sandbox
of the same configuration. Values the provider made up (tokens, voucher ids) are mapped to the fresh
sandbox's own as they come back, so each replayed call does the same work. Suite and replay alternate,
REPEATS times, in one run; the figure is the median ratio.

Run: .venv/bin/python benchmarks/bench_overhead.py [REPEATS] [LATENCY_MS]   (default 3, 0)
Bounded: REPEATS suite runs and replays of about 200 calls each, loopback only.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import clean_env, median, run_uatcert

from uatcert.sandbox import BackgroundServer, SandboxConfig, create_app

SLOW_COMMIT_S = 1.5
"""The embedded sandbox's slow commit under the suite's default settings (`UATCERT_SANDBOX__SLOW_COMMIT_S`)."""
_MINTED = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                     rb"|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
"""What the provider mints (voucher ids, request ids, tokens) and later requests name."""
_SKIPPED_HEADERS = {"host", "content-length", "connection", "accept-encoding"}


def record(latency_ms: float) -> tuple[float, list[dict[str, Any]], int]:
    folder = Path(tempfile.mkdtemp(prefix="uatcert-overhead-"))
    env = clean_env(UATCERT_BENCH_RECORD=str(folder / "record.jsonl"), UATCERT_SANDBOX__LATENCY_MS=str(latency_ms))
    run = run_uatcert("--profile", "v3", env=env)
    if run.returncode != 0:
        raise SystemExit(f"the v3 certification failed (exit {run.returncode}):\n{run.stdout[-2000:]}")
    lines = (folder / "record.jsonl").read_text(encoding="utf-8").splitlines()
    return run.wall_s, [json.loads(line) for line in lines], run.calls


def replay(records: list[dict[str, Any]], latency_ms: float) -> tuple[float, int]:
    """The recorded calls, in order, to a fresh sandbox: the seconds they took (the server's start excluded)
    and how many got the status the suite's call got (the replay does the same work)."""
    config = SandboxConfig(slow_commit_s=SLOW_COMMIT_S, latency_ms=latency_ms)
    with BackgroundServer(create_app(config)) as server, httpx.Client(base_url=server.base_url) as http:
        mapping: dict[bytes, bytes] = {}

        def mapped(data: bytes) -> bytes:
            return _MINTED.sub(lambda m: mapping.get(m.group(), m.group()), data) if mapping else data

        same = 0
        started = time.perf_counter()
        for item in records:
            headers = [(k, mapped(v.encode("latin-1")).decode("latin-1")) for k, v in item["headers"]
                       if k.lower() not in _SKIPPED_HEADERS]
            url = mapped(item["path"].encode()).decode() + (f"?{mapped(item['query'].encode()).decode()}"
                                                            if item["query"] else "")
            response = http.request(item["method"], url, headers=headers,
                                    content=mapped(base64.b64decode(item["body"])))
            old = _MINTED.findall(base64.b64decode(item["response"]))
            new = _MINTED.findall(response.content)
            same += response.status_code == item["status"]
            if len(old) == len(new):
                mapping.update((o, n) for o, n in zip(old, new, strict=True) if o != n)
        return time.perf_counter() - started, same


def main(repeats: int, latency_ms: float) -> dict[str, float]:
    ratios, suites, bares = [], [], []
    calls = 0
    for index in range(repeats):
        suite_s, records, calls = record(latency_ms)
        bare_s, same = replay(records, latency_ms)
        suites.append(suite_s)
        bares.append(bare_s)
        ratios.append(suite_s / bare_s)
        print(f"overhead run {index + 1}: suite {suite_s:.1f} s, bare replay of the same {len(records)} requests "
              f"({calls} to the provider API; {same} answered with the suite's status) {bare_s:.2f} s, "
              f"ratio {suite_s / bare_s:.2f}", flush=True)
    suffix = f"_{latency_ms:g}ms" if latency_ms else ""
    print(f"overhead{suffix}: median suite {median(suites):.1f} s, median bare {median(bares):.2f} s", flush=True)
    return {f"overhead_ratio{suffix}": round(median(ratios), 2)}


if __name__ == "__main__":
    arguments = sys.argv[1:]
    result = main(int(arguments[0]) if arguments else 3, float(arguments[1]) if len(arguments) > 1 else 0.0)
    for name, value in result.items():
        print(f"{name}: {value}")
