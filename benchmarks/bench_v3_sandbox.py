"""
Figures for the embedded v3 sandbox and client, measured in one run on this machine:

- sequential issuance through the typed client (requests per second, p50/p95 latency);
- 50 concurrent issuances sharing one idempotency key (requests sent, issuances recorded).

Run: .venv/bin/python benchmarks/bench_v3_sandbox.py [N]
Bounded: N issuances (default 200), one burst of 50 threads, loopback only.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time

import httpx

from uatcert.sandbox import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    BackgroundServer,
    SandboxConfig,
    SandboxControl,
    create_app,
)
from uatcert.v3 import V3Client, new_idempotency_key

PRODUCT = "UNIVGROCERIESDYNAMIC01"


def sequential(server: BackgroundServer, count: int) -> None:
    latencies = []
    with V3Client(server.v3_base_url, server.token_url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET) as client:
        client.access_token()
        started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            client.issue(PRODUCT, 1, 5000)
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=20)
    print(f"sequential issuance: {count} requests in {elapsed:.2f} s = {count / elapsed:.0f} req/s; "
          f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {quantiles[18] * 1000:.1f} ms")


def same_key_burst(server: BackgroundServer, threads: int = 50) -> None:
    with V3Client(server.v3_base_url, server.token_url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET) as client:
        token = client.access_token()
    key = new_idempotency_key()
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def fire() -> None:
        barrier.wait()
        response = httpx.post(f"{server.v3_base_url}/products/{PRODUCT}", json={"quantity": 1, "face_value": 5000},
                              headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key}, timeout=30)
        with lock:
            statuses.append(response.status_code)

    workers = [threading.Thread(target=fire) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    with SandboxControl(server.base_url) as control:
        issuances = len(control.ledger(idempotency_key=key))
    print(f"same-key burst: {len(statuses)} concurrent requests, statuses {dict(sorted(_count(statuses).items()))}, "
          f"issuances recorded {issuances}")


def _count(values: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with BackgroundServer(create_app(SandboxConfig())) as server:
        sequential(server, count)
        same_key_burst(server)


if __name__ == "__main__":
    main()
