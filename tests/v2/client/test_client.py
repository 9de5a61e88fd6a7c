"""The v2 client over a fake API: its surface, token, client keys, error codes, Check Vouchers and raw sends."""

from __future__ import annotations

import types
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest

import uatcert.v2
from uatcert.v2 import (
    ApiConnectionError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    CheckedVoucher,
    ConflictError,
    InternalServerError,
    IssuanceFailedError,
    IssuanceInterruptedError,
    NotFoundError,
    ResponseValidationError,
    RetryPolicy,
    TokenError,
    UnexpectedStatusError,
    V2Client,
    status_error_class,
)

from .conftest import MakeClient
from .fakes import (
    CHECK_PATH,
    CLIENT_ID,
    CLIENT_SECRET,
    CODE,
    ORDER,
    X_CLIENT_ID,
    X_CLIENT_SECRET,
    FakeApi,
    FakeClock,
    checked_json,
    failed,
    issued,
    json_of,
    reply,
    succeeded,
)


# -- public surface --------------------------------------------------------------------------------
def test_all_is_sorted_and_exactly_the_public_names() -> None:
    public = {n for n, v in vars(uatcert.v2).items()
              if not n.startswith("_") and n != "annotations" and not isinstance(v, types.ModuleType)}
    assert uatcert.v2.__all__ == sorted(uatcert.v2.__all__)
    assert set(uatcert.v2.__all__) == public


def test_repr_shows_no_secret(client: V2Client) -> None:
    assert CLIENT_SECRET not in repr(client) and X_CLIENT_SECRET not in repr(client)
    assert X_CLIENT_ID in repr(client)


# -- token -----------------------------------------------------------------------------------------
def test_token_request_is_a_form_with_client_credentials(client: V2Client, api: FakeApi) -> None:
    client.request_vouchers(CODE, ORDER, 1, Decimal("50"))
    [request] = api.token_requests
    assert request.method == "POST" and str(request.url).endswith("/v2/connect/token")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert form == {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"}


def test_scope_is_sent_when_configured(make_client: MakeClient, api: FakeApi) -> None:
    make_client(scope="my-scope").access_token()
    assert parse_qs(api.token_requests[0].content.decode())["scope"] == ["my-scope"]


def test_token_is_reused_within_the_hour_and_renewed_after(client: V2Client, api: FakeApi,
                                                           clock: FakeClock) -> None:
    for _ in range(3):
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert client.token_fetches == 1
    assert client.token_info is not None and client.token_info.expires_in == 3600
    clock.advance(3600 - 59)  # inside the refresh margin
    client.request_vouchers(CODE, ORDER, 1, "50")
    assert client.token_fetches == 2


def test_a_401_renews_the_token_once_per_call(client: V2Client, api: FakeApi) -> None:
    api.queue(reply(401, failed("SIM-AUTH-TOKEN")), issued(1))
    issuance = client.request_vouchers(CODE, ORDER, 1, "50")
    assert client.token_fetches == 2 and issuance.attempts == 2
    api.queue(reply(401, failed("SIM-AUTH-CLIENT")), reply(401, failed("SIM-AUTH-CLIENT")))
    with pytest.raises(AuthenticationError) as caught:
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert caught.value.code == "SIM-AUTH-CLIENT" and caught.value.attempts == 2


def test_refused_token_is_a_token_error_without_the_secret(client: V2Client, api: FakeApi) -> None:
    api.queue_token(reply(400, {"error": "invalid_client", "error_description": "bad"}))
    with pytest.raises(TokenError) as caught:
        client.access_token()
    assert caught.value.error == "invalid_client" and CLIENT_SECRET not in str(caught.value)


def test_token_response_without_access_token_is_a_validation_error(client: V2Client, api: FakeApi) -> None:
    api.queue_token(reply(200, {"token_type": "Bearer"}))
    with pytest.raises(ResponseValidationError):
        client.access_token()


# -- the envelope and error codes ------------------------------------------------------------------
@pytest.mark.parametrize(("status", "code", "cls"), [
    (500, "ERV1102", IssuanceInterruptedError),
    (500, "ERV1202", IssuanceFailedError),
    (200, "ERV1102", IssuanceInterruptedError),
    (400, "SIM-QTY", BadRequestError),
    (401, None, AuthenticationError),
    (404, "SIM-PRODUCT", NotFoundError),
    (409, "SIM-CORRELATION-CONFLICT", ConflictError),
    (502, "SIM-ERROR", InternalServerError),
    (418, None, UnexpectedStatusError),
    (200, "SIM-X", UnexpectedStatusError),
])
def test_error_classes(status: int, code: str | None, cls: type[Exception]) -> None:
    assert status_error_class(status, code) is cls


def test_a_succeeded_status_with_a_failed_envelope_is_an_error(make_client: MakeClient, api: FakeApi) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=1))
    api.queue(reply(200, failed("SIM-ODD", "odd")))
    with pytest.raises(UnexpectedStatusError) as caught:
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert caught.value.code == "SIM-ODD" and "meta.status failed" in str(caught.value)


def test_every_message_is_kept(make_client: MakeClient, api: FakeApi) -> None:
    client = make_client()
    body = {"meta": {"status": "failed", "messages": [
        {"code": "SIM-REF-NOT-FOUND", "level": "error", "text": "a"},
        {"code": "SIM-REF-NOT-FOUND", "level": "error", "text": "b"}]}}
    api.queue(reply(404, body))
    with pytest.raises(NotFoundError) as caught:
        client.check_vouchers(["a", "b"])
    assert [m.text for m in caught.value.messages] == ["a", "b"] and caught.value.codes == ["SIM-REF-NOT-FOUND"] * 2


def test_connection_errors_are_typed(make_client: MakeClient, api: FakeApi) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=1))
    api.queue(httpx.ReadTimeout("slow"))
    with pytest.raises(ApiTimeoutError):
        client.request_vouchers(CODE, ORDER, 1, "50")
    api.queue(httpx.ConnectError("refused"))
    with pytest.raises(ApiConnectionError) as caught:
        client.request_vouchers(CODE, ORDER, 1, "50")
    assert caught.value.outcome == "lost_request"


# -- Check Vouchers --------------------------------------------------------------------------------
def test_check_vouchers_in_batches_of_20_in_the_order_asked(client: V2Client, api: FakeApi) -> None:
    refs = [f"ref-{i:02d}" for i in range(25)]

    def answer(request: httpx.Request) -> httpx.Response:
        asked = json_of(request)["voucher_settlement_refs"]
        return reply(200, succeeded([checked_json(r) for r in reversed(asked)]))

    api.default_api_reply = answer
    checked = client.check_vouchers([*refs, refs[0]])
    assert [len(json_of(r)["voucher_settlement_refs"]) for r in api.api_requests] == [20, 5]
    assert {r.url.path for r in api.api_requests} == {CHECK_PATH}
    assert "x-correlation-id" not in api.api_requests[0].headers
    assert [c.voucher_settlement_ref for c in checked] == [*refs, refs[0]]
    assert isinstance(checked[0], CheckedVoucher) and checked[0].remaining_value == Decimal("61.72")
    assert checked[0].expiration_date.isoformat() == "2029-12-31"


def test_a_ref_missing_from_the_answer_is_a_validation_error(client: V2Client, api: FakeApi) -> None:
    api.queue(reply(200, succeeded([checked_json("a")])))
    with pytest.raises(ResponseValidationError, match="1 of 2 refs"):
        client.check_vouchers(["a", "b"])


@pytest.mark.parametrize(("override", "path"), [
    ({"status": "Voided"}, "status"),
    ({"expiration_date": "2029-12-31"}, "expiration_date"),
    ({"expiration_date": "31 Foo 2029"}, "expiration_date"),
    ({"remaining_value": "61.72"}, "remaining_value"),
    ({"remaining_value": -1}, "remaining_value"),
])
def test_a_check_entry_off_the_documented_model(client: V2Client, api: FakeApi, override: dict[str, object],
                                                path: str) -> None:
    api.queue(reply(200, succeeded([checked_json("a", **override)])))
    with pytest.raises(ResponseValidationError) as caught:
        client.check_vouchers(["a"])
    assert caught.value.paths == [f"$.data[0].{path}"]


def test_check_vouchers_wants_a_sequence(client: V2Client) -> None:
    with pytest.raises(TypeError):
        client.check_vouchers("abc")


# -- raw sends -------------------------------------------------------------------------------------
def test_send_can_leave_out_credentials(client: V2Client, api: FakeApi) -> None:
    client.send("POST", client.check_path(), json={"voucher_settlement_refs": ["x"]}, authenticate=False,
                client_headers=False)
    client.send("POST", client.check_path(), content=b"{}", headers={"X-Client-Secret": None, "X-Extra": "1"})
    bare, partial = api.api_requests
    assert "authorization" not in bare.headers and "x-client-id" not in bare.headers
    assert "x-client-secret" not in partial.headers and partial.headers["x-client-id"] == X_CLIENT_ID
    assert partial.headers["x-extra"] == "1" and partial.headers["content-type"] == "application/json"


def test_paths(client: V2Client) -> None:
    assert client.issue_path("A B", "1") == "/catalogs/ETX_001/product_assets/1/products/A%20B/vouchers/actions/request"
    assert client.check_path("ETX_009") == "/catalogs/ETX_009/vouchers/actions/check"
    with pytest.raises(ValueError):
        client.issue_path("", "1")
