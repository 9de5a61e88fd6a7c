"""`Retry-After` and the provider's request ids, read from headers."""

from __future__ import annotations

import datetime as dt

import httpx

from uatcert._http.headers import parse_retry_after, request_id_of, request_ids_of


def test_retry_after_seconds_and_http_dates() -> None:
    now = dt.datetime(2024, 1, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("7") == 7.0 and parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("Mon, 01 Jan 2024 01:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:59:00 GMT", now=now) == 0.0
    assert parse_retry_after("-3") == 0.0
    for unreadable in (None, "", "nan", "inf", "soon"):
        assert parse_retry_after(unreadable) is None


def test_retry_after_numbers_only_when_asked() -> None:
    assert parse_retry_after("Mon, 01 Jan 2024 01:00:05 GMT", http_date=False) is None
    assert parse_retry_after("3", http_date=False) == 3.0


def test_request_ids_in_the_apis_order_empty_values_skipped() -> None:
    response = httpx.Response(200, headers={"Request-Id": "b", "X-Request-Id": "a", "X-Other": "c", "X-Empty": ""})
    assert request_ids_of(response, ("x-request-id", "x-empty", "request-id", "x-missing")) == ("a", "b")
    assert request_id_of(response, ("x-missing", "request-id", "x-request-id")) == "b"
    assert request_ids_of(response, ("x-missing",)) == () and request_id_of(response, ()) is None
