"""
Hostile answers for the clients' property-based tests: a MockTransport server that answers every API call
with one drawn answer (the token call may stay honest), and the Hypothesis strategies that draw them.

An answer is truncated JSON, a valid body with fields dropped or of the wrong type, random JSON, random
bytes, an HTML page from a gateway, an empty body, or a body larger than the clients read; with any
status (unknown ones, 1xx/3xx, the 49x of AllSafe), a redirect to another host, and odd headers.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOST = "api.uat.test"
"""The host the clients are configured with; every request must stay on it."""
OTHER_HOST = "collector.elsewhere.test"

GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>"
    b"\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
STATUSES = [100, 199, 200, 201, 202, 204, 206, 207, 299, 300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404,
            405, 408, 409, 410, 418, 422, 429, 451, 490, 491, 492, 495, 496, 499, 500, 502, 503, 504, 599, 600, 999]
REDIRECTS = [301, 302, 303, 307, 308]
SECRET_HEADERS = ("authorization", "x-client-secret", "x-client-id", "cookie")

HOSTILE = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
"""The bound of the broad property tests (the whole folder stays within ~30 s)."""


@dataclasses.dataclass(frozen=True)
class Answer:
    """One hostile answer: status, headers, body (bytes, or a stream factory for huge / slow bodies)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    stream: Callable[[], httpx.SyncByteStream] | None = None
    label: str = ""

    def response(self) -> httpx.Response:
        if self.stream is not None:
            return httpx.Response(self.status, headers=list(self.headers), stream=self.stream())
        return httpx.Response(self.status, headers=list(self.headers), content=self.body)


class Server:
    """A MockTransport handler: honest answers for `honest` paths, `answer` for every other request; keeps them."""

    def __init__(self, answer: Answer, honest: dict[str, Callable[[httpx.Request], httpx.Response]] | None = None):
        self.answer = answer
        self.honest = honest or {}
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.host != HOST:
            return httpx.Response(200, json={"stolen": True})
        for path, respond in self.honest.items():
            if request.url.path == path:
                return respond(request)
        return self.answer.response()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def assert_credentials_stayed_home(self) -> None:
        """Nothing went to another host (redirects are not followed), and no secret header ever left."""
        elsewhere = [r for r in self.seen if r.url.host != HOST]
        leaked = [(str(r.url), h) for r in elsewhere for h in SECRET_HEADERS if h in r.headers]
        assert not leaked, leaked
        assert not elsewhere, [str(r.url) for r in elsewhere]


class Drip(httpx.SyncByteStream):
    """A body that drips one byte every `every_s` (at most `limit` bytes, so a broken client cannot hang a run)."""

    def __init__(self, every_s: float = 0.02, limit: int = 500) -> None:
        self.every_s = every_s
        self.limit = limit

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"data": ['
        for _ in range(self.limit):
            time.sleep(self.every_s)
            yield b" "


class Huge(httpx.SyncByteStream):
    """A JSON-looking body of `mib` MiB, made chunk by chunk."""

    def __init__(self, mib: int) -> None:
        self.mib = mib

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"data": ["'
        chunk = b"x" * (1024 * 1024)
        for _ in range(self.mib):
            yield chunk
        yield b'"]}'


JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON_VALUES = st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """`value` with members dropped, replaced by random JSON (wrong types), or mutated further down."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            action = draw(st.sampled_from(["keep", "keep", "drop", "replace", "recurse"]))
            if action == "keep":
                out[key] = item
            elif action == "replace":
                out[key] = draw(JSON_VALUES)
            elif action == "recurse" and depth < 4:
                out[key] = draw(mutated(item, depth + 1))
        return out
    if isinstance(value, list):
        return [draw(mutated(item, depth + 1)) for item in value] if depth < 4 else value
    return value if draw(st.booleans()) else draw(JSON_VALUES)


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def bodies(valid: Any) -> st.SearchStrategy[tuple[str, bytes, str]]:
    """(label, body, content type) of hostile bodies built around `valid`, a good answer of the operation."""
    good = _dumps(valid)
    return st.one_of(
        st.integers(0, max(0, len(good) - 1)).map(lambda n: ("truncated JSON", good[:n], "application/json")),
        mutated(valid).map(lambda v: ("fields dropped or mistyped", _dumps(v), "application/json")),
        JSON_VALUES.map(lambda v: ("random JSON", _dumps(v), "application/json")),
        st.binary(max_size=64).map(lambda b: ("random bytes", b, "application/octet-stream")),
        st.just(("gateway HTML page", GATEWAY_PAGE, "text/html")),
        st.just(("empty body", b"", "application/json")),
        st.just(("valid body", good, "application/json")),
    )


RETRY_AFTER = st.sampled_from(["", "0", "1", "-5", "abc", "1e9", "99999999999999999999",
                               "Wed, 21 Oct 2015 07:28:00 GMT"])


@st.composite
def answers(draw: st.DrawFn, valid: Any) -> Answer:
    """Any status with any hostile body; 3xx answers point at another host."""
    status = draw(st.sampled_from(STATUSES))
    label, body, content_type = draw(bodies(valid))
    headers = [("content-type", draw(st.sampled_from([content_type, "application/json", "text/plain"])))]
    if 300 <= status < 400:
        headers.append(("location", f"https://{OTHER_HOST}/collect"))
    if draw(st.booleans()):
        headers.append(("retry-after", draw(RETRY_AFTER)))
    return Answer(status, tuple(headers), body, label=f"{status} {label}")


def huge_answer(mib: int = 17) -> Answer:
    return Answer(200, (("content-type", "application/json"),), stream=lambda: Huge(mib), label=f"200 {mib} MiB")


def drip_answer() -> Answer:
    return Answer(200, (("content-type", "application/json"),), stream=Drip, label="200 slow drip")


def redirect_answer(status: int, path: str = "/collect") -> Answer:
    return Answer(status, (("location", f"https://{OTHER_HOST}{path}"),), label=f"{status} to another host")


def no_sleep(_: float) -> None:
    """The clients' sleep between retries: none (the tests must not wait)."""
