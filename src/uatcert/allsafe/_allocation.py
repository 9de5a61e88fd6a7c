"""
What an allocation's answer means, and what the issuance hooks hear of it.

A 2xx with a usable voucher is an `Allocation`; a documented (or any other 4xx-like) refusal is its
typed status error; everything that leaves the outcome unknown (a timeout or a connection lost after
sending, a 5xx, a 204, an unreadable 2xx) is `ReconciliationRequired`, never retried.
"""

from __future__ import annotations

from decimal import Decimal

import httpx

from uatcert._http.errors import ClientError, where
from uatcert._http.exchange import CallState
from uatcert._http.issuance import call_outcome
from uatcert.allsafe._error_mapping import make_status_error
from uatcert.allsafe._exceptions import (
    AllSafeConnectionError,
    AllSafeError,
    AllSafeStatusError,
    AllSafeTimeoutError,
    ReconcileReason,
    ReconciliationRequired,
    ResponseValidationError,
)
from uatcert.allsafe._models import AllocatedVoucher, Allocation, value_text
from uatcert.allsafe._parsing import BODY
from uatcert.events import IssueIntent, IssueOutcome


def read_allocation(
    response: httpx.Response, state: CallState, *, vendor: str, value: Decimal, ref: str, reference_sent: bool
) -> Allocation:
    """The allocation a final answer stands for; its typed refusal, or `ReconciliationRequired`."""
    status = response.status_code
    if status >= 500:
        cause = make_status_error(response)
        raise reconcile("server_error", vendor, value, ref, response.request, status, cause,
                        f"HTTP {status}") from cause
    if status == 204:
        raise reconcile("no_content", vendor, value, ref, response.request, status, None,
                        "HTTP 204 with no voucher: stock may have been consumed")
    if not 200 <= status < 300:
        raise make_status_error(response, vendor=vendor, value=value)
    try:
        voucher = BODY.read_object(AllocatedVoucher, response)
    except ResponseValidationError as invalid:
        raise reconcile("unreadable_success", vendor, value, ref, response.request, status, invalid,
                        f"HTTP {status} without a usable voucher ({invalid})") from invalid
    return Allocation(
        reference=ref, vendor=vendor, value=value, voucher=voucher, status_code=status,
        attempts=state.attempts, request_ids=tuple(state.request_ids), reference_sent=reference_sent,
    )


def connection_lost(error: AllSafeConnectionError, vendor: str, value: Decimal, ref: str) -> ReconciliationRequired:
    """An allocation that reached the provider and got no usable answer (timeout or connection lost)."""
    reason: ReconcileReason = "timeout" if isinstance(error, AllSafeTimeoutError) else "connection_lost"
    return reconcile(reason, vendor, value, ref, error.request, None, error, str(error))


def reconcile(
    reason: ReconcileReason, vendor: str, value: Decimal, ref: str, request: httpx.Request | None,
    status: int | None, cause: AllSafeError | None, detail: str,
) -> ReconciliationRequired:
    """The error of an allocation whose outcome is unknown."""
    label = f"{where(request)} for {vendor} {value_text(value)} (reference {ref})"
    return ReconciliationRequired(
        f"{label}: outcome unknown ({reason}: {detail}); not retried. Action: reconcile in the AllSafe "
        "portal before allocating again",
        reason=reason, reference=ref, vendor=vendor, value=value, status=status, cause_error=cause,
        request=request,
    )


def allocated_outcome(intent: IssueIntent, allocation: Allocation) -> IssueOutcome:
    """What the issuance hooks hear of a successful allocation."""
    voucher_id = allocation.voucher.id
    return IssueOutcome(
        intent=intent,
        outcome="issued",
        http_status=allocation.status_code,
        voucher_ids=(voucher_id,) if voucher_id else (),
        attempts=allocation.attempts,
        request_ids=allocation.request_ids,
    )


def failed_outcome(intent: IssueIntent, state: CallState, error: ClientError) -> IssueOutcome:
    """What the hooks hear of a failed allocation: refused (answered, or never sent), else unknown."""
    if isinstance(error, AllSafeStatusError):
        return call_outcome(intent, state, "refused", str(error))
    if isinstance(error, AllSafeConnectionError) and not error.sent:
        return IssueOutcome(intent=intent, outcome="refused", http_status=None, attempts=state.attempts,
                            request_ids=tuple(state.request_ids),
                            error=f"never reached the provider (the connection could not be opened): {error}")
    status = error.status if isinstance(error, ReconciliationRequired) else state.last_status
    return IssueOutcome(intent=intent, outcome="unknown", http_status=status, attempts=state.attempts,
                        request_ids=tuple(state.request_ids), error=f"needs reconciliation: {error}")
