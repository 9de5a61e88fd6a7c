"""The v2 catalogue file (`uatcert.formats.v2_catalogue`, the one reader): what is read, and every problem
named by file, line and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import uatcert.v2
from uatcert.errors import ConfigError
from uatcert.formats import v2_catalogue
from uatcert.formats.v2_catalogue import CatalogueFileError, read_catalogue
from uatcert.sandbox import SEEDED_V2_CATALOGUE

DOCUMENTED = (
    "Product Name,Product Code,Order Number,Product Type\n"
    "$10 UNIQGIFT Value Based Test Voucher,MAMVDDMMYY01,202112172914,fixed value-based\n"
    "$50 UNIQGIFT eGift Card,SUV050ECARD03,202201132944,convertible\n"
    "${FV} UNIQGIFT Groceries Voucher,UNIVGROCERIESDYNAMIC01,202208013226,dynamic value-based\n"
)

Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write_file(content: str | bytes, name: str = "catalogue.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write_file


def _error(path: Path) -> CatalogueFileError:
    with pytest.raises(CatalogueFileError) as caught:
        read_catalogue(path)
    assert isinstance(caught.value, ConfigError)
    assert str(caught.value).startswith(f"v2 catalogue file {path}: ")
    return caught.value


def test_the_v2_client_package_re_exports_the_one_reader() -> None:
    for name in ("COLUMNS", "PRODUCT_TYPES", "CatalogueEntry", "CatalogueFile", "CatalogueFileError", "read_catalogue"):
        assert getattr(uatcert.v2, name) is getattr(v2_catalogue, name)


# -- what is read ----------------------------------------------------------------------------------
def test_the_documented_columns_and_examples(write: Write) -> None:
    catalogue = read_catalogue(write(DOCUMENTED))
    assert [p.code for p in catalogue.products] == ["MAMVDDMMYY01", "SUV050ECARD03", "UNIVGROCERIESDYNAMIC01"]
    assert [p.product_type for p in catalogue.products] == ["fixed value-based", "convertible", "dynamic value-based"]
    assert [p.code for p in catalogue.dynamic] == ["UNIVGROCERIESDYNAMIC01"]
    dynamic = catalogue.get("UNIVGROCERIESDYNAMIC01")
    assert dynamic is not None and dynamic.is_dynamic and dynamic.order_number == "202208013226"
    assert dynamic.line == 4 and dynamic.kind == "dynamic value-based, open value"
    assert catalogue.columns == ("product_name", "product_code", "order_number", "product_type")
    assert len(catalogue.sha256) == 64


def test_the_sandbox_file_is_a_valid_catalogue_file() -> None:
    catalogue = read_catalogue(SEEDED_V2_CATALOGUE)
    types = {p.product_type for p in catalogue.products}
    assert types == {"fixed value-based", "dynamic value-based", "product-based", "convertible", "third-party"}
    assert catalogue.products[0].extra["expiry_rule"] == "fixed:2029-12-31T23:59:59"


@pytest.mark.parametrize("content", [
    DOCUMENTED.replace(",", ";"),
    DOCUMENTED.replace(",", "\t"),
    DOCUMENTED.replace("\n", "\r\n"),
    "\ufeff" + DOCUMENTED,
    DOCUMENTED + ",,,\n\n",
    DOCUMENTED.rstrip("\n"),
])
def test_separators_line_ends_bom_and_blank_rows(write: Write, content: str) -> None:
    assert len(read_catalogue(write(content)).products) == 3


def test_quoting_columns_in_any_order_and_extra_columns(write: Write) -> None:
    content = (
        'product_type,order_number,product_code,product_name,notes\n'
        'dynamic_value,202208013226,UNIVGROCERIESDYNAMIC01,"${FV} Groceries, ""fresh""\nand more",x\n'
        'Product-Based,202303010001,SAMPLECAFE5CUPS01,5 cups of coffee,\n'
    )
    catalogue = read_catalogue(write(content))
    first, second = catalogue.products
    assert first.name == '${FV} Groceries, "fresh"\nand more' and first.extra == {"notes": "x"}
    assert second.product_type == "product-based" and second.line == 4


def test_value_for_the_budget(write: Write) -> None:
    content = DOCUMENTED.replace("Product Type\n", "Product Type,Initial Value\n", 1)
    content = content.replace("fixed value-based\n", "fixed value-based,12.50\n")
    products = read_catalogue(write(content)).products
    assert [p.value_cents for p in products] == [1250, 5000, None]


# -- problems, with line and column -----------------------------------------------------------------
@pytest.mark.parametrize(("replace", "by", "line", "column", "text"), [
    ("202208013226", "2022-08-01", 4, 3, "'2022-08-01' is not a number of digits"),
    ("202208013226", "2.02208E+11", 4, 3, "format the column as text"),
    ("dynamic value-based", "dynamically priced", 4, 4, "unknown product type 'dynamically priced'"),
    ("SUV050ECARD03", "SUV/050", 3, 2, "cannot be sent as one URL path segment"),
    ("SUV050ECARD03", "..", 3, 2, "cannot be sent as one URL path segment"),
    ("SUV050ECARD03", "MAMVDDMMYY01", 3, 2, "product code 'MAMVDDMMYY01' is already on line 2"),
    ("$50 UNIQGIFT eGift Card", "", 3, 1, "missing value"),
    (",convertible\n", ",\n", 3, 4, "missing value"),
    ("convertible\n", "convertible,extra\n", 3, 5, "5 values, but the header has 4 columns"),
])
def test_row_problems(write: Write, replace: str, by: str, line: int, column: int, text: str) -> None:
    error = _error(write(DOCUMENTED.replace(replace, by, 1)))
    assert (error.line, error.column) == (line, column)
    assert f"line {line}, column {column}" in str(error) and text in str(error)


def test_codes_that_need_quoting_are_read(write: Write) -> None:
    content = DOCUMENTED.replace("SUV050ECARD03", '"SUV 050 #1?+&%É"', 1)
    assert read_catalogue(write(content)).products[1].code == "SUV 050 #1?+&%É"


def test_the_column_name_is_given(write: Write) -> None:
    error = _error(write(DOCUMENTED.replace("202201132944", "n/a")))
    assert error.column_name == "order_number"
    assert "line 3, column 3 (order_number): 'n/a' is not a number of digits" in str(error)


def test_an_unclosed_quote_is_located_where_it_opens(write: Write) -> None:
    content = DOCUMENTED.replace("$50 UNIQGIFT eGift Card", '"$50 UNIQGIFT eGift Card')
    error = _error(write(content))
    assert (error.line, error.column) == (3, 1) and "never closed" in str(error)


def test_text_after_a_closing_quote(write: Write) -> None:
    error = _error(write(DOCUMENTED.replace("convertible", '"convert"ible')))
    assert (error.line, error.column) == (3, 4) and "after a closing double quote" in str(error)


@pytest.mark.parametrize(("header", "column", "text"), [
    ("Product Name,Product Code,Order No,Product Type", 3, "unknown column 'Order No' (did you mean 'order_number'?)"),
    ("Product Name,Product Code,Order Number", None, "lacks the column(s) product_type"),
    ("Product Name,Product Code,Order Number,Product Type,product_code", 5, "appears twice"),
    ("Product Name,,Product Code,Order Number,Product Type", 2, "empty column name"),
])
def test_header_problems(write: Write, header: str, column: int | None, text: str) -> None:
    body = DOCUMENTED.split("\n", 1)[1]
    error = _error(write(header + "\n" + body))
    assert error.line == 1 and error.column == column and text in str(error)


@pytest.mark.parametrize(("content", "line", "text"), [
    ("", 1, "the file is empty"),
    ("\n\n", 1, "the file is empty"),
    ("product_name,product_code,order_number,product_type\n", 2, "no product rows"),
    (b"product_name,product_code,order_number,product_type\nCaf\xe9,C1,1,fixed\n", 2, "not UTF-8"),
])
def test_empty_and_undecodable_files(write: Write, content: str | bytes, line: int, text: str) -> None:
    error = _error(write(content))
    assert error.line == line and text in str(error)


def test_missing_file_and_spreadsheets(write: Write, tmp_path: Path) -> None:
    assert "file not found" in str(_error(tmp_path / "nope.csv"))
    assert "save the sheet as CSV" in str(_error(write(b"PK\x03\x04rest", "sheet.xlsx")))
    assert "spreadsheet (XLSX)" in str(_error(write(b"PK\x03\x04rest", "renamed.csv")))
    assert "is a directory" in str(_error(tmp_path))
