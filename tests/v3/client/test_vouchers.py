"""Voucher reads: single, batch chunked by 20, answers matched by id whatever their order."""

from __future__ import annotations

import uuid
from urllib.parse import unquote

import httpx
import pytest

from uatcert.v3 import NotFoundError, ResponseValidationError, V3Client

from .fakes import FakeApi, error_json, reply, voucher_json


def ids_of(request: httpx.Request) -> list[str]:
    query = unquote(request.url.query.decode())
    assert query.startswith("id=")
    return query[3:].split(",")


def echo_reversed(request: httpx.Request) -> httpx.Response:
    asked = ids_of(request)
    return reply(200, {"data": [voucher_json(voucher_id=i.upper()) for i in reversed(asked)]})


def test_single_voucher(client: V3Client, api: FakeApi) -> None:
    vid = str(uuid.uuid4())
    api.queue(reply(200, {"data": voucher_json(voucher_id=vid, status="used", remaining_amount=0)}))
    voucher = client.voucher(vid)
    assert (voucher.status, voucher.remaining_amount) == ("used", 0)
    assert api.api_requests[0].url.path == f"/v3/vouchers/{vid}"


def test_unknown_voucher(client: V3Client, api: FakeApi) -> None:
    api.queue(reply(404, error_json("404-ABC")))
    with pytest.raises(NotFoundError):
        client.voucher(str(uuid.uuid4()))


def test_batch_commas_not_encoded(client: V3Client, api: FakeApi) -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    api.default_api_reply = echo_reversed
    client.vouchers(ids)
    assert api.api_requests[0].url.query.decode() == "id=" + ",".join(ids)


def test_batch_chunked_and_order_independent(client: V3Client, api: FakeApi) -> None:
    ids = [str(uuid.uuid4()) for _ in range(45)]
    api.default_api_reply = echo_reversed
    result = client.vouchers(ids)
    assert [len(ids_of(r)) for r in api.api_requests] == [20, 20, 5]
    assert [v.voucher_id.lower() for v in result] == ids


def test_duplicates_sent_once_returned_as_asked(client: V3Client, api: FakeApi) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    api.default_api_reply = echo_reversed
    result = client.vouchers([a, b, a])
    assert ids_of(api.api_requests[0]) == [a, b]
    assert [v.voucher_id.lower() for v in result] == [a, b, a]


def test_empty_list_sends_nothing(client: V3Client, api: FakeApi) -> None:
    assert client.vouchers([]) == []
    assert api.api_requests == []


def test_one_string_is_not_a_list(client: V3Client) -> None:
    with pytest.raises(TypeError):
        client.vouchers("1b5a607b-e5eb-4b17-80b0-5739c041e81b")


def test_missing_voucher_in_answer(client: V3Client, api: FakeApi) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    api.queue(reply(200, {"data": [voucher_json(voucher_id=a)]}))
    with pytest.raises(ResponseValidationError) as caught:
        client.vouchers([a, b])
    assert b in str(caught.value.errors)


def test_batch_error_mapped(client: V3Client, api: FakeApi) -> None:
    api.queue(reply(400, error_json("400-215", "ids must be unique")))
    with pytest.raises(Exception) as caught:
        client.vouchers([str(uuid.uuid4())])
    assert getattr(caught.value, "code", None) == "400-215"
