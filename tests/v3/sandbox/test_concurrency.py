"""Fifty simultaneous requests with one Idempotency-Key issue exactly once."""

from __future__ import annotations

import sys
import threading
import uuid
from collections import Counter

import httpx
import pytest

from tests.v3.sandbox.sandbox_support import FIXED, Api

REQUESTS = 50


def _fire(api: Api, key: str) -> list[httpx.Response | BaseException]:
    token = api.token()
    barrier = threading.Barrier(REQUESTS)
    results: list[httpx.Response | BaseException] = [RuntimeError("not run")] * REQUESTS

    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=REQUESTS)

    def one(client: httpx.Client, index: int) -> None:
        barrier.wait()
        try:
            results[index] = client.post(
                f"{api.srv.v3_base_url}/products/{FIXED}",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                json={"quantity": 2},
            )
        except httpx.HTTPError as exc:
            results[index] = exc

    with httpx.Client(timeout=30, limits=limits) as client:  # one pool, 50 connections, one per thread
        threads = [threading.Thread(target=one, args=(client, i)) for i in range(REQUESTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


@pytest.mark.parametrize("slow", [False, True], ids=["plain", "slow-commit"])
def test_fifty_concurrent_same_key_requests_issue_once(
    api: Api, slow: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    if slow:
        api.ctl.arm_fault("slow_commit", delay_s=0.2)
    key = str(uuid.uuid4())
    results = _fire(api, key)
    responses = [r for r in results if isinstance(r, httpx.Response)]
    assert len(responses) == REQUESTS, [r for r in results if not isinstance(r, httpx.Response)]
    statuses = Counter(r.status_code for r in responses)
    ledger = api.ctl.ledger(idempotency_key=key)
    with capsys.disabled():
        sys.stdout.write(
            f"\n[sandbox concurrency{' + slow_commit' if slow else ''}] requests sent: {REQUESTS}, "
            f"statuses seen: {dict(sorted(statuses.items()))}, issuances recorded: {len(ledger)}\n"
        )
    assert len(ledger) == 1
    assert set(statuses) <= {200, 409}
    ok = [r for r in responses if r.status_code == 200]
    assert ok and all(r.content == ok[0].content for r in ok)
    assert [v["voucher_id"] for v in ok[0].json()["data"]] == ledger[0]["voucher_ids"]
    assert sum("idempotency-record" not in r.headers for r in ok) == 1
