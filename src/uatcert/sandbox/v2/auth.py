"""v2's token endpoint (`POST /v2/connect/token`, reference §4) and the checks of the voucher calls' credentials."""

from __future__ import annotations

import hmac
import json
import secrets
import time
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from uatcert.sandbox._config import SandboxV2Credentials
from uatcert.sandbox._http import JSON, NO_STORE, basic_credentials, dumps, state_of
from uatcert.sandbox._tokens import TokenRejected
from uatcert.sandbox.v2 import defects as d
from uatcert.sandbox.v2.codes import AUTH_CLIENT, AUTH_MISMATCH, AUTH_TOKEN, V2Failure
from uatcert.sandbox.v2.state import v2_of


def _oauth(error: str, description: str, status: int = 400) -> Response:
    return Response(dumps({"error": error, "error_description": description}), status, media_type=JSON,
                    headers=NO_STORE)


async def token_endpoint(request: Request) -> Response:
    """POST /v2/connect/token: client credentials in the form body (or HTTP Basic), grant client_credentials."""
    st, v2 = state_of(request), v2_of(request)
    body = await request.body()
    form = _token_form(body)
    if form is None:
        return _oauth("invalid_request", "the body must be application/x-www-form-urlencoded")
    basic = basic_credentials(request.headers.get("authorization", ""))
    client_id = form.get("client_id") or (basic[0] if basic else "")
    secret = form.get("client_secret") or (basic[1] if basic else "")
    grant = form.get("grant_type", "")
    if grant != "client_credentials":
        return _oauth("unsupported_grant_type", "grant_type must be client_credentials")
    if not client_id or not secret:
        return _oauth("invalid_request", "client_id and client_secret are required")
    client = v2.clients.get(client_id)
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        status = 401 if basic and "client_id" not in form else 400
        return _oauth("invalid_client", "client authentication failed", status)
    scope = form.get("scope", "").strip()
    if scope and any(s != v2.cfg.v2_scope for s in scope.split()):
        return _oauth("invalid_scope", f"scope {scope!r} is not allowed for this client")
    token = secrets.token_hex(32).upper()
    v2.tokens[token] = st.signer.mint(client.client_id, v2.cfg.v2_scope, str(request.base_url).rstrip("/"),
                                      int(time.time()))
    return Response(
        dumps({"access_token": token, "expires_in": st.cfg.token_ttl_s, "token_type": "Bearer",
               "scope": v2.cfg.v2_scope}),
        200, media_type=JSON, headers=NO_STORE,
    )


def _token_form(body: bytes) -> dict[str, str] | None:
    """The form parameters; a JSON object is accepted too (lenient, as the reference proposes)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.lstrip().startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        return {str(k): str(v) for k, v in obj.items() if isinstance(v, str)} if isinstance(obj, dict) else None
    try:
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text.strip()))
    except ValueError:
        return None
    return {k: v[0] for k, v in parsed.items()}


def authenticate(request: Request) -> SandboxV2Credentials:
    """Bearer token first (401), then the X-Client pair (401), then that both name one client (403)."""
    st, v2 = state_of(request), v2_of(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    signed = v2.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if signed is None:
        raise V2Failure(AUTH_TOKEN)
    try:
        claims = st.signer.verify(signed, int(time.time()))
    except TokenRejected as exc:
        raise V2Failure(AUTH_TOKEN, str(exc)) from None
    token_client = v2.clients.get(str(claims.get("client_id")))
    x_id = request.headers.get("x-client-id", "")
    x_secret = request.headers.get("x-client-secret", "")
    pair = v2.by_x_client_id.get(x_id)
    secret_ok = pair is not None and hmac.compare_digest(pair.x_client_secret.encode(), x_secret.encode())
    if pair is None or not (secret_ok or st.defective(d.CLIENT_SECRET_NOT_CHECKED)):
        raise V2Failure(AUTH_CLIENT)
    if token_client is None or token_client.client_id != pair.client_id:
        raise V2Failure(AUTH_MISMATCH)
    return pair
