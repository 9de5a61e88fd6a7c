"""The error bases every API's tree subclasses, and the total wrapping of httpx errors (v3 and v2's rule)."""

from __future__ import annotations

import httpx
import pytest

from uatcert._http.errors import clip, request_of, transport_text, where

from .core import DemoConnectionError, DemoError, DemoInvalid, DemoStatusError, DemoTimeoutError, wrap


def _all_subclasses(cls: type[BaseException]) -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _all_subclasses(sub)
    return found


HTTPX_REQUEST_ERRORS = sorted(
    (c for c in _all_subclasses(httpx.RequestError) if c.__module__.startswith("httpx")),
    key=lambda c: c.__name__,
)


def test_every_httpx_transport_error_is_listed() -> None:
    names = {c.__name__ for c in HTTPX_REQUEST_ERRORS}
    for expected in ("ConnectError", "ReadError", "WriteError", "RemoteProtocolError", "ReadTimeout",
                     "ConnectTimeout", "PoolTimeout", "WriteTimeout", "CloseError", "ProxyError",
                     "UnsupportedProtocol", "LocalProtocolError", "DecodingError", "TooManyRedirects"):
        assert expected in names


@pytest.mark.parametrize("exc_class", HTTPX_REQUEST_ERRORS, ids=lambda c: c.__name__)
def test_httpx_error_mapping_is_total(exc_class: type[httpx.RequestError]) -> None:
    request = httpx.Request("POST", "https://api.test.invalid/v3/products/X?id=secret")
    wrapped = wrap(exc_class("boom", request=request))
    assert isinstance(wrapped, DemoConnectionError) and isinstance(wrapped, DemoError)
    assert isinstance(wrapped, DemoTimeoutError) == issubclass(exc_class, httpx.TimeoutException)
    assert wrapped.request is request and wrapped.lost_response is None
    assert f"POST /v3/products/X: {exc_class.__name__}: boom" == str(wrapped) and "secret" not in str(wrapped)
    if issubclass(exc_class, httpx.TimeoutException):
        assert wrapped.outcome == "timeout"
    elif issubclass(exc_class, httpx.ConnectError):
        assert wrapped.outcome == "lost_request"
    else:
        assert wrapped.outcome == "connection_error"
    hopeless = issubclass(exc_class, httpx.UnsupportedProtocol | httpx.LocalProtocolError)
    assert wrapped.should_retry is not hopeless


def test_an_error_without_a_request_is_still_wrapped() -> None:
    error = httpx.ReadError("")
    assert request_of(error) is None
    wrapped = wrap(error)
    assert wrapped.request is None and str(wrapped) == "request: ReadError: no detail"


def test_transport_text_clips_and_may_fold_lines() -> None:
    error = httpx.ReadError("line one\n  line two " + "x" * 400, request=httpx.Request("GET", "https://h/p"))
    assert len(transport_text(error)) < 340 and transport_text(error).endswith("...")
    assert "line one line two" in transport_text(error, one_line=True)


def test_clip_and_where() -> None:
    assert clip("short") == "short" and clip("x" * 10, 8) == "xxxxx..."
    assert clip("a\n  b", one_line=True) == "a b"
    assert where(httpx.Request("GET", "https://h/v3/vouchers?id=1")) == "GET /v3/vouchers" and where(None) == "request"


def test_a_lost_response_turns_the_outcome() -> None:
    error = DemoTimeoutError("lost", outcome="timeout")
    response = httpx.Response(200)
    error.response_lost(response)
    assert error.outcome == "lost_response" and error.lost_response is response


def test_a_status_failure_keeps_status_request_id_message_and_response() -> None:
    request = httpx.Request("GET", "https://h/p")
    response = httpx.Response(404, headers={"Request-Id": "rid"}, request=request)
    error = DemoStatusError(response, message="no such thing")
    assert (error.status, error.request_id, error.message, error.response) == (404, "rid", "no such thing", response)
    assert error.request is request and error.attempts == 1 and str(error) == "-> 404"
    assert DemoStatusError(httpx.Response(500, request=request)).message is None


def test_body_invalid_paths_and_record_call() -> None:
    error = DemoInvalid("bad", errors=[("$.data[0].status", "bad"), ("$.data[1].id", "missing")])
    assert error.paths == ["$.data[0].status", "$.data[1].id"] and error.response is None
    error.record_call(3, "key-1")
    assert (error.attempts, error.key) == (3, "key-1")
