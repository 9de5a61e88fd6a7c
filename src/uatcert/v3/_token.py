"""
OAuth 2.0 client-credentials token for the v3 API (reference §3.2, §3.3): Basic client
authentication, `grant_type` and the scopes in a form body. The cache (reuse while it has more than
the refresh margin to live, renewal on a 401 or `forget_expiry()`) is `uatcert._http.token`.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from uatcert._http.token import TokenCache
from uatcert.v3._constants import DEFAULT_TOKEN_EXPIRES_IN_S
from uatcert.v3._exceptions import ResponseValidationError, TokenError, make_status_error
from uatcert.v3._parsing import BODY, parse_error_body


class TokenManager(TokenCache):
    """The v3 token: `Authorization: Basic` with the client credentials; the scopes space-separated."""

    refused_error = TokenError
    invalid_error = ResponseValidationError
    default_expires_in_s = DEFAULT_TOKEN_EXPIRES_IN_S

    def build_request(self) -> httpx.Request:
        """The token request: Basic client authentication and a form body."""
        basic = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode("ascii")
        form = {"grant_type": "client_credentials"}
        if self._scope:
            form["scope"] = self._scope
        return self._http.build_request(
            "POST",
            self._token_url,
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
            data=form,
        )

    def oauth_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        body = parse_error_body(response)
        return (body.code, body.message) if body is not None else (None, None)

    def status_error(self, response: httpx.Response) -> Exception:
        return make_status_error(response, parse_error_body(response))

    def decode_json(self, response: httpx.Response) -> Any:
        return BODY.decode_json(response)
