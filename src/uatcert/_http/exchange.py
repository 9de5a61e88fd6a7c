"""
One HTTP exchange: sent, timed, told to the observers, transport errors wrapped in the API's class.

`Exchanges` owns an API client's `httpx.Client`. Every request goes through `send`, which emits one
`Exchange` per request (token requests included), carrying the provider's request ids read with the
API's own `request_id_headers`, and wraps every httpx request error with the API's `wrap_error`. A
transport with an `on_lost` listener list (`uatcert.faults.FaultTransport`) reports the answers it
dropped, so their real status and body still reach the observers.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence

import httpx

from uatcert._http.body import read_bounded
from uatcert._http.errors import ConnectionFailure
from uatcert._http.headers import request_id_of, request_ids_of
from uatcert.events import Exchange, ExchangeOutcome, Observer
from uatcert.faults import LostResponseReporter

WrapError = Callable[[httpx.RequestError], ConnectionFailure]
"""Turns an httpx request error into the API's connection error."""


@dataclasses.dataclass(frozen=True)
class Api:
    """What the shared core needs to know of one API."""

    name: str
    """The `Exchange.api` of its requests ("v3", "v2", "allsafe"; token requests are "token")."""
    user_agent: str
    request_id_headers: tuple[str, ...]
    """Response headers that may carry the provider's request id, first match wins."""
    wrap_error: WrapError
    """The API's `map_transport_error`."""

    @property
    def log(self) -> logging.Logger:
        """Where an observer's failure is logged (DEBUG), e.g. `uatcert.v3`."""
        return logging.getLogger(f"uatcert.{self.name}")


@dataclasses.dataclass
class CallState:
    """What one logical call has been through so far (shared by its attempts)."""

    key: str | None = None
    """The call's Idempotency-Key / X-Correlation-Id / client reference, if any."""
    attempts: int = 0
    """HTTP requests sent to the API for this call."""
    request_ids: list[str] = dataclasses.field(default_factory=list)
    last_status: int | None = None
    """Last HTTP status actually received."""
    ambiguous: bool = False
    """True once an attempt may have been committed without the client knowing (lost answer, 5xx, 409)."""
    renewed: bool = False
    """True once the token was renewed after a 401 (done at most once per call)."""


class Exchanges:
    """The `httpx.Client` of one API client, and the one place its requests are sent and observed."""

    def __init__(
        self,
        api: Api,
        *,
        base_url: str,
        timeout: httpx.Timeout,
        transport: httpx.BaseTransport | None,
        observers: Sequence[Observer],
        clock: Callable[[], float],
    ) -> None:
        self.api = api
        self.total_timeout_s = timeout.read
        """The longest one exchange may take, first byte sent to last byte read (the client's `timeout`)."""
        self.http = httpx.Client(
            base_url=base_url + "/",
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": api.user_agent, "Accept": "application/json"},
        )
        self._observers: list[Observer] = list(observers)
        self._clock = clock
        self._pending_lost: dict[int, httpx.Response | None] = {}
        self._reporter: LostResponseReporter | None = None
        if isinstance(transport, LostResponseReporter):
            self._reporter = transport
            transport.on_lost.append(self._on_lost_response)

    def add_observer(self, observer: Observer) -> None:
        """Also pass every later exchange to `observer`."""
        self._observers.append(observer)

    def close(self) -> None:
        """Close the connection pool (and the transport) and stop listening for lost responses."""
        if self._reporter is not None:
            try:
                self._reporter.on_lost.remove(self._on_lost_response)
            except ValueError:
                pass
            self._reporter = None
        self.http.close()

    def is_route(self, request: httpx.Request, method: str, route: re.Pattern[str]) -> bool:
        """True when the request is `method` on a path below the base URL that `route` matches in full."""
        base = self.http.base_url.raw_path.decode("ascii").split("?", 1)[0]
        path = request.url.raw_path.decode("ascii").split("?", 1)[0]
        return (request.method == method and path.startswith(base)
                and route.fullmatch("/" + path[len(base):]) is not None)

    def request_id(self, response: httpx.Response) -> str | None:
        """The provider's request id of a response (the API's headers, first match wins)."""
        return request_id_of(response, self.api.request_id_headers)

    def attempt(self, request: httpx.Request, state: CallState, *, issuance: bool = False) -> httpx.Response:
        """One attempt of a logical call: counted, sent, its status and request id kept in `state`."""
        state.attempts += 1
        try:
            response = self.send(request, attempt=state.attempts, idempotency_key=state.key, issuance=issuance)
        except ConnectionFailure as error:
            if error.outcome != "lost_request":
                state.ambiguous = True
            raise
        state.last_status = response.status_code
        request_id = self.request_id(response)
        if request_id:
            state.request_ids.append(request_id)
        return response

    def send(
        self,
        request: httpx.Request,
        *,
        api: str | None = None,
        attempt: int = 1,
        idempotency_key: str | None = None,
        issuance: bool = False,
    ) -> httpx.Response:
        """
        Send one request and read its body within the total timeout and size cap (`body`); emit its `Exchange`
        (`api` defaults to the API's name; token requests say "token"); wrap every httpx request error with the
        API's `wrap_error`. Redirects are never followed: a 3xx is an answer like any other.
        """
        api = api or self.api.name
        slot = id(request)
        self._pending_lost[slot] = None
        started = self._clock()
        try:
            response = read_bounded(self.http, request, self.total_timeout_s)
        except httpx.RequestError as exc:
            duration = self._clock() - started
            lost = self._pending_lost.pop(slot, None)
            error = self.api.wrap_error(exc)
            if lost is not None:
                error.response_lost(lost)
            self._emit(self._exchange(request, lost, error.outcome, duration, api, attempt, idempotency_key,
                                      issuance, error=str(error)))
            raise error from exc
        finally:
            self._pending_lost.pop(slot, None)
        duration = self._clock() - started
        self._emit(self._exchange(request, response, "response", duration, api, attempt, idempotency_key, issuance))
        return response

    def _on_lost_response(self, request: httpx.Request, response: httpx.Response) -> None:
        """Listener for a transport that dropped an answer: keep it for the exchange of that request."""
        slot = id(request)
        if slot in self._pending_lost:
            self._pending_lost[slot] = response

    def _exchange(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        outcome: ExchangeOutcome,
        duration_s: float,
        api: str,
        attempt: int,
        idempotency_key: str | None,
        issuance: bool,
        *,
        error: str | None = None,
    ) -> Exchange:
        """The event of one request and the answer it got (or the server's answer a transport dropped)."""
        return Exchange(
            api=api,
            method=request.method,
            url=str(request.url),
            request_headers=dict(request.headers),
            request_body=_body_of(request),
            outcome=outcome,
            status=response.status_code if response is not None else None,
            response_headers=dict(response.headers) if response is not None else {},
            response_body=response.content if response is not None else b"",
            request_ids=request_ids_of(response, self.api.request_id_headers) if response is not None else (),
            duration_s=duration_s,
            error=error,
            attempt=attempt,
            idempotency_key=idempotency_key,
            issuance=issuance,
        )

    def _emit(self, exchange: Exchange) -> None:
        for observer in tuple(self._observers):
            try:
                observer(exchange)
            except Exception:  # noqa: BLE001 - observers must never break the client (documented)
                self.api.log.debug("observer %r raised; ignored", observer, exc_info=True)


def _body_of(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:
        return b""
