"""
Building blocks of the OpenAPI 3.1 documents the sandbox serves of each provider API it implements
(`v3/openapi.py`, `v2/openapi.py`, `allsafe/openapi.py`) and the route that serves one.

The documents describe the provider APIs as the references state them, with the sandbox's choice where a
reference says UNDOCUMENTED (marked `x-undocumented: true` on the element). The control API (`/__sandbox/`)
is never described. A document request is not an API call: faults never apply to it (`DOC_PATHS`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._http import json_response

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
OPENAPI_VERSION = "3.1.0"

Schema = dict[str, Any]

DOC_PATHS: set[str] = set()
"""Every path a document is served at (filled by `document_route`)."""


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], required: tuple[str, ...] = (), *, extra: bool = True) -> Schema:
    """An object schema; `extra`: unknown members allowed (tolerant reader)."""
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": extra}
    if required:
        schema["required"] = list(required)
    return schema


def content(schema: Schema, media_type: str = JSON) -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def answer(description: str, schema: Schema | None = None, *, media_type: str = JSON,
           headers: dict[str, Any] | None = None, undocumented: bool = False) -> dict[str, Any]:
    """A response object; no `schema`: an answer without a body."""
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = content(schema, media_type)
    if headers:
        out["headers"] = headers
    if undocumented:
        out["x-undocumented"] = True
    return out


def header(description: str, schema: Schema | None = None) -> dict[str, Any]:
    return {"description": description, "schema": schema or {"type": "string"}}


def info(title: str, description: str) -> dict[str, Any]:
    return {"title": f"{title} (uatcert sandbox)", "version": "sandbox", "description": description}


def document_route(path: str, document: dict[str, Any]) -> Route:
    """`GET path`: the document as JSON."""
    DOC_PATHS.add(path)

    async def serve(request: Request) -> Response:
        return json_response(document)

    return Route(path, serve, methods=["GET"])
