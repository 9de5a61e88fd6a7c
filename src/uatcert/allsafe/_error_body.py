"""
Reading AllSafe error bodies (UNDOCUMENTED): for logs and messages only, never for decisions.

A body may be JSON (`{"title", "detail"}` problem details, `{"message"}`, `{"error": {...}}`), plain
text or nothing; field errors come ASP.NET style (`{"errors": {"field": [...]}}`) or as a list.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from uatcert._http.errors import clip


def decode_error_body(response: httpx.Response) -> Any:
    """The error body as JSON, else its text (one line, clipped); None when empty or not text."""
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        try:
            text = response.content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return clip(text, one_line=True) if text.strip() else None


def text_field(body: Any, name: str) -> str | None:
    """A non-blank text member `name` of the body, or of its `error` object; None otherwise."""
    if isinstance(body, dict):
        value = body.get(name)
        if isinstance(value, str) and value.strip():
            return value
        error = body.get("error")
        if isinstance(error, dict):
            inner = error.get(name)
            if isinstance(inner, str) and inner.strip():
                return inner
    return None


def field_errors(body: Any) -> dict[str, list[str]]:
    """An `errors` map keyed by field (ASP.NET style), tolerating a list of {field, message} too."""
    if not isinstance(body, dict):
        return {}
    errors = body.get("errors")
    result: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for field, problems in errors.items():
            if isinstance(problems, list):
                result[str(field)] = [str(p) for p in problems]
            elif problems is not None:
                result[str(field)] = [str(problems)]
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                field = item.get("field") or item.get("name") or item.get("property") or ""
                message = item.get("message") or item.get("error") or ""
                result.setdefault(str(field), []).append(str(message))
    return result
