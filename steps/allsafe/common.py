"""Helpers shared by the AllSafe step modules: capturing outcomes, noting stock, reading the ledger."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from uatcert.allsafe import (
    Allocation,
    AllSafeError,
    AllSafeStatusError,
    Availability,
    ReconciliationRequired,
    ResponseValidationError,
    VoucherType,
    value_text,
)
from uatcert.evidence import read_ledger
from uatcert.sandbox import AllSafeSandboxControl
from uatcert.suite.checks import Check
from uatcert.suite.findings import Nonconformance, short
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.scenario import ScenarioExchanges

T = TypeVar("T")
def type_label(vendor: str, value: Decimal) -> str:
    return f"{vendor} {value_text(value)}"


def largest(availability: Availability) -> VoucherType | None:
    """The voucher type with the most left (the least likely to run out during the run)."""
    kinds = sorted(availability.available, key=lambda t: (-t.remaining, t.vendor, t.value))
    return kinds[0] if kinds else None


def succeed(check: Check, what: str, call: Callable[[], T]) -> T:
    """Run a call that must succeed; a refusal, an unknown outcome or a body off the model is a finding."""
    try:
        return call()
    except ResponseValidationError as exc:
        raise Nonconformance(check.requirement, f"{what} matching the proposed model", short(str(exc)),
                             product=check.product) from exc
    except AllSafeStatusError as exc:
        check.fail(what, f"HTTP {exc.status} {exc.label}: {exc.message or exc.title or 'no detail'}")
        raise  # unreachable: fail() raises
    except ReconciliationRequired as exc:
        check.fail(what, f"an allocation of unknown outcome ({exc.reason}, HTTP {exc.status}): {exc}")
        raise


@dataclasses.dataclass
class Outcome:
    """What one call came back with (a result or an error) and how many requests it sent."""

    what: str
    result: Any = None
    error: AllSafeError | None = None
    response: httpx.Response | None = None
    requests: int = 0
    reference: str | None = None

    def describe(self) -> str:
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        if isinstance(self.result, Allocation):
            voucher = self.result.voucher
            return f"an allocated voucher (id {voucher.id}, {voucher.vendor} {voucher.value})"
        if isinstance(self.result, Availability):
            return f"availability ({self.result.form}, {len(self.result.available)} voucher types)"
        if self.response is not None:  # never the body: a 2xx may carry a voucher code
            kind = self.response.headers.get("content-type", "no content type")
            return f"HTTP {self.response.status_code} ({kind}, {len(self.response.content)} bytes)"
        return repr(self.result)


def capture(exchanges: ScenarioExchanges, what: str, call: Callable[[], Any]) -> Outcome:
    """Run `call`, keeping its result or AllSafe error and the number of AllSafe requests it sent."""
    mark = len(exchanges.all())
    outcome = Outcome(what)
    try:
        result = call()
    except AllSafeError as exc:
        outcome.error = exc
        outcome.reference = exc.reference
    else:
        if isinstance(result, httpx.Response):
            outcome.response = result
        else:
            outcome.result = result
        if isinstance(result, Allocation):
            outcome.reference = result.reference
    outcome.requests = sum(1 for e in exchanges.all()[mark:] if e.api == "allsafe")
    return outcome


@dataclasses.dataclass(frozen=True)
class StockNote:
    """The campaign's stock as availability showed it, and (on the sandbox) the allocations recorded."""

    availability: dict[tuple[str, Decimal], int]
    allocations: int | None


def note_stock(availability: Availability, sandbox: AllSafeSandboxControl | None) -> StockNote:
    return StockNote(availability.snapshot(), None if sandbox is None else len(sandbox.ledger()))


def ledger_records(runtime: SuiteRuntime, reference: str) -> list[dict[str, Any]]:
    """The run's ledger lines (intent, outcome) of the AllSafe allocation with this reference."""
    return [
        r for r in read_ledger(runtime.ledger.path)
        if r.get("api") == "allsafe" and r.get("idempotency_key") == reference and r.get("event") in ("intent",
                                                                                                      "outcome")
    ]


def require_ledger_outcome(runtime: SuiteRuntime, reference: str, outcome: str) -> dict[str, Any]:
    """The ledger's outcome line for the reference; harness trouble (not a finding) when it is missing."""
    records = ledger_records(runtime, reference)
    intents = [r for r in records if r["event"] == "intent"]
    outcomes = [r for r in records if r["event"] == "outcome"]
    if len(intents) != 1 or len(outcomes) != 1 or outcomes[0].get("outcome") != outcome:
        raise RuntimeError(
            f"harness: the run's ledger should hold one intent and one '{outcome}' outcome for reference "
            f"{reference}; it holds {[(r['event'], r.get('outcome')) for r in records]}"
        )
    return outcomes[0]
