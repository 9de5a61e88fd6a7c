"""`create_app`: the Starlette application serving the token endpoint, v3, AllSafe and the control API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from uatcert.sandbox import _allsafe, _auth, _codes, _control, _v2, _v3
from uatcert.sandbox._catalogue import load_catalogue
from uatcert.sandbox._codes import ApiError
from uatcert.sandbox._config import ALLSAFE_PREFIX, SandboxConfig
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
    state.commit_routes.extend(_v2.COMMIT_ROUTES)
    state.faults.register_api("/v2/", "v2")
    state.faults.register_api(f"{ALLSAFE_PREFIX}/", "allsafe")
    sandbox_v2 = _v2.V2State(cfg, state)  # ConfigError if the v2 catalogue file is bad
    allsafe = _allsafe.AllSafeWorld.seeded()
    state.reset_hooks.append(allsafe.reset)  # POST /__sandbox/reset reseeds the AllSafe world too
    app = Starlette(
        routes=[
            *_auth.ROUTES, *_v3.ROUTES, *_v2.ROUTES, *_allsafe.ROUTES, *_control.ROUTES, *_allsafe.CONTROL_ROUTES,
        ],
        middleware=[
            Middleware(_v2.V2EnvelopeMiddleware),  # outermost: v2 answers made outside the v2 routes
            Middleware(SandboxMiddleware, state=state),
        ],
        exception_handlers={ApiError: api_error_handler, HTTPException: _http_exception},
    )
    app.router.redirect_slashes = False
    app.state.sandbox = state
    app.state.sandbox_v2 = sandbox_v2
    app.state.allsafe = allsafe
    return app
