"""`create_app`: the Starlette application serving the token endpoint, v3 and the control API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from uatcert.sandbox import _auth, _codes, _control, _v3
from uatcert.sandbox._catalogue import load_catalogue
from uatcert.sandbox._codes import ApiError
from uatcert.sandbox._config import SandboxConfig
from uatcert.sandbox._http import api_error_handler, error_response
from uatcert.sandbox._middleware import SandboxMiddleware
from uatcert.sandbox._state import SandboxState


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(_codes.METHOD_NOT_ALLOWED, headers=dict(exc.headers or {}))
    if exc.status_code == 404:
        return error_response(_codes.ROUTE_UNKNOWN, f"{request.method} {request.url.path}")
    return error_response(_codes.ErrorCode(exc.status_code, f"{exc.status_code}-F00", exc.detail, False))


def create_app(cfg: SandboxConfig | None = None) -> Starlette:
    """Build a sandbox app; ConfigError if the catalogue file is bad."""
    cfg = cfg or SandboxConfig()
    state = SandboxState(cfg, load_catalogue(cfg.catalogue_path))
    state.commit_routes.extend(_v3.COMMIT_ROUTES)
    app = Starlette(
        routes=[*_auth.ROUTES, *_v3.ROUTES, *_control.ROUTES],
        middleware=[Middleware(SandboxMiddleware, state=state)],
        exception_handlers={ApiError: api_error_handler, HTTPException: _http_exception},
    )
    app.router.redirect_slashes = False
    app.state.sandbox = state
    return app
