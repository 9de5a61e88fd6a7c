"""Status -> exception mapping, error-body tolerance, and the v3 classes of wrapped httpx errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from uatcert.v3 import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    TokenError,
    UnexpectedStatusError,
    UnprocessableEntityError,
    V3Client,
    status_error_class,
)
from uatcert.v3._exceptions import make_status_error
from uatcert.v3._parsing import error_body_from

from .fakes import FakeApi, MakeClient, error_json, reply

STATUS_CLASSES: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: InternalServerError,
    503: InternalServerError,
    504: InternalServerError,
    599: InternalServerError,
    405: UnexpectedStatusError,
    408: UnexpectedStatusError,
    418: UnexpectedStatusError,
    302: UnexpectedStatusError,
}


def test_tree() -> None:
    assert issubclass(ApiTimeoutError, ApiConnectionError)
    for cls in (ApiConnectionError, ApiStatusError, ResponseValidationError, TokenError):
        assert issubclass(cls, ApiError)
    for cls in set(STATUS_CLASSES.values()):
        assert issubclass(cls, ApiStatusError)


@pytest.mark.parametrize(("status", "cls"), sorted(STATUS_CLASSES.items()))
def test_status_maps_to_one_class(status: int, cls: type[ApiStatusError]) -> None:
    assert status_error_class(status) is cls


def test_every_status_the_reference_uses_has_its_own_class() -> None:
    for status in (400, 401, 403, 404, 409, 422, 429):
        assert status_error_class(status) not in (UnexpectedStatusError, ApiStatusError)
    for status in range(500, 600):
        assert status_error_class(status) is InternalServerError


@pytest.mark.parametrize(("status", "cls"), sorted(STATUS_CLASSES.items()))
def test_client_raises_mapped_class_with_code_kept(
    make_client: MakeClient, api: FakeApi, status: int, cls: type[ApiStatusError]
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=1))
    api.queue(*[reply(status, error_json(f"{status}-ABC", "something"), {"X-Request-Id": "rid-1"})] * 2)
    with pytest.raises(cls) as caught:
        client.product("P1")
    error = caught.value
    assert error.status == status
    assert error.code == f"{status}-ABC"
    assert error.message == "something"
    assert error.request_id == "rid-1"
    assert error.response.status_code == status
    assert f"{status}-ABC" in str(error)
    assert "GET /v3/products/P1" in str(error)


@pytest.mark.parametrize(
    "code", ["400-5DC", "400-056", "400-0C6", "400-4C3", "400-9A0", "400-BB4", "400-215", "400-67B", "400-B32"]
)
def test_documented_400_codes_are_bad_requests(make_client: MakeClient, api: FakeApi, code: str) -> None:
    api.queue(reply(400, error_json(code)))
    with pytest.raises(BadRequestError) as caught:
        make_client().voucher("1b5a607b-e5eb-4b17-80b0-5739c041e81b")
    assert caught.value.code == code


def test_unknown_code_and_unknown_status_tolerated(make_client: MakeClient, api: FakeApi) -> None:
    api.queue(reply(418, error_json("418-FFF", "teapot")))
    with pytest.raises(UnexpectedStatusError) as caught:
        make_client().products()
    assert caught.value.status == 418
    assert caught.value.code == "418-FFF"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"error": {"code": "400-5DC", "message": "bad quantity"}}, "400-5DC", "bad quantity"),
        ({"code": "400-5DC", "message": "bad quantity"}, "400-5DC", "bad quantity"),
        ({"errors": [{"code": "400-5DC", "message": "bad quantity"}]}, "400-5DC", "bad quantity"),
        ({"error": "invalid_client", "error_description": "nope"}, "invalid_client", "nope"),
        ({"error": {"code": 4005, "message": None}}, "4005", None),
        ({"message": "only text"}, None, "only text"),
        ({"something": "else"}, None, None),
        ([1, 2], None, None),
        ("text", None, None),
    ],
)
def test_error_body_parsed_tolerantly(body: Any, code: str | None, message: str | None) -> None:
    parsed = error_body_from(body)
    if code is None and message is None:
        assert parsed is None or (parsed.code is None and parsed.message is None)
    else:
        assert parsed is not None
        assert (parsed.code, parsed.message) == (code, message)


def test_error_body_keeps_extra_details() -> None:
    parsed = error_body_from({"error": {"code": "400-5DC", "message": "m", "details": {"field": "quantity"}}})
    assert parsed is not None
    assert parsed.model_extra == {"details": {"field": "quantity"}}


@pytest.mark.parametrize("content", [b"", b"<html>Bad gateway</html>", b"{not json"])
def test_error_without_json_body(make_client: MakeClient, api: FakeApi, content: bytes) -> None:
    api.queue(*[reply(502, content)] * 5)
    with pytest.raises(InternalServerError) as caught:
        make_client().products()
    assert caught.value.code is None
    assert caught.value.body is None
    assert caught.value.status == 502


def test_rate_limit_error_carries_retry_after() -> None:
    request = httpx.Request("GET", "https://x.invalid/v3/products")
    error = make_status_error(httpx.Response(429, headers={"Retry-After": "7"}, request=request), None)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0


@pytest.mark.parametrize("exc_class", [httpx.ReadTimeout, httpx.ConnectError, httpx.RemoteProtocolError],
                         ids=lambda c: c.__name__)  # every httpx error: tests/http/test_errors.py
def test_client_wraps_httpx_errors_in_its_own_classes(make_client: MakeClient, api: FakeApi,
                                        exc_class: type[httpx.RequestError]) -> None:
    client: V3Client = make_client(retry=RetryPolicy(max_attempts=1))
    client.access_token()

    def fail(request: httpx.Request) -> httpx.Response:
        raise exc_class("simulated", request=request)

    api.queue(fail)
    with pytest.raises(ApiConnectionError) as caught:
        client.products()
    assert isinstance(caught.value.__cause__, exc_class)
    assert isinstance(caught.value, ApiTimeoutError) == issubclass(exc_class, httpx.TimeoutException)

