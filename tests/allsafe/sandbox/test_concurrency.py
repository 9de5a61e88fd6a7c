"""N parallel allocations against a stock of M: min(N, M) distinct vouchers handed out, the rest refused (492)."""

from __future__ import annotations

import sys
import threading
from collections import Counter

import pytest

from uatcert.allsafe import Allocation, AllSafeClient, AllSafeError, NoVouchersError

from ..conftest import Live

VENDOR, VALUE = "RaceMart", 10


def burst(client: AllSafeClient, requests: int) -> list[Allocation | AllSafeError]:
    """`requests` allocations of RaceMart 10 released together by a barrier, one thread each."""
    barrier = threading.Barrier(requests)
    results: list[Allocation | AllSafeError | None] = [None] * requests

    def one(index: int) -> None:
        barrier.wait()
        try:
            results[index] = client.allocate(VENDOR, VALUE, reference=f"race-{index}")
        except AllSafeError as exc:
            results[index] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results), "a request did not finish"
    return [r for r in results if r is not None]


@pytest.mark.parametrize(("requests", "stock"), [(20, 5), (12, 12), (6, 15), (50, 17)])
def test_parallel_allocations_never_share_a_voucher(
    live: Live, capsys: pytest.CaptureFixture[str], requests: int, stock: int
) -> None:
    live.control.set_stock(VENDOR, VALUE, stock)
    results = burst(live.client(), requests)
    allocated = [r for r in results if isinstance(r, Allocation)]
    refused = [r for r in results if isinstance(r, NoVouchersError)]
    codes = {a.voucher.code for a in allocated}
    ids = {a.voucher.id for a in allocated}
    expected = min(requests, stock)
    with capsys.disabled():
        sys.stdout.write(
            f"\n[allsafe concurrency] N={requests} parallel allocations, stock M={stock}: allocated "
            f"{len(allocated)} (min(N, M) = {expected}), distinct codes {len(codes)}, distinct ids {len(ids)}, "
            f"refused 492: {len(refused)}, other: {dict(Counter(type(r).__name__ for r in results))}\n"
        )
    assert len(allocated) == expected and len(codes) == expected and len(ids) == expected
    assert len(refused) == requests - expected and len(allocated) + len(refused) == requests
    assert len(live.control.ledger()) == expected
    assert live.control.available(VENDOR, VALUE) == stock - expected


def test_the_not_atomic_defect_hands_out_a_voucher_twice(live: Live) -> None:
    """The defect the ALS-ALLOC parallel scenario must catch: concurrent allocations share vouchers."""
    live.control.set_defect("allsafe_allocation_not_atomic")
    live.control.set_stock(VENDOR, VALUE, 3)
    results = burst(live.client(), 6)
    codes = [r.voucher.code for r in results if isinstance(r, Allocation)]
    assert len(codes) > len(set(codes))
