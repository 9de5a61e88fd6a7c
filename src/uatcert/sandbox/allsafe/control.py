"""The AllSafe control API under `/__sandbox/allsafe/`: info, stock, allocations, switches.

The generic control API applies too: faults (`api: "allsafe"`), the issuance ledger (`api=allsafe`), defect
modes (`allsafe_*`) and `POST /__sandbox/reset`, which also reseeds the AllSafe world (a reset hook)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._config import ALLSAFE_PREFIX
from uatcert.sandbox._control import bad_request, json_object
from uatcert.sandbox._http import data_response, state_of
from uatcert.sandbox.allsafe.codes import number
from uatcert.sandbox.allsafe.defects import DEFECTS
from uatcert.sandbox.allsafe.state import SAST, Switches, world_of

CONTROL_PREFIX = "/__sandbox/allsafe"


class _StockChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    vendor: str = Field(min_length=1)
    value: int | float
    count: int = Field(ge=0, le=100_000)
    campaign: str = "camp-live"
    pool: Literal["test", "live"] = "test"

    @field_validator("value")
    @classmethod
    def _positive(cls, value: int | float) -> int | float:
        if not math.isfinite(value) or value <= 0:
            raise ValueError("must be a number greater than 0")
        return value


def _problems(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


async def control_info(request: Request) -> Response:
    world = world_of(request)
    base = str(request.base_url).rstrip("/")
    today = dt.datetime.now(SAST).date()
    return data_response({
        "base_url": f"{base}{ALLSAFE_PREFIX}",
        "availability": f"GET {ALLSAFE_PREFIX}/availability",
        "allocate": f"POST {ALLSAFE_PREFIX}/allocate",
        "integrations": [
            {"username": i.username, "password": i.password, "status": i.status, "campaign": i.campaign}
            for i in world.integrations.values()
        ],
        "campaigns": [
            {"id": c.id, "name": c.name, "status": world.campaign_status(c, today), "vaults": list(c.vaults),
             "start": c.start.isoformat() if c.start else None, "end": c.end.isoformat() if c.end else None,
             **dataclasses.asdict(world.counters[c.id])}
            for c in world.campaigns.values()
        ],
        "vendors": sorted(world.vendors),
        "switches": world.switches.model_dump(),
        "defect": state_of(request).defect,
        "defect_modes": {mode.name: mode.description for mode in DEFECTS},
    })


async def control_stock(request: Request) -> Response:
    """GET: every (campaign, pool, vendor, value) with available, allocated, expired counts."""
    world = world_of(request)
    unknown = set(request.query_params) - {"campaign", "username"}
    if unknown:
        return bad_request(f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    wanted = request.query_params.get("campaign")
    if username := request.query_params.get("username"):
        integration = world.integrations.get(username)
        if integration is None:
            return bad_request(f"no integration {username!r}", 404)
        wanted = integration.campaign
    now = dt.datetime.now(SAST)
    rows: dict[tuple[str, str, str, Decimal], dict[str, Any]] = {}
    for campaign in world.campaigns.values():
        if wanted and campaign.id != wanted:
            continue
        for voucher in world.campaign_vouchers(campaign):
            pool = "test" if voucher.test else "live"
            key = (campaign.id, pool, voucher.vendor, voucher.value.normalize())
            row = rows.setdefault(key, {"campaign": campaign.id, "pool": pool, "vendor": voucher.vendor,
                                        "value": number(voucher.value), "available": 0, "allocated": 0,
                                        "expired": 0, "exported": 0})
            if voucher.state == "available":
                row["available" if voucher.expiry > now else "expired"] += 1
            else:
                row[voucher.state] += 1
    return data_response([rows[k] for k in sorted(rows)])


async def control_set_stock(request: Request) -> Response:
    """PUT {"vendor", "value", "count", "campaign"?, "pool"?}: exactly `count` usable vouchers of that type."""
    obj = await json_object(request)
    if isinstance(obj, Response):
        return obj
    try:
        change = _StockChange.model_validate(obj)
    except ValidationError as exc:
        return bad_request(f"bad stock change: {_problems(exc)}")
    world = world_of(request)
    campaign = world.campaigns.get(change.campaign)
    if campaign is None:
        return bad_request(f"no campaign {change.campaign!r}", 404)
    value = Decimal(str(change.value))
    try:
        world.set_stock(campaign, change.vendor, value, change.count, change.pool == "test")
    except ValueError as exc:
        return bad_request(str(exc))
    return data_response({**change.model_dump(), "remaining": change.count})


async def control_allocations(request: Request) -> Response:
    world = world_of(request)
    unknown = set(request.query_params) - {"reference", "username"}
    if unknown:
        return bad_request(f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    entries = world.allocations
    if (reference := request.query_params.get("reference")) is not None:
        entries = [e for e in entries if e["reference"] == reference]
    if username := request.query_params.get("username"):
        entries = [e for e in entries if e["username"] == username]
    return data_response(entries)


async def control_switches(request: Request) -> Response:
    world = world_of(request)
    if request.method == "GET":
        return data_response(world.switches.model_dump())
    obj = await json_object(request)
    if isinstance(obj, Response):
        return obj
    try:
        world.switches = Switches.model_validate({**world.switches.model_dump(), **obj})
    except ValidationError as exc:
        return bad_request(f"bad switches: {_problems(exc)}")
    return data_response(world.switches.model_dump())


CONTROL_ROUTES = [
    Route(f"{CONTROL_PREFIX}/info", control_info, methods=["GET"]),
    Route(f"{CONTROL_PREFIX}/stock", control_stock, methods=["GET"]),
    Route(f"{CONTROL_PREFIX}/stock", control_set_stock, methods=["PUT"]),
    Route(f"{CONTROL_PREFIX}/allocations", control_allocations, methods=["GET"]),
    Route(f"{CONTROL_PREFIX}/switches", control_switches, methods=["GET", "PUT"]),
]
