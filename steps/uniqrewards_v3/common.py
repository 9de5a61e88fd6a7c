"""Helpers of the v3 step modules (the steps they share are in this folder's conftest.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from steps.common import note
from uatcert.events import Exchange
from uatcert.sandbox import SandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.wings.v3.checks import voucher_objects
from uatcert.suite.wings.v3.target import V3Target
from uatcert.suite.wings.v3.vouchers import same_vouchers
from uatcert.v3 import Issuance, Product

OPEN_VALUE_DEFAULT_CENTS = 5000


def face_value_for(product: Product) -> int | None:
    return OPEN_VALUE_DEFAULT_CENTS if product.is_open_value else None


def body_for(product: Product, quantity: int) -> dict[str, int]:
    """The issuance body for `quantity` vouchers of `product` (a face value only for open-value products)."""
    body = {"quantity": quantity}
    face_value = face_value_for(product)
    if face_value is not None:
        body["face_value"] = face_value
    return body


def harness(condition: bool, trouble: str) -> None:
    """A precondition of the suite itself (its faults, its client): broken when it does not hold, never a finding."""
    if not condition:
        raise RuntimeError(f"harness: {trouble}")


def issue_path(code: str) -> str:
    """The issuance path of a product, its code quoted as one path segment (any character may be in a code)."""
    return f"/products/{quote(code, safe='')}"


# recovery (IDEM) ------------------------------------------------------------------------------
def vouchers_of(exchange: Exchange) -> list[dict[str, Any]]:
    response = httpx.Response(exchange.status or 0, content=exchange.response_body)
    return voucher_objects(response)


def same_as_first(check: Check, first: list[dict[str, Any]], replay: Issuance) -> None:
    """A replay holds the original vouchers: same ids, codes, values and expiry (status recorded only)."""
    problems = same_vouchers(first, replay.vouchers)
    check.that(not problems, "the original vouchers (same ids, codes, values and expiry)", "; ".join(problems))
    statuses = {str(v.get("voucher_id")): v.get("status") for v in first}
    changed = {v.voucher_id: [statuses.get(v.voucher_id), v.status] for v in replay.vouchers
               if statuses.get(v.voucher_id) != v.status}
    if changed:
        note("status in the replay differs from the original answer (undocumented; not asserted)", changed)


def as_sent(issuance: Issuance) -> list[dict[str, Any]]:
    return [v.model_dump(mode="json") for v in issuance.vouchers]


def one_key(issuance: Issuance, attempts: list[Exchange]) -> None:
    keys = {a.request_headers.get("idempotency-key") for a in attempts}
    harness(keys == {issuance.idempotency_key}, f"the client changed the idempotency key: {sorted(map(str, keys))}")


def exactly_one_issuance(
    issuance: Issuance, v3_sandbox: SandboxControl | None, v3_target: V3Target, check: Check
) -> None:
    if v3_sandbox is None:
        note("issuance ledger", f"{v3_target.label} has no ledger to read; exactly-once is shown by the replayed "
             "voucher ids and the read-back")
        return
    entries = v3_sandbox.ledger(idempotency_key=issuance.idempotency_key)
    check.that(len(entries) == 1, "exactly one issuance in the provider's ledger for the key", f"{len(entries)}")
    recorded = sorted(entries[0].get("voucher_ids", []))
    check.that(recorded == sorted(v.voucher_id for v in issuance.vouchers),
               "the ledger's vouchers are the ones the client holds", recorded)
