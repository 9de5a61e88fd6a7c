"""
An issuance (`POST /products/{code}`, reference §5.3): its idempotency key, the `Issuance` read from
its answer and what the issuance hooks hear of it.

200 holds every voucher asked; 207 fewer, with the error object `207-762`; `Idempotency-Record`
marks an answer replayed from the provider's idempotency cache.
"""

from __future__ import annotations

import uuid

import httpx

from uatcert._http.exchange import CallState
from uatcert.events import IssueIntent, IssueOutcome
from uatcert.v3._constants import IDEMPOTENCY_RECORD_HEADER
from uatcert.v3._models import Issuance, Voucher
from uatcert.v3._parsing import BODY, error_body_from


def new_idempotency_key() -> str:
    """A fresh idempotency key: a random (version 4) UUID in its canonical text form."""
    return str(uuid.uuid4())


def read_issuance(response: httpx.Response, intent: IssueIntent, state: CallState) -> Issuance:
    """The `Issuance` of a 200/207 answer (strictly validated vouchers; the 207 error object kept)."""
    body = BODY.decode_json(response)
    path, items = BODY.locate_list(body, response)
    vouchers = BODY.validate_list(Voucher, items, path, response)
    record = response.headers.get(IDEMPOTENCY_RECORD_HEADER)
    return Issuance(
        idempotency_key=intent.idempotency_key,
        product_code=intent.product_code,
        quantity=intent.quantity,
        face_value=intent.face_value,
        status_code=response.status_code,
        vouchers=vouchers,
        replayed=record is not None,
        idempotency_record=record,
        attempts=state.attempts,
        partial_error=error_body_from(body) if response.status_code == 207 else None,
        request_ids=list(state.request_ids),
        raw=body if isinstance(body, dict | list) else None,
    )


def issued_outcome(intent: IssueIntent, issuance: Issuance) -> IssueOutcome:
    """What the issuance hooks hear of a successful (or partial) issuance."""
    return IssueOutcome(
        intent=intent,
        outcome="partial" if issuance.status_code == 207 else "issued",
        http_status=issuance.status_code,
        voucher_ids=tuple(issuance.voucher_ids),
        replayed=issuance.replayed,
        attempts=issuance.attempts,
        request_ids=tuple(issuance.request_ids),
        error=_partial_text(issuance),
    )


def _partial_text(issuance: Issuance) -> str | None:
    if issuance.partial_error is None:
        return None
    return f"[{issuance.partial_error.code or 'no code'}] {issuance.partial_error.message or ''}".rstrip()
