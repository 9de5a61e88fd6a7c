"""Pieces of requests: a path segment, batches of ids, the headers of a raw request."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from urllib.parse import quote


def segment(value: str, what: str) -> str:
    """`value` quoted as one path segment; ValueError if it is not a non-empty string."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return quote(value, safe="")


def batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """`items` in slices of at most `size`, in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def raw_headers(
    given: Mapping[str, str | None] | None,
    *,
    authorization: Callable[[], str] | None = None,
    json_body: bool = False,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """
    The headers of a raw request (negative tests): `given` wins. `authorization()` (called only when
    needed), a JSON `Content-Type` when there is a body, and `extra` are added unless `given` names them;
    a header given as None is left out.
    """
    given = dict(given or {})
    named = {name.lower() for name in given}
    defaults: dict[str, str] = {}
    if authorization is not None and "authorization" not in named:
        defaults["Authorization"] = authorization()
    for name, value in (extra or {}).items():
        if name.lower() not in named:
            defaults[name] = value
    if json_body and "content-type" not in named:
        defaults["Content-Type"] = "application/json"
    return {**defaults, **{name: value for name, value in given.items() if value is not None}}
