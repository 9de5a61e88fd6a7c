"""Small helpers over HTTP headers: the `Retry-After` wait and the provider's request id."""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from collections.abc import Sequence

import httpx


def parse_retry_after(
    value: str | None, *, now: dt.datetime | None = None, http_date: bool = True
) -> float | None:
    """
    Seconds asked by a `Retry-After` header; None if absent or unreadable.

    Delta-seconds always; an HTTP-date too unless `http_date` is False (AllSafe reads numbers only).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        if not http_date:
            return None
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        current = now if now is not None else dt.datetime.now(dt.UTC)
        seconds = (when - current).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def request_ids_of(response: httpx.Response, names: Sequence[str]) -> tuple[str, ...]:
    """The provider's request ids of a response: the non-empty values of the headers `names`, in that order."""
    found = (response.headers.get(name) for name in names)
    return tuple(value for value in found if isinstance(value, str) and value)


def request_id_of(response: httpx.Response, names: Sequence[str]) -> str | None:
    """The provider's request id of a response, from the first of the headers `names` present."""
    return next(iter(request_ids_of(response, names)), None)
