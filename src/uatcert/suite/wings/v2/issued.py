"""The vouchers v2 issued during the run, as the integrator received them (kept apart from v3's register)."""

from __future__ import annotations

import dataclasses
import json
import threading
from urllib.parse import urlsplit

from uatcert.events import Exchange
from uatcert.suite.runtime import SuiteRuntime

ISSUED_KEY = "v2.issued"


@dataclasses.dataclass(frozen=True)
class IssuedV2Voucher:
    """A voucher the integrator received, as Request Vouchers described it."""

    settlement_ref: str
    product_code: str
    order_number: str
    voucher_name: str
    expiration_date: str
    status: str


class IssuedV2Vouchers:
    """
    Observer: every voucher of every successful Request Vouchers answer the integrator received
    (first answer wins; replays add nothing), in order. Vouchers of a lost answer are not counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, IssuedV2Voucher] = {}

    def __call__(self, exchange: Exchange) -> None:
        if exchange.api != "v2" or exchange.method != "POST" or not exchange.delivered or exchange.status != 200:
            return
        parts = urlsplit(exchange.url).path.split("/")
        if parts[-3:] != ["vouchers", "actions", "request"] or len(parts) < 9:
            return
        order_number, product_code = parts[-6], parts[-4]
        try:
            body = json.loads(exchange.response_body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            return
        with self._lock:
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("voucher_settlement_ref"), str):
                    ref = item["voucher_settlement_ref"]
                    self._items.setdefault(ref, IssuedV2Voucher(
                        ref, product_code, order_number, str(item.get("voucher_name", "")),
                        str(item.get("expiration_date", "")), str(item.get("status", "")),
                    ))

    def all(self) -> list[IssuedV2Voucher]:
        with self._lock:
            return list(self._items.values())


def issued(runtime: SuiteRuntime) -> IssuedV2Vouchers:
    """The vouchers issued by v2 during the run (kept apart from v3's `runtime.issued`)."""
    return runtime.memo(ISSUED_KEY, IssuedV2Vouchers)
