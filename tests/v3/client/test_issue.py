"""Issuance: request shape, results, replays, partial success, local validation and the issuance hooks."""

from __future__ import annotations

import uuid

import httpx
import pytest

from uatcert.events import IssueIntent, IssueOutcome
from uatcert.v3 import (
    ApiTimeoutError,
    BadRequestError,
    InternalServerError,
    Issuance,
    ResponseValidationError,
    TokenError,
    V3Client,
    new_idempotency_key,
)

from .fakes import FakeApi, MakeClient, error_json, json_of, reply, voucher_json

KEY = "5f0c7a9e-2b2d-4c47-9a55-0d0a3c1f4b11"


class Hook:
    def __init__(self, refuse: bool = False, fail_after: bool = False) -> None:
        self.intents: list[IssueIntent] = []
        self.outcomes: list[IssueOutcome] = []
        self.refuse = refuse
        self.fail_after = fail_after

    def before(self, intent: IssueIntent) -> None:
        self.intents.append(intent)
        if self.refuse:
            raise RuntimeError("budget exceeded")

    def after(self, outcome: IssueOutcome) -> None:
        self.outcomes.append(outcome)
        if self.fail_after:
            raise OSError("ledger disk full")


def test_new_idempotency_key_is_uuid4() -> None:
    keys = {new_idempotency_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(uuid.UUID(k).version == 4 and str(uuid.UUID(k)) == k for k in keys)


def test_issue_request_and_result(client: V3Client, api: FakeApi) -> None:
    vouchers = [voucher_json(), voucher_json()]
    api.queue(reply(200, {"data": vouchers}, {"x-amzn-RequestId": "req-1"}))
    issuance = client.issue("UNIV/GROC 01", 2, 5000)
    request = api.api_requests[0]
    assert request.method == "POST"
    assert request.url.raw_path == b"/v3/products/UNIV%2FGROC%2001"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert uuid.UUID(request.headers["idempotency-key"]).version == 4
    assert json_of(request) == {"quantity": 2, "face_value": 5000}
    assert isinstance(issuance, Issuance)
    assert issuance.status_code == 200 and not issuance.replayed and issuance.idempotency_record is None
    assert issuance.voucher_ids == [v["voucher_id"] for v in vouchers]
    assert (issuance.product_code, issuance.quantity, issuance.face_value) == ("UNIV/GROC 01", 2, 5000)
    assert issuance.attempts == 1 and issuance.request_ids == ["req-1"]
    assert issuance.partial_error is None and not issuance.is_partial


def test_face_value_not_sent_when_absent(client: V3Client, api: FakeApi) -> None:
    client.issue("FIXED", 1)
    assert json_of(api.api_requests[0]) == {"quantity": 1}


def test_replay_detected(client: V3Client, api: FakeApi) -> None:
    api.queue(reply(200, {"data": [voucher_json()]}, {"Idempotency-Record": "2024-01-01T00:00:00Z"}))
    issuance = client.issue("P", 1, idempotency_key=KEY)
    assert issuance.replayed and issuance.idempotency_record == "2024-01-01T00:00:00Z"


def test_partial_issuance(client: V3Client, api: FakeApi) -> None:
    api.queue(reply(207, {"data": [voucher_json()], "error": {"code": "207-762", "message": "only 1 of 3"}}))
    issuance = client.issue("P", 3)
    assert issuance.status_code == 207 and issuance.is_partial
    assert issuance.partial_error is not None and issuance.partial_error.code == "207-762"
    assert len(issuance.vouchers) == 1


@pytest.mark.parametrize("quantity", [0, 21, -1, 100])
def test_quantity_out_of_range_never_sent(client: V3Client, api: FakeApi, quantity: int) -> None:
    with pytest.raises(ValueError, match="quantity"):
        client.issue("P", quantity)
    assert api.api_requests == [] and api.token_requests == []


@pytest.mark.parametrize("quantity", [1, 20])
def test_quantity_bounds_accepted(client: V3Client, api: FakeApi, quantity: int) -> None:
    api.queue(reply(200, {"data": [voucher_json() for _ in range(quantity)]}))
    assert len(client.issue("P", quantity).vouchers) == quantity


@pytest.mark.parametrize("quantity", [True, 2.0, "2"])
def test_quantity_must_be_int(client: V3Client, quantity: object) -> None:
    with pytest.raises(TypeError):
        client.issue("P", quantity)  # type: ignore[arg-type]


def test_empty_product_code_rejected(client: V3Client) -> None:
    with pytest.raises(ValueError):
        client.issue("", 1)


def test_hooks_told_before_and_after(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    client = make_client(issuance_hooks=[hook])
    api.queue(reply(503, None), reply(200, {"data": [voucher_json()]}, {"X-Request-Id": "r2"}))
    issuance = client.issue("P", 1, 1051, idempotency_key=KEY)
    assert hook.intents == [IssueIntent(api="v3", idempotency_key=KEY, product_code="P", quantity=1,
                                        face_value=1051, base_url=client.base_url, token_url=client.token_url,
                                        client_id=client.client_id)]
    [outcome] = hook.outcomes
    assert outcome.outcome == "issued" and outcome.http_status == 200
    assert outcome.voucher_ids == tuple(issuance.voucher_ids)
    assert outcome.attempts == 2 and outcome.request_ids == ("r2",) and not outcome.replayed


def test_hook_refusal_sends_nothing(make_client: MakeClient, api: FakeApi) -> None:
    ledger, budget = Hook(), Hook(refuse=True)
    client = make_client(issuance_hooks=[ledger, budget])
    with pytest.raises(RuntimeError, match="budget"):
        client.issue("P", 1)
    assert api.api_requests == [] and api.token_requests == []
    [outcome] = ledger.outcomes
    assert outcome.outcome == "refused" and outcome.attempts == 0 and outcome.http_status is None
    assert budget.outcomes == []


def test_outcome_partial(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    api.queue(reply(207, {"data": [voucher_json()], "error": {"code": "207-762", "message": "m"}}))
    make_client(issuance_hooks=[hook]).issue("P", 2)
    assert hook.outcomes[0].outcome == "partial" and hook.outcomes[0].http_status == 207
    assert hook.outcomes[0].error == "[207-762] m"


def test_outcome_refused_on_plain_4xx(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    api.queue(reply(400, error_json("400-056")))
    with pytest.raises(BadRequestError):
        make_client(issuance_hooks=[hook]).issue("P", 1, 99)
    [outcome] = hook.outcomes
    assert outcome.outcome == "refused" and outcome.http_status == 400 and "400-056" in (outcome.error or "")


def test_outcome_refused_when_token_refused(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    api.queue_token(reply(400, {"error": "invalid_client"}))
    with pytest.raises(TokenError):
        make_client(issuance_hooks=[hook]).issue("P", 1)
    assert hook.outcomes[0].outcome == "refused" and hook.outcomes[0].attempts == 0


def test_outcome_unknown_when_no_answer(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    api.queue(*[httpx.ReadTimeout("slow")] * 5)
    with pytest.raises(ApiTimeoutError) as caught:
        make_client(issuance_hooks=[hook]).issue("P", 1, idempotency_key=KEY)
    assert caught.value.attempts == 5 and caught.value.idempotency_key == KEY
    [outcome] = hook.outcomes
    assert outcome.outcome == "unknown" and outcome.http_status is None and outcome.attempts == 5


def test_outcome_unknown_after_5xx(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    api.queue(*[reply(500, None)] * 5)
    with pytest.raises(InternalServerError):
        make_client(issuance_hooks=[hook]).issue("P", 1)
    assert hook.outcomes[0].outcome == "unknown" and hook.outcomes[0].http_status == 500


def test_outcome_unknown_when_a_lost_answer_preceded_a_refusal(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    api.queue(httpx.ReadTimeout("lost"), reply(400, error_json("400-0C6")))
    with pytest.raises(BadRequestError):
        make_client(issuance_hooks=[hook]).issue("P", 1)
    assert hook.outcomes[0].outcome == "unknown"


def test_outcome_unknown_on_unreadable_success(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    api.queue(reply(200, {"data": [voucher_json(status="gone")]}))
    with pytest.raises(ResponseValidationError) as caught:
        make_client(issuance_hooks=[hook]).issue("P", 1, idempotency_key=KEY)
    assert caught.value.idempotency_key == KEY and caught.value.attempts == 1
    assert hook.outcomes[0].outcome == "unknown" and hook.outcomes[0].http_status == 200

