"""AllSafe allocations against a scripted fake API: request, voucher, unknown outcomes, hooks, the contract."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from uatcert.allsafe import (
    AllSafeClient,
    AllSafeConnectionError,
    AllSafeContract,
    NoVouchersError,
    ReconciliationRequired,
    RetryPolicy,
    ValidationFailedError,
)
from uatcert.evidence import IssuanceLedger, read_ledger
from uatcert.faults import FaultTransport

from .conftest import MakeClient
from .fakes import AVAILABILITY, PASSWORD, USERNAME, VOUCHER, FakeApi, HookSpy, Recorder, problem, reply

AVAIL = "GET /availability"
ALLOC = "POST /allocate"


# -- allocation -----------------------------------------------------------------------------------
def test_allocation_sends_vendor_value_and_reference_and_reads_the_voucher(client: AllSafeClient,
                                                                           api: FakeApi) -> None:
    allocation = client.allocate("ExampleMart", 50, reference="order-7f3c2a")
    assert api.bodies(ALLOC) == [{"vendor": "ExampleMart", "value": 50, "reference": "order-7f3c2a"}]
    assert api.requests[0].headers["content-type"] == "application/json"
    voucher = allocation.voucher
    assert (voucher.id, voucher.code, voucher.pin, voucher.serial_number) == (
        VOUCHER["id"], VOUCHER["code"], "8831", "000123456789")
    assert voucher.expires_at is not None and voucher.expires_at.year == 2099
    assert allocation.reference == "order-7f3c2a" and allocation.attempts == 1 and allocation.status_code == 200
    for secret in (VOUCHER["code"], "8831", "000123456789"):
        assert secret not in repr(allocation)


def test_a_fresh_reference_is_made_when_none_is_given(client: AllSafeClient, api: FakeApi) -> None:
    first, second = client.allocate("ExampleMart", 50), client.allocate("ExampleMart", 50)
    assert first.reference != second.reference
    assert [b["reference"] for b in api.bodies(ALLOC)] == [first.reference, second.reference]


def test_values_are_sent_as_numbers(client: AllSafeClient, api: FakeApi) -> None:
    client.allocate("BookNook", Decimal("75.50"))
    client.allocate("BookNook", 100.0)
    assert [b["value"] for b in api.bodies(ALLOC)] == [75.5, 100]


@pytest.mark.parametrize(("status", "body"), [
    (200, {"code": "ONLY-A-CODE"}),
    (201, {**VOUCHER, "pin": 8831, "extra": {"nested": 1}}),
    (200, {"data": {**VOUCHER, "pin": None, "serialNumber": None, "expiryDate": None, "id": None}}),
    (200, {"voucherCode": "C-1", "voucherId": 42}),
])
def test_optional_fields_missing_or_null_extra_fields_and_201_are_fine(
    client: AllSafeClient, api: FakeApi, status: int, body: object
) -> None:
    api.script(ALLOC, reply(status, body))
    allocation = client.allocate("ExampleMart", 50)
    assert allocation.voucher.code and allocation.status_code == status


def test_a_numeric_pin_is_read_as_text(client: AllSafeClient, api: FakeApi) -> None:
    api.script(ALLOC, reply(200, {**VOUCHER, "pin": 8831}))
    assert client.allocate("ExampleMart", 50).voucher.pin == "8831"


@pytest.mark.parametrize(("vendor", "value"), [("", 50), ("X", 0), ("X", -5), ("X", Decimal("NaN"))])
def test_invalid_arguments_are_refused_before_sending(client: AllSafeClient, api: FakeApi, vendor: str,
                                                      value: Decimal) -> None:
    with pytest.raises(ValueError):
        client.allocate(vendor, value)
    assert api.requests == []


def test_a_bool_is_not_a_value(client: AllSafeClient) -> None:
    with pytest.raises(TypeError):
        client.allocate("X", True)


# -- unknown outcomes: never retried -------------------------------------------------------------
@pytest.mark.parametrize(("answer", "reason", "status"), [
    (reply(500, {"title": "oops"}), "server_error", 500),
    (reply(503), "server_error", 503),
    (reply(204), "no_content", 204),
    (reply(200, {"id": "x", "vendor": "ExampleMart"}), "unreadable_success", 200),
    (reply(200, text="<html>ok</html>"), "unreadable_success", 200),
    (reply(200, {**VOUCHER, "code": ""}), "unreadable_success", 200),
    (httpx.ReadTimeout("slow"), "timeout", None),
    (httpx.RemoteProtocolError("peer closed"), "connection_lost", None),
    (httpx.ReadError("reset"), "connection_lost", None),
])
def test_an_allocation_of_unknown_outcome_needs_reconciliation_and_is_never_retried(
    client: AllSafeClient, api: FakeApi, hooks: HookSpy, answer: object, reason: str, status: int | None
) -> None:
    api.defaults[ALLOC] = answer  # type: ignore[assignment]
    with pytest.raises(ReconciliationRequired) as caught:
        client.allocate("ExampleMart", 50, reference="ref-1")
    error = caught.value
    assert (error.reason, error.status, error.reference, error.attempts) == (reason, status, "ref-1", 1)
    assert api.count(ALLOC) == 1
    assert "not retried" in str(error) and "reconcil" in error.action and error.user_message
    assert [o.outcome for o in hooks.outcomes] == ["unknown"]
    assert hooks.outcomes[0].intent.idempotency_key == "ref-1"


def test_a_request_that_never_left_is_resent(client: AllSafeClient, api: FakeApi, hooks: HookSpy) -> None:
    api.script(ALLOC, httpx.ConnectError("refused"))
    allocation = client.allocate("ExampleMart", 50, reference="ref-2")
    assert allocation.attempts == 2 and api.count(ALLOC) == 2  # the fake raised ConnectError for the first
    assert [o.outcome for o in hooks.outcomes] == ["issued"]


def test_a_request_that_never_left_after_every_attempt_is_refused_not_unknown(
    make_client: MakeClient, api: FakeApi, hooks: HookSpy
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=2, jitter=False))
    api.defaults[ALLOC] = httpx.ConnectError("refused")
    with pytest.raises(AllSafeConnectionError) as caught:
        client.allocate("ExampleMart", 50)
    assert not caught.value.sent and caught.value.attempts == 2
    assert hooks.outcomes[0].outcome == "refused" and "never reached" in (hooks.outcomes[0].error or "")


def test_a_lost_response_is_reconciled_with_the_answer_kept_for_the_evidence(
    api: FakeApi, recorder: Recorder, hooks: HookSpy
) -> None:
    faults = FaultTransport(httpx.MockTransport(api))
    faults.arm("lose_response", method="POST", path=r"/allocate$")
    with AllSafeClient("https://allsafe.test.invalid", USERNAME, PASSWORD, transport=faults, observers=[recorder],
                       issuance_hooks=[hooks], sleep=lambda _: None) as client:
        with pytest.raises(ReconciliationRequired) as caught:
            client.allocate("ExampleMart", 50, reference="lost-1")
    assert caught.value.reason == "timeout" and api.count(ALLOC) == 1
    [exchange] = [e for e in recorder.exchanges if e.method == "POST"]
    assert exchange.outcome == "lost_response" and exchange.status == 200 and b"EXM-4K9P" in exchange.response_body
    assert exchange.idempotency_key == "lost-1" and exchange.api == "allsafe"


# -- hooks, ledger, events ------------------------------------------------------------------------
def test_hooks_hear_intent_before_and_outcome_after(client: AllSafeClient, api: FakeApi, hooks: HookSpy) -> None:
    allocation = client.allocate("ExampleMart", 50, reference="r-1")
    api.script(ALLOC, reply(492))
    with pytest.raises(NoVouchersError):
        client.allocate("ExampleMart", Decimal("7.5"), reference="r-2")
    first, second = hooks.intents
    assert (first.api, first.idempotency_key, first.product_code, first.quantity, first.face_value,
            first.currency) == ("allsafe", "r-1", "ExampleMart", 1, 50, "ZAR")
    assert second.face_value is None  # not a whole number: it is in the request, not the intent
    assert [(o.outcome, o.http_status, o.voucher_ids) for o in hooks.outcomes] == [
        ("issued", 200, (allocation.voucher.id,)), ("refused", 492, ())]


def test_a_hook_refusing_before_sending_stops_the_allocation(make_client: MakeClient, api: FakeApi) -> None:
    class Refuse(HookSpy):
        def before(self, intent: object) -> None:
            raise RuntimeError("over budget")

    with pytest.raises(RuntimeError, match="over budget"):
        make_client(issuance_hooks=[Refuse()]).allocate("ExampleMart", 50)
    assert api.requests == []


def test_the_run_ledger_records_intent_and_unknown_outcome(make_client: MakeClient, api: FakeApi,
                                                           tmp_path: Path) -> None:
    ledger = IssuanceLedger(tmp_path / "ledger.jsonl")
    client = make_client(issuance_hooks=[ledger], observers=[ledger])
    api.script(ALLOC, reply(502))
    with pytest.raises(ReconciliationRequired):
        client.allocate("ExampleMart", 50, reference="ref-unknown")
    ledger.close()
    records = [r for r in read_ledger(tmp_path / "ledger.jsonl") if r["idempotency_key"] == "ref-unknown"]
    assert [r["event"] for r in records] == ["intent", "attempt", "outcome"]
    assert records[-1]["outcome"] == "unknown" and records[-1]["http_status"] == 502 and records[-1]["api"] == "allsafe"


def test_observers_see_every_exchange_and_one_that_raises_is_ignored(make_client: MakeClient,
                                                                     recorder: Recorder) -> None:
    def broken(_: object) -> None:
        raise RuntimeError("observer bug")

    client = make_client(observers=[broken, recorder])
    client.availability()
    client.allocate("ExampleMart", 50, reference="seen")
    assert [(e.api, e.method, e.status, e.idempotency_key) for e in recorder.exchanges] == [
        ("allsafe", "GET", 200, None), ("allsafe", "POST", 200, "seen")]


def test_allocation_attempts_are_flagged_as_issuance_on_the_configured_route(make_client: MakeClient, api: FakeApi,
                                                                             recorder: Recorder) -> None:
    api.defaults["PUT /vouchers/allocate"] = reply(200, VOUCHER)
    client = make_client(contract=AllSafeContract(allocate_path="/vouchers/allocate", allocate_method="PUT"))
    client.availability()
    client.allocate("ExampleMart", 50, reference="r-1")
    client.send("PUT", "/vouchers/allocate", json={"vendor": "X"})
    client.send("POST", "/vouchers/allocate", json={"vendor": "X"})
    assert [(e.method, e.issuance) for e in recorder.exchanges] == [
        ("GET", False), ("PUT", True), ("PUT", True), ("POST", False)]


# -- the contract is configuration ----------------------------------------------------------------
def test_paths_method_and_field_names_come_from_the_contract(make_client: MakeClient, api: FakeApi) -> None:
    contract = AllSafeContract(availability_path="/v1/availability", allocate_path="/vouchers/allocate",
                               vendor_field="vendorName", value_field="faceValue", reference_field="clientRef")
    api.defaults["GET /v1/availability"] = reply(200, AVAILABILITY)
    api.defaults["POST /vouchers/allocate"] = reply(200, VOUCHER)
    client = make_client(contract=contract)
    client.availability()
    client.allocate("ExampleMart", 50, reference="r")
    assert api.bodies("POST /vouchers/allocate") == [{"vendorName": "ExampleMart", "faceValue": 50, "clientRef": "r"}]


def test_a_get_contract_sends_query_parameters_and_no_reference_when_disabled(make_client: MakeClient,
                                                                               api: FakeApi) -> None:
    api.defaults["GET /allocate"] = reply(200, VOUCHER)
    client = make_client(contract=AllSafeContract(allocate_method="get", reference_field=""))
    allocation = client.allocate("ExampleMart", 50)
    [request] = api.requests
    assert request.method == "GET" and dict(request.url.params) == {"vendor": "ExampleMart", "value": "50"}
    assert not allocation.reference_sent and allocation.reference  # still the ledger's key


@pytest.mark.parametrize("kwargs", [{"allocate_path": "allocate"}, {"allocate_method": "DELETE"},
                                    {"vendor_field": "a b"}, {"vendor_field": "value"}])
def test_a_bad_contract_is_refused(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        AllSafeContract(**kwargs)


def test_send_and_error_for_map_raw_responses(client: AllSafeClient, api: FakeApi) -> None:
    api.script(ALLOC, problem(495, "Validation Failed", "bad body", errors={"body": ["is not valid JSON"]}))
    response = client.send("POST", "/allocate", content=b'{"vendor": ')
    error = client.error_for(response)
    assert isinstance(error, ValidationFailedError) and error.field_errors == {"body": ["is not valid JSON"]}
    assert client.error_for(httpx.Response(200, request=response.request)) is None
    assert json.loads(json.dumps(api.requests[0].headers["content-type"])) == "application/json"
