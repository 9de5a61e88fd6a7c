"""The sandbox catalogue file: `{"products": [ <product as GET /products returns it>, ... ]}`."""

from __future__ import annotations

import difflib
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from uatcert.errors import ConfigError

SEEDED_CATALOGUE = Path(__file__).parent.parent / "data" / "v3_catalogue.json"
PUBLIC_FIELDS = (
    "code",
    "name",
    "description",
    "currency",
    "face_value",
    "is_value_based",
    "is_open_value",
    "is_status_available",
    "is_multiple_use",
)
SANDBOX_FIELDS = ("stock", "validity_days", "needs_activation")
STOCK_FIELD = "available_stock"
"""The stock left, listed on limited-stock products only (UNDOCUMENTED key, see docs/sandbox.md)."""


class CatalogueProduct(BaseModel):
    """A product; unknown keys are kept and returned by the API, sandbox-only keys never are."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    code: str = Field(pattern=r"^[^\x00-\x1f\x7f\s](?:[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s])?$", max_length=100)
    """Any printable text without surrounding blanks: spaces, `/`, `%`, `#`, `?` included (URL-quoted in paths)."""
    name: str = Field(min_length=1)
    description: str = ""
    currency: str
    face_value: int | None
    is_value_based: bool
    is_open_value: bool
    is_status_available: bool
    is_multiple_use: bool
    stock: int | None = Field(default=None, ge=0)
    validity_days: int = Field(default=365, ge=0, le=36500)
    needs_activation: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_typos(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = PUBLIC_FIELDS + SANDBOX_FIELDS
            for key in data:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.8)
                if key not in known and close:
                    raise ValueError(f"unknown key {key!r} (did you mean {close[0]!r}?)")
        return data

    @model_validator(mode="after")
    def _consistent(self) -> CatalogueProduct:
        if self.is_open_value:
            if not self.is_value_based:
                raise ValueError("open-value products must be value-based (is_value_based true)")
            if self.face_value is not None:
                raise ValueError("face_value must be null for an open-value product")
        elif self.face_value is None or self.face_value <= 0:
            raise ValueError("face_value must be a positive integer for a fixed product (cents or items)")
        if self.is_value_based and (len(self.currency) != 3 or not self.currency.isupper()):
            raise ValueError(f"currency must be a 3-letter code such as 'SGD' (got {self.currency!r})")
        if not self.is_value_based and self.currency != "":
            raise ValueError(f"currency must be \"\" for a product-based product (got {self.currency!r})")
        return self

    def public(self, stock_left: int | None = None) -> dict[str, Any]:
        """The product as the API returns it; a limited-stock product lists `available_stock` (what is left)."""
        out = {name: getattr(self, name) for name in PUBLIC_FIELDS}
        out.update(self.model_extra or {})
        if self.stock is not None:
            out[STOCK_FIELD] = self.stock if stock_left is None else stock_left
        return out


class Catalogue(BaseModel):
    """The products of one sandbox, in file order."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    products: list[CatalogueProduct]

    @model_validator(mode="before")
    @classmethod
    def _accept_data_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and "products" not in data and set(data) == {"data"}:
            return {"products": data["data"]}
        return data

    @model_validator(mode="after")
    def _unique_codes(self) -> Catalogue:
        seen: dict[str, int] = {}
        for index, product in enumerate(self.products):
            if product.code in seen:
                raise ValueError(
                    f"duplicate product code {product.code!r} at products[{seen[product.code]}] "
                    f"and products[{index}]"
                )
            seen[product.code] = index
        return self

    @cached_property
    def _by_code(self) -> dict[str, CatalogueProduct]:
        return {p.code: p for p in self.products}

    def get(self, code: str) -> CatalogueProduct | None:
        """The product with this code, if any."""
        return self._by_code.get(code)


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Read and validate a catalogue file (None = the seeded one); ConfigError on any problem."""
    file = SEEDED_CATALOGUE if path is None else Path(path)
    try:
        raw = json.loads(file.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"sandbox catalogue {file}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"sandbox catalogue {file}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"sandbox catalogue {file}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"sandbox catalogue {file}: not a UTF-8 JSON file ({exc})") from None
    if not isinstance(raw, dict) or not ({"products", "data"} & set(raw)):
        raise ConfigError(f'sandbox catalogue {file}: expected a JSON object {{"products": [...]}}')
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(err, raw) for err in exc.errors()]
        more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
        raise ConfigError(f"sandbox catalogue {file}: {'; '.join(problems[:3])}{more}") from None


def _describe(err: ErrorDetails, raw: dict[str, Any]) -> str:
    loc = list(err["loc"])
    msg = err["msg"].removeprefix("Value error, ").replace(" or instance of CatalogueProduct", "")
    if err["type"] not in ("missing", "value_error", "assertion_error"):
        msg += f" (got {err['input']!r})"
    where = ""
    if loc[:1] == ["data"]:
        loc[0] = "products"
    if len(loc) >= 2 and loc[0] == "products" and isinstance(loc[1], int):
        index = loc[1]
        products = raw.get("products", raw.get("data"))
        code = None
        if isinstance(products, list) and index < len(products) and isinstance(products[index], dict):
            code = products[index].get("code")
        where = f"products[{index}]" + (f" (code {code!r})" if isinstance(code, str) else "")
        if len(loc) > 2:
            where += f" field {'.'.join(str(p) for p in loc[2:])!r}"
    elif loc:
        where = f"field {'.'.join(str(p) for p in loc)!r}"
    return f"{where}: {msg}" if where else msg
