"""The sandbox's v2 X-Correlation-Id: replays, conflicts, faults and retries, in-progress waits."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.v2.sandbox.support import (
    FIXED,
    FIXED_ORDER,
    OTHER,
    V2,
    assert_failed,
    refs,
)
from uatcert.sandbox import (
    BackgroundServer,
    SandboxControl,
)


# -- X-Correlation-Id --------------------------------------------------------------------------------
def test_same_correlation_id_replays_the_same_vouchers(v2: V2, sandbox: SandboxControl) -> None:
    key = "f6dc536c-82fe-bccb-8639-9cb85a4eefcd"  # the documentation's sample: not a v4 UUID
    first = v2.request(body={"manual_quantity": 3, "face_value": 50}, correlation_id=key)
    sandbox.set_voucher_state(refs(first)[0], "use")
    again = v2.request(body={"face_value": 50.00, "manual_quantity": 3, "distribution_mode": "manual"},
                       correlation_id=key)
    assert again.status_code == 200 and refs(again) == refs(first)
    assert again.json()["data"] == first.json()["data"]  # as issued, not the live status
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_correlation_ids_are_per_client_and_case_sensitive(v2: V2, sandbox: SandboxControl) -> None:
    key = "Recovery-ABC"
    first = v2.request(correlation_id=key)
    other_token = v2.token(OTHER.client_id, OTHER.client_secret)
    other = v2.request(headers=v2.headers(token=other_token, x_id=OTHER.x_client_id, x_secret=OTHER.x_client_secret,
                                          correlation_id=key))
    lower = v2.request(correlation_id=key.lower())
    assert len({*refs(first), *refs(other), *refs(lower)}) == 3


def test_a_different_request_with_the_same_id_is_a_conflict(v2: V2, sandbox: SandboxControl) -> None:
    key = str(uuid.uuid4())
    v2.request(correlation_id=key)
    assert_failed(v2.request(body={"manual_quantity": 2, "face_value": 50}, correlation_id=key), 409,
                  "SIM-CORRELATION-CONFLICT")
    assert_failed(v2.request(FIXED, FIXED_ORDER, {"manual_quantity": 1}, correlation_id=key), 409,
                  "SIM-CORRELATION-CONFLICT")
    assert len(sandbox.ledger(api="v2")) == 1


def test_refusals_store_nothing_for_the_id(v2: V2, sandbox: SandboxControl) -> None:
    key = str(uuid.uuid4())
    assert_failed(v2.request(body={"manual_quantity": 1}, correlation_id=key), 400, "SIM-FV-REQUIRED")
    assert v2.request(body={"manual_quantity": 1, "face_value": 5}, correlation_id=key).status_code == 200


def test_without_correlation_id_there_is_no_protection(v2: V2, sandbox: SandboxControl) -> None:
    first, second = v2.request(correlation_id=None), v2.request(correlation_id=None)
    assert refs(first) != refs(second) and first.headers["x-correlation-id"] != second.headers["x-correlation-id"]
    assert_failed(v2.request(correlation_id="x" * 129), 400, "SIM-CORRELATION-FORMAT")


def test_commit_then_500_answers_erv1102_and_the_retry_replays(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("commit_then_500", api="v2", path="/actions/request$")
    key = str(uuid.uuid4())
    failed = v2.request(correlation_id=key)
    assert_failed(failed, 500, "ERV1102")
    assert failed.headers["x-correlation-id"] == key
    [entry] = sandbox.ledger(api="v2", idempotency_key=key)
    retry = v2.request(correlation_id=key)
    assert retry.status_code == 200 and refs(retry) == entry["voucher_ids"]
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_fail_before_commit_answers_erv1202_and_issues_nothing(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("fail_before_commit", api="v2", path="/actions/request$")
    key = str(uuid.uuid4())
    assert_failed(v2.request(correlation_id=key), 500, "ERV1202")
    assert sandbox.ledger(api="v2") == []
    assert v2.request(correlation_id=key).status_code == 200
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_partial_issuance_is_completed_by_the_retry(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("partial", api="v2", path="/actions/request$", count=2)
    key = str(uuid.uuid4())
    body = {"manual_quantity": 5, "face_value": 50}
    assert_failed(v2.request(body=body, correlation_id=key), 500, "ERV1202")
    [partial] = sandbox.ledger(api="v2", idempotency_key=key)
    assert len(partial["voucher_ids"]) == 2 and partial["http_status"] == 500
    retry = v2.request(body=body, correlation_id=key)
    assert retry.status_code == 200 and len(refs(retry)) == 5 and refs(retry)[:2] == partial["voucher_ids"]
    again = v2.request(body=body, correlation_id=key)
    assert refs(again) == refs(retry)
    assert sum(len(e["voucher_ids"]) for e in sandbox.ledger(api="v2", idempotency_key=key)) == 5


def test_commit_then_drop_cuts_the_answer_and_the_retry_replays(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("commit_then_drop", api="v2", path="/actions/request$")
    key = str(uuid.uuid4())
    with pytest.raises(httpx.RemoteProtocolError):
        v2.request(correlation_id=key)
    [entry] = sandbox.ledger(api="v2", idempotency_key=key)
    assert refs(v2.request(correlation_id=key)) == entry["voucher_ids"]


def test_rate_limit_answers_the_v2_envelope(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.arm_fault("rate_limit", api="v2", path="/actions/request$", retry_after=3)
    response = v2.request()
    assert_failed(response, 429, "SIM-RATE-LIMIT")
    assert response.headers["retry-after"] == "3"


def _held(control: SandboxControl, polls: int = 5000) -> bool:
    """True once a slow_commit fault holds a request in progress (polled a bounded number of times)."""
    return any(any(f["holding"] for f in control.faults()) for _ in range(polls))


def test_a_retry_while_in_progress_waits_for_the_first(v2: V2, sandbox: SandboxControl, server: BackgroundServer,
                                                        http: httpx.Client) -> None:
    sandbox.arm_fault("slow_commit", api="v2", path="/actions/request$", delay_s=0.5)
    key = str(uuid.uuid4())
    results: dict[str, httpx.Response] = {}

    def first() -> None:
        with httpx.Client(timeout=10) as own:
            results["first"] = V2(server, own).request(correlation_id=key, headers=v2.headers(correlation_id=key))

    worker = threading.Thread(target=first)
    worker.start()
    assert _held(sandbox), "the first request was never held"
    second = v2.request(correlation_id=key)
    worker.join(10)
    assert results["first"].status_code == second.status_code == 200
    assert refs(second) == refs(results["first"])
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 1


def test_a_retry_while_in_progress_past_the_wait_is_a_conflict(start_sandbox: Callable[..., BackgroundServer],
                                                                http: httpx.Client) -> None:
    srv = start_sandbox(v2_correlation_wait_s=0)
    api, key = V2(srv, http), str(uuid.uuid4())
    with SandboxControl(srv.base_url) as control:
        control.arm_fault("slow_commit", api="v2", path="/actions/request$", delay_s=5)
        results: dict[str, httpx.Response] = {}

        def first() -> None:
            with httpx.Client(timeout=10) as own:
                results["first"] = V2(srv, own).request(correlation_id=key, headers=api.headers(correlation_id=key))

        worker = threading.Thread(target=first)
        worker.start()
        assert _held(control), "the first request was never held"
        assert_failed(api.request(correlation_id=key), 409, "SIM-CORRELATION-IN-PROGRESS")
        control.clear_faults()  # releases the held request
        worker.join(10)
        assert results["first"].status_code == 200
