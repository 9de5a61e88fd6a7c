"""
OAuth 2.0 client-credentials token of the v2 API (reference §3.2, §3.3): `POST /v2/connect/token` with
`client_id`, `client_secret`, `grant_type=client_credentials` (and `scope` when configured) in a form
body. The cache (DOC: valid one hour, reusable for any number of calls; renewed on a 401 or
`forget_expiry()`) is `uatcert._http.token`.
"""

from __future__ import annotations

from typing import Any

import httpx

from uatcert._http.token import TokenCache
from uatcert.v2._constants import DEFAULT_TOKEN_EXPIRES_IN_S
from uatcert.v2._exceptions import ResponseValidationError, TokenError, make_status_error
from uatcert.v2._models import TokenInfo
from uatcert.v2._parsing import decode_json, parse_error_messages


class TokenManager(TokenCache):
    """The v2 token: the client credentials in the form body; what the last response said in `info`."""

    refused_error = TokenError
    invalid_error = ResponseValidationError
    default_expires_in_s = DEFAULT_TOKEN_EXPIRES_IN_S
    info: TokenInfo | None = None
    """What the last successful token response said (expires_in, token_type, scope)."""

    def build_request(self) -> httpx.Request:
        """The token request: credentials and grant in a form body (what public v2 clients send)."""
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
        }
        if self._scope:
            form["scope"] = self._scope
        return self._http.build_request("POST", self._token_url, headers={"Accept": "application/json"}, data=form)

    def oauth_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        messages = parse_error_messages(response)
        return (messages[0].code, messages[0].text) if messages else (None, None)

    def status_error(self, response: httpx.Response) -> Exception:
        return make_status_error(response, parse_error_messages(response))

    def decode_json(self, response: httpx.Response) -> Any:
        return decode_json(response)

    def granted(self, response: httpx.Response, body: dict[str, Any], expires_in: float | None) -> None:
        super().granted(response, body, expires_in)
        token_type, scope = body.get("token_type"), body.get("scope")
        self.info = TokenInfo(
            status_code=response.status_code,
            expires_in=expires_in,
            token_type=token_type if isinstance(token_type, str) else None,
            scope=scope if isinstance(scope, str) else None,
        )
