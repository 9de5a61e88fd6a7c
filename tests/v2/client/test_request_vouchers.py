"""The v2 client's Request Vouchers over a fake API: the request, its money, one X-Correlation-Id, recovery, hooks."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

import uatcert.v2
from uatcert.events import IssuanceHook, IssueIntent, IssueOutcome
from uatcert.faults import FaultTransport
from uatcert.v2 import (
    ApiTimeoutError,
    BadRequestError,
    InternalServerError,
    IssuanceInterruptedError,
    IssuedVoucher,
    RecoverableIssuanceError,
    ResponseValidationError,
    RetryPolicy,
    V2Client,
    request_body,
    to_cents,
    to_face_value,
)

from .conftest import MakeClient
from .fakes import (
    CODE,
    ISSUE_PATH,
    ORDER,
    X_CLIENT_ID,
    X_CLIENT_SECRET,
    FakeApi,
    Recorder,
    checked_json,
    failed,
    issued,
    json_of,
    reply,
    succeeded,
    voucher_json,
)


# -- Request Vouchers ------------------------------------------------------------------------------
def test_request_vouchers_path_headers_and_body(client: V2Client, api: FakeApi) -> None:
    issuance = client.request_vouchers(CODE, ORDER, 2, Decimal("61.72"))
    [request] = api.api_requests
    assert request.url.path == ISSUE_PATH
    assert request.headers["authorization"].startswith("Bearer ")
    assert request.headers["x-client-id"] == X_CLIENT_ID and request.headers["x-client-secret"] == X_CLIENT_SECRET
    assert request.headers["x-correlation-id"] == issuance.correlation_id
    assert request.headers["content-type"] == "application/json"
    assert request.content == b'{"manual_quantity":2,"distribution_mode":"manual","face_value":61.72}'
    assert json_of(request)["face_value"] == pytest.approx(61.72)


def test_fixed_products_send_no_face_value(client: V2Client, api: FakeApi) -> None:
    client.request_vouchers("MAMVDDMMYY01", "202112172914", 1)
    assert json_of(api.api_requests[0]) == {"manual_quantity": 1, "distribution_mode": "manual"}


@pytest.mark.parametrize(("value", "sent"), [
    (Decimal("1"), b"1.00"), (1000, b"1000.00"), ("61.7", b"61.70"), (" 10.51 ", b"10.51"),
    (Decimal("50.000"), b"50.00"),
])
def test_face_value_is_dollars_with_two_decimals(value: Decimal | int | str, sent: bytes) -> None:
    assert request_body(1, to_face_value(value)).endswith(b'"face_value":' + sent + b"}")


@pytest.mark.parametrize("value", [Decimal("0.99"), Decimal("1000.01"), "61.725", "abc", "NaN", "Infinity", 0])
def test_bad_face_values_are_refused_before_sending(client: V2Client, api: FakeApi, value: object) -> None:
    with pytest.raises(ValueError):
        client.request_vouchers(CODE, ORDER, 1, value)  # type: ignore[arg-type]
    assert api.api_requests == []


@pytest.mark.parametrize("value", [61.72, True])
def test_floats_are_never_money(client: V2Client, value: object) -> None:
    with pytest.raises(TypeError):
        client.request_vouchers(CODE, ORDER, 1, value)  # type: ignore[arg-type]


@pytest.mark.parametrize("quantity", [0, 21, -1])
def test_quantity_outside_1_to_20_is_refused_before_sending(client: V2Client, api: FakeApi, quantity: int) -> None:
    with pytest.raises(ValueError):
        client.request_vouchers(CODE, ORDER, quantity, "50")
    assert api.api_requests == []


def test_cents() -> None:
    assert to_cents(Decimal("61.72")) == 6172 and to_cents(Decimal("1000.00")) == 100000


def test_issuance_holds_typed_vouchers(client: V2Client, api: FakeApi) -> None:
    api.queue(issued(2))
    issuance = client.request_vouchers(CODE, ORDER, 2, "61.72")
    assert issuance.status_code == 200 and len(issuance.vouchers) == 2
    assert issuance.face_value == Decimal("61.72") and issuance.order_number == ORDER
    voucher = issuance.vouchers[0]
    assert isinstance(voucher, IssuedVoucher) and voucher.status == "Active"
    assert voucher.expiration_date.isoformat() == "2029-12-31T23:59:59"
    assert "UG5031948826" not in repr(voucher) and "4417" not in repr(voucher)
    assert issuance.settlement_refs == [v.voucher_settlement_ref for v in issuance.vouchers]


@pytest.mark.parametrize(("override", "path"), [
    ({"status": "active"}, "status"),
    ({"expiration_date": "2029-12-31T23:59:59+08:00"}, "expiration_date"),
    ({"expiration_date": "31 Dec 2029"}, "expiration_date"),
    ({"display_codes": None}, "display_codes"),
    ({"voucher_settlement_ref": 12}, "voucher_settlement_ref"),
])
def test_a_voucher_off_the_documented_model_is_named_by_path(client: V2Client, api: FakeApi,
                                                             override: dict[str, object], path: str) -> None:
    api.queue(reply(200, succeeded([voucher_json(**override)])))
    with pytest.raises(ResponseValidationError) as caught:
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert caught.value.paths == [f"$.data[0].{path}"]


def test_tolerated_variations(client: V2Client, api: FakeApi) -> None:
    api.queue(reply(200, {**succeeded([voucher_json(view_code=4417, pin_code=123456, extra="kept")]),
                          "meta": {"status": "succeeded", "messages": []}}))
    voucher = client.request_vouchers(CODE, ORDER, 1, "50").vouchers[0]
    assert voucher.view_code == "4417" and voucher.pin_code == "123456"
    assert (voucher.model_extra or {})["extra"] == "kept"


# -- recovery: one X-Correlation-Id, one identical request -------------------------------------------
def test_same_correlation_id_and_request_on_every_retry(client: V2Client, api: FakeApi, sleeps: list[float]) -> None:
    api.queue(
        httpx.ReadTimeout("lost"),
        reply(500, failed("ERV1102")),
        reply(500, failed("ERV1202")),
        httpx.ConnectError("refused"),
        issued(2),
    )
    issuance = client.request_vouchers(CODE, ORDER, 2, "50")
    assert len(api.api_requests) == 5 and issuance.attempts == 5
    assert {r.headers["x-correlation-id"] for r in api.api_requests} == {issuance.correlation_id}
    assert {r.content for r in api.api_requests} == {api.api_requests[0].content}
    assert {r.url.path for r in api.api_requests} == {ISSUE_PATH}
    assert sleeps == [0.25, 0.5, 1.0, 2.0]
    assert issuance.recovered


def test_given_correlation_id_is_used(client: V2Client, api: FakeApi) -> None:
    issuance = client.request_vouchers(CODE, ORDER, 1, "50", correlation_id="f6dc536c-82fe-bccb-8639-9cb85a4eefcd")
    assert api.api_requests[0].headers["x-correlation-id"] == "f6dc536c-82fe-bccb-8639-9cb85a4eefcd"
    assert issuance.correlation_id == "f6dc536c-82fe-bccb-8639-9cb85a4eefcd" and not issuance.recovered


def test_new_correlation_id_per_logical_issuance(client: V2Client, api: FakeApi) -> None:
    first = client.request_vouchers(CODE, ORDER, 1, "50")
    second = client.request_vouchers(CODE, ORDER, 1, "50")
    assert first.correlation_id != second.correlation_id


def test_unparseable_answers_are_retried(client: V2Client, api: FakeApi) -> None:
    api.queue(reply(200, b"<html>gateway</html>"), reply(200, {"unexpected": True}), issued(1))
    assert client.request_vouchers(CODE, ORDER, 1, "50").attempts == 3


@pytest.mark.parametrize("status", [400, 403, 404])
def test_client_errors_are_not_retried(client: V2Client, api: FakeApi, status: int) -> None:
    api.queue(reply(status, failed("SIM-X")))
    with pytest.raises(uatcert.v2.ApiStatusError) as caught:
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert len(api.api_requests) == 1 and caught.value.status == status and caught.value.code == "SIM-X"


def test_final_error_carries_attempts_and_correlation_id(make_client: MakeClient, api: FakeApi) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=3, jitter=False))
    api.queue(*[reply(500, failed("ERV1102", "timeout")) for _ in range(3)])
    with pytest.raises(IssuanceInterruptedError) as caught:
        client.request_vouchers(CODE, ORDER, 1, "50")
    error = caught.value
    assert error.attempts == 3 and error.correlation_id == api.api_requests[0].headers["x-correlation-id"]
    assert isinstance(error, RecoverableIssuanceError) and isinstance(error, InternalServerError)
    assert "ERV1102" in str(error) and error.status == 500


def test_lost_response_reaches_observers(make_client: MakeClient, api: FakeApi, recorder: Recorder) -> None:
    faults = FaultTransport(httpx.MockTransport(api))
    faults.arm("lose_response", method="POST", path=r"/actions/request$")
    client = make_client(transport=faults)
    issuance = client.request_vouchers(CODE, ORDER, 1, "50")
    attempts = [e for e in recorder.api() if e.method == "POST"]
    assert [a.outcome for a in attempts] == ["lost_response", "response"]
    assert attempts[0].status == 200 and b"voucher_settlement_ref" in attempts[0].response_body
    assert {a.idempotency_key for a in attempts} == {issuance.correlation_id}


# -- hooks and observers ---------------------------------------------------------------------------
class Hook(IssuanceHook):
    def __init__(self) -> None:
        self.intents: list[IssueIntent] = []
        self.outcomes: list[IssueOutcome] = []

    def before(self, intent: IssueIntent) -> None:
        self.intents.append(intent)

    def after(self, outcome: IssueOutcome) -> None:
        self.outcomes.append(outcome)


def test_hooks_hear_intent_in_cents_and_outcome(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    client = make_client(issuance_hooks=[hook])
    api.queue(reply(500, failed("ERV1102")), issued(2))
    issuance = client.request_vouchers(CODE, ORDER, 2, "61.72")
    [intent] = hook.intents
    assert (intent.api, intent.product_code, intent.quantity, intent.face_value, intent.currency) == (
        "v2", CODE, 2, 6172, "SGD")
    assert intent.idempotency_key == issuance.correlation_id
    [outcome] = hook.outcomes
    assert outcome.outcome == "issued" and outcome.voucher_ids == tuple(issuance.settlement_refs)
    assert outcome.attempts == 2 and outcome.replayed  # recovered after a possibly committed attempt


def test_refusals_and_unknown_outcomes(make_client: MakeClient, api: FakeApi) -> None:
    hook = Hook()
    client = make_client(issuance_hooks=[hook], retry=RetryPolicy(max_attempts=2, jitter=False))
    api.queue(reply(400, failed("SIM-QTY")))
    with pytest.raises(BadRequestError):
        client.request_vouchers(CODE, ORDER, 1, "50")
    api.queue(httpx.ReadTimeout("lost"), httpx.ReadTimeout("lost"))
    with pytest.raises(ApiTimeoutError):
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert [o.outcome for o in hook.outcomes] == ["refused", "unknown"]


def test_a_refusing_hook_stops_the_issuance(make_client: MakeClient, api: FakeApi) -> None:
    class Refuse(IssuanceHook):
        def before(self, intent: IssueIntent) -> None:
            raise RuntimeError("over budget")

    hook = Hook()
    client = make_client(issuance_hooks=[hook, Refuse()])
    with pytest.raises(RuntimeError):
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert api.api_requests == [] and hook.outcomes[0].outcome == "refused"


def test_observers_see_token_and_api_exchanges(client: V2Client, recorder: Recorder) -> None:
    issuance = client.request_vouchers(CODE, ORDER, 1, "50")
    assert [e.api for e in recorder.exchanges] == ["token", "v2"]
    assert recorder.exchanges[1].idempotency_key == issuance.correlation_id


def test_request_vouchers_attempts_are_flagged_as_issuance_check_vouchers_is_not(client: V2Client, api: FakeApi,
                                                                                   recorder: Recorder) -> None:
    issuance = client.request_vouchers(CODE, ORDER, 1, "50")
    api.default_api_reply = lambda request: reply(200, succeeded([checked_json(issuance.settlement_refs[0])]))
    client.check_vouchers(issuance.settlement_refs)
    client.send("POST", client.issue_path(CODE, ORDER), content=b"{}")
    client.send("POST", client.check_path(), json={"voucher_settlement_refs": ["x"]})
    assert [(e.api, e.issuance) for e in recorder.exchanges] == [
        ("token", False), ("v2", True), ("v2", False), ("v2", True), ("v2", False)]


