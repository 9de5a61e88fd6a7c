"""
Sandbox throughput: the sandbox served as `uatcert sandbox` would be (its own process on 127.0.0.1), 16
concurrent clients (threads, one keep-alive connection each) issuing single vouchers as fast as they get
answers, then reading every issued voucher back. Figures: issuances per second and their p50/p99 latency
(client side, request sent to answer read), retrievals per second.

Run: .venv/bin/python benchmarks/bench_sandbox.py [PER_CLIENT]   (default 150 issuances per client)
Bounded: 16 x PER_CLIENT issuances and as many retrievals, loopback only; the sandbox is stopped by pid.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import threading
import time
import uuid

import httpx

from uatcert.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

CLIENTS = 16
PRODUCT = "UNIVGROCERIESDYNAMIC01"
"""Open value, no stock limit."""


def _start() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "uatcert.sandbox", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.match(r"^  base URL\s+(\S+)$", line.rstrip("\n"))
        if found:
            return proc, found.group(1)
    raise SystemExit("the sandbox did not start")


def _burst(clients: list[httpx.Client], work: list[list[httpx.Request]]) -> tuple[float, list[float], list[bytes]]:
    latencies: list[float] = []
    bodies: list[bytes] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)

    def one(client: httpx.Client, requests: list[httpx.Request]) -> None:
        mine, answers = [], []
        barrier.wait()
        for request in requests:
            started = time.perf_counter()
            response = client.send(request)
            mine.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{request.method} {request.url.path}: HTTP {response.status_code}")
            answers.append(response.content)
        with lock:
            latencies.extend(mine)
            bodies.extend(answers)

    threads = [threading.Thread(target=one, args=(c, w)) for c, w in zip(clients, work, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, bodies


def main(per_client: int) -> dict[str, float]:
    proc, base = _start()
    try:
        token = httpx.post(f"{base}/oauth2/token", auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                           data={"grant_type": "client_credentials"}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        clients = [httpx.Client(base_url=f"{base}/v3", headers=auth) for _ in range(CLIENTS)]
        for client in clients:  # open each connection before the clock starts
            client.get("/products")
        issue = [[c.build_request("POST", f"/products/{PRODUCT}", json={"quantity": 1, "face_value": 5000},
                                  headers={"Idempotency-Key": str(uuid.uuid4())}) for _ in range(per_client)]
                 for c in clients]
        elapsed, latencies, bodies = _burst(clients, issue)
        issued = [m.group(1) for body in bodies for m in re.finditer(rb'"voucher_id":\s*"([^"]+)"', body)]
        per_s = len(latencies) / elapsed
        cuts = statistics.quantiles(latencies, n=100)
        p50, p99 = statistics.median(latencies) * 1000, cuts[98] * 1000
        print(f"sandbox: {len(latencies)} issuances by {CLIENTS} clients in {elapsed:.2f} s = {per_s:.0f}/s, "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)
        ids = [issued[i::CLIENTS] for i in range(CLIENTS)]
        reads = [[c.build_request("GET", f"/vouchers/{v.decode()}") for v in mine] for c, mine in zip(clients, ids,
                                                                                                      strict=True)]
        read_s, read_latencies, _ = _burst(clients, reads)
        reads_per_s = len(read_latencies) / read_s
        print(f"sandbox: {len(read_latencies)} retrievals by {CLIENTS} clients in {read_s:.2f} s = "
              f"{reads_per_s:.0f}/s, p99 {statistics.quantiles(read_latencies, n=100)[98] * 1000:.1f} ms", flush=True)
        for client in clients:
            client.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return {"sandbox_issuances_per_s": round(per_s), "sandbox_p50_ms": round(p50, 1), "sandbox_p99_ms": round(p99, 1),
            "sandbox_retrievals_per_s": round(reads_per_s)}


if __name__ == "__main__":
    for name, value in main(int(sys.argv[1]) if len(sys.argv) > 1 else 150).items():
        print(f"{name}: {value}")
