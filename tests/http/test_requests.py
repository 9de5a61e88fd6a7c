"""Pieces of requests: one path segment, batches of ids, the headers of a raw request."""

from __future__ import annotations

import pytest

from uatcert._http.requests import batches, raw_headers, segment


def test_a_segment_is_quoted_whole_and_never_empty() -> None:
    assert segment("A B/C?", "code") == "A%20B%2FC%3F"
    for bad in ("", None, 5):
        with pytest.raises(ValueError, match="code must be a non-empty string"):
            segment(bad, "code")  # type: ignore[arg-type]


def test_batches_keep_the_order() -> None:
    assert [list(b) for b in batches([str(i) for i in range(5)], 2)] == [["0", "1"], ["2", "3"], ["4"]]
    assert list(batches([], 20)) == []


def test_raw_headers_given_ones_win_and_none_leaves_a_header_out() -> None:
    calls: list[int] = []

    def bearer() -> str:
        calls.append(1)
        return "Bearer t"

    assert raw_headers(None, authorization=bearer, json_body=True, extra={"X-Key": "k"}) == {
        "Authorization": "Bearer t", "X-Key": "k", "Content-Type": "application/json"}
    given = raw_headers({"authorization": "Bearer forged", "X-Key": None, "content-type": "text/plain"},
                        authorization=bearer, json_body=True, extra={"X-Key": "k"})
    assert given == {"authorization": "Bearer forged", "content-type": "text/plain"}
    assert calls == [1]  # not asked for a token it does not send
    assert raw_headers({}) == {}
