"""
OAuth 2.0 client-credentials token of the v2 API (reference §3.2, §3.3): `POST /v2/connect/token` with
`client_id`, `client_secret`, `grant_type=client_credentials` (and `scope` when configured) in a form
body. Fetched once, reused while it has more than the refresh margin to live (DOC: valid one hour,
reusable for any number of calls), renewed on demand (a 401, or `forget_expiry()`).

The token is opaque. It never appears in a repr or an error message.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from decimal import Decimal

import httpx

from uatcert.v2._constants import DEFAULT_TOKEN_EXPIRES_IN_S
from uatcert.v2._exceptions import ResponseValidationError, TokenError, make_status_error
from uatcert.v2._models import TokenInfo
from uatcert.v2._parsing import decode_json, parse_error_messages

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
        self.info: TokenInfo | None = None
        """What the last successful token response said (expires_in, token_type, scope)."""

    def __repr__(self) -> str:
        state = "none" if self._token is None else ("valid" if self._clock() < self._renew_at else "due")
        return f"TokenManager(url={self._token_url!r}, token={state}, fetches={self.fetches})"

    def get(self) -> str:
        with self._lock:
            if self._token is not None and self._clock() < self._renew_at:
                return self._token
            return self._fetch()

    def renew(self) -> str:
        with self._lock:
            return self._fetch()

    def forget_expiry(self) -> None:
        with self._lock:
            self._renew_at = -math.inf

    def build_request(self) -> httpx.Request:
        """The token request: credentials and grant in a form body (what public v2 clients send)."""
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
        }
        if self._scope:
            form["scope"] = self._scope
        return self._http.build_request(
            "POST", self._token_url, headers={"Accept": "application/json"}, data=form
        )

    def _fetch(self) -> str:
        started = self._clock()
        response = self._send(self.build_request())
        where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
        if response.status_code in (400, 401):
            messages = parse_error_messages(response)
            error = messages[0].code if messages else None
            description = messages[0].text if messages else None
            text = f"{where}: token refused ({error or 'no OAuth error code'})"
            if description:
                text += f": {description[:200]}"
            raise TokenError(text, response=response, error=error, error_description=description)
        if not response.is_success:
            raise make_status_error(response, parse_error_messages(response))
        body = decode_json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ResponseValidationError(
                f"{where}: token response has no access_token string",
                errors=[("$.access_token", "missing or not a non-empty string")],
                response=response,
            )
        raw_expiry = body.get("expires_in")
        if isinstance(raw_expiry, str) and raw_expiry.strip().isdigit():
            raw_expiry = int(raw_expiry)
        stated: float | None = None
        if isinstance(raw_expiry, int | Decimal) and not isinstance(raw_expiry, bool) and raw_expiry >= 0:
            stated = float(raw_expiry)
        expires_in = DEFAULT_TOKEN_EXPIRES_IN_S if stated is None else stated
        token_type = body.get("token_type")
        scope = body.get("scope")
        self.info = TokenInfo(
            status_code=response.status_code,
            expires_in=stated,
            token_type=token_type if isinstance(token_type, str) else None,
            scope=scope if isinstance(scope, str) else None,
        )
        margin = min(self._margin_s, expires_in / 2)  # a short-lived token must still be usable
        self._token = token
        self._renew_at = started + expires_in - margin
        self.fetches += 1
        return token
