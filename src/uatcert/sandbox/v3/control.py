"""The v3 control routes: the sandbox's info (v3 is its first API) and a product's stock."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import uatcert
from uatcert.sandbox._control import PREFIX, bad_request
from uatcert.sandbox._faults import FAULT_KINDS
from uatcert.sandbox._http import data_response, state_of
from uatcert.sandbox._modes import DEFECT_MODES
from uatcert.sandbox.v3.state import v3_of


async def info(request: Request) -> Response:
    st, v3 = state_of(request), v3_of(request)
    base = str(request.base_url).rstrip("/")
    return data_response(
        {
            "name": "uatcert sandbox",
            "version": uatcert.__version__,
            "apis": {"v3": {"base_url": f"{base}/v3", "token_url": f"{base}/oauth2/token"}},
            "control_url": f"{base}{PREFIX}",
            "clients": [{"client_id": c.client_id, "scopes": list(c.scopes)} for c in st.cfg.clients],
            "scope_prefixes": list(st.cfg.scope_prefixes),
            "defect": st.defect,
            "defect_modes": dict(DEFECT_MODES),
            "fault_kinds": list(FAULT_KINDS),
            "products": len(v3.catalogue.products),
            "token_ttl_s": st.cfg.token_ttl_s,
        }
    )


async def stock(request: Request) -> Response:
    v3 = v3_of(request)
    code = request.path_params["code"]
    if v3.catalogue.get(code) is None:
        return bad_request(f"no product with code {code!r}", 404)
    return data_response({"code": code, "remaining": v3.stock.get(code)})


CONTROL_ROUTES = [
    Route(f"{PREFIX}/info", info, methods=["GET"]),
    Route(f"{PREFIX}/stock/{{code}}", stock, methods=["GET"]),
]
