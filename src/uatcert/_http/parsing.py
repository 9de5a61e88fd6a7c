"""
Tolerant reading of success bodies: JSON decoding, where the payload sits, model validation.

A `BodyReader` is one API's way of reading: the keys its payloads may sit under and the class of
its `ResponseValidationError`. Field paths in validation errors are JSONPath-like
(`$.data[0].status`) and never show the offending value (it may be a voucher code).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from uatcert._http.errors import NOT_JSON, BodyInvalid, where

ModelT = TypeVar("ModelT", bound=BaseModel)


def at(response: httpx.Response) -> str:
    """`METHOD /path -> status` of a response, for messages."""
    return f"{where(response.request)} -> {response.status_code}"


def join_path(prefix: str, loc: Sequence[int | str]) -> str:
    """A JSONPath-like field path: `$.data` + (0, "status") -> `$.data[0].status`."""
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def model_errors(exc: ValidationError, prefix: str) -> list[tuple[str, str]]:
    """(path, problem) of every failure pydantic found, paths under `prefix`."""
    return [(join_path(prefix, err["loc"]), err["msg"]) for err in exc.errors(include_url=False)]


@dataclasses.dataclass(frozen=True)
class BodyReader:
    """How one API's success bodies are read, and the error it raises when one cannot be."""

    invalid: type[BodyInvalid]
    """The API's `ResponseValidationError`."""
    list_keys: tuple[str, ...] = ()
    """Members a list payload may sit under (else a bare array)."""
    object_keys: tuple[str, ...] = ()
    """Members a single-object payload may sit under (else the bare object)."""
    nested_data: bool = False
    """Also accept `data` holding the list one level down (`{"data": {"vouchers": [...]}}`) or one object in a list."""
    items: str = "items"
    """What the list holds, for messages."""

    def decode_json(self, response: httpx.Response) -> Any:
        """The decoded JSON body; the API's `ResponseValidationError` if it is empty or not JSON."""
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            kind = response.headers.get("content-type", "no content type")
            raise self.invalid(
                f"{at(response)}: body is not JSON ({kind}, {len(response.content)} bytes)",
                errors=[NOT_JSON],
                response=response,
            ) from None

    def locate_list(self, body: Any, response: httpx.Response) -> tuple[str, list[Any]]:
        """(path, items) of a list payload: a bare array, or under one of `list_keys`."""
        if isinstance(body, list):
            return "$", body
        if isinstance(body, dict):
            for key in self.list_keys:
                value = body.get(key)
                if isinstance(value, list):
                    return f"$.{key}", value
                if self.nested_data and key == "data" and isinstance(value, dict):
                    for inner in self.list_keys:
                        if inner != "data" and isinstance(value.get(inner), list):
                            return f"$.data.{inner}", value[inner]
        raise self.invalid(
            f"{at(response)}: no list of {self.items} in the body (looked for a bare array and "
            f"{', '.join(self.list_keys)})",
            errors=[("$", "expected an array or an object holding one")],
            response=response,
        )

    def locate_object(self, body: Any, response: httpx.Response) -> tuple[str, dict[str, Any]]:
        """(path, object) of a single-object payload: under one of `object_keys`, or bare."""
        if isinstance(body, dict):
            for key in self.object_keys:
                value = body.get(key)
                if isinstance(value, dict):
                    return f"$.{key}", value
                if (self.nested_data and key == "data" and isinstance(value, list) and len(value) == 1
                        and isinstance(value[0], dict)):
                    return "$.data[0]", value[0]
            return "$", body
        if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
            return "$[0]", body[0]
        raise self.invalid(
            f"{at(response)}: expected a JSON object in the body",
            errors=[("$", "expected an object")],
            response=response,
        )

    def validate_model(self, model: type[ModelT], data: Any, path: str, response: httpx.Response) -> ModelT:
        """Validate one object; the API's `ResponseValidationError` naming every failing field path."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise self._invalid_model(model, model_errors(exc, path), response) from None

    def validate_list(
        self, model: type[ModelT], items: list[Any], path: str, response: httpx.Response
    ) -> list[ModelT]:
        """Validate every item; one `ResponseValidationError` listing the failures of all items."""
        result: list[ModelT] = []
        errors: list[tuple[str, str]] = []
        for index, item in enumerate(items):
            try:
                result.append(model.model_validate(item))
            except ValidationError as exc:
                errors.extend(model_errors(exc, f"{path}[{index}]"))
        if errors:
            raise self._invalid_model(model, errors, response)
        return result

    def read_list(self, model: type[ModelT], response: httpx.Response) -> list[ModelT]:
        """Decode, locate and validate a list payload."""
        path, items = self.locate_list(self.decode_json(response), response)
        return self.validate_list(model, items, path, response)

    def read_object(self, model: type[ModelT], response: httpx.Response) -> ModelT:
        """Decode, locate and validate a single-object payload."""
        path, obj = self.locate_object(self.decode_json(response), response)
        return self.validate_model(model, obj, path, response)

    def _invalid_model(
        self, model: type[BaseModel], errors: list[tuple[str, str]], response: httpx.Response
    ) -> BodyInvalid:
        shown = "; ".join(f"{path}: {msg}" for path, msg in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        return self.invalid(
            f"{at(response)}: body is not a valid {model.__name__}: {shown}{more}", errors=errors, response=response
        )


def text_only(message: str, then: Callable[[str], object] | None = None) -> Callable[[object], object]:
    """
    A `mode="before"` field validator: the value must be a JSON string, never coerced from a number
    (`message` otherwise); `then(value)` is what the field gets, if given (e.g. a date parser).
    """

    def check(value: object) -> object:
        if not isinstance(value, str):
            raise ValueError(message)
        return value if then is None else then(value)

    return check


def integer_as_text(name: str) -> Callable[[object], object]:
    """A `mode="before"` field validator: None or a string as sent, a JSON integer as its text (a PIN, a code)."""

    def convert(value: object) -> object:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise ValueError(f"{name} must be a string or an integer")

    return convert
