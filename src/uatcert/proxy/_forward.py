"""Forwarding one request upstream with httpx: hop-by-hop headers stripped, raw bytes both ways."""

from __future__ import annotations

import dataclasses

import httpx

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade", "proxy-connection"})
"""RFC 9110 §7.6.1: meaningful for one connection only, never forwarded (nor the headers `Connection` names)."""
UPSTREAM_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
_SET_BY_THE_PROXY = frozenset({"host", "content-length", "expect"})
"""Host and Content-Length are the upstream's; the body is sent whole, so no 100-continue is asked for."""


def end_to_end(headers: list[tuple[str, str]], *, drop: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The headers without the hop-by-hop ones (and without `drop`), names as sent, order kept."""
    named = {token.strip().lower() for name, value in headers if name.lower() == "connection"
             for token in value.split(",")}
    skip = HOP_BY_HOP | named | drop
    return [(name, value) for name, value in headers if name.lower() not in skip]


@dataclasses.dataclass(frozen=True)
class Upstream:
    """The upstream's answer: status, headers as sent, and the body bytes exactly as they came (not decoded)."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    raw_body: bytes

    def decoded_body(self) -> bytes:
        """The body with its Content-Encoding undone (for the record); the raw bytes if that fails."""
        try:
            return httpx.Response(self.status, headers=self.headers, content=self.raw_body).content
        except httpx.DecodingError:
            return self.raw_body


def new_client() -> httpx.AsyncClient:
    """The one upstream client of a proxy: no redirects followed, certificates verified (the real UAT)."""
    return httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT, follow_redirects=False)


async def forward(client: httpx.AsyncClient, method: str, url: str, headers: list[tuple[str, str]],
                  body: bytes) -> Upstream:
    """Send the request as the system sent it (Host and Content-Length set for the upstream); httpx errors pass."""
    request = httpx.Request(method, url, headers=end_to_end(headers, drop=_SET_BY_THE_PROXY),
                            content=body)
    response = await client.send(request, stream=True)
    try:
        chunks = [chunk async for chunk in response.aiter_raw()]
    finally:
        await response.aclose()
    raw_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    return Upstream(response.status_code, response.reason_phrase, raw_headers, b"".join(chunks))
