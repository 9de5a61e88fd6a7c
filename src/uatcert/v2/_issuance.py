"""
Request Vouchers: its X-Correlation-Id, its quantity, its body (money as exact SGD dollars, reference §5.4), the
`Issuance` read from its answer (§5.5) and what the issuance hooks hear of it.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from uatcert._http.exchange import CallState
from uatcert.events import IssueIntent, IssueOutcome
from uatcert.v2._constants import CENT, DISTRIBUTION_MODE, MAX_FACE_VALUE, MAX_QUANTITY, MIN_FACE_VALUE, MIN_QUANTITY
from uatcert.v2._models import Issuance, IssuedVoucher
from uatcert.v2._parsing import BODY, success_data


def new_correlation_id() -> str:
    """A fresh X-Correlation-Id: a random (version 4) UUID, one per logical issuance (reference §9.2)."""
    return str(uuid.uuid4())


def check_quantity(quantity: int) -> None:
    """Refuse a quantity Request Vouchers does not take (1..20) before anything is sent."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TypeError("quantity must be an integer")
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise ValueError(f"manual_quantity must be between {MIN_QUANTITY} and {MAX_QUANTITY}, got {quantity}")


def to_face_value(value: Decimal | int | str) -> Decimal:
    """
    A dynamic value-based face value in SGD dollars as an exact `Decimal`, checked against the
    documented range (1 to 1000, cents allowed). Floats are refused: money is never a float.
    """
    if isinstance(value, bool) or isinstance(value, float) or not isinstance(value, Decimal | int | str):
        raise TypeError("face_value must be a Decimal, an int or a string such as '61.72' (never a float)")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"face_value {value!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"face_value {value!r} is not an amount")
    if amount != amount.quantize(CENT):
        raise ValueError(f"face_value {value!r} has more than two decimals (SGD has cents)")
    if not MIN_FACE_VALUE <= amount <= MAX_FACE_VALUE:
        raise ValueError(f"face_value must be between {MIN_FACE_VALUE} and {MAX_FACE_VALUE} SGD, got {amount}")
    return amount.quantize(CENT)


def to_cents(face_value: Decimal) -> int:
    """SGD dollars as integer cents (61.72 -> 6172)."""
    return int((face_value * 100).to_integral_value())


def request_body(quantity: int, face_value: Decimal | None, distribution_mode: str = DISTRIBUTION_MODE) -> bytes:
    """The Request Vouchers body; `face_value` is written as a JSON number with exactly two decimals."""
    head = json.dumps({"manual_quantity": quantity, "distribution_mode": distribution_mode}, separators=(",", ":"))
    if face_value is None:
        return head.encode()
    return f'{head[:-1]},"face_value":{face_value.quantize(CENT)}}}'.encode()


def read_issuance(
    response: httpx.Response, body: Any, state: CallState, product_class: str, order_number: str,
    face_value: Decimal | None, intent: IssueIntent,
) -> Issuance:
    """The `Issuance` of a succeeded answer (its vouchers strictly validated), after every attempt of `state`."""
    return Issuance(
        correlation_id=intent.idempotency_key,
        product_class=product_class,
        order_number=order_number,
        product_code=intent.product_code,
        quantity=intent.quantity,
        face_value=face_value,
        status_code=response.status_code,
        vouchers=BODY.validate_list(IssuedVoucher, success_data(body, response), "$.data", response),
        attempts=state.attempts,
        recovered=state.ambiguous,
        request_ids=list(state.request_ids),
        raw=body if isinstance(body, dict | list) else None,
    )


def issued_outcome(intent: IssueIntent, issuance: Issuance) -> IssueOutcome:
    """What the issuance hooks hear of an issuance: issued, or partial when fewer vouchers came than asked."""
    complete = len(issuance.vouchers) >= issuance.quantity
    return IssueOutcome(
        intent=intent,
        outcome="issued" if complete else "partial",
        http_status=issuance.status_code,
        voucher_ids=tuple(issuance.settlement_refs),
        replayed=issuance.recovered,
        attempts=issuance.attempts,
        request_ids=tuple(issuance.request_ids),
        error=None if complete else f"{len(issuance.vouchers)} of {issuance.quantity} vouchers in the answer",
    )
