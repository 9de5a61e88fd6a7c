"""v2's control route: `GET /__sandbox/v2/info` (where v2 is served, its clients and its catalogue)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._http import JSON, dumps
from uatcert.sandbox.v2.state import v2_of

PREFIX = "/v2"
TOKEN_PATH = f"{PREFIX}/connect/token"
PRODUCT_CLASS = "ETX_001"


async def v2_info(request: Request) -> Response:
    """GET /__sandbox/v2/info: where v2 is served, its clients and its catalogue (control API, no auth)."""
    v2 = v2_of(request)
    base = str(request.base_url).rstrip("/")
    return Response(dumps({"data": {
        "base_url": f"{base}{PREFIX}",
        "token_url": f"{base}{TOKEN_PATH}",
        "product_class": PRODUCT_CLASS,
        "scope": v2.cfg.v2_scope,
        "clients": [{"client_id": c.client_id, "x_client_id": c.x_client_id} for c in v2.cfg.v2_clients],
        "catalogue": str(v2.catalogue.path),
        "products": [{"code": p.code, "order_number": p.order_number, "product_type": p.type_name}
                     for p in v2.catalogue.products],
    }}), 200, media_type=JSON)


CONTROL_ROUTES = [Route("/__sandbox/v2/info", v2_info, methods=["GET"])]
