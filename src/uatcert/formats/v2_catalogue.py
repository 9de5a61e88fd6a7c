"""
The v2 catalogue file: v2 has no catalogue endpoint; the provider hands the catalogue over as a file
with the credentials (reference §7.1). It is read here from CSV (UTF-8, a BOM is fine, comma,
semicolon or tab separated, RFC 4180 quoting) and checked strictly.

Documented columns (in any order; headers such as `Product Name` or `product_name` are both accepted):

| column         | content                                                                    |
|----------------|----------------------------------------------------------------------------|
| `product_name` | e.g. `${FV} UNIQGIFT Groceries Voucher` (`${FV}`: replaced by the amount)  |
| `product_code` | e.g. `UNIVGROCERIESDYNAMIC01`; unique in the file; any text but a slash   |
| `order_number` | digits, e.g. `202208013226`; used by the provider to invoice the issuance  |
| `product_type` | `fixed value-based`, `dynamic value-based`, `product-based`, `convertible`, |
|                | `third-party` (or `fixed_value`, `dynamic_value`, ... as in the seed file)  |

Any other column is kept in `CatalogueEntry.extra` (the sandbox's own file has `expiry_rule`,
`currency`, `initial_value`, `stock`, `needs_activation`, which the sandbox checks with
`CatalogueFile.problem`). This is the one reader of the file: the client side and the sandbox both use
it (it imports nothing from uatcert but `errors`). Every problem is a `CatalogueFileError` (a `ConfigError`) that
names the file, the line and the column, e.g.
`v2 catalogue file uat.csv: line 4, column 3 (order_number): '2021-12-17' is not a number of digits`.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from uatcert.errors import ConfigError
from uatcert.formats._csv import Field, records, sniff_delimiter

ProductType = Literal["fixed value-based", "dynamic value-based", "product-based", "convertible", "third-party"]
PRODUCT_TYPES: tuple[ProductType, ...] = (
    "fixed value-based", "dynamic value-based", "product-based", "convertible", "third-party",
)
TYPE_NAMES: dict[ProductType, str] = {
    "fixed value-based": "fixed_value", "dynamic value-based": "dynamic_value", "product-based": "product_based",
    "convertible": "convertible", "third-party": "third_party",
}
"""The `product_type` enumeration the reference proposes for files (§7.1), by documented type."""
COLUMNS = ("product_name", "product_code", "order_number", "product_type")
"""The four documented columns; all are required."""

_TYPE_WORDS: dict[str, ProductType] = {
    "fixedvaluebased": "fixed value-based", "fixedvalue": "fixed value-based", "fixed": "fixed value-based",
    "dynamicvaluebased": "dynamic value-based", "dynamicvalue": "dynamic value-based", "dynamic": "dynamic value-based",
    "productbased": "product-based",
    "convertible": "convertible", "giftcard": "convertible", "egiftcard": "convertible",
    "supervoucher": "convertible",
    "thirdparty": "third-party", "thirdpartyvoucher": "third-party", "thirdpartyvouchers": "third-party",
}
_NOT_IN_A_SEGMENT = re.compile(r"[\x00-\x1f\x7f/]")
"""What a product code cannot hold to travel as one (percent-encoded) path segment: a slash (servers and
gateways commonly decode `%2F` into a path separator) or a control character. Anything else is quoted."""
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_LEADING_AMOUNT = re.compile(r"^\s*(?:SGD\s*)?\$\s?(\d{1,6}(?:\.\d{2})?)(?!\d)")
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")


class CatalogueFileError(ConfigError):
    """The catalogue file is missing or malformed; `line`/`column` (1-based) locate the problem."""

    def __init__(
        self, path: Path, problem: str, *, line: int | None = None, column: int | None = None,
        column_name: str | None = None,
    ) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        self.column = column
        self.column_name = column_name
        where = ""
        if line is not None:
            where = f"line {line}"
            if column is not None:
                where += f", column {column}" + (f" ({column_name})" if column_name else "")
            where += ": "
        super().__init__(f"v2 catalogue file {path}: {where}{problem}")


def leading_amount(name: str) -> str:
    """The amount in dollars a product name starts with (`"$10 Grocery Voucher"` -> `"10"`), else ""."""
    match = _LEADING_AMOUNT.match(name)
    return match.group(1) if match else ""


class ProductKind:
    """What a product's documented type says; a base of the dataclasses that hold a `product_type` (the file's
    entries here, the sandbox's products)."""

    product_type: ProductType

    @property
    def is_dynamic(self) -> bool:
        """A dynamic value-based product: its issuance needs a face value in SGD dollars."""
        return self.product_type == "dynamic value-based"

    @property
    def is_value_based(self) -> bool:
        return self.product_type != "product-based"


@dataclasses.dataclass(frozen=True)
class CatalogueEntry(ProductKind):
    """One product of the catalogue file."""

    name: str
    code: str
    order_number: str
    product_type: ProductType
    line: int
    """Line of the file the product is on (for messages)."""
    extra: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The other columns of the row, by normalised header name (e.g. `initial_value`)."""

    @property
    def kind(self) -> str:
        """A readable classification (as recorded in run.json and the certificate)."""
        return {
            "fixed value-based": "fixed value-based",
            "dynamic value-based": "dynamic value-based, open value",
            "product-based": "product-based",
            "convertible": "convertible, gift card, fixed value",
            "third-party": "third-party",
        }[self.product_type]

    @property
    def value_cents(self) -> int | None:
        """
        Best guess of a fixed product's value in cents, for the production budget only: the file's
        `initial_value` column if it has one, else a leading amount in the name (`$10 ...`). None for
        dynamic and product-based products, or when nothing says.
        """
        if self.is_dynamic or not self.is_value_based:
            return None
        raw = self.extra.get("initial_value", "").strip()
        if not raw:
            raw = leading_amount(self.name)
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            return None
        return int(amount * 100) if amount.is_finite() and amount > 0 else None


@dataclasses.dataclass(frozen=True)
class CatalogueFile:
    """The products of a catalogue file, in file order, with the file's SHA-256."""

    path: Path
    sha256: str
    products: tuple[CatalogueEntry, ...]
    columns: tuple[str, ...]
    """Every column of the header, normalised, in file order."""

    def get(self, code: str) -> CatalogueEntry | None:
        return next((p for p in self.products if p.code == code), None)

    def problem(self, entry: CatalogueEntry, column: str, problem: str) -> CatalogueFileError:
        """An error located at `column` of `entry`'s row (for checks of the extra columns)."""
        return CatalogueFileError(self.path, problem, line=entry.line, column=self.columns.index(column) + 1,
                                  column_name=column)

    @property
    def dynamic(self) -> list[CatalogueEntry]:
        """The dynamic value-based products."""
        return [p for p in self.products if p.is_dynamic]


def normalise_header(name: str) -> str:
    """`Product Name` -> `product_name`."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def normalise_type(value: str) -> ProductType | None:
    """`dynamic value-based`, `Dynamic_Value`, `dynamic` -> `dynamic value-based`; None when unknown."""
    return _TYPE_WORDS.get(re.sub(r"[^a-z]", "", value.lower()))


def _locate(file: Path) -> Callable[[str, int, int], CatalogueFileError]:
    return lambda problem, line, column: CatalogueFileError(file, problem, line=line, column=column)


def read_catalogue(path: Path | str) -> CatalogueFile:
    """Read and check a catalogue file; `CatalogueFileError` (file, line, column) on any problem."""
    file = Path(path)
    if file.suffix.lower() in _SPREADSHEET_SUFFIXES:
        raise CatalogueFileError(file, "a spreadsheet is not read: save the sheet as CSV (UTF-8) and use that file")
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise CatalogueFileError(file, "file not found") from None
    except IsADirectoryError:
        raise CatalogueFileError(file, "is a directory, not a file") from None
    except OSError as exc:
        raise CatalogueFileError(file, f"cannot read: {exc.strerror}") from None
    if raw.startswith(b"PK\x03\x04"):
        raise CatalogueFileError(file, "this is a spreadsheet (XLSX), not CSV: save the sheet as CSV (UTF-8)")
    text = _decode(file, raw)
    delimiter = sniff_delimiter(text, lambda name: normalise_header(name) in COLUMNS)
    rows = [r for r in records(text, delimiter, _locate(file)) if any(f.value.strip() for f in r)]
    if not rows:
        raise CatalogueFileError(
            file, f"the file is empty: expected a header row with {', '.join(COLUMNS)}", line=1
        )
    header, body = rows[0], rows[1:]
    columns = _columns(file, header)
    products: list[CatalogueEntry] = []
    seen: dict[str, int] = {}
    for record in body:
        entry = _entry(file, columns, record)
        if entry.code in seen:
            raise CatalogueFileError(
                file, f"product code {entry.code!r} is already on line {seen[entry.code]}",
                line=entry.line, column=columns.index("product_code") + 1, column_name="product_code",
            )
        seen[entry.code] = entry.line
        products.append(entry)
    if not products:
        raise CatalogueFileError(file, "no product rows after the header", line=header[0].line + 1)
    return CatalogueFile(file, hashlib.sha256(raw).hexdigest(), tuple(products), tuple(columns))


def _decode(file: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise CatalogueFileError(
            file, f"not UTF-8 (byte 0x{raw[start]:02x} at character {column}); save the file as CSV UTF-8",
            line=line,
        ) from None


def _columns(file: Path, header: list[Field]) -> list[str]:
    names = [normalise_header(f.value) for f in header]
    for field, name in zip(header, names, strict=True):
        if not name:
            raise CatalogueFileError(file, "empty column name in the header", line=field.line, column=field.column)
        if names.index(name) != field.column - 1:
            raise CatalogueFileError(
                file, f"column {name!r} appears twice in the header (first in column {names.index(name) + 1})",
                line=field.line, column=field.column,
            )
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        for field, name in zip(header, names, strict=True):
            close = difflib.get_close_matches(name, missing, n=1, cutoff=0.6)
            if name not in COLUMNS and close:
                raise CatalogueFileError(
                    file, f"unknown column {field.value.strip()!r} (did you mean {close[0]!r}?)",
                    line=field.line, column=field.column,
                )
        raise CatalogueFileError(
            file, f"the header lacks the column(s) {', '.join(missing)} (found: {', '.join(names)})",
            line=header[0].line,
        )
    return names


def _entry(file: Path, columns: list[str], record: list[Field]) -> CatalogueEntry:
    line = record[0].line
    if len(record) > len(columns):
        surplus = record[len(columns)]
        raise CatalogueFileError(
            file, f"{len(record)} values, but the header has {len(columns)} columns "
            "(a separator inside a value must be quoted)",
            line=surplus.line, column=surplus.column,
        )
    values = {name: record[i].value.strip() if i < len(record) else "" for i, name in enumerate(columns)}

    def fail(column: str, problem: str) -> CatalogueFileError:
        index = columns.index(column)
        at = record[index].line if index < len(record) else line
        return CatalogueFileError(file, problem, line=at, column=index + 1, column_name=column)

    for column in COLUMNS:
        if not values[column]:
            raise fail(column, "missing value")
    code, order_number, raw_type = values["product_code"], values["order_number"], values["product_type"]
    if _NOT_IN_A_SEGMENT.search(code) or code in (".", ".."):
        raise fail("product_code", f"{code!r} cannot be sent as one URL path segment (no slash, no control "
                   "character, not . or ..)")
    if not order_number.isdigit() or not order_number.isascii():
        hint = ""
        if _SCIENTIFIC.match(order_number):
            hint = " (a spreadsheet turned it into a number: format the column as text before saving)"
        raise fail("order_number", f"{order_number!r} is not a number of digits{hint}")
    product_type = normalise_type(raw_type)
    if product_type is None:
        raise fail("product_type", f"unknown product type {raw_type!r}; expected one of: {', '.join(PRODUCT_TYPES)}")
    extra = {name: values[name] for name in columns if name not in COLUMNS}
    return CatalogueEntry(values["product_name"], code, order_number, product_type, line, extra)
