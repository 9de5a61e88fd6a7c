"""The one retry loop and its backoff: what it repeats, how long it waits, what it raises at the end."""

from __future__ import annotations

import httpx
import pytest

from uatcert._http.exchange import CallState
from uatcert._http.retry import Backoff, call_with_retry

from .core import DemoConnectionError, DemoError, DemoStatusError


def status(code: int, headers: dict[str, str] | None = None) -> DemoStatusError:
    request = httpx.Request("POST", "https://core.test.invalid/api/things")
    return DemoStatusError(httpx.Response(code, headers=headers, request=request))


class Script:
    """A logical call that raises the scripted errors in turn, then returns "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.attempts: list[int] = []

    def __call__(self, attempt: int) -> str:
        self.attempts.append(attempt)
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def run(script: Script, sleeps: list[float], policy: Backoff | None = None, state: CallState | None = None,
        retryable: object = None, random: float = 1.0) -> str:
    return call_with_retry(
        script, policy=policy or Backoff(jitter=False), error_type=DemoError, sleep=sleeps.append, state=state,
        retryable=retryable if callable(retryable) else (lambda error: True), random=lambda: random,
    )


def test_defaults() -> None:
    policy = Backoff()
    assert (policy.max_attempts, policy.backoff_base_s, policy.backoff_cap_s) == (5, 0.25, 4.0)
    assert policy.retry_after_cap_s == 30.0 and policy.jitter is True


@pytest.mark.parametrize("kwargs", [{"max_attempts": 0}, {"backoff_base_s": -1}, {"backoff_cap_s": -1},
                                    {"retry_after_cap_s": -1}])
def test_validates(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)  # type: ignore[arg-type]


def test_backoff_doubles_up_to_cap() -> None:
    policy = Backoff(jitter=False)
    assert [policy.backoff_s(n) for n in range(1, 8)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.999, 1.0])
def test_full_jitter_stays_within_ceiling(fraction: float) -> None:
    policy = Backoff()
    for n in range(1, 10):
        ceiling = min(4.0, 0.25 * 2 ** (n - 1))
        assert policy.backoff_s(n, fraction) == pytest.approx(ceiling * fraction)
        assert 0.0 <= policy.backoff_s(n, fraction) <= ceiling


def test_retries_while_retryable_with_backoff(sleeps: list[float]) -> None:
    script = Script(DemoConnectionError("a"), status(500), DemoConnectionError("b"))
    assert run(script, sleeps) == "done"
    assert script.attempts == [1, 2, 3, 4] and sleeps == [0.25, 0.5, 1.0]


def test_jittered_sleeps_use_the_random_fraction(sleeps: list[float]) -> None:
    run(Script(status(500), status(500), status(500)), sleeps, policy=Backoff(), random=0.5)
    assert sleeps == [0.125, 0.25, 0.5]


def test_last_error_after_the_last_attempt_carries_the_calls_attempts_and_key(sleeps: list[float]) -> None:
    state = CallState(key="k-1", attempts=7)
    with pytest.raises(DemoStatusError) as caught:
        run(Script(*[status(503) for _ in range(5)]), sleeps, state=state)
    assert (caught.value.attempts, caught.value.key) == (7, "k-1") and len(sleeps) == 4


def test_a_refused_retry_is_final_at_once(sleeps: list[float]) -> None:
    script = Script(status(400), status(500))
    with pytest.raises(DemoStatusError) as caught:
        run(script, sleeps, state=CallState(key="k", attempts=1), retryable=lambda e: e.status >= 500)
    assert caught.value.status == 400 and script.attempts == [1] and sleeps == []
    assert (caught.value.attempts, caught.value.key) == (1, "k")


def test_other_exceptions_pass_through_untouched(sleeps: list[float]) -> None:
    script = Script(KeyError("bug"))
    with pytest.raises(KeyError):
        run(script, sleeps)
    assert script.attempts == [1] and sleeps == []


def test_max_attempts_one_disables_retry(sleeps: list[float]) -> None:
    script = Script(status(503))
    with pytest.raises(DemoStatusError):
        run(script, sleeps, policy=Backoff(max_attempts=1))
    assert script.attempts == [1] and sleeps == []


def test_retry_after_is_honoured_capped_and_ignored_when_unreadable(sleeps: list[float]) -> None:
    script = Script(status(429, {"Retry-After": "3"}), status(503, {"Retry-After": "120"}),
                    status(429, {"Retry-After": "soon"}), DemoConnectionError("no answer"))
    run(script, sleeps, policy=Backoff(jitter=False, retry_after_cap_s=10))
    assert sleeps == [3.0, 10.0, 1.0, 2.0]
