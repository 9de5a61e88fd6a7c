"""
OAuth 2.0 client-credentials token for the v3 API (reference §3.2, §3.3): fetched once, reused while
it has more than the refresh margin to live, renewed on demand (a 401, or `forget_expiry()`).

The token is opaque: its claims are never read. It never appears in a repr or an error message.
"""

from __future__ import annotations

import base64
import math
import threading
from collections.abc import Callable, Sequence

import httpx

from uatcert.v3._constants import DEFAULT_TOKEN_EXPIRES_IN_S
from uatcert.v3._exceptions import ResponseValidationError, TokenError, make_status_error
from uatcert.v3._parsing import decode_json, parse_error_body

SendToken = Callable[[httpx.Request], httpx.Response]
"""Sends one token request (emitting its exchange); raises `ApiConnectionError` on network trouble."""


class TokenManager:
    """Holds the current access token and its expiry, measured on the injected clock."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: Sequence[str],
        clock: Callable[[], float],
        refresh_margin_s: float,
        http: httpx.Client,
        send: SendToken,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode("ascii")
        self._scope = " ".join(scopes)
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
        return f"TokenManager(url={self._token_url!r}, token={state}, fetches={self.fetches})"

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

    def build_request(self) -> httpx.Request:
        """The token request: Basic client authentication and a form body."""
        form = {"grant_type": "client_credentials"}
        if self._scope:
            form["scope"] = self._scope
        return self._http.build_request(
            "POST",
            self._token_url,
            headers={
                "Authorization": f"Basic {self._basic}",
                "Accept": "application/json",
            },
            data=form,
        )

    def _fetch(self) -> str:
        started = self._clock()
        response = self._send(self.build_request())
        if response.status_code in (400, 401):
            body = parse_error_body(response)
            error = body.code if body is not None else None
            description = body.message if body is not None else None
            text = f"{response.request.method} {response.request.url.path} -> {response.status_code}: "
            text += f"token refused ({error or 'no OAuth error code'})"
            if description:
                text += f": {description[:200]}"
            raise TokenError(text, response=response, error=error, error_description=description)
        if not response.is_success:
            raise make_status_error(response, parse_error_body(response))
        body_json = decode_json(response)
        token = body_json.get("access_token") if isinstance(body_json, dict) else None
        if not isinstance(token, str) or not token:
            raise ResponseValidationError(
                f"{response.request.method} {response.request.url.path} -> {response.status_code}: "
                "token response has no access_token string",
                errors=[("$.access_token", "missing or not a non-empty string")],
                response=response,
            )
        raw_expiry = body_json.get("expires_in")
        expires_in = DEFAULT_TOKEN_EXPIRES_IN_S
        self.last_expires_in = None
        if isinstance(raw_expiry, str) and raw_expiry.strip().isdigit():
            raw_expiry = int(raw_expiry)
        if isinstance(raw_expiry, int | float) and not isinstance(raw_expiry, bool) and raw_expiry >= 0:
            expires_in = float(raw_expiry)
            self.last_expires_in = expires_in
        # A short-lived token must still be usable: never keep more than half its life as margin.
        margin = min(self._margin_s, expires_in / 2)
        self._token = token
        self._renew_at = started + expires_in - margin
        self.fetches += 1
        return token
