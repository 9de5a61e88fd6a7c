"""The AllSafe client against a scripted fake API (httpx.MockTransport): statuses, bodies, retries, events."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from uatcert.allsafe import (
    STATUS_TABLE,
    AllSafeAuthenticationError,
    AllSafeClient,
    AllSafeConnectionError,
    AllSafeContract,
    AllSafeServerError,
    AllSafeStatusError,
    AllSafeTimeoutError,
    InvalidVendorError,
    NoVaultLinkedError,
    NoVouchersError,
    RateLimitError,
    ReconciliationRequired,
    ResponseValidationError,
    RetryPolicy,
    UnexpectedStatusError,
    ValidationFailedError,
    status_error_class,
)
from uatcert.evidence import IssuanceLedger, read_ledger
from uatcert.faults import FaultTransport

from .conftest import MakeClient
from .fakes import AVAILABILITY, PASSWORD, USERNAME, VOUCHER, FakeApi, HookSpy, Recorder, problem, reply

AVAIL = "GET /availability"
ALLOC = "POST /allocate"


# -- construction and authentication ----------------------------------------------------------------
def test_basic_credentials_are_sent_pre_emptively_on_every_request(client: AllSafeClient, api: FakeApi) -> None:
    client.availability()
    client.allocate("ExampleMart", 50)
    expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    assert [r.headers["authorization"] for r in api.requests] == [expected, expected]


@pytest.mark.parametrize("url", ["http://allsafe.example/", "ftp://allsafe.example", "allsafe.example"])
def test_plain_http_is_refused_except_on_loopback(make_client: MakeClient, url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        make_client(base_url=url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/allsafe", "http://localhost:1/", "http://[::1]:9/x"])
def test_loopback_simulators_may_use_plain_http(make_client: MakeClient, url: str) -> None:
    assert make_client(base_url=url).base_url == url.rstrip("/")


def test_a_username_with_a_colon_is_refused(make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="':'"):
        make_client(credentials=("user:name", "secret"))


def test_the_password_never_shows_in_repr(client: AllSafeClient) -> None:
    assert PASSWORD not in repr(client) and USERNAME in repr(client)


# -- availability ---------------------------------------------------------------------------------
def test_availability_lists_voucher_types_compared_numerically(client: AllSafeClient) -> None:
    result = client.availability()
    assert result.form == "list" and result.status_code == 200
    assert [(t.vendor, t.value, t.remaining) for t in result.types] == [
        ("ExampleMart", Decimal(50), 120), ("ExampleMart", Decimal(100), 8), ("FuelCo", Decimal(200), 1)]
    assert result.remaining("FuelCo", 200) == 1 == result.remaining("FuelCo", "200.00")
    assert result.remaining("FuelCo", 500) == 0 and result.remaining("fuelco", 200) == 0  # vendor matched exactly


def test_availability_tolerates_order_extra_fields_zero_entries_and_an_envelope(
    client: AllSafeClient, api: FakeApi
) -> None:
    listed = [{"vendor": "Z", "value": 10, "remaining": 0, "brand": "B"}, {"vendorName": "A", "faceValue": "7.5",
                                                                           "remaining": 3}]
    api.script(AVAIL, reply(200, {"data": listed}))
    result = client.availability()
    assert [t.label for t in result.types] == ["Z 10", "A 7.5"]
    assert [t.label for t in result.available] == ["A 7.5"]  # the client filters remaining > 0 itself
    assert result.types[0].model_extra == {"brand": "B"}
    assert result.snapshot() == {("A", Decimal("7.5")): 3}


@pytest.mark.parametrize(("answer", "form"), [
    (reply(204), "no_content"),
    (reply(200, []), "empty_list"),
    (problem(492, "No vouchers", "nothing left"), "no_vouchers"),
    (reply(492), "no_vouchers"),
])
def test_nothing_available_in_all_three_forms(client: AllSafeClient, api: FakeApi, answer: httpx.Response,
                                              form: str) -> None:
    api.script(AVAIL, answer)
    result = client.availability()
    assert result.nothing_available and result.form == form and result.types == ()


@pytest.mark.parametrize("body", [{"vendor": "X", "value": 5}, {"vendor": "X", "value": True, "remaining": 1},
                                  {"vendor": "X", "value": 5, "remaining": -1}, "text"])
def test_an_availability_body_off_the_model_is_a_validation_error_after_retries(
    make_client: MakeClient, api: FakeApi, body: object
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=2, jitter=False))
    api.defaults[AVAIL] = reply(200, [body])
    with pytest.raises(ResponseValidationError) as caught:
        client.availability()
    assert caught.value.attempts == 2 and caught.value.errors


def test_availability_retries_server_errors_and_connection_errors(
    client: AllSafeClient, api: FakeApi, sleeps: list[float]
) -> None:
    api.script(AVAIL, reply(503), httpx.ConnectError("refused"), reply(200, AVAILABILITY))
    assert client.availability().form == "list"
    assert api.count(AVAIL) == 3 and sleeps == [0.25, 0.5]


def test_availability_gives_up_after_its_attempts(make_client: MakeClient, api: FakeApi) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=3, jitter=False))
    api.defaults[AVAIL] = reply(500)
    with pytest.raises(AllSafeServerError) as caught:
        client.availability()
    assert caught.value.attempts == 3 and caught.value.status == 500


def test_availability_waits_as_long_as_retry_after_asks(client: AllSafeClient, api: FakeApi,
                                                        sleeps: list[float]) -> None:
    api.script(AVAIL, reply(429, headers={"Retry-After": "2"}), reply(200, AVAILABILITY))
    client.availability()
    assert sleeps == [2.0]


@pytest.mark.parametrize("status", [401, 491])
def test_availability_refusals_are_never_retried(client: AllSafeClient, api: FakeApi, status: int) -> None:
    api.defaults[AVAIL] = reply(status)
    with pytest.raises(AllSafeStatusError) as caught:
        client.availability()
    assert caught.value.status == status and api.count(AVAIL) == 1


def test_a_timeout_on_availability_is_retried_then_typed(make_client: MakeClient, api: FakeApi) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=2, jitter=False))
    api.defaults[AVAIL] = httpx.ReadTimeout("slow")
    with pytest.raises(AllSafeTimeoutError) as caught:
        client.availability()
    assert caught.value.attempts == 2


# -- the documented statuses ---------------------------------------------------------------------
DOCUMENTED = [
    (401, AllSafeAuthenticationError), (491, NoVaultLinkedError), (492, NoVouchersError),
    (495, ValidationFailedError), (496, InvalidVendorError),
]


@pytest.mark.parametrize(("status", "error_class"), DOCUMENTED)
@pytest.mark.parametrize("body", ["json", "problem", "empty", "text"])
def test_every_documented_status_is_its_own_typed_error_with_cause_and_action(
    client: AllSafeClient, api: FakeApi, status: int, error_class: type[AllSafeStatusError], body: str
) -> None:
    answers = {
        "json": reply(status, {"message": "refused by the provider"}),
        "problem": problem(status, "Whatever", "refused by the provider"),
        "empty": reply(status),
        "text": reply(status, text="refused by the provider"),
    }
    api.script(ALLOC, answers[body])
    with pytest.raises(AllSafeStatusError) as caught:
        client.allocate("ExampleMart", 50)
    error = caught.value
    info = STATUS_TABLE[status]
    assert type(error) is error_class and error.status == status and error.documented
    assert (error.label, error.cause, error.action, error.user_message) == (info.label, info.cause, info.action,
                                                                           info.user_message)
    assert not error.retryable and api.count(ALLOC) == 1 and error.attempts == 1
    text = str(error)
    assert f"-> {status} {info.label}" in text and info.cause in text and info.action in text
    assert PASSWORD not in text
    if body in ("json", "problem"):
        assert error.message == "refused by the provider"


def test_the_documented_causes_of_401_are_named() -> None:
    cause = STATUS_TABLE[401].cause
    assert "username or password" in cause and "revoked" in cause and "live" in cause and "dates" in cause


def test_a_validation_refusal_carries_the_field_errors(client: AllSafeClient, api: FakeApi) -> None:
    api.script(ALLOC, problem(495, "Validation Failed", "bad", errors={"value": ["must be greater than 0"]}))
    with pytest.raises(ValidationFailedError) as caught:
        client.allocate("ExampleMart", 50)
    assert caught.value.field_errors == {"value": ["must be greater than 0"]}


def test_no_vouchers_and_invalid_vendor_name_what_was_asked(client: AllSafeClient, api: FakeApi) -> None:
    api.script(ALLOC, reply(492), reply(496))
    with pytest.raises(NoVouchersError) as no_vouchers:
        client.allocate("FuelCo", "200.00")
    with pytest.raises(InvalidVendorError) as invalid:
        client.allocate("Nobody", 5)
    assert (no_vouchers.value.vendor, no_vouchers.value.value) == ("FuelCo", Decimal("200.00"))
    assert invalid.value.vendor == "Nobody"


def test_401_keeps_the_challenge_header_when_there_is_one(client: AllSafeClient, api: FakeApi) -> None:
    api.script(AVAIL, reply(401, headers={"WWW-Authenticate": 'Basic realm="AllSafe"'}), reply(401))
    for expected in ('Basic realm="AllSafe"', None):
        with pytest.raises(AllSafeAuthenticationError) as caught:
            client.availability()
        assert caught.value.www_authenticate == expected


@pytest.mark.parametrize("status", [400, 403, 404, 405, 415, 418, 490, 493, 494, 497, 499])
def test_unknown_statuses_are_tolerated_typed_and_not_retried(client: AllSafeClient, api: FakeApi,
                                                              status: int) -> None:
    api.defaults[ALLOC] = reply(status, {"anything": True})
    with pytest.raises(UnexpectedStatusError) as caught:
        client.allocate("ExampleMart", 50)
    assert caught.value.status == status and not caught.value.documented and api.count(ALLOC) == 1


def test_status_classes() -> None:
    assert status_error_class(429) is RateLimitError
    assert status_error_class(502) is AllSafeServerError
    assert status_error_class(491) is NoVaultLinkedError


def test_a_rate_limited_allocation_is_not_retried_automatically(client: AllSafeClient, api: FakeApi) -> None:
    api.script(ALLOC, reply(429, headers={"Retry-After": "3"}))
    with pytest.raises(RateLimitError) as caught:
        client.allocate("ExampleMart", 50)
    assert caught.value.retry_after == 3.0 and api.count(ALLOC) == 1


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
