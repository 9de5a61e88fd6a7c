"""Small helpers over HTTP headers shared by the client, its errors and its retry loop."""

from __future__ import annotations

import datetime as dt
import email.utils
import math

import httpx

from uatcert.v2._constants import REQUEST_ID_HEADERS


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds asked by a `Retry-After` header (delta-seconds or HTTP-date); None if absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
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


def request_id_of(response: httpx.Response) -> str | None:
    """The provider's request id of a response, from the first header of `REQUEST_ID_HEADERS` present."""
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if isinstance(value, str) and value:
            return value
    return None
