"""`read_bounded`: one answer read within a total deadline and a size cap, whatever the transport does."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from uatcert._http.body import MAX_BODY_BYTES, read_bounded


class _Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: int, size: int, every_s: float = 0.0) -> None:
        self.chunks, self.size, self.every_s = chunks, size, every_s
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            time.sleep(self.every_s)
            yield b"x" * self.size

    def close(self) -> None:
        self.closed = True


def _send(stream: _Chunks, total_s: float | None) -> httpx.Response:
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=stream))) as http:
        return read_bounded(http, http.build_request("GET", "http://api.test/x"), total_s)


def test_a_body_within_the_bounds_is_read_whole() -> None:
    stream = _Chunks(4, 1000)
    assert _send(stream, 5.0).content == b"x" * 4000 and stream.closed


def test_a_slow_drip_ends_at_the_total_deadline() -> None:
    stream = _Chunks(200, 1, every_s=0.02)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout, match="total timeout"):
        _send(stream, 0.2)
    assert time.monotonic() - started < 1.0 and stream.closed


def test_no_deadline_when_none_is_given() -> None:
    assert len(_send(_Chunks(5, 10, every_s=0.01), None).content) == 50


def test_a_body_past_the_cap_is_refused() -> None:
    stream = _Chunks(MAX_BODY_BYTES // (1024 * 1024) + 1, 1024 * 1024)
    with pytest.raises(httpx.ReadError, match="larger than"):
        _send(stream, 30.0)
    assert stream.closed
