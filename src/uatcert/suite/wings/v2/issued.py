"""The vouchers v2 issued during the run, as the integrator received them (kept apart from v3's register)."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote, urlsplit

from uatcert.events import Exchange
from uatcert.suite.runtime import SuiteRuntime

ISSUED_KEY = "v2.issued"
DOCUMENTED_KEYS = ("voucher_ref", "voucher_settlement_ref", "voucher_name", "status", "expiration_date",
                   "edenred_url", "view_code", "display_codes")
"""The keys of the documentation's voucher object (reference §5.5, §8.1); `pin_code` is added when present."""


@dataclasses.dataclass(frozen=True)
class IssuedV2Voucher:
    """A voucher the integrator received, as Request Vouchers described it, and what was asked for it."""

    settlement_ref: str
    product_code: str
    order_number: str
    voucher_name: str
    expiration_date: str
    status: str
    voucher_ref: str = ""
    correlation_id: str | None = None
    """The X-Correlation-Id of the request that first returned it."""
    face_value: Decimal | None = None
    """The face value asked (SGD dollars), as sent in the request body; None when none was sent."""
    fields: tuple[tuple[str, Any], ...] = ()
    """Its documented keys as received (`documented(item)`), for field-by-field comparisons."""


def documented(item: dict[str, Any]) -> dict[str, Any]:
    """The documented keys of a voucher object (and `pin_code` when present), as received."""
    keys = DOCUMENTED_KEYS + (("pin_code",) if "pin_code" in item else ())
    return {k: item.get(k) for k in keys}


def issue_route(url: str) -> tuple[str, str] | None:
    """(order number, product code) of a Request Vouchers URL, unquoted; None for any other URL."""
    parts = urlsplit(url).path.split("/")
    if parts[-3:] != ["vouchers", "actions", "request"] or len(parts) < 9:
        return None
    return unquote(parts[-6]), unquote(parts[-4])


def asked_face_value(body: bytes) -> Decimal | None:
    try:
        payload = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    value = payload.get("face_value") if isinstance(payload, dict) else None
    try:
        return Decimal(str(value)) if isinstance(value, int | Decimal | str) and not isinstance(value, bool) else None
    except InvalidOperation:
        return None


class IssuedV2Vouchers:
    """
    Observer: every voucher of every successful Request Vouchers answer the integrator received
    (first answer wins; replays add nothing), in order. Vouchers of a lost answer are not counted.
    It also remembers which correlation ids returned each settlement ref, and which settlement refs
    came with each voucher_ref, so that a reference shared by two issuances can be named.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, IssuedV2Voucher] = {}
        self._ids_of_ref: dict[str, set[str | None]] = {}
        self._refs_of_code: dict[str, set[str]] = {}
        self._changed: set[str] = set()

    def __call__(self, exchange: Exchange) -> None:
        if exchange.api != "v2" or exchange.method != "POST" or not exchange.delivered or exchange.status != 200:
            return
        route = issue_route(exchange.url)
        if route is None:
            return
        order_number, product_code = route
        try:
            body = json.loads(exchange.response_body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            return
        face_value = asked_face_value(exchange.request_body or b"")
        key = exchange.idempotency_key
        with self._lock:
            for item in data:
                if not (isinstance(item, dict) and isinstance(item.get("voucher_settlement_ref"), str)):
                    continue
                ref = item["voucher_settlement_ref"]
                code = str(item.get("voucher_ref", ""))
                # A correlation id without a record of its own (no header) is one issuance per exchange.
                self._ids_of_ref.setdefault(ref, set()).add(key if key else f"(no id) {id(exchange)}")
                if code:
                    self._refs_of_code.setdefault(code, set()).add(ref)
                self._items.setdefault(ref, IssuedV2Voucher(
                    ref, product_code, order_number, str(item.get("voucher_name", "")),
                    str(item.get("expiration_date", "")), str(item.get("status", "")), code, key, face_value,
                    tuple(documented(item).items()),
                ))

    def all(self) -> list[IssuedV2Voucher]:
        with self._lock:
            return list(self._items.values())

    def shared(self, refs: list[str]) -> list[str]:
        """For these settlement refs: each one another issuance also returned, and each of their voucher_refs
        another voucher also carries (described; empty when every reference is the voucher's own)."""
        problems = []
        with self._lock:
            for ref in refs:
                ids = self._ids_of_ref.get(ref, set())
                if len(ids) > 1:
                    problems.append(f"settlement ref {ref} returned under {len(ids)} correlation ids")
                voucher = self._items.get(ref)
                others = self._refs_of_code.get(voucher.voucher_ref, set()) - {ref} if voucher else set()
                if others:
                    problems.append(f"voucher_ref of {ref} also carried by {sorted(others)[0]}")
        return problems

    def per_product(self) -> Counter[str]:
        """Vouchers received per product code."""
        with self._lock:
            return Counter(v.product_code for v in self._items.values())

    def mark_changed(self, ref: str) -> None:
        """The run changed this voucher at the provider (sandbox): it no longer reads back as issued."""
        with self._lock:
            self._changed.add(ref)

    def changed(self) -> set[str]:
        with self._lock:
            return set(self._changed)


def issued(runtime: SuiteRuntime) -> IssuedV2Vouchers:
    """The vouchers issued by v2 during the run (kept apart from v3's `runtime.issued`)."""
    return runtime.memo(ISSUED_KEY, IssuedV2Vouchers)
