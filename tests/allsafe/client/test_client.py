"""The AllSafe client against a scripted fake API (httpx.MockTransport): authentication, availability, statuses."""

from __future__ import annotations

import base64
from decimal import Decimal

import httpx
import pytest

from uatcert.allsafe import (
    STATUS_TABLE,
    AllSafeAuthenticationError,
    AllSafeClient,
    AllSafeServerError,
    AllSafeStatusError,
    AllSafeTimeoutError,
    InvalidVendorError,
    NoVaultLinkedError,
    NoVouchersError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    UnexpectedStatusError,
    ValidationFailedError,
    status_error_class,
)

from .conftest import MakeClient
from .fakes import AVAILABILITY, PASSWORD, USERNAME, FakeApi, problem, reply

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


