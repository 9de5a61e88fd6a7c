"""`create_app`: the Starlette application serving every API (v3, v2, AllSafe) and the control API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from uatcert.sandbox import _control, _errors
from uatcert.sandbox._config import SandboxConfig
from uatcert.sandbox._errors import ApiError, ErrorCode
from uatcert.sandbox._http import api_error_handler, error_response
from uatcert.sandbox._middleware import SandboxMiddleware
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox.allsafe import control as allsafe_control
from uatcert.sandbox.allsafe import openapi as allsafe_openapi
from uatcert.sandbox.allsafe import routes as allsafe_routes
from uatcert.sandbox.allsafe.state import AllSafeWorld
from uatcert.sandbox.v2 import control as v2_control
from uatcert.sandbox.v2 import openapi as v2_openapi
from uatcert.sandbox.v2 import routes as v2_routes
from uatcert.sandbox.v2.envelope import V2EnvelopeMiddleware
from uatcert.sandbox.v2.state import V2State
from uatcert.sandbox.v3 import auth as v3_auth
from uatcert.sandbox.v3 import control as v3_control
from uatcert.sandbox.v3 import openapi as v3_openapi
from uatcert.sandbox.v3 import routes as v3_routes
from uatcert.sandbox.v3.state import V3State


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(_errors.METHOD_NOT_ALLOWED, headers=dict(exc.headers or {}))
    if exc.status_code == 404:
        return error_response(_errors.ROUTE_UNKNOWN, f"{request.method} {request.url.path}")
    return error_response(ErrorCode(exc.status_code, f"{exc.status_code}-F00", exc.detail, False))


def create_app(cfg: SandboxConfig | None = None) -> Starlette:
    """Build a sandbox app; ConfigError if a catalogue file (v3 JSON, v2 CSV) is bad."""
    cfg = cfg or SandboxConfig()
    core = SandboxState(cfg)
    v3 = V3State.attached(cfg, core)
    v2 = V2State.attached(cfg, core)
    allsafe = AllSafeWorld.attached(core)
    app = Starlette(
        routes=[
            *v3_openapi.ROUTES, *v2_openapi.ROUTES, *allsafe_openapi.ROUTES,
            *v3_auth.ROUTES, *v3_routes.ROUTES, *v2_routes.ROUTES, *allsafe_routes.ROUTES,
            *v3_control.CONTROL_ROUTES, *_control.ROUTES, *v2_control.CONTROL_ROUTES, *allsafe_control.CONTROL_ROUTES,
        ],
        middleware=[
            Middleware(V2EnvelopeMiddleware),  # outermost: v2 answers made outside the v2 routes
            Middleware(SandboxMiddleware, state=core),
        ],
        exception_handlers={ApiError: api_error_handler, HTTPException: _http_exception},
    )
    app.router.redirect_slashes = False
    app.state.sandbox = core
    app.state.v3 = v3
    app.state.v2 = v2
    app.state.allsafe = allsafe
    return app
