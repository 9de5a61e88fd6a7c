"""The issuance hooks around one logical issuance, and the outcome they hear."""

from __future__ import annotations

import httpx
import pytest

from uatcert._http.exchange import CallState
from uatcert._http.issuance import IssuanceHooks, refused_or_unknown
from uatcert.events import IssuanceHook, IssueIntent, IssueOutcome

from .core import DemoConnectionError, DemoStatusError, DemoTokenError

INTENT = IssueIntent(api="demo", idempotency_key="k-1", product_code="P", quantity=1, face_value=None)


class Hook(IssuanceHook):
    def __init__(self, *, refuse: bool = False, fail_after: bool = False) -> None:
        self.intents: list[IssueIntent] = []
        self.outcomes: list[IssueOutcome] = []
        self.refuse = refuse
        self.fail_after = fail_after

    def before(self, intent: IssueIntent) -> None:
        if self.refuse:
            raise RuntimeError("over budget")
        self.intents.append(intent)

    def after(self, outcome: IssueOutcome) -> None:
        self.outcomes.append(outcome)
        if self.fail_after:
            raise OSError("ledger disk full")


def issued(value: str) -> IssueOutcome:
    return IssueOutcome(intent=INTENT, outcome="issued", http_status=200, voucher_ids=(value,))


def refusal(status: int = 400) -> DemoStatusError:
    return DemoStatusError(httpx.Response(status, request=httpx.Request("POST", "https://h/p")))


def run(hooks: list[Hook], call: object, state: CallState | None = None) -> str:
    state = state or CallState(key="k-1")
    return IssuanceHooks(hooks, what="allocation").run(
        INTENT, state, call,  # type: ignore[arg-type]
        succeeded=issued, failed=lambda error: refused_or_unknown(INTENT, state, error),
    )


def test_before_then_after_around_the_call() -> None:
    hook = Hook()
    assert run([hook], lambda: "v-1") == "v-1"
    assert hook.intents == [INTENT] and hook.outcomes == [issued("v-1")]


def test_a_refusing_hook_stops_the_issuance_before_anything_is_sent() -> None:
    ledger, budget, later = Hook(), Hook(refuse=True), Hook()
    called: list[bool] = []
    with pytest.raises(RuntimeError, match="budget"):
        run([ledger, budget, later], lambda: called.append(True))
    assert called == [] and budget.outcomes == [] and later.intents == [] and later.outcomes == []
    [outcome] = ledger.outcomes
    assert (outcome.outcome, outcome.attempts, outcome.http_status) == ("refused", 0, None)
    assert "refused before sending: RuntimeError: over budget" == outcome.error


def test_an_api_error_is_stamped_and_heard_as_its_outcome() -> None:
    hook = Hook()
    state = CallState(key="k-1", attempts=2, last_status=400, request_ids=["r1"])

    def call() -> str:
        raise refusal()

    with pytest.raises(DemoStatusError) as caught:
        run([hook], call, state)
    assert (caught.value.attempts, caught.value.key) == (2, "k-1")
    [outcome] = hook.outcomes
    assert (outcome.outcome, outcome.http_status, outcome.attempts, outcome.request_ids) == (
        "refused", 400, 2, ("r1",))
    assert outcome.error == str(caught.value)


def test_a_hook_failing_after_a_success_surfaces_once_every_hook_was_told() -> None:
    failing, other = Hook(fail_after=True), Hook()
    with pytest.raises(OSError, match="ledger"):
        run([failing, other], lambda: "v-1")
    assert len(other.outcomes) == 1


def test_a_hook_failing_after_an_api_error_is_a_note_on_it() -> None:
    def call() -> str:
        raise refusal(404)

    with pytest.raises(DemoStatusError) as caught:
        run([Hook(fail_after=True)], call)
    assert caught.value.__notes__ == ["an allocation hook failed afterwards: OSError: ledger disk full"]


def test_an_unexpected_exception_is_heard_as_unknown() -> None:
    hook = Hook()

    def call() -> str:
        raise KeyError("bug in a transport")

    with pytest.raises(KeyError):
        run([hook], call)
    assert hook.outcomes[0].outcome == "unknown" and "KeyError" in (hook.outcomes[0].error or "")


@pytest.mark.parametrize(("error", "ambiguous", "expected"), [
    (refusal(), False, "refused"),
    (refusal(), True, "unknown"),  # an earlier attempt may have committed
    (DemoTokenError("no", response=httpx.Response(401, request=httpx.Request("POST", "https://h/t")),
                    error="invalid_client"), False, "refused"),
    (DemoConnectionError("lost"), False, "unknown"),
])
def test_refused_only_when_answered_and_nothing_may_have_committed(error: Exception, ambiguous: bool,
                                                                   expected: str) -> None:
    state = CallState(ambiguous=ambiguous, attempts=1)
    assert refused_or_unknown(INTENT, state, error).outcome == expected  # type: ignore[arg-type]
