"""v3's OAuth2 token endpoint (client credentials, HTTP Basic) and bearer-token checks on the v3 routes."""

from __future__ import annotations

import dataclasses
import hmac
import time
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._config import SandboxCredentials
from uatcert.sandbox._errors import ApiError
from uatcert.sandbox._http import NO_STORE, basic_credentials, json_response, state_of
from uatcert.sandbox._tokens import TokenRejected
from uatcert.sandbox.v3 import codes
from uatcert.sandbox.v3.state import v3_of


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who called an API route, and with which scope names (prefix removed)."""

    client_id: str
    scopes: frozenset[str]


def _oauth_error(error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, 400, NO_STORE)


def _basic_client(request: Request) -> SandboxCredentials | None:
    credentials = basic_credentials(request.headers.get("authorization", ""))
    if credentials is None:
        return None
    client_id, secret = credentials
    client = v3_of(request).clients.get(client_id)
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        return None
    return client


async def token_endpoint(request: Request) -> Response:
    """POST /oauth2/token: Basic client authentication, form body grant_type and scope."""
    st = state_of(request)
    body = await request.body()
    client = _basic_client(request)
    if client is None:
        return _oauth_error("invalid_client", "client authentication failed (HTTP Basic client_id:client_secret)")
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body.strip()))
    except (UnicodeDecodeError, ValueError):
        return _oauth_error("invalid_request", "body must be application/x-www-form-urlencoded")
    if any(len(values) > 1 for values in form.values()):
        return _oauth_error("invalid_request", "a parameter is repeated")
    grant = form.get("grant_type", [""])[0]
    if not grant:
        return _oauth_error("invalid_request", "grant_type is required")
    if grant != "client_credentials":
        return _oauth_error("unsupported_grant_type", "only grant_type=client_credentials is supported")
    requested = form.get("scope", [""])[0].split()
    prefixes = st.cfg.scope_prefixes
    if not requested:
        granted = [prefixes[0] + name for name in client.scopes]
    else:
        for scope in requested:
            prefix, _, name = scope.rpartition("/")
            if prefix + "/" not in prefixes or name not in client.scopes:
                return _oauth_error("invalid_scope", f"scope {scope!r} is not allowed for this client")
        granted = list(dict.fromkeys(requested))
    issuer = str(request.base_url).rstrip("/")
    token = st.signer.mint(client.client_id, " ".join(granted), issuer, int(time.time()))
    return json_response(
        {"access_token": token, "expires_in": st.cfg.token_ttl_s, "token_type": "Bearer"}, 200, NO_STORE
    )


def authorize(request: Request, scope: str, *, enforce_scope: bool = True) -> Caller:
    """The caller of an API route; 401 without a valid token, 403 without `scope`."""
    st = state_of(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(codes.TOKEN_MISSING, headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = st.signer.verify(token, int(time.time()))
    except TokenRejected as exc:
        error = codes.TOKEN_EXPIRED if exc.expired else codes.TOKEN_INVALID
        kind = "invalid_token"
        raise ApiError(error, str(exc), {"WWW-Authenticate": f'Bearer error="{kind}"'}) from None
    client_id = claims.get("client_id")
    scope_claim = claims.get("scope")
    if not isinstance(client_id, str) or client_id not in v3_of(request).clients or not isinstance(scope_claim, str):
        raise ApiError(codes.TOKEN_INVALID, "unknown client", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    scopes = frozenset(s.rpartition("/")[2] for s in scope_claim.split())
    if enforce_scope and scope not in scopes:
        raise ApiError(
            codes.SCOPE_MISSING,
            f"needs {scope}",
            {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )
    return Caller(client_id, scopes)


ROUTES = [Route("/oauth2/token", token_endpoint, methods=["POST"])]
