"""
Bounds on reading one response body: a total deadline and a size cap.

httpx's timeouts bound each network read, not the whole exchange: a server that drips a byte just
inside the read timeout would hold a call for ever. `BoundedBody` wraps a response's byte stream and
raises `httpx.ReadTimeout` once the exchange has run past its deadline (measured on the real monotonic
clock from before the request was sent), and `httpx.ReadError` once the body outgrows `MAX_BODY_BYTES`.
Each client's `wrap_error` then turns them into its own timeout / connection error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx

MAX_BODY_BYTES = 16 * 1024 * 1024
"""Largest response body read (no answer of these APIs comes near it)."""


class BoundedBody(httpx.SyncByteStream):
    """A response stream that ends in an httpx error past `deadline` (monotonic) or past `limit` bytes."""

    def __init__(self, inner: httpx.SyncByteStream, request: httpx.Request, *, deadline: float | None,
                 limit: int = MAX_BODY_BYTES) -> None:
        self._inner = inner
        self._request = request
        self._deadline = deadline
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        read = 0
        for chunk in self._inner:
            read += len(chunk)
            if read > self._limit:
                raise httpx.ReadError(f"response body larger than {self._limit} bytes", request=self._request)
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise httpx.ReadTimeout("response not complete within the call's total timeout",
                                        request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


def read_bounded(http: httpx.Client, request: httpx.Request, total_s: float | None) -> httpx.Response:
    """Send `request` and read its whole body within `total_s` seconds (None: no total) and `MAX_BODY_BYTES`."""
    deadline = None if total_s is None else time.monotonic() + total_s
    response = http.send(request, stream=True)
    try:
        if not isinstance(response.stream, httpx.SyncByteStream):
            raise httpx.ReadError("the transport gave an asynchronous body to a synchronous client", request=request)
        response.stream = BoundedBody(response.stream, request, deadline=deadline)
        response.read()
    finally:
        response.close()
    return response
