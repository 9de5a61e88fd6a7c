"""Tolerant readers of v3 responses: the provider's error code and the voucher objects of a body."""

from __future__ import annotations

import re
from typing import Any

import httpx

from uatcert.suite.checks import body_json

ERROR_CODE = re.compile(r"^\d{3}-[0-9A-Fa-f?x]{3}$")


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
    return voucher_items(body_json(response))


def voucher_items(node: Any) -> list[dict[str, Any]]:
    """Voucher objects in a decoded body (enveloped or not); an error body yields none."""
    if isinstance(node, list):
        return [v for item in node for v in voucher_items(item)]
    if isinstance(node, dict):
        if "voucher_id" in node:
            return [node]
        return [v for key, value in node.items() if key != "error" for v in voucher_items(value)]
    return []
