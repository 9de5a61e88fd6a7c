"""Products of the seeded sandbox catalogue and helpers of the v3 client's live tests."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from uatcert.v3._parsing import parse_error_body

from .conftest import Live

FIXED = "MAMVDDMMYY01"
OPEN = "UNIVGROCERIESDYNAMIC01"
GIFT = "SUV050ECARD03"
ITEMS = "SAMPLECAFE5CUPS01"
STOCKED = "LTDBOOKS20SGD01"
NO_STATUS = "TPCINEMA12SGD01"
NEEDS_ACTIVATION = "ACTIVATE25SGD01"
ISSUE_PATH = r"^/v3/products/[^/]+$"


def wait_until(condition: Callable[[], object], what: str, limit_s: float = 10.0) -> None:
    """Poll a server-side condition (bounded; never asserts on elapsed time)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"sandbox never reached: {what}")
        time.sleep(0.01)


def ledger_ids(live: Live, key: str) -> list[list[str]]:
    return [entry["voucher_ids"] for entry in live.ctl.ledger(idempotency_key=key)]


def code_of(response: httpx.Response) -> str | None:
    body = parse_error_body(response)
    return body.code if body is not None else None


