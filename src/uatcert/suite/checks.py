"""Reusable conformance checks: tolerant readers of responses and a `Check` that raises findings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from uatcert.suite.findings import Nonconformance, short
from uatcert.v3 import ResponseValidationError

ERROR_CODE = re.compile(r"^\d{3}-[0-9A-Fa-f?x]{3}$")


def body_json(response: httpx.Response) -> Any:
    """The response body as JSON, or None when it is not JSON."""
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def error_code_of(response: httpx.Response) -> str | None:
    """The provider's error code (form `400-5DC`) wherever the (undocumented) error body puts it."""
    return _find_code(body_json(response))


def _find_code(node: Any) -> str | None:
    if isinstance(node, str):
        return node if ERROR_CODE.match(node) else None
    if isinstance(node, dict):
        for key in ("code", "error_code", "errorCode"):
            value = node.get(key)
            if isinstance(value, str) and ERROR_CODE.match(value):
                return value
        values: list[Any] = list(node.values())
    elif isinstance(node, list):
        values = list(node)
    else:
        return None
    for value in values:
        found = _find_code(value)
        if found:
            return found
    return None


def voucher_objects(response: httpx.Response) -> list[dict[str, Any]]:
    """Voucher objects in a body (enveloped or not); an error body yields none."""
    return _vouchers(body_json(response))


def _vouchers(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [v for item in node for v in _vouchers(item)]
    if isinstance(node, dict):
        if "voucher_id" in node:
            return [node]
        return [v for key, value in node.items() if key != "error" for v in _vouchers(value)]
    return []


class Check:
    """Raises `Nonconformance` for one requirement (and product) when an expectation is not met."""

    def __init__(self, requirement: str, product: str | None = None) -> None:
        self.requirement = requirement
        self.product = product

    def that(self, condition: bool, expected: str, got: object) -> None:
        if not condition:
            raise Nonconformance(self.requirement, expected, short(got), product=self.product)

    def fail(self, expected: str, got: object) -> None:
        raise Nonconformance(self.requirement, expected, short(got), product=self.product)

    def status(self, response: httpx.Response, expected: int | tuple[int, ...], what: str) -> None:
        allowed = (expected,) if isinstance(expected, int) else expected
        self.that(
            response.status_code in allowed,
            f"{what} (HTTP {' or '.join(map(str, allowed))})",
            f"HTTP {response.status_code} {short(response.text, 120)}",
        )

    @contextmanager
    def conformant(self, what: str) -> Iterator[None]:
        """Turn a response that does not match the documented model into a finding."""
        try:
            yield
        except ResponseValidationError as exc:
            raise Nonconformance(
                self.requirement, f"{what} matching the documented model", short(str(exc)), product=self.product
            ) from exc
