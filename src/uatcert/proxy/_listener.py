"""
The proxy's own HTTP/1.1 listener: asyncio streams with h11, no ASGI server in front.

Why not an ASGI app on uvicorn: three faults need to act on the TCP connection itself. `drop_request`
and `lose_response` close it without a single byte of answer and `reset` aborts it with an RST
(SO_LINGER 0). An ASGI server hides the socket and answers 500 itself when the app sends nothing, so
none of the three can be done through ASGI. One listener that owns its sockets does every kind on one
code path: a request is read whole (h11 parses it), then answered, held, closed or reset.
"""

from __future__ import annotations

import asyncio
import socket
import struct

import h11

MAX_BODY = 10 * 1024 * 1024
"""A request body larger than this is refused with 413 (voucher APIs send small JSON or form bodies)."""
READ_SIZE = 65536


class ClientGone(Exception):
    """The system closed its connection (or it broke) before the exchange ended."""


class Request:
    """One request as read off the wire: method, target (path and query, as sent), headers, body."""

    def __init__(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body


class Connection:
    """One accepted connection: read requests, answer them, or drop / reset the connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._h11 = h11.Connection(h11.SERVER)
        self.closed = False

    async def next_request(self) -> Request | None:
        """The next request on this connection; None when the system closed it or it is unusable."""
        if self.closed:
            return None
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            try:
                self._h11.start_next_cycle()
            except h11.LocalProtocolError:
                return None
        try:
            event = await self._event()
            if not isinstance(event, h11.Request):
                return None
            if self._h11.they_are_waiting_for_100_continue:  # the proxy reads the whole body before deciding
                self._writer.write(self._h11.send(h11.InformationalResponse(status_code=100, headers=[])) or b"")
            chunks: list[bytes] = []
            size = 0
            while True:
                part = await self._event()
                if isinstance(part, h11.Data):
                    size += len(part.data)
                    if size > MAX_BODY:
                        await self.answer(413, [("content-type", "text/plain")], b"request body too large\n")
                        await self.close()
                        return None
                    chunks.append(bytes(part.data))
                elif isinstance(part, h11.EndOfMessage):
                    break
                else:
                    return None
        except h11.RemoteProtocolError as exc:
            await self._bad_request(exc)
            return None
        except (ClientGone, ConnectionError):
            self.abandon()
            return None
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers.raw_items()]
        return Request(event.method.decode("ascii"), event.target.decode("latin-1"), headers, b"".join(chunks))

    async def _event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        while True:
            event = self._h11.next_event()
            if event is not h11.NEED_DATA:
                if event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
                    raise ClientGone
                return event
            # b"" at the end: h11 then reports ConnectionClosed, or RemoteProtocolError for a request cut short
            self._h11.receive_data(await self._reader.read(READ_SIZE))

    async def _bad_request(self, exc: h11.RemoteProtocolError) -> None:
        status = exc.error_status_hint
        if self._h11.our_state is h11.SEND_RESPONSE:
            try:
                await self.answer(status, [("content-type", "text/plain")], f"bad request: {exc}\n".encode())
            except (ClientGone, h11.LocalProtocolError):
                pass
        await self.close()

    async def answer(self, status: int, headers: list[tuple[str, str]], body: bytes, *, reason: str = "",
                     head: bool = False) -> None:
        """Send a whole response; ClientGone when the system is no longer there to get it."""
        if self.closed:
            raise ClientGone
        try:
            data = self._h11.send(h11.Response(status_code=status, headers=headers, reason=reason.encode("latin-1")))
            assert data is not None
            if body and not head and status not in (204, 304):
                data += self._h11.send(h11.Data(data=body)) or b""
            data += self._h11.send(h11.EndOfMessage()) or b""
            self._writer.write(data)
            await self._writer.drain()
        except (ConnectionError, RuntimeError) as exc:
            self.abandon()
            raise ClientGone from exc
        if self._h11.our_state is h11.MUST_CLOSE:
            await self.close()

    async def wait_gone(self, seconds: float) -> bool:
        """Wait `seconds`, watching the connection; True as soon as the system closed it (data it sends
        meanwhile, a pipelined request, is kept for later)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                data = await asyncio.wait_for(self._reader.read(READ_SIZE), timeout=left)
            except TimeoutError:
                return False
            except ConnectionError:
                return True
            if not data:
                return True
            self._h11.receive_data(data)
        return False

    async def close(self) -> None:
        """Close with a FIN: the system sees the connection end without (more) bytes."""
        if self.closed:
            return
        self.closed = True
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except (ConnectionError, OSError):
            pass

    def abandon(self) -> None:
        """Close without waiting (the proxy stops, or the exchange loop ended)."""
        if not self.closed:
            self.closed = True
            self._writer.close()

    def reset(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0) and send nothing at all."""
        if self.closed:
            return
        self.closed = True
        sock = self._writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        self._writer.transport.abort()
