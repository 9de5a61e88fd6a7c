"""GET /products and GET /products/{code}, unknown routes and methods."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.v3.sandbox.sandbox_support import FIXED, LIMITED, OPEN, Api, assert_error, product
from uatcert.sandbox import load_catalogue

PUBLIC_KEYS = {
    "code", "name", "description", "currency", "face_value",
    "is_value_based", "is_open_value", "is_status_available", "is_multiple_use",
}


def test_list_products_returns_the_seeded_catalogue_without_sandbox_keys(api: Api) -> None:
    response = api.get("/products")
    assert response.status_code == 200
    products = response.json()["data"]
    assert [p["code"] for p in products] == [p.code for p in load_catalogue().products]
    stocks = {p.code: p.stock for p in load_catalogue().products}
    for item in products:
        limited = stocks[item["code"]] is not None
        assert set(item) == PUBLIC_KEYS | ({"available_stock"} if limited else set())
        assert item.get("available_stock") == stocks[item["code"]]


def test_available_stock_lists_what_is_left(api: Api) -> None:
    assert api.issue(LIMITED, {"quantity": 2}).status_code == 200
    listed = {p["code"]: p for p in api.get("/products").json()["data"]}
    assert listed[LIMITED]["available_stock"] == 3
    assert api.get(f"/products/{LIMITED}").json()["data"]["available_stock"] == 3
    assert "available_stock" not in listed[FIXED]


def test_seeded_catalogue_covers_every_kind(api: Api) -> None:
    products = api.get("/products").json()["data"]
    kinds = {(p["is_value_based"], p["is_open_value"]) for p in products}
    assert kinds == {(True, False), (True, True), (False, False)}
    assert any(not p["is_status_available"] for p in products)
    assert any(p["is_multiple_use"] for p in products)
    assert sum(p["is_open_value"] for p in products) == 3
    assert all(p["face_value"] is None for p in products if p["is_open_value"])
    assert all(p["currency"] == "" for p in products if not p["is_value_based"])
    seeded = load_catalogue().products
    assert any(p.stock == 5 for p in seeded)
    assert any(p.stock == 50 and not p.is_status_available for p in seeded)
    assert any(p.needs_activation for p in seeded)


def test_get_product(api: Api) -> None:
    response = api.get(f"/products/{OPEN}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["code"] == OPEN
    assert data["name"] == "${FV} UNIQGIFT Groceries Voucher"
    assert data["face_value"] is None and data["is_open_value"] is True
    assert api.get(f"/products/{FIXED}").json()["data"]["face_value"] == 1000


def test_unknown_product_is_404(api: Api) -> None:
    assert_error(api.get("/products/NOSUCHCODE01"), 404, "404-F01")


def test_empty_catalogue_is_404(start_sandbox: Callable[..., Api], write_catalogue: Callable[[Any], Path]) -> None:
    sandbox = start_sandbox(catalogue_path=write_catalogue({"products": []}))
    assert_error(sandbox.get("/products"), 404, "404-F03")


def test_extra_product_keys_are_passed_through(
    start_sandbox: Callable[..., Api], write_catalogue: Callable[[Any], Path]
) -> None:
    path = write_catalogue({"products": [product(image="https://img.invalid/p1.png", stock=3)]})
    data = start_sandbox(catalogue_path=path).get("/products/P1").json()["data"]
    assert data["image"] == "https://img.invalid/p1.png"
    assert "stock" not in data


def test_unknown_route_and_method(api: Api) -> None:
    assert_error(api.get("/nothing-here"), 404, "404-F00")
    assert_error(api.http.get(api.srv.base_url + "/v2/whatever"), 404, "404-F00")
    response = api.http.delete(api.srv.v3_base_url + "/products")
    assert_error(response, 405, "405-F00")
    assert "GET" in response.headers["allow"]
    assert_error(api.http.get(api.srv.token_url), 405, "405-F00")
    response = api.http.delete(api.srv.v3_base_url + "/products/MAMVDDMMYY01")
    assert_error(response, 405, "405-F00")
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["allow"].split(",")}  # found by the fuzz run


def test_every_response_carries_a_request_id(api: Api) -> None:
    responses = [
        api.get("/products"),
        api.get("/nothing"),
        api.token_response(),
        api.http.get(api.srv.control_url + "/info"),
        api.issue(FIXED, {"quantity": 1}, key=None),
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(len(i) == 36 for i in ids)
    assert len(set(ids)) == len(ids)
