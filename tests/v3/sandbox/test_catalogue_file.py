"""Catalogue files are validated strictly; every problem names the file, the product and the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.v3.sandbox.sandbox_support import product
from uatcert.errors import ConfigError
from uatcert.sandbox import SandboxConfig, create_app, load_catalogue

Writer = Callable[[Any], Path]


def test_seeded_catalogue_loads() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.products) == 10
    assert catalogue.get("MAMVDDMMYY01") is not None and catalogue.get("nope") is None


def test_a_get_products_body_is_accepted(write_catalogue: Writer) -> None:
    catalogue = load_catalogue(write_catalogue({"data": [product()]}))
    assert [p.code for p in catalogue.products] == ["P1"]


def _problem(write_catalogue: Writer, content: Any) -> str:
    path = write_catalogue(content)
    with pytest.raises(ConfigError) as excinfo:
        create_app(SandboxConfig(catalogue_path=path))
    message = str(excinfo.value)
    assert message.startswith(f"sandbox catalogue {path}: ")
    return message


def test_invalid_json_names_line_and_column(write_catalogue: Writer) -> None:
    message = _problem(write_catalogue, '{\n  "products": [\n    {"code": "P1",}\n  ]\n}\n')
    assert re.search(r"invalid JSON at line 3 column \d+", message)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ([], 'expected a JSON object {"products": [...]}'),
        ({"items": []}, 'expected a JSON object {"products": [...]}'),
        ({"products": {}}, "field 'products': Input should be a valid list"),
        ({"products": [product(), product()]}, "duplicate product code 'P1' at products[0] and products[1]"),
        ({"products": [product(), {k: v for k, v in product(code="P2").items() if k != "name"}]},
         "products[1] (code 'P2') field 'name': Field required"),
        ({"products": [product(face_value="1000")]}, "products[0] (code 'P1') field 'face_value'"),
        ({"products": [product(is_value_based="true")]}, "field 'is_value_based': Input should be a valid boolean"),
        ({"products": [product(is_open_value=True, face_value=1000)]},
         "products[0] (code 'P1'): face_value must be null for an open-value product"),
        ({"products": [product(is_open_value=True, face_value=None, is_value_based=False, currency="")]},
         "open-value products must be value-based"),
        ({"products": [product(face_value=None)]}, "face_value must be a positive integer for a fixed product"),
        ({"products": [product(is_value_based=False)]}, 'currency must be "" for a product-based product'),
        ({"products": [product(currency="")]}, "currency must be a 3-letter code"),
        ({"products": [product(stok=5)]}, "unknown key 'stok' (did you mean 'stock'?)"),
        ({"products": [product(stock=-1)]}, "field 'stock'"),
        ({"products": [product(code=" leading-space")]}, "field 'code'"),
        ({"products": ["P1"]}, "products[0]"),
    ],
    ids=["top-array", "no-products", "products-object", "duplicate", "missing-field", "wrong-type", "bool-string",
         "open-with-face-value", "open-product-based", "fixed-without-face-value", "product-based-currency",
         "value-based-currency", "typo", "negative-stock", "bad-code", "not-an-object"],
)
def test_bad_catalogue_is_rejected_with_a_clear_message(write_catalogue: Writer, content: Any, expected: str) -> None:
    assert expected in _problem(write_catalogue, content)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_catalogue(tmp_path / "absent.json")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"products": ["\xe9"]}')
    with pytest.raises(ConfigError, match="not a UTF-8 JSON file"):
        load_catalogue(path)


def test_many_problems_are_summarised(write_catalogue: Writer) -> None:
    message = _problem(write_catalogue, {"products": [product(code=f"P{i}", name="") for i in range(5)]})
    assert "(and 2 more problems)" in message
