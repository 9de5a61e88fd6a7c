"""
Figures for the embedded AllSafe sandbox and client, measured in one run on this machine:

- N parallel allocations against a stock of M (threads released together by a barrier): how many were
  allocated (must be min(N, M)), how many distinct vouchers (must be all of them), how many refused 492;
- sequential allocation through the typed client (requests per second, p50/p95 latency).

Run: .venv/bin/python benchmarks/bench_allsafe_concurrency.py [SEQUENTIAL_N]
Bounded: a few bursts of at most 100 threads and SEQUENTIAL_N allocations (default 200), loopback only.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time

from uatcert.allsafe import Allocation, AllSafeClient, AllSafeError, NoVouchersError
from uatcert.sandbox import (
    ALLSAFE_PASSWORD,
    ALLSAFE_PREFIX,
    ALLSAFE_USERNAME,
    AllSafeSandboxControl,
    BackgroundServer,
    SandboxConfig,
    create_app,
)

BURSTS = ((10, 3), (20, 5), (50, 17), (50, 50), (100, 40), (30, 100))
VENDOR, VALUE = "RaceMart", 10


def burst(client: AllSafeClient, control: AllSafeSandboxControl, requests: int, stock: int) -> None:
    control.reset()
    control.set_stock(VENDOR, VALUE, stock)
    barrier = threading.Barrier(requests)
    results: list[Allocation | AllSafeError] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        try:
            result: Allocation | AllSafeError = client.allocate(VENDOR, VALUE)
        except AllSafeError as exc:
            result = exc
        with lock:
            results.append(result)

    started = time.perf_counter()
    workers = [threading.Thread(target=one) for _ in range(requests)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    elapsed = time.perf_counter() - started
    allocated = [r for r in results if isinstance(r, Allocation)]
    refused = sum(1 for r in results if isinstance(r, NoVouchersError))
    distinct = len({a.voucher.code for a in allocated})
    ledger = len(control.ledger())
    verdict = "OK" if len(allocated) == distinct == ledger == min(requests, stock) and refused == requests - len(
        allocated) else "WRONG"
    print(f"N={requests:3d} parallel, stock M={stock:3d}: allocated {len(allocated):3d} (min(N, M) = "
          f"{min(requests, stock):3d}), distinct {distinct:3d}, refused 492: {refused:3d}, provider ledger {ledger:3d}"
          f", {elapsed * 1000:.0f} ms  {verdict}")


def sequential(client: AllSafeClient, control: AllSafeSandboxControl, count: int) -> None:
    control.reset()
    control.set_stock(VENDOR, VALUE, count)
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        client.allocate(VENDOR, VALUE)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(f"sequential allocation: {count} in {elapsed:.2f} s = {count / elapsed:.0f} req/s; "
          f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with BackgroundServer(create_app(SandboxConfig())) as server, \
            AllSafeSandboxControl(server.base_url) as control, \
            AllSafeClient(f"{server.base_url}{ALLSAFE_PREFIX}", ALLSAFE_USERNAME, ALLSAFE_PASSWORD) as client:
        for requests, stock in BURSTS:
            burst(client, control, requests, stock)
        sequential(client, control, count)


if __name__ == "__main__":
    main()
