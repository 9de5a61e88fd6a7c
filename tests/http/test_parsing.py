"""Tolerant reading of success bodies: where the payload sits, model validation with field paths."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel, StrictInt, field_validator

from uatcert._http.parsing import BodyReader, integer_as_text, join_path, text_only

from .core import BODY, DemoInvalid


class Item(BaseModel):
    id: StrictInt
    status: str
    pin: str | None = None

    _status = field_validator("status", mode="before")(text_only("status must be a string"))
    _pin = field_validator("pin", mode="before")(integer_as_text("pin"))


def response(body: Any = None, *, content: bytes | None = None) -> httpx.Response:
    request = httpx.Request("GET", "https://h/api/items?id=1")
    if content is not None:
        return httpx.Response(200, content=content, request=request)
    return httpx.Response(200, json=body, request=request)


ITEM = {"id": 1, "status": "ok"}


@pytest.mark.parametrize(("body", "path"), [
    ([ITEM], "$"), ({"data": [ITEM]}, "$.data"), ({"items": [ITEM]}, "$.items"),
    ({"data": {"items": [ITEM]}}, "$.data.items"), ({"meta": {}, "data": [ITEM]}, "$.data"),
])
def test_a_list_bare_under_a_key_or_nested(body: Any, path: str) -> None:
    assert BODY.locate_list(body, response(body)) == (path, [ITEM])
    assert BODY.read_list(Item, response(body)) == [Item(id=1, status="ok")]


@pytest.mark.parametrize("body", [{"data": "nope"}, {"count": 3}, 42, "text"])
def test_no_list_is_invalid(body: Any) -> None:
    with pytest.raises(DemoInvalid, match="no list of items") as caught:
        BODY.read_list(Item, response(body))
    assert caught.value.paths == ["$"]


@pytest.mark.parametrize(("body", "path"), [
    (ITEM, "$"), ({"data": ITEM}, "$.data"), ({"item": ITEM}, "$.item"), ({"data": [ITEM]}, "$.data[0]"),
    ([ITEM], "$[0]"),
])
def test_an_object_bare_under_a_key_or_alone_in_a_list(body: Any, path: str) -> None:
    assert BODY.locate_object(body, response(body)) == (path, ITEM)


def test_nested_data_only_when_asked() -> None:
    flat = BodyReader(DemoInvalid, list_keys=("data", "items"), object_keys=("data",))
    with pytest.raises(DemoInvalid):
        flat.locate_list({"data": {"items": []}}, response())
    assert flat.locate_object({"data": [ITEM]}, response()) == ("$", {"data": [ITEM]})
    with pytest.raises(DemoInvalid, match="expected a JSON object"):
        flat.locate_object([ITEM, ITEM], response())


@pytest.mark.parametrize("content", [b"", b"<html></html>", b"[1,2"])
def test_a_body_that_is_not_json(content: bytes) -> None:
    with pytest.raises(DemoInvalid, match="not JSON") as caught:
        BODY.decode_json(response(content=content))
    assert caught.value.paths == ["$"] and "GET /api/items -> 200" in str(caught.value)


def test_every_failing_field_is_named_by_path_and_no_value_shown() -> None:
    body = {"data": [ITEM, {"id": "SECRET-CODE-123", "status": 5}, {"id": 3, "status": "ok", "pin": True}]}
    with pytest.raises(DemoInvalid) as caught:
        BODY.read_list(Item, response(body))
    assert caught.value.paths == ["$.data[1].id", "$.data[1].status", "$.data[2].pin"]
    text = str(caught.value)
    assert "body is not a valid Item" in text and "$.data[1].status: Value error, status must be a string" in text
    assert "SECRET-CODE-123" not in text and "pydantic" not in text.lower()
    assert caught.value.__cause__ is None


def test_one_object_off_the_model_hides_pydantics_error() -> None:
    with pytest.raises(DemoInvalid) as caught:
        BODY.read_object(Item, response({"data": {"id": 1, "status": 2}}))
    assert caught.value.paths == ["$.data.status"]
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_at_most_five_failures_are_spelled_out() -> None:
    with pytest.raises(DemoInvalid) as caught:
        BODY.read_list(Item, response([{"id": "x", "status": 1}] * 4))
    assert len(caught.value.errors) == 8 and str(caught.value).endswith("(and 3 more)")


def test_field_validators_and_paths() -> None:
    assert Item.model_validate({"id": 1, "status": "ok", "pin": 2708}).pin == "2708"
    assert Item.model_validate({"id": 1, "status": "ok", "pin": "0042"}).pin == "0042"
    assert join_path("$.data", (0, "status")) == "$.data[0].status" and join_path("$", ()) == "$"
    with pytest.raises(ValueError, match="pin must be a string or an integer"):
        Item.model_validate({"id": 1, "status": "ok", "pin": 27.08})
