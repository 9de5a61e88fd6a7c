"""
The OAuth 2.0 client-credentials token cache of v3 and v2: fetched once, reused while it has more
than the refresh margin to live (measured on the injected clock), renewed on demand (a 401, or
`forget_expiry()`).

Each API says how its token request is built and how its refusals and bodies read (`TokenCache`'s
abstract methods); the cache, the expiry arithmetic and the one renewal per call on a 401 are here.
The token is opaque: its claims are never read. It never appears in a repr or an error message.
"""

from __future__ import annotations

import abc
import math
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from uatcert._http.errors import BodyInvalid, TokenRefused
from uatcert._http.exchange import CallState
from uatcert._http.parsing import at

SendToken = Callable[[httpx.Request], httpx.Response]
"""Sends one token request (emitting its exchange); raises the API's connection error on network trouble."""


class TokenCache(abc.ABC):
    """Holds the current access token and its expiry, measured on the injected clock."""

    refused_error: type[TokenRefused]
    """The API's token error (400/401 from the token endpoint)."""
    invalid_error: type[BodyInvalid]
    """The API's `ResponseValidationError` (a success without an access token)."""
    default_expires_in_s: float
    """Token lifetime assumed when the token response carries no `expires_in`."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None,
        clock: Callable[[], float],
        refresh_margin_s: float,
        http: httpx.Client,
        send: SendToken,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._clock = clock
        self._margin_s = refresh_margin_s
        self._send = send
        self._lock = threading.RLock()
        self._token: str | None = None
        self._renew_at = -math.inf
        self.fetches = 0
        """How many times a token was obtained."""
        self.last_expires_in: float | None = None
        """`expires_in` of the last token response (None if it had none)."""

    def __repr__(self) -> str:
        state = "none" if self._token is None else ("valid" if self._clock() < self._renew_at else "due")
        return f"{type(self).__name__}(url={self._token_url!r}, token={state}, fetches={self.fetches})"

    def get(self) -> str:
        """The cached token while it has more than the margin to live, else a fresh one."""
        with self._lock:
            if self._token is not None and self._clock() < self._renew_at:
                return self._token
            return self._fetch()

    def renew(self) -> str:
        """Fetch a new token now, whatever the state of the cached one."""
        with self._lock:
            return self._fetch()

    def forget_expiry(self) -> None:
        """Treat the cached token as due: the next `get()` fetches a new one."""
        with self._lock:
            self._renew_at = -math.inf

    def authorised(self, state: CallState, attempt: Callable[[str], httpx.Response]) -> httpx.Response:
        """`attempt(token)`, sent once more with a renewed token if it got the call's first 401."""
        while True:
            response = attempt(self.get())
            if response.status_code == 401 and not state.renewed:
                state.renewed = True
                self.renew()
                continue
            return response

    @abc.abstractmethod
    def build_request(self) -> httpx.Request:
        """The token request."""

    @abc.abstractmethod
    def oauth_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        """(error, description) of a refusal, read tolerantly; (None, None) when the body has none."""

    @abc.abstractmethod
    def status_error(self, response: httpx.Response) -> Exception:
        """The API's status error for any other failed token response."""

    @abc.abstractmethod
    def decode_json(self, response: httpx.Response) -> Any:
        """The decoded body of a successful token response (the API's `ResponseValidationError` if not JSON)."""

    def granted(self, response: httpx.Response, body: dict[str, Any], expires_in: float | None) -> None:
        """Told about each token obtained (`expires_in` as stated, None if the response had none)."""
        self.last_expires_in = expires_in

    def _fetch(self) -> str:
        started = self._clock()
        response = self._send(self.build_request())
        where = at(response)
        if response.status_code in (400, 401):
            error, description = self.oauth_error(response)
            text = f"{where}: token refused ({error or 'no OAuth error code'})"
            if description:
                text += f": {description[:200]}"
            raise self.refused_error(text, response=response, error=error, error_description=description)
        if not response.is_success:
            raise self.status_error(response)
        body = self.decode_json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(token, str) or not token:
            raise self.invalid_error(
                f"{where}: token response has no access_token string",
                errors=[("$.access_token", "missing or not a non-empty string")],
                response=response,
            )
        stated = _seconds(body.get("expires_in"))
        self.granted(response, body, stated)
        expires_in = self.default_expires_in_s if stated is None else stated
        # A short-lived token must still be usable: never keep more than half its life as margin.
        margin = min(self._margin_s, expires_in / 2)
        self._token = token
        self._renew_at = started + expires_in - margin
        self.fetches += 1
        return token


def _seconds(raw: Any) -> float | None:
    """`expires_in` as seconds: a non-negative number or a string of digits; None otherwise."""
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw)
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool) and raw >= 0:
        return float(raw)
    return None
